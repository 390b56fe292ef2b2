import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { AppError, notFound } from '../../../../../platform/errors.ts'
import { parseForm } from '../../../../../platform/http/forms.ts'
import { EVENT_MESSAGES, EVENT_TYPE_NAMES, LIMITS, type EventDetail, type PublicQuestion } from '../../../events.service.ts'
import { writeCalendar } from '../../../ics.ts'
import { calendarFileName, formatWhen, PRODID, toCalendarEvent, whereText } from './format.ts'
import { questionSchema } from './schema.ts'

const VIEW = 'modules/neighbourhoods/web/public/event/view.njk'

type EventRequest = FastifyRequest<{ Params: { eventId: string } }>

/** Refusals about the event itself (not what was typed): shown against the question section. */
const STATE_MESSAGES = new Set<string>([EVENT_MESSAGES.cancelled, EVENT_MESSAGES.noQuestions, EVENT_MESSAGES.started])

/**
 * An event's public page: what, when, where (with the join link for an online meeting), an
 * "Add to calendar" file, the neighbourhood's feed, a question form before it starts, and
 * the record after it (attendance, questions and answers, priorities agreed). Who asked a
 * question is never shown, and questions staff hid are left out.
 */
export function publicEventController({ services, config }: RouteOptions) {
  const events = services.neighbourhoods.events

  async function load(request: EventRequest): Promise<EventDetail> {
    const event = await events.get(request.params.eventId)
    if (!event) throw notFound('Event')
    return event
  }

  async function context(event: EventDetail) {
    const now = new Date()
    const stage = event.startsAt > now ? 'before' : event.endsAt > now ? 'during' : 'after'
    const { record, questions, priorities } = stage === 'before' ? { record: null, questions: [], priorities: [] } : await events.publicRecord(event.id)
    const bySource = (source: PublicQuestion['source']) => questions.filter(q => q.source === source)
    const feedPath = `/neighbourhoods/${encodeURIComponent(event.areaId)}/events.ics`
    return {
      title: event.title,
      event,
      typeName: EVENT_TYPE_NAMES[event.type],
      when: formatWhen(event.startsAt, event.endsAt),
      where: whereText(event),
      addressLines: event.address ? event.address.split(/\s*\n\s*|,\s*/).filter(Boolean) : [],
      stage,
      canAsk: stage === 'before' && !event.cancelled && event.acceptsQuestions,
      record,
      questionsBefore: bySource('before'),
      questionsRaised: bySource('at_meeting'),
      priorities,
      limits: LIMITS,
      feedUrl: `${config.baseUrl}${feedPath}`,
      webcalUrl: `${config.baseUrl.replace(/^https?:/, 'webcal:')}${feedPath}`,
    }
  }

  return {
    show: async (request: EventRequest, reply: FastifyReply) => {
      const event = await load(request)
      return reply.page(VIEW, await context(event))
    },

    /** "Add to calendar": the one event as an .ics file to download. */
    calendar: async (request: EventRequest, reply: FastifyReply) => {
      const event = await load(request)
      const body = writeCalendar({ prodId: PRODID, name: event.title }, [toCalendarEvent(config, event)])
      return reply
        .header('content-type', 'text/calendar; charset=utf-8')
        .header('content-disposition', `attachment; filename="${calendarFileName(event.title, event.startsAt)}"`)
        .header('cache-control', 'no-cache')
        .send(body)
    },

    /** A question before the meeting; then back to the page with a confirmation. */
    ask: async (request: EventRequest, reply: FastifyReply) => {
      const event = await load(request)
      const url = `/events/${event.id}`
      const form = parseForm(questionSchema, request.body)
      if (!form.ok) return reply.formErrors(url, form, { template: VIEW, context: await context(event) })
      try {
        await events.askQuestion(event.id, form.data)
      } catch (err) {
        if (!(err instanceof AppError) || err.code !== 'INVALID') throw err
        const errors = Object.fromEntries(Object.entries(err.fieldErrors ?? { question: err.message }).map(([k, v]) => [STATE_MESSAGES.has(v) ? 'ask' : k, v]))
        return reply.formErrors(url, { errors, values: form.data }, { template: VIEW, context: await context(event) })
      }
      return reply.redirectWithNotice(
        url,
        `Your question has been sent to the ${event.areaName} team. Answers are published on this page after the meeting${form.data.email ? ', and we will email you the answer' : ''}.`,
      )
    },
  }
}
