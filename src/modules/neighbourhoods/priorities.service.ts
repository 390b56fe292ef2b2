import type { NeighbourhoodsDeps } from './deps.ts'

// Placeholder: replaced by the real service.
export function createPrioritiesService(_deps: NeighbourhoodsDeps) {
  return {}
}
