import { z } from 'zod'

export const feedbackSchema = z.object({ useful: z.enum(['yes', 'no'], { error: 'Select yes if the message was useful' }) })
