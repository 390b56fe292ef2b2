import { z } from 'zod'
import { MESSAGE_STATUSES } from '../../../schema.ts'

/** Filters on the messages list; anything unrecognised is ignored rather than an error. */
export const listQuerySchema = z.object({
  status: z.enum(MESSAGE_STATUSES).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1),
})
