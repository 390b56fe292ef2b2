import type { FastifyRequest } from 'fastify'
import type { Services } from '../../../../../services.ts'
import { requireAreaAccess, requireStaff, type StaffContext } from '../../../../../platform/auth/access.ts'
import { AppError } from '../../../../../platform/errors.ts'
import type { AreaRow } from '../../../../areas/service.ts'
import { EVENT_FORMATS, EVENT_TYPE_NAMES, FORMAT_NAMES, type EventDetail } from '../../../events.service.ts'
import { NEIGHBOURHOOD_ROLES } from '../../../roles.ts'
import { EVENT_TYPES } from '../../../schema.ts'

/**
 * The neighbourhood in the URL, if the signed-in user holds a neighbourhood role on it or
 * above it. Anything else (another neighbourhood, a district, an unknown id) is a 404, so
 * changing the id in the URL neither shows nor confirms anything.
 */
export async function staffNeighbourhood(services: Services, request: FastifyRequest<{ Params: { id: string } }>): Promise<{ staff: StaffContext; area: AreaRow }> {
  const staff = requireStaff(request, NEIGHBOURHOOD_ROLES)
  const area = await services.areas.getArea(request.params.id)
  requireAreaAccess(staff, area?.path, NEIGHBOURHOOD_ROLES)
  if (area!.kind !== 'neighbourhood') throw new AppError('NOT_FOUND', 'Page not found')
  return { staff, area: area! }
}

/** The event in the URL, on the same terms as `staffNeighbourhood`. */
export async function staffEvent(services: Services, request: FastifyRequest<{ Params: { eventId: string } }>): Promise<{ staff: StaffContext; event: EventDetail }> {
  const staff = requireStaff(request, NEIGHBOURHOOD_ROLES)
  const event = await services.neighbourhoods.events.get(request.params.eventId)
  requireAreaAccess(staff, event?.areaPath, NEIGHBOURHOOD_ROLES)
  return { staff, event: event! }
}

/** Radio items for the type of event. */
export const typeItems = EVENT_TYPES.map(value => ({ value, text: EVENT_TYPE_NAMES[value] }))

/** Radio items for how people take part. */
export const formatItems = EVENT_FORMATS.map(value => ({ value, text: FORMAT_NAMES[value] }))

/** The base of the staff events pages of a neighbourhood. */
export const staffEventsUrl = (areaId: string) => `/staff/neighbourhoods/${encodeURIComponent(areaId)}/events`
