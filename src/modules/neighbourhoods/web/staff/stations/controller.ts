import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { requireAreaAccess, requireStaff, type StaffContext } from '../../../../../platform/auth/access.ts'
import { actorFrom } from '../../../../../platform/audit/service.ts'
import { keptValues, parseForm } from '../../../../../platform/http/forms.ts'
import type { FieldErrors } from '../../../../../platform/views/nunjucks.ts'
import { NEIGHBOURHOOD_ROLES } from '../../../roles.ts'
import type { Station, StationInput } from '../../../team.service.ts'
import { neighbourhoodPaths } from '../neighbourhood/access.ts'
import { HOURS_ROWS, parseHours, stationSchema } from './schema.ts'

const LIST = 'modules/neighbourhoods/web/staff/stations/list.njk'
const FORM = 'modules/neighbourhoods/web/staff/stations/form.njk'
const REMOVE = 'modules/neighbourhoods/web/staff/stations/remove.njk'

type StationRequest = FastifyRequest<{ Params: { stationId: string } }>

const TYPE_ITEMS = [
  { value: 'station', text: 'Police station' },
  { value: 'front_counter', text: 'Front counter', hint: { text: 'A public enquiry desk, for example in a council office or library' } },
  { value: 'other', text: 'Another police office' },
]

/**
 * Police stations and front counters in the areas of the staff member's grants. Each belongs
 * to an area (a neighbourhood, a district or the force); neighbourhood pages show the nearest
 * ones in the same force. A station in an area outside the grants is 404, and a station
 * cannot be moved into one.
 */
export function stationsController({ services }: RouteOptions) {
  const team = services.neighbourhoods.team

  async function areaItems(staff: StaffContext) {
    const areas = await services.areas.listAreasWithin(neighbourhoodPaths(staff))
    return areas.map(a => ({ value: a.id, text: `${'– '.repeat(a.depth)}${a.name} (${a.kind})` }))
  }

  async function formContext(staff: StaffContext, station: Station | null) {
    return {
      title: station ? `Change ${station.name}` : 'Add a police station or front counter',
      station,
      areaItems: [{ value: '', text: 'Choose an area' }, ...(await areaItems(staff))],
      typeItems: TYPE_ITEMS,
      hoursRows: Array.from({ length: HOURS_ROWS }, (_, i) => station?.openingHours[i] ?? { days: '', opens: '', closes: '', note: '' }),
    }
  }

  async function stationFor(request: StationRequest) {
    const staff = requireStaff(request, NEIGHBOURHOOD_ROLES)
    const station = await team.getStation(request.params.stationId)
    const area = station ? await services.areas.getArea(station.areaId) : null
    requireAreaAccess(staff, area?.path, NEIGHBOURHOOD_ROLES)
    return { staff, station: station! }
  }

  /** The form as a station, or every problem with it (a postcode Beacon knows stands in for a blank position). */
  async function check(staff: StaffContext, body: Record<string, unknown>): Promise<{ ok: true; data: StationInput } | { ok: false; errors: FieldErrors }> {
    const form = parseForm(stationSchema, body)
    const errors: FieldErrors = form.ok ? {} : { ...form.errors }
    const openingHours = parseHours(body, errors)
    const areaId = typeof body.areaId === 'string' ? body.areaId.trim() : ''
    if (areaId) {
      const area = await services.areas.getArea(areaId)
      if (!area || !neighbourhoodPaths(staff).some(p => area.path.startsWith(p))) errors.areaId = 'Choose an area you look after'
    }
    if (!form.ok) return { ok: false, errors }
    const d = form.data
    let postcode = d.postcode
    let { lat, lng } = d
    if (postcode) {
      const found = await services.areas.findPostcode(postcode)
      if (found.status === 'invalid') errors.postcode = 'Enter a real postcode, like DS13 1AG'
      else postcode = found.postcode
      if (lat === null && lng === null && (found.status === 'found' || found.status === 'outside')) ({ lat, lng } = found.location)
    }
    if (lat === null || lng === null) {
      if (lat === null && !errors.lat) errors.lat = 'Enter the latitude, or a postcode Beacon knows so the position can be found'
      if (lng === null && !errors.lng) errors.lng = 'Enter the longitude, or a postcode Beacon knows so the position can be found'
    }
    if (Object.keys(errors).length) return { ok: false, errors }
    return {
      ok: true,
      data: { areaId: d.areaId, name: d.name, type: d.type, address: d.address, postcode, lat: lat!, lng: lng!, openingHours, description: d.description },
    }
  }

  return {
    list: async (request: FastifyRequest, reply: FastifyReply) => {
      const staff = requireStaff(request, NEIGHBOURHOOD_ROLES)
      const stations = await team.listStations(neighbourhoodPaths(staff))
      return reply.page(LIST, { title: 'Police stations and front counters', stations })
    },

    newForm: async (request: FastifyRequest, reply: FastifyReply) => {
      const staff = requireStaff(request, NEIGHBOURHOOD_ROLES)
      return reply.page(FORM, await formContext(staff, null))
    },

    create: async (request: FastifyRequest, reply: FastifyReply) => {
      const staff = requireStaff(request, NEIGHBOURHOOD_ROLES)
      const body = (request.body ?? {}) as Record<string, unknown>
      const result = await check(staff, body)
      if (!result.ok)
        return reply.formErrors('/staff/stations/new', { errors: result.errors, values: keptValues(body) }, { template: FORM, context: await formContext(staff, null) })
      const station = await team.createStation(actorFrom(request), result.data)
      return reply.redirectWithNotice('/staff/stations', `${station.name} has been added`)
    },

    editForm: async (request: StationRequest, reply: FastifyReply) => {
      const { staff, station } = await stationFor(request)
      return reply.page(FORM, await formContext(staff, station))
    },

    update: async (request: StationRequest, reply: FastifyReply) => {
      const { staff, station } = await stationFor(request)
      const body = (request.body ?? {}) as Record<string, unknown>
      const result = await check(staff, body)
      if (!result.ok)
        return reply.formErrors(`/staff/stations/${station.id}`, { errors: result.errors, values: keptValues(body) }, { template: FORM, context: await formContext(staff, station) })
      await team.updateStation(actorFrom(request), station.id, result.data)
      return reply.redirectWithNotice('/staff/stations', `${result.data.name} has been saved`)
    },

    removeForm: async (request: StationRequest, reply: FastifyReply) => {
      const { station } = await stationFor(request)
      return reply.page(REMOVE, { title: `Remove ${station.name}`, station })
    },

    remove: async (request: StationRequest, reply: FastifyReply) => {
      const { station } = await stationFor(request)
      await team.removeStation(actorFrom(request), station.id)
      return reply.redirectWithNotice('/staff/stations', `${station.name} has been removed`)
    },
  }
}
