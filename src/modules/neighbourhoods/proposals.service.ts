import type { NeighbourhoodsDeps } from './deps.ts'
import type { ProposalStatus } from './schema.ts'

export interface ProposalSummary {
  id: string
  areaId: string
  issue: string
  details: string | null
  status: ProposalStatus
  supportCount: number
  createdAt: Date
}

// Placeholder: replaced by the real service.
export function createProposalsService(_deps: NeighbourhoodsDeps) {
  return {
    /** One proposal with its support count, or null. */
    get: async (_id: string): Promise<ProposalSummary | null> => null,
    /** An area's open proposals, most supported first. */
    openForArea: async (_areaId: string): Promise<ProposalSummary[]> => [],
  }
}
