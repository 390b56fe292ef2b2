import { z } from 'zod'
import { MAX_RESPONSE, PROPOSAL_MESSAGES } from '../../../proposals.service.ts'

/** Declining a proposal: the response residents will read. */
export const declineSchema = z.object({
  response: z
    .string({ error: PROPOSAL_MESSAGES.noResponse })
    .trim()
    .min(1, PROPOSAL_MESSAGES.noResponse)
    .max(MAX_RESPONSE, PROPOSAL_MESSAGES.longResponse),
})
