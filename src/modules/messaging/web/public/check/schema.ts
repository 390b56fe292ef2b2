import { z } from 'zod'

export const codeSchema = z.object({
  code: z
    .string({ error: 'Enter the 6-digit code from the text message' })
    .transform(v => v.replace(/\s/g, ''))
    .pipe(z.string().min(1, 'Enter the 6-digit code from the text message').regex(/^\d{6}$/, 'The code is 6 numbers, like 123456')),
})

export const resendSchema = z.object({
  channel: z.enum(['email', 'sms'], { error: 'Choose what to send again' }),
})
