import type { Services } from '../../services.ts'
import { loadDemoTeams } from './demo-team.ts'
import { loadDemoEvents } from './demo-events.ts'
import { loadDemoContact } from './demo-contact.ts'

/**
 * Demo neighbourhood content for every neighbourhood of the demo force: profiles, teams,
 * stations and priorities, then events and meeting records, then a few queries and proposals.
 * Deterministic for a given seed; `now` anchors dates so the demo always looks current.
 */
export async function loadDemoNeighbourhoods(services: Services, opts: { seed: number; now: Date }): Promise<void> {
  await loadDemoTeams(services, opts)
  await loadDemoEvents(services, opts)
  await loadDemoContact(services, opts)
}
