import { z } from 'zod'

export const MAX_POPULATION = 100_000_000

/** The edit form on an area's staff page; blank fields mean "not known". */
export const areaEditSchema = z.object({
  description: z
    .string()
    .trim()
    .max(2000, 'Description must be 2,000 characters or fewer')
    .transform(v => v || null)
    .default(null),
  population: z
    .string()
    .trim()
    .regex(/^(\d{1,3}(,\d{3})*|\d+)?$/, 'Enter the population as a whole number, like 8500')
    .transform(v => (v === '' ? null : Number(v.replace(/,/g, ''))))
    .refine(v => v === null || v <= MAX_POPULATION, 'Population must be 100,000,000 or fewer')
    .default(null),
})

export type AreaEdit = z.infer<typeof areaEditSchema>
