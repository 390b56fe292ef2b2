import type { NeighbourhoodsDeps } from './deps.ts'
import type { EventType } from './schema.ts'

/** What the neighbourhood page and others show of an event. */
export interface EventSummary {
  id: string
  areaId: string
  type: EventType
  title: string
  startsAt: Date
  endsAt: Date
  address: string | null
  onlineUrl: string | null
  onlinePlatform: string | null
  cancelled: boolean
}

// Placeholder: replaced by the real service.
export function createEventsService(_deps: NeighbourhoodsDeps) {
  return {
    /** The next `limit` events of an area (not yet ended), soonest first, cancelled ones included and marked. */
    upcoming: async (_areaId: string, _limit: number): Promise<EventSummary[]> => [],
  }
}
