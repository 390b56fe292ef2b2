import type { NeighbourhoodsDeps } from './deps.ts'

// Placeholder: replaced by the real service.
export function createContactService(_deps: NeighbourhoodsDeps) {
  return {}
}
