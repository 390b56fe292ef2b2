import { z } from 'zod'

export const findSchema = z.object({
  q: z
    .string({ error: 'Enter a postcode or the name of a place' })
    .trim()
    .min(1, 'Enter a postcode or the name of a place')
    .max(100, 'Postcode or place name must be 100 characters or fewer'),
})
export type FindInput = z.infer<typeof findSchema>

/** Anything with a digit is taken as a postcode attempt: place names have none. */
export const looksLikePostcode = (q: string) => /\d/.test(q)
