import type { NeighbourhoodsDeps } from './deps.ts'

// Placeholder: replaced by the real service.
export function createTeamService(_deps: NeighbourhoodsDeps) {
  return {}
}
