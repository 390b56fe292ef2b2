import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { grantedPaths, requireStaff } from '../../../../../platform/auth/access.ts'
import { AREA_ROLES } from '../access.ts'

/** The areas a staff member looks after: every area inside their grants, in tree order. */
export function areasController({ services }: RouteOptions) {
  return {
    list: async (request: FastifyRequest, reply: FastifyReply) => {
      const staff = requireStaff(request, AREA_ROLES)
      const areas = await services.areas.listAreasWithin(grantedPaths(staff, AREA_ROLES))
      // Depth relative to the shallowest area shown, so an officer's own area is not indented.
      const top = Math.min(...areas.map(a => a.depth))
      return reply.page('modules/areas/web/staff/areas/view.njk', {
        title: 'Areas',
        areas: areas.map(a => ({ ...a, indent: Math.min(9, (a.depth - top) * 4) })),
      })
    },
  }
}
