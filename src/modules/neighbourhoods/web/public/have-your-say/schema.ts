import { z } from 'zod'
import { MAX_DETAILS, MAX_ISSUE, PROPOSAL_MESSAGES } from '../../../proposals.service.ts'

/** A resident's proposal: the issue (required) and optional details. */
export const proposeSchema = z.object({
  issue: z
    .string({ error: PROPOSAL_MESSAGES.noIssue })
    .trim()
    .min(1, PROPOSAL_MESSAGES.noIssue)
    .max(MAX_ISSUE, PROPOSAL_MESSAGES.longIssue),
  details: z.string().trim().max(MAX_DETAILS, PROPOSAL_MESSAGES.longDetails).optional().default(''),
})

export type ProposeInput = z.infer<typeof proposeSchema>
