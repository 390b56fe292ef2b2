import type { NeighbourhoodsDeps } from './deps.ts'
import { createTeamService } from './team.service.ts'
import { createPrioritiesService } from './priorities.service.ts'
import { createEventsService } from './events.service.ts'
import { createContactService } from './contact.service.ts'
import { createContactRetention } from './contact-retention.ts'
import { createProposalsService } from './proposals.service.ts'
import { createStalenessService } from './staleness.service.ts'
import { createApiService } from './api.service.ts'

/**
 * The neighbourhoods module's services, wired together. Each part is its own file:
 * team (profiles, team members, stations), priorities (with action updates), events
 * (one-off and recurring, questions, meeting records), contact (the "contact your team"
 * inbox, and erasing closed queries past their retention period), proposals ("have your say on priorities"), staleness (for engagement leads)
 * and api (data.police.uk-compatible reads).
 */
export function createNeighbourhoodsService(deps: NeighbourhoodsDeps) {
  const team = createTeamService(deps)
  const priorities = createPrioritiesService(deps)
  const events = createEventsService(deps)
  const contact = createContactService(deps)
  const contactRetention = createContactRetention(deps)
  const proposals = createProposalsService(deps)
  const staleness = createStalenessService(deps)
  const api = createApiService(deps)
  return { team, priorities, events, contact, contactRetention, proposals, staleness, api }
}

export type NeighbourhoodsService = ReturnType<typeof createNeighbourhoodsService>
