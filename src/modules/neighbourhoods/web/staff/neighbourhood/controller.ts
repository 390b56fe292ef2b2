import type { FastifyReply } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { staffNeighbourhood, type NeighbourhoodRequest } from './access.ts'

/**
 * One neighbourhood's hub for staff: where it stands against the Guarantee (named contact,
 * priorities due a review) and links to every part of its page: profile, team, priorities,
 * stations, events and meetings, residents' proposals and the contact inbox.
 */
export function neighbourhoodHubController({ services }: RouteOptions) {
  return {
    show: async (request: NeighbourhoodRequest, reply: FastifyReply) => {
      const { area } = await staffNeighbourhood(services, request)
      const [members, current, profile] = await Promise.all([
        services.neighbourhoods.team.listMembers(area.id),
        services.neighbourhoods.priorities.current(area.id),
        services.neighbourhoods.team.getProfile(area.id),
      ])
      return reply.page('modules/neighbourhoods/web/staff/neighbourhood/view.njk', {
        title: area.name,
        area,
        namedContact: members.find(m => m.isNamedContact) ?? null,
        teamSize: members.length,
        openPriorities: current.length,
        reviewDue: current.filter(p => p.reviewDue).length,
        profileUpdatedAt: profile?.updatedAt ?? null,
      })
    },
  }
}
