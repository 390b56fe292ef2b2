import { z } from 'zod'

/**
 * A resident's question before a meeting. Only shapes here: the limits and the "is it still
 * taking questions" rules are the service's, so the words are the same everywhere.
 */
export const questionSchema = z.object({
  question: z.string().optional().transform(v => v ?? ''),
  name: z.string().optional().transform(v => v?.trim() || null),
  email: z.string().optional().transform(v => v?.trim() || null),
})

export type QuestionForm = z.infer<typeof questionSchema>
