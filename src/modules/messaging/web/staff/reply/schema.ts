import { z } from 'zod'

/** Giving a reply to someone: the form sends their id. */
export const assignSchema = z.object({
  assignee: z.string({ error: 'Choose who should deal with this reply' }).trim().uuid('Choose who should deal with this reply'),
})

/** The answer to a resident; its length limit depends on the channel and is checked by the inbox service. */
export const respondSchema = z.object({
  answer: z.string({ error: 'Enter your answer' }).trim().min(1, 'Enter your answer').max(10_000, 'Your answer must be 5,000 characters or fewer'),
})
