import { z } from 'zod'

/** Cancelling: this date only, or this and the later dates of its series. */
export const cancelSchema = z.object({
  cancelScope: z.enum(['one', 'following'], { error: 'Choose whether to cancel only this date or this and later dates' }).optional(),
})
