import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { requireStaff } from '../../../../../platform/auth/access.ts'
import { NEIGHBOURHOOD_ROLES } from '../../../roles.ts'
import { neighbourhoodPaths } from '../neighbourhood/access.ts'

/**
 * The neighbourhoods inside the staff member's grants, with the figures the Neighbourhood
 * Policing Guarantee asks about: is there a named contact, how many priorities are open and
 * how many are overdue a review.
 */
export function neighbourhoodsListController({ services }: RouteOptions) {
  return {
    list: async (request: FastifyRequest, reply: FastifyReply) => {
      const staff = requireStaff(request, NEIGHBOURHOOD_ROLES)
      const rows = await services.neighbourhoods.team.healthWithin(neighbourhoodPaths(staff))
      return reply.page('modules/neighbourhoods/web/staff/neighbourhoods/view.njk', {
        title: 'Neighbourhoods',
        rows,
        withoutContact: rows.filter(r => !r.hasNamedContact).length,
        reviewDue: rows.reduce((s, r) => s + r.reviewDue, 0),
      })
    },
  }
}
