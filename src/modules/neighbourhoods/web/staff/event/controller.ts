import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { actorFrom } from '../../../../../platform/audit/service.ts'
import { AppError } from '../../../../../platform/errors.ts'
import { parseForm } from '../../../../../platform/http/forms.ts'
import { EVENT_TYPE_NAMES, type EventDetail } from '../../../events.service.ts'
import { describeRule, parseRule, RecurrenceError } from '../../../recurrence.ts'
import { formatWhen, whereText } from '../../public/event/format.ts'
import { eventFormSchema, formField, formValuesFor, readEventForm } from '../events/schema.ts'
import { formatItems, staffEvent, staffEventsUrl, typeItems } from '../events/shared.ts'
import { cancelSchema } from './schema.ts'

const VIEW = 'modules/neighbourhoods/web/staff/event/view.njk'

type EventRequest = FastifyRequest<{ Params: { eventId: string } }>

const fieldErrorsOf = (err: unknown, rename: (k: string) => string = formField): Record<string, string> | null =>
  err instanceof AppError && err.code === 'INVALID'
    ? Object.fromEntries(Object.entries(err.fieldErrors ?? { form: err.message }).map(([k, v]) => [rename(k), v]))
    : null

/**
 * One event for its team: what it is, a form to change it (this date, or this and the later
 * dates of its series), cancelling (likewise) or reinstating, and links to its public page
 * and its record. Events outside the user's grants are a 404 for every method.
 */
export function staffEventController({ services }: RouteOptions) {
  const events = services.neighbourhoods.events
  const url = (e: EventDetail) => `/staff/events/${e.id}`

  async function context(event: EventDetail) {
    const counts = await events.seriesCounts(event)
    let series: string | null = null
    if (event.seriesRule) {
      try {
        series = describeRule(parseRule(event.seriesRule))
      } catch (err) {
        if (!(err instanceof RecurrenceError)) throw err
      }
    }
    const now = new Date()
    return {
      title: event.title,
      event,
      typeName: EVENT_TYPE_NAMES[event.type],
      when: formatWhen(event.startsAt, event.endsAt),
      where: whereText(event),
      series,
      counts,
      started: event.startsAt <= now,
      defaults: { ...formValuesFor(event), scope: 'one', cancelScope: 'one' },
      typeItems,
      formatItems,
      listUrl: staffEventsUrl(event.areaId),
    }
  }

  return {
    show: async (request: EventRequest, reply: FastifyReply) => {
      const { event } = await staffEvent(services, request)
      return reply.page(VIEW, await context(event))
    },

    update: async (request: EventRequest, reply: FastifyReply) => {
      const { event } = await staffEvent(services, request)
      const form = parseForm(eventFormSchema, request.body)
      if (!form.ok) return reply.formErrors(url(event), form, { template: VIEW, context: await context(event) })
      const back = async (errors: Record<string, string>) =>
        reply.formErrors(url(event), { errors, values: form.data }, { template: VIEW, context: await context(event) })
      const read = readEventForm(form.data, { withRepeat: false, inSeries: Boolean(event.seriesId) })
      if (!read.fields) return back(read.errors)
      let changed
      try {
        ;({ changed } = await events.update(actorFrom(request), event.id, read.fields, read.scope))
      } catch (err) {
        const errors = fieldErrorsOf(err)
        if (errors) return back(errors)
        throw err
      }
      const notice = changed > 1 ? `“${read.fields.title}” has been changed on this date and ${changed - 1} later ${changed === 2 ? 'date' : 'dates'}` : `“${read.fields.title}” has been changed`
      return reply.redirectWithNotice(url(event), notice)
    },

    cancel: async (request: EventRequest, reply: FastifyReply) => {
      const { event } = await staffEvent(services, request)
      const form = parseForm(cancelSchema, request.body)
      const back = async (errors: Record<string, string>, values: Record<string, unknown>) =>
        reply.formErrors(url(event), { errors, values }, { template: VIEW, context: await context(event) })
      if (!form.ok) return back(form.errors, form.values)
      const scope = event.seriesId ? form.data.cancelScope : 'one'
      if (!scope) return back({ cancelScope: 'Choose whether to cancel only this date or this and later dates' }, form.data)
      let cancelled
      try {
        ;({ cancelled } = await events.cancel(actorFrom(request), event.id, scope))
      } catch (err) {
        const errors = fieldErrorsOf(err, () => 'cancelScope')
        if (errors) return back(errors, form.data)
        throw err
      }
      return reply.redirectWithNotice(url(event), cancelled > 1 ? `${cancelled} dates have been cancelled` : 'The event has been cancelled')
    },

    reinstate: async (request: EventRequest, reply: FastifyReply) => {
      const { event } = await staffEvent(services, request)
      try {
        await events.reinstate(actorFrom(request), event.id)
      } catch (err) {
        const errors = fieldErrorsOf(err, () => 'reinstate')
        if (errors) return reply.formErrors(url(event), { errors, values: {} }, { template: VIEW, context: await context(event) })
        throw err
      }
      return reply.redirectWithNotice(url(event), 'The event is on again')
    },
  }
}
