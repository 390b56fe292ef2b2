import { z } from 'zod'

/** The one action on the dispatch page: take back deliveries stranded by a stopped worker now. */
export const dispatchActionSchema = z.object({
  action: z.enum(['recover'], { error: 'Choose what to do' }),
})

export type DispatchAction = z.infer<typeof dispatchActionSchema>
