import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { actorFrom } from '../../../../../platform/audit/service.ts'
import { AppError } from '../../../../../platform/errors.ts'
import { parseForm } from '../../../../../platform/http/forms.ts'
import type { AreaRow } from '../../../../areas/service.ts'
import { MAX_OCCURRENCES, MAX_YEARS } from '../../../recurrence.ts'
import { eventCard, formatDay } from '../../public/event/format.ts'
import { eventFormSchema, formField, readEventForm } from './schema.ts'
import { formatItems, staffEventsUrl, staffNeighbourhood, typeItems } from './shared.ts'

const LIST_VIEW = 'modules/neighbourhoods/web/staff/events/view.njk'
const NEW_VIEW = 'modules/neighbourhoods/web/staff/events/new.njk'

type AreaRequest = FastifyRequest<{ Params: { id: string } }>

/** What a new event's form starts with. */
const NEW_DEFAULTS = { type: 'pact', format: 'in_person', acceptsQuestions: 'yes', repeat: 'none', every: '1', ends: 'count' }

/**
 * A neighbourhood's events for its team: the list (coming up, and past ones with whether
 * they have been recorded) and the form to add a one-off or repeating event.
 */
export function staffEventsController({ services }: RouteOptions) {
  const events = services.neighbourhoods.events

  const newContext = (area: AreaRow) => ({
    title: `Add an event in ${area.name}`,
    area,
    defaults: NEW_DEFAULTS,
    typeItems,
    formatItems,
    maxOccurrences: MAX_OCCURRENCES,
    maxYears: MAX_YEARS,
  })

  return {
    list: async (request: AreaRequest, reply: FastifyReply) => {
      const { area } = await staffNeighbourhood(services, request)
      const { upcoming, past } = await events.listForArea(area.id, { pastLimit: 60, pastSince: new Date(Date.now() - 2 * 365 * 86_400_000) })
      return reply.page(LIST_VIEW, {
        title: `Events and meetings in ${area.name}`,
        area,
        upcoming: upcoming.map(eventCard),
        past: past.map(eventCard),
      })
    },

    newForm: async (request: AreaRequest, reply: FastifyReply) => {
      const { area } = await staffNeighbourhood(services, request)
      return reply.page(NEW_VIEW, newContext(area))
    },

    create: async (request: AreaRequest, reply: FastifyReply) => {
      const { area } = await staffNeighbourhood(services, request)
      const url = `${staffEventsUrl(area.id)}/new`
      const form = parseForm(eventFormSchema, request.body)
      if (!form.ok) return reply.formErrors(url, form, { template: NEW_VIEW, context: newContext(area) })
      const read = readEventForm(form.data, { withRepeat: true })
      const back = (errors: Record<string, string>) => reply.formErrors(url, { errors, values: form.data }, { template: NEW_VIEW, context: newContext(area) })
      if (!read.fields) return back(read.errors)
      let created
      try {
        created = await events.create(actorFrom(request), area.id, read.fields, read.rule)
      } catch (err) {
        if (err instanceof AppError && err.code === 'INVALID')
          return back(Object.fromEntries(Object.entries(err.fieldErrors ?? { form: err.message }).map(([k, v]) => [formField(k), v])))
        throw err
      }
      const notice =
        created.ids.length > 1
          ? `“${read.fields.title}” has been added: ${created.ids.length} dates from ${formatDay(created.first)} to ${formatDay(created.last)}`
          : `“${read.fields.title}” has been added for ${formatDay(created.first)}`
      return reply.redirectWithNotice(staffEventsUrl(area.id), notice)
    },
  }
}
