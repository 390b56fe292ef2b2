import { z } from 'zod'
import { PERIOD_DAYS } from '../../../stats.service.ts'

/** The reporting period (a GET form): the last 7, 28, 91 or 365 days; anything else means 28. */
export const periodQuerySchema = z.object({
  days: z.coerce
    .number()
    .refine(v => (PERIOD_DAYS as readonly number[]).includes(v))
    .catch(28)
    .default(28),
})

export const periodItems = (days: number) =>
  PERIOD_DAYS.map(d => ({ value: String(d), text: d === 365 ? 'The last year' : `The last ${d} days`, selected: d === days }))
