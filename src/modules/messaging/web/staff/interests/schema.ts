import { z } from 'zod'

const name = (what: string) =>
  z.string({ error: `Enter the ${what}` }).trim().min(1, `Enter the ${what}`).max(100, `The ${what} must be 100 characters or fewer`)

const optional = (max: number, message: string) =>
  z
    .string()
    .trim()
    .max(max, message)
    .default('')
    .transform(v => v || null)

/** Adding or changing an interest. */
export const interestSchema = z.object({
  name: name('name in English'),
  nameCy: optional(100, 'The Welsh name must be 100 characters or fewer'),
  description: optional(300, 'The description must be 300 characters or fewer'),
})

export const interestEditSchema = interestSchema.extend({
  active: z.enum(['yes', 'no'], { error: 'Select whether residents can choose this interest' }),
})

export const moveSchema = z.object({ direction: z.enum(['up', 'down']) })
