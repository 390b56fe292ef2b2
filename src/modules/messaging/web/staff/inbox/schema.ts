import { z } from 'zod'
import { REPLY_STATUSES } from '../../../inbox.service.ts'

/** The inbox filter (a GET form): anything unexpected falls back to "all". */
export const inboxQuerySchema = z.object({
  status: z.enum(REPLY_STATUSES).optional().catch(undefined),
  mine: z
    .enum(['yes'])
    .optional()
    .catch(undefined)
    .transform(v => v === 'yes'),
  page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1),
})
