import { z } from 'zod'

/** The message report's address: any id is accepted here; the stats service answers null for a bad one. */
export const messageReportParams = z.object({ id: z.string().max(100) })
