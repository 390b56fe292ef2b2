import { z } from 'zod'
import { MAX_REPLY_LENGTH } from '../../../subscribers.service.ts'

export const replySchema = z.object({
  body: z
    .string({ error: 'Enter your reply' })
    .trim()
    .min(1, 'Enter your reply')
    .max(MAX_REPLY_LENGTH, `Your reply must be ${MAX_REPLY_LENGTH.toLocaleString('en-GB')} characters or fewer`),
  answerChannel: z.enum(['email', 'sms', 'none'], { error: 'Choose how you would like an answer' }),
})
