import type { NeighbourhoodsDeps } from './deps.ts'

// Placeholder: replaced by the real service.
export function createApiService(_deps: NeighbourhoodsDeps) {
  return {}
}
