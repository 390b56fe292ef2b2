import type { FastifyReply } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { actorFrom } from '../../../../../platform/audit/service.ts'
import type { NeighbourhoodRow } from '../../../../areas/service.ts'
import { staffNeighbourhood, staffUrl, type NeighbourhoodRequest } from '../neighbourhood/access.ts'
import { LINK_ROWS, parseProfileForm } from './schema.ts'

const VIEW = 'modules/neighbourhoods/web/staff/profile/view.njk'

/**
 * The neighbourhood's profile: the welcome message, how the team engages, contact details
 * (data.police.uk's keys) and links. Saving replaces the profile and is audited.
 */
export function profileController({ services }: RouteOptions) {
  const context = async (area: NeighbourhoodRow) => {
    const profile = await services.neighbourhoods.team.getProfile(area.id)
    return {
      title: `Profile: ${area.name}`,
      area,
      profile: profile ?? { welcomeMessage: null, engagement: null, contactDetails: {}, links: [] },
      linkRows: Array.from({ length: LINK_ROWS }, (_, i) => profile?.links[i] ?? { title: '', url: '', description: '' }),
    }
  }

  return {
    show: async (request: NeighbourhoodRequest, reply: FastifyReply) => {
      const { area } = await staffNeighbourhood(services, request)
      return reply.page(VIEW, await context(area))
    },

    update: async (request: NeighbourhoodRequest, reply: FastifyReply) => {
      const { area } = await staffNeighbourhood(services, request)
      const url = staffUrl(area.id, '/profile')
      const form = parseProfileForm(request.body)
      if (!form.ok) return reply.formErrors(url, form, { template: VIEW, context: await context(area) })
      await services.neighbourhoods.team.saveProfile(actorFrom(request), area.id, form.data)
      return reply.redirectWithNotice(url, `The profile of ${area.name} has been saved`)
    },
  }
}
