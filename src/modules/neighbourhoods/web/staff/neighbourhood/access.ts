import type { FastifyRequest } from 'fastify'
import type { Services } from '../../../../../services.ts'
import { grantedPaths, requireAreaAccess, requireStaff, type StaffContext } from '../../../../../platform/auth/access.ts'
import type { NeighbourhoodRow } from '../../../../areas/service.ts'
import { NEIGHBOURHOOD_ROLES } from '../../../roles.ts'

export type NeighbourhoodRequest<P = object> = FastifyRequest<{ Params: { id: string } & P }>

/**
 * The neighbourhood in the URL, if the signed-in staff member may manage it; NOT_FOUND for an
 * unknown id, a district or force id, or a neighbourhood outside their grants, so changing the
 * id in an address neither shows nor confirms anything. Every staff page of this module that
 * is about one neighbourhood starts here, for GET and POST alike.
 */
export async function staffNeighbourhood(services: Services, request: NeighbourhoodRequest): Promise<{ staff: StaffContext; area: NeighbourhoodRow }> {
  const staff = requireStaff(request, NEIGHBOURHOOD_ROLES)
  const area = await services.areas.getNeighbourhood(request.params.id)
  requireAreaAccess(staff, area?.path, NEIGHBOURHOOD_ROLES)
  return { staff, area: area! }
}

/** The subtrees in which the staff member manages neighbourhood content. */
export const neighbourhoodPaths = (staff: StaffContext) => grantedPaths(staff, NEIGHBOURHOOD_ROLES)

/** "/staff/neighbourhoods/<id>" plus a rest. */
export const staffUrl = (areaId: string, rest = '') => `/staff/neighbourhoods/${encodeURIComponent(areaId)}${rest}`
