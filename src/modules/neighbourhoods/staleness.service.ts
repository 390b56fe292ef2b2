import type { NeighbourhoodsDeps } from './deps.ts'

// Placeholder: replaced by the real service.
export function createStalenessService(_deps: NeighbourhoodsDeps) {
  return {}
}
