import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { requireAreaAccess, requireStaff, type StaffContext } from '../../../../../platform/auth/access.ts'
import { actorFrom } from '../../../../../platform/audit/service.ts'
import { approximateAreaKm2 } from '../../../../../platform/geo/geometry.ts'
import { parseForm } from '../../../../../platform/http/forms.ts'
import type { AreaRow } from '../../../service.ts'
import { AREA_ROLES } from '../access.ts'
import { areaEditSchema } from './schema.ts'

const VIEW = 'modules/areas/web/staff/area/view.njk'

type AreaRequest = FastifyRequest<{ Params: { id: string } }>

/**
 * One area's staff page: what Beacon holds about it, and a form to change its description and
 * population. An area outside the user's grants is a 404 for GET and POST alike, so changing
 * the id in the URL (or posting to another id) neither shows nor confirms anything.
 */
export function areaController({ services }: RouteOptions) {
  /** The area, if the signed-in user may see it; NOT_FOUND otherwise. */
  async function accessibleArea(request: AreaRequest): Promise<{ staff: StaffContext; area: AreaRow }> {
    const staff = requireStaff(request, AREA_ROLES)
    const area = await services.areas.getArea(request.params.id)
    requireAreaAccess(staff, area?.path, AREA_ROLES)
    return { staff, area: area! }
  }

  async function pageContext(area: AreaRow) {
    const [ancestors, children, boundary, postcodes] = await Promise.all([
      services.areas.ancestors(area.id),
      services.areas.children(area.id),
      services.areas.getBoundary(area.id),
      services.areas.postcodeCount(area.id),
    ])
    return {
      title: area.name,
      area,
      ancestors,
      children,
      postcodes,
      areaKm2: boundary ? Math.round(approximateAreaKm2(boundary) * 10) / 10 : null,
    }
  }

  const url = (area: AreaRow) => `/staff/areas/${encodeURIComponent(area.id)}`

  return {
    show: async (request: AreaRequest, reply: FastifyReply) => {
      const { area } = await accessibleArea(request)
      // The form starts from the stored values; after a failed post the view shows what was typed.
      return reply.page(VIEW, await pageContext(area))
    },

    update: async (request: AreaRequest, reply: FastifyReply) => {
      const { area } = await accessibleArea(request)
      const form = parseForm(areaEditSchema, request.body)
      if (!form.ok) return reply.formErrors(url(area), form, { template: VIEW, context: await pageContext(area) })
      const updated = await services.areas.updateArea(area.id, form.data)
      await services.audit.record(actorFrom(request), {
        action: 'update',
        entityType: 'area',
        entityId: area.id,
        areaId: area.id,
        summary: `Updated the description and population of ${area.name}`,
        details: {
          before: { description: area.description, population: area.population },
          after: { description: updated.description, population: updated.population },
        },
      })
      return reply.redirectWithNotice(url(area), `${area.name} has been updated`)
    },
  }
}
