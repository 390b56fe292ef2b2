import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../../app.ts'
import { actorFrom } from '../../../../../../platform/audit/service.ts'
import { AppError } from '../../../../../../platform/errors.ts'
import { parseForm } from '../../../../../../platform/http/forms.ts'
import { EVENT_TYPE_NAMES, LIMITS, type EventDetail } from '../../../../events.service.ts'
import { formatWhen, whereText } from '../../../public/event/format.ts'
import { staffEvent, staffEventsUrl } from '../../events/shared.ts'
import { readRecordForm, recordFormSchema } from './schema.ts'

/** Priority statuses in words (as the priorities pages show them). */
const STATUS_NAMES: Record<string, string> = { open: 'Open', in_progress: 'In progress', resolved: 'Resolved' }

const VIEW = 'modules/neighbourhoods/web/staff/event/record/view.njk'

/** "14 January 2026" from "2026-01-14". */
const formatIssueDate = (iso: string) => new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${iso}T00:00:00Z`))

type EventRequest = FastifyRequest<{ Params: { eventId: string } }>

/** Blank rows offered for questions raised at the meeting, beyond those already recorded. */
const BLANK_ROWS = 3

/**
 * The record of a meeting: attendance in person and online, a summary, answers to the
 * questions residents sent before (with who asked: staff only, and the view is audited),
 * questions raised at the meeting with their answers, and the priorities agreed. It can be
 * made once the meeting has started, and changed later.
 */
export function recordController({ services }: RouteOptions) {
  const events = services.neighbourhoods.events
  const url = (e: EventDetail) => `/staff/events/${e.id}/record`

  async function context(event: EventDetail) {
    const [record, questions, priorities] = await Promise.all([
      events.record(event.id),
      events.staffQuestions(event.id),
      events.priorityChoices(event.areaId, event.id),
    ])
    const before = questions.filter(q => q.source === 'before')
    const raised = questions.filter(q => q.source === 'at_meeting')
    const defaults: Record<string, unknown> = {
      attendanceInPerson: record ? String(record.attendanceInPerson) : event.format === 'online' ? '0' : '',
      attendanceOnline: record ? String(record.attendanceOnline) : event.format === 'in_person' ? '0' : '',
      summary: record?.summary ?? '',
      priorities: priorities.filter(p => p.agreed).map(p => p.id),
    }
    before.forEach((q, i) => {
      defaults[`answer-${i}`] = q.answer ?? ''
      defaults[`hide-${i}`] = q.hidden ? 'yes' : ''
    })
    raised.forEach((q, i) => {
      defaults[`raisedQuestion-${i}`] = q.question
      defaults[`raisedAnswer-${i}`] = q.answer ?? ''
    })
    const rowCount = Math.min(raised.length + BLANK_ROWS, LIMITS.raised)
    return {
      title: `Record: ${event.title}`,
      event,
      typeName: EVENT_TYPE_NAMES[event.type],
      when: formatWhen(event.startsAt, event.endsAt),
      where: whereText(event),
      canRecord: !event.cancelled && event.startsAt <= new Date(),
      record,
      before,
      raisedRows: Array.from({ length: rowCount }, (_, i) => i),
      priorities,
      priorityItems: priorities.map(p => ({ value: p.id, text: p.issue, hint: { text: `${STATUS_NAMES[p.status] ?? p.status}, set ${formatIssueDate(p.issueDate)}` } })),
      defaults,
      limits: LIMITS,
      listUrl: staffEventsUrl(event.areaId),
      newPriorityUrl: `/staff/neighbourhoods/${encodeURIComponent(event.areaId)}/priorities/new?event=${event.id}`,
    }
  }

  return {
    show: async (request: EventRequest, reply: FastifyReply) => {
      const { event } = await staffEvent(services, request)
      const ctx = await context(event)
      const named = ctx.before.filter(q => q.askerName || q.askerEmail)
      if (named.length)
        await services.audit.record(actorFrom(request), {
          action: 'view',
          entityType: 'nbh_event_questions',
          entityId: event.id,
          areaId: event.areaId,
          summary: `Viewed who asked ${named.length} ${named.length === 1 ? 'question' : 'questions'} before “${event.title}”`,
        })
      return reply.page(VIEW, ctx)
    },

    save: async (request: EventRequest, reply: FastifyReply) => {
      const { event } = await staffEvent(services, request)
      const form = parseForm(recordFormSchema, request.body)
      if (!form.ok) return reply.formErrors(url(event), form, { template: VIEW, context: await context(event) })
      const back = async (errors: Record<string, string>) =>
        reply.formErrors(url(event), { errors, values: form.data }, { template: VIEW, context: await context(event) })
      const before = (await events.staffQuestions(event.id)).filter(q => q.source === 'before')
      const read = readRecordForm(form.data, before)
      if (!read.input) return back(read.errors)
      let result
      try {
        result = await events.recordMeeting(actorFrom(request), event.id, read.input)
      } catch (err) {
        if (err instanceof AppError && err.code === 'INVALID') {
          const errors = err.fieldErrors ?? { attendanceInPerson: err.message }
          // The service numbers raised questions after dropping blank rows; the form shows them against the first row.
          return back(Object.fromEntries(Object.entries(errors).map(([k, v]) => [k.startsWith('raised-') ? 'raisedQuestion-0' : k === 'priorities' ? 'priorities' : k, v])))
        }
        throw err
      }
      const emailed = result.answersEmailed
      return reply.redirectWithNotice(
        url(event),
        `The record has been saved and published on the event’s page${emailed ? `. ${emailed} ${emailed === 1 ? 'answer has' : 'answers have'} been emailed to the residents who asked` : ''}`,
      )
    },
  }
}
