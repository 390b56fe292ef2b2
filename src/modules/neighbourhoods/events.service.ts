import type { NeighbourhoodsDeps } from './deps.ts'
import type { EventType, PriorityStatus } from './schema.ts'
import type { AuditActor } from '../../platform/audit/service.ts'
import { AppError } from '../../platform/errors.ts'
import { enqueueEmail } from '../../platform/jobs/send-email.ts'
import { addDays, compareDates, expandRule, formatRule, londonParts, londonToUtc, RecurrenceError, type RecurrenceRule } from './recurrence.ts'
import { isUuid } from '../../platform/ids.ts'

/** What the neighbourhood page and others show of an event. */
export interface EventSummary {
  id: string
  areaId: string
  type: EventType
  title: string
  startsAt: Date
  endsAt: Date
  address: string | null
  onlineUrl: string | null
  onlinePlatform: string | null
  cancelled: boolean
}

/** How people take part: at an address, online, or both. */
export const EVENT_FORMATS = ['in_person', 'online', 'hybrid'] as const
export type EventFormat = (typeof EVENT_FORMATS)[number]

export const EVENT_TYPE_NAMES: Record<EventType, string> = {
  pact: 'PACT meeting',
  panel: 'Neighbourhood panel',
  surgery: 'Surgery',
  street_briefing: 'Street briefing',
  open_day: 'Open day',
  online_meeting: 'Online meeting',
  other: 'Other event',
}

export const FORMAT_NAMES: Record<EventFormat, string> = { in_person: 'In person', online: 'Online', hybrid: 'In person and online' }

/** Length limits, shared by the forms and the service. */
export const LIMITS = {
  title: 150,
  description: 5000,
  address: 500,
  platform: 100,
  url: 2000,
  question: 1000,
  askerName: 100,
  email: 254,
  answer: 5000,
  summary: 10_000,
  attendance: 1_000_000,
  raised: 30,
} as const

/** The words of every refusal, so pages and tests use the same ones. */
export const EVENT_MESSAGES = {
  noTitle: 'Enter a title, like “Aldbridge PACT meeting”',
  longTitle: `The title must be ${LIMITS.title} characters or fewer`,
  longDescription: `The description must be ${LIMITS.description.toLocaleString('en-GB')} characters or fewer`,
  noType: 'Choose the type of event',
  noFormat: 'Choose whether people come in person, join online, or both',
  noAddress: 'Enter the address of the meeting place, so people can find it',
  longAddress: `The address must be ${LIMITS.address} characters or fewer`,
  noLink: 'Enter the link to join online, starting with https://',
  badLink: 'Enter the link to join as a full web address starting with https://, like https://teams.microsoft.com/…',
  longLink: `The link must be ${LIMITS.url.toLocaleString('en-GB')} characters or fewer`,
  noPlatform: 'Enter where it is held online, like Microsoft Teams, Zoom or Facebook Live',
  longPlatform: `The platform must be ${LIMITS.platform} characters or fewer`,
  onlineTypeNeedsLink: 'An online meeting needs a way to join online: choose “Online” or “In person and online”',
  endsBeforeStart: 'The meeting must end after it starts: check the start and end times',
  tooLong: 'An event can last at most 24 hours. For something longer, add an event for each day',
  noQuestion: 'Enter your question',
  longQuestion: `Your question must be ${LIMITS.question.toLocaleString('en-GB')} characters or fewer`,
  longName: `Your name must be ${LIMITS.askerName} characters or fewer`,
  badEmail: 'Enter an email address in the correct format, like name@example.com',
  cancelled: 'This event has been cancelled, so it is not taking questions',
  noQuestions: 'The team is not taking questions before this event. You can contact the team instead',
  started: 'This meeting has already started, so it is no longer taking questions. You can contact the team instead',
  recordCancelled: 'This meeting was cancelled, so it cannot have a record',
  recordTooEarly: 'You can record the meeting once it has started',
  badAttendance: 'Enter the number of people as a whole number, 0 or more',
  bigAttendance: `The number of people must be ${LIMITS.attendance.toLocaleString('en-GB')} or fewer`,
  longSummary: `The summary must be ${LIMITS.summary.toLocaleString('en-GB')} characters or fewer`,
  longAnswer: `Each answer must be ${LIMITS.answer.toLocaleString('en-GB')} characters or fewer`,
  tooManyRaised: `Record at most ${LIMITS.raised} questions raised at the meeting`,
  raisedNeedsQuestion: 'Enter the question that was raised, or clear its answer',
  unknownPriority: 'Choose priorities of this neighbourhood only',
  unknownQuestion: 'That question is not one sent before this meeting',
  cancelStarted: 'This event has already started, so it cannot be cancelled',
  alreadyCancelled: 'This event has already been cancelled',
  notCancelled: 'This event has not been cancelled',
} as const

/** What staff give for an event (one-off, or the first of a series). */
export interface EventFields {
  type: EventType
  title: string
  description: string | null
  format: EventFormat
  address: string | null
  onlineUrl: string | null
  onlinePlatform: string | null
  startsAt: Date
  endsAt: Date
  acceptsQuestions: boolean
}

/** One event with everything its pages need. */
export interface EventDetail extends EventSummary {
  description: string | null
  acceptsQuestions: boolean
  format: EventFormat
  cancelledAt: Date | null
  sequence: number
  seriesId: string | null
  /** the series' rule, e.g. "FREQ=MONTHLY;BYDAY=2TU;COUNT=12" */
  seriesRule: string | null
  createdAt: Date
  updatedAt: Date
  areaName: string
  /** the area's materialised path, for grant checks */
  areaPath: string
  hasRecord: boolean
}

/** An event in a list, with how far its record has got. */
export interface EventListItem extends EventSummary {
  seriesId: string | null
  hasRecord: boolean
  attendanceInPerson: number | null
  attendanceOnline: number | null
  /** questions residents sent before it */
  questionsBefore: number
}

export interface MeetingRecord {
  attendanceInPerson: number
  attendanceOnline: number
  summary: string | null
  recordedAt: Date
  updatedAt: Date
}

/** A question as the public record shows it: never who asked. */
export interface PublicQuestion {
  id: string
  source: 'before' | 'at_meeting'
  question: string
  answer: string | null
  answeredAt: Date | null
}

/** A question as staff see it, with the asker's details (viewing them is audited). */
export interface StaffQuestion extends PublicQuestion {
  askerName: string | null
  askerEmail: string | null
  hidden: boolean
  createdAt: Date
}

export interface AgreedPriority {
  id: string
  issue: string
  status: PriorityStatus
  issueDate: string
}

/** A priority staff may tick as agreed at a meeting. */
export interface PriorityChoice extends AgreedPriority {
  agreed: boolean
}

/** What a meeting's record page saves. */
export interface RecordInput {
  attendanceInPerson: number
  attendanceOnline: number
  summary: string | null
  /** answers to questions sent before, by question id; `hidden` keeps one off the public record */
  answers: { id: string; answer: string | null; hidden: boolean }[]
  /** questions raised at the meeting, with the answers given; replaces those recorded before */
  raised: { question: string; answer: string | null }[]
  /** ids of this neighbourhood's priorities agreed at the meeting */
  priorityIds: string[]
}

export type ChangeScope = 'one' | 'following'

/** True for something that can be an event id (anything else is a 404 without a query). */
export { isUuid }

const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/
const MAX_DURATION_MS = 24 * 3_600_000

/** The format an event has from what it holds. */
export const formatOf = (e: { address: string | null; onlineUrl: string | null }): EventFormat =>
  e.address && e.onlineUrl ? 'hybrid' : e.onlineUrl ? 'online' : 'in_person'

/** True for an https:// address a browser can open (no credentials, a dotted host name). */
export function isJoinLink(value: string): boolean {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return false
  }
  return url.protocol === 'https:' && !url.username && !url.password && /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(url.hostname)
}

/**
 * Checks what staff gave for an event, answering a message per field (empty when all is
 * well). The location fields that do not apply to the format are cleared, not checked.
 */
export function checkEventFields(f: EventFields): { errors: Record<string, string>; fields: EventFields } {
  const errors: Record<string, string> = {}
  const fields: EventFields = { ...f, title: f.title.trim(), description: f.description?.trim() || null }
  if (!fields.title) errors.title = EVENT_MESSAGES.noTitle
  else if (fields.title.length > LIMITS.title) errors.title = EVENT_MESSAGES.longTitle
  if ((fields.description?.length ?? 0) > LIMITS.description) errors.description = EVENT_MESSAGES.longDescription

  const inPerson = fields.format === 'in_person' || fields.format === 'hybrid'
  const online = fields.format === 'online' || fields.format === 'hybrid'
  fields.address = inPerson ? fields.address?.trim() || null : null
  fields.onlineUrl = online ? fields.onlineUrl?.trim() || null : null
  fields.onlinePlatform = online ? fields.onlinePlatform?.trim() || null : null
  if (inPerson) {
    if (!fields.address) errors.address = EVENT_MESSAGES.noAddress
    else if (fields.address.length > LIMITS.address) errors.address = EVENT_MESSAGES.longAddress
  }
  if (online) {
    if (!fields.onlinePlatform) errors.onlinePlatform = EVENT_MESSAGES.noPlatform
    else if (fields.onlinePlatform.length > LIMITS.platform) errors.onlinePlatform = EVENT_MESSAGES.longPlatform
    if (!fields.onlineUrl) errors.onlineUrl = EVENT_MESSAGES.noLink
    else if (fields.onlineUrl.length > LIMITS.url) errors.onlineUrl = EVENT_MESSAGES.longLink
    else if (!isJoinLink(fields.onlineUrl)) errors.onlineUrl = EVENT_MESSAGES.badLink
  }
  if (fields.type === 'online_meeting' && !online) errors.format = EVENT_MESSAGES.onlineTypeNeedsLink

  const length = fields.endsAt.getTime() - fields.startsAt.getTime()
  if (!(length > 0)) errors.endsAt = EVENT_MESSAGES.endsBeforeStart
  else if (length > MAX_DURATION_MS) errors.endsAt = EVENT_MESSAGES.tooLong
  return { errors, fields }
}

const invalid = (errors: Record<string, string>) => new AppError('INVALID', Object.values(errors)[0] ?? 'Check what you entered', errors)

const EVENT_COLUMNS = `e.id, e.area_id as "areaId", e.series_id as "seriesId", e.type, e.title, e.description, e.address,
  e.online_url as "onlineUrl", e.online_platform as "onlinePlatform", e.starts_at as "startsAt", e.ends_at as "endsAt",
  e.accepts_questions as "acceptsQuestions", e.cancelled_at as "cancelledAt", e.cancelled_at is not null as cancelled,
  e.sequence, e.created_at as "createdAt", e.updated_at as "updatedAt"`

const SUMMARY_COLUMNS = `e.id, e.area_id as "areaId", e.type, e.title, e.starts_at as "startsAt", e.ends_at as "endsAt", e.address,
  e.online_url as "onlineUrl", e.online_platform as "onlinePlatform", e.cancelled_at is not null as cancelled`

const LIST_COLUMNS = `${SUMMARY_COLUMNS}, e.series_id as "seriesId", r.event_id is not null as "hasRecord",
  r.attendance_in_person as "attendanceInPerson", r.attendance_online as "attendanceOnline",
  (select count(*)::int from nbh_event_questions q where q.event_id = e.id and q.source = 'before') as "questionsBefore"`

const toSummary = (e: EventSummary): EventSummary => ({
  id: e.id,
  areaId: e.areaId,
  type: e.type,
  title: e.title,
  startsAt: e.startsAt,
  endsAt: e.endsAt,
  address: e.address,
  onlineUrl: e.onlineUrl,
  onlinePlatform: e.onlinePlatform,
  cancelled: e.cancelled,
})

/**
 * Events and meetings: one-off and repeating (a series row plus its dates as ordinary event
 * rows), changes to one date or to a date and the rest of its series, cancellation,
 * residents' questions before a meeting and the record after it. Staff access is checked by
 * the pages (by the event's area path) before any change is asked for.
 */
export function createEventsService(deps: NeighbourhoodsDeps) {
  const { db, audit } = deps
  const now = () => deps.now?.() ?? new Date()

  async function get(eventId: string): Promise<EventDetail | null> {
    if (!isUuid(eventId)) return null
    const [row] = await db.query<Omit<EventDetail, 'format'>>(
      `select ${EVENT_COLUMNS}, s.rule as "seriesRule", a.name as "areaName", a.path as "areaPath",
              exists (select 1 from nbh_meeting_records r where r.event_id = e.id) as "hasRecord"
         from nbh_events e join areas a on a.id = e.area_id left join nbh_event_series s on s.id = e.series_id
        where e.id = $1`,
      [eventId],
    )
    return row ? { ...row, format: formatOf(row) } : null
  }

  async function mustGet(eventId: string): Promise<EventDetail> {
    const event = await get(eventId)
    if (!event) throw new AppError('NOT_FOUND', 'Event not found')
    return event
  }

  /** The events a change to `event` with `scope` applies to, soonest first. */
  async function scoped(event: EventDetail, scope: ChangeScope): Promise<{ id: string; startsAt: Date; endsAt: Date; cancelled: boolean }[]> {
    if (scope === 'one' || !event.seriesId) return [{ id: event.id, startsAt: event.startsAt, endsAt: event.endsAt, cancelled: event.cancelled }]
    return db.query(
      `select id, starts_at as "startsAt", ends_at as "endsAt", cancelled_at is not null as cancelled
         from nbh_events where series_id = $1 and starts_at >= $2 order by starts_at, id`,
      [event.seriesId, event.startsAt.toISOString()],
    )
  }

  /** Every question of a meeting with who asked (personal data: the caller audits the view). */
  function staffQuestions(eventId: string): Promise<StaffQuestion[]> {
    if (!isUuid(eventId)) return Promise.resolve([])
    return db.query<StaffQuestion>(
      `select id, source, question, answer, answered_at as "answeredAt", asker_name as "askerName", asker_email as "askerEmail",
              hidden, created_at as "createdAt"
         from nbh_event_questions where event_id = $1 order by source, created_at, id`,
      [eventId],
    )
  }

  /** The priorities staff may tick as agreed at a meeting: the area's open ones, and any already agreed there. */
  function priorityChoices(areaId: string, eventId: string): Promise<PriorityChoice[]> {
    return db.query<PriorityChoice>(
      `select p.id, p.issue, p.status, to_char(p.issue_date, 'YYYY-MM-DD') as "issueDate", mp.event_id is not null as agreed
         from nbh_priorities p left join nbh_meeting_priorities mp on mp.priority_id = p.id and mp.event_id = $2
        where p.area_id = $1 and (p.status <> 'resolved' or mp.event_id is not null)
        order by p.issue_date desc, p.issue`,
      [areaId, eventId],
    )
  }

  return {
    /** The next `limit` events of an area (not yet ended), soonest first, cancelled ones included and marked. */
    async upcoming(areaId: string, limit: number): Promise<EventSummary[]> {
      const rows = await db.query<EventSummary>(
        `select ${SUMMARY_COLUMNS} from nbh_events e where e.area_id = $1 and e.ends_at > $2 order by e.starts_at, e.id limit $3`,
        [areaId, now().toISOString(), Math.max(0, Math.floor(limit))],
      )
      return rows.map(toSummary)
    },

    /**
     * An area's events for its lists: those not yet ended (soonest first) and those that
     * have, newest first, back to `pastSince`.
     */
    async listForArea(areaId: string, opts: { upcomingLimit?: number; pastLimit?: number; pastSince?: Date } = {}): Promise<{ upcoming: EventListItem[]; past: EventListItem[] }> {
      const at = now().toISOString()
      const since = (opts.pastSince ?? new Date(0)).toISOString()
      const [upcoming, past] = await Promise.all([
        db.query<EventListItem>(
          `select ${LIST_COLUMNS} from nbh_events e left join nbh_meeting_records r on r.event_id = e.id
            where e.area_id = $1 and e.ends_at > $2 order by e.starts_at, e.id limit $3`,
          [areaId, at, opts.upcomingLimit ?? 100],
        ),
        db.query<EventListItem>(
          `select ${LIST_COLUMNS} from nbh_events e left join nbh_meeting_records r on r.event_id = e.id
            where e.area_id = $1 and e.ends_at <= $2 and e.ends_at >= $3 order by e.starts_at desc, e.id limit $4`,
          [areaId, at, since, opts.pastLimit ?? 100],
        ),
      ])
      return { upcoming, past }
    },

    /** An area's events for its calendar feed: from `since` on, cancelled ones included (so calendars drop them). */
    async forCalendar(areaId: string, since: Date, limit = 500): Promise<EventDetail[]> {
      const rows = await db.query<Omit<EventDetail, 'format'>>(
        `select ${EVENT_COLUMNS}, null as "seriesRule", a.name as "areaName", a.path as "areaPath", false as "hasRecord"
           from nbh_events e join areas a on a.id = e.area_id
          where e.area_id = $1 and e.ends_at >= $2 order by e.starts_at, e.id limit $3`,
        [areaId, since.toISOString(), limit],
      )
      return rows.map(r => ({ ...r, format: formatOf(r) }))
    },

    get,

    /** How many dates a series has in all, and how many come after this one. */
    async seriesCounts(event: Pick<EventDetail, 'seriesId' | 'startsAt'>): Promise<{ total: number; later: number }> {
      if (!event.seriesId) return { total: 1, later: 0 }
      const [row] = await db.query<{ total: number; later: number }>(
        `select count(*)::int as total, (count(*) filter (where starts_at > $2))::int as later from nbh_events where series_id = $1`,
        [event.seriesId, event.startsAt.toISOString()],
      )
      return row ?? { total: 1, later: 0 }
    },

    /** The published record of a meeting: attendance, questions (hidden ones left out, never who asked), priorities agreed. */
    async publicRecord(eventId: string): Promise<{ record: MeetingRecord | null; questions: PublicQuestion[]; priorities: AgreedPriority[] }> {
      if (!isUuid(eventId)) return { record: null, questions: [], priorities: [] }
      const [[record], questions, priorities] = await Promise.all([
        db.query<MeetingRecord>(
          `select attendance_in_person as "attendanceInPerson", attendance_online as "attendanceOnline", summary,
                  created_at as "recordedAt", updated_at as "updatedAt" from nbh_meeting_records where event_id = $1`,
          [eventId],
        ),
        db.query<PublicQuestion>(
          `select id, source, question, answer, answered_at as "answeredAt" from nbh_event_questions
            where event_id = $1 and not hidden order by source, created_at, id`,
          [eventId],
        ),
        db.query<AgreedPriority>(
          `select p.id, p.issue, p.status, to_char(p.issue_date, 'YYYY-MM-DD') as "issueDate" from nbh_meeting_priorities mp
             join nbh_priorities p on p.id = mp.priority_id where mp.event_id = $1 order by p.issue_date, p.issue`,
          [eventId],
        ),
      ])
      return { record: record ?? null, questions: record ? questions : [], priorities: record ? priorities : [] }
    },

    /**
     * Adds a one-off event, or a series: the series row and every date it gives, in one
     * transaction. `rule` (from buildRule) starts on the date and time of `fields.startsAt`.
     */
    async create(actor: AuditActor, areaId: string, input: EventFields, rule: RecurrenceRule | null): Promise<{ ids: string[]; seriesId: string | null; first: Date; last: Date }> {
      const { errors, fields } = checkEventFields(input)
      if (Object.keys(errors).length) throw invalid(errors)
      let dates: { startsAt: Date; endsAt: Date }[] = [{ startsAt: fields.startsAt, endsAt: fields.endsAt }]
      if (rule) {
        const { date, time } = londonParts(fields.startsAt)
        const minutes = Math.round((fields.endsAt.getTime() - fields.startsAt.getTime()) / 60_000)
        try {
          dates = expandRule(rule, date, time, minutes)
        } catch (err) {
          if (err instanceof RecurrenceError) throw invalid({ [err.field]: err.message })
          throw err
        }
      }
      const result = await db.transaction(async q => {
        let seriesId: string | null = null
        if (rule) {
          const [series] = await q<{ id: string }>(`insert into nbh_event_series (area_id, rule, created_by) values ($1, $2, $3) returning id`, [
            areaId,
            formatRule(rule),
            actor.userId,
          ])
          seriesId = series!.id
        }
        const rows = await q<{ id: string }>(
          `insert into nbh_events (area_id, series_id, type, title, description, address, online_url, online_platform,
                                   starts_at, ends_at, accepts_questions, created_by)
           select $1, $2, $3, $4, $5, $6, $7, $8, t.s, t.e, $11, $12
             from unnest($9::timestamptz[], $10::timestamptz[]) with ordinality as t(s, e, n)
            order by t.n
           returning id`,
          [
            areaId,
            seriesId,
            fields.type,
            fields.title,
            fields.description,
            fields.address,
            fields.onlineUrl,
            fields.onlinePlatform,
            dates.map(d => d.startsAt.toISOString()),
            dates.map(d => d.endsAt.toISOString()),
            fields.acceptsQuestions,
            actor.userId,
          ],
        )
        return { ids: rows.map(r => r.id), seriesId }
      })
      await audit.record(actor, {
        action: 'create',
        entityType: rule ? 'nbh_event_series' : 'nbh_event',
        entityId: result.seriesId ?? result.ids[0]!,
        areaId,
        summary: rule ? `Added “${fields.title}”, repeating ${dates.length} times` : `Added “${fields.title}”`,
        details: rule ? { rule: formatRule(rule), events: result.ids.length } : undefined,
      })
      return { ...result, first: dates[0]!.startsAt, last: dates.at(-1)!.startsAt }
    },

    /**
     * Changes one date, or this date and every later one of its series. For "following", the
     * new times of day apply to each date, and a move of the date moves each later date by the
     * same number of days. Each changed event's SEQUENCE goes up, so calendars update.
     */
    async update(actor: AuditActor, eventId: string, input: EventFields, scope: ChangeScope): Promise<{ changed: number }> {
      const event = await mustGet(eventId)
      const { errors, fields } = checkEventFields(input)
      if (Object.keys(errors).length) throw invalid(errors)
      const targets = await scoped(event, scope)
      const oldStart = londonParts(event.startsAt).date
      const newStart = londonParts(fields.startsAt)
      const shift = compareDates(newStart.date, oldStart)
      const length = fields.endsAt.getTime() - fields.startsAt.getTime()
      const moved = targets.map(t => {
        if (t.id === event.id) return { id: t.id, startsAt: fields.startsAt, endsAt: fields.endsAt }
        const startsAt = londonToUtc(addDays(londonParts(t.startsAt).date, shift), newStart.time)
        return { id: t.id, startsAt, endsAt: new Date(startsAt.getTime() + length) }
      })
      await db.query(
        `update nbh_events e set type = $4, title = $5, description = $6, address = $7, online_url = $8, online_platform = $9,
                accepts_questions = $10, starts_at = t.s, ends_at = t.e, sequence = e.sequence + 1, updated_at = now()
           from unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[]) as t(id, s, e)
          where e.id = t.id`,
        [
          moved.map(m => m.id),
          moved.map(m => m.startsAt.toISOString()),
          moved.map(m => m.endsAt.toISOString()),
          fields.type,
          fields.title,
          fields.description,
          fields.address,
          fields.onlineUrl,
          fields.onlinePlatform,
          fields.acceptsQuestions,
        ],
      )
      await audit.record(actor, {
        action: 'update',
        entityType: 'nbh_event',
        entityId: event.id,
        areaId: event.areaId,
        summary: moved.length > 1 ? `Changed “${fields.title}” and ${moved.length - 1} later dates` : `Changed “${fields.title}”`,
        details: { before: { title: event.title, startsAt: event.startsAt, endsAt: event.endsAt }, scope, events: moved.length },
      })
      return { changed: moved.length }
    },

    /** Cancels one date, or this date and every later one of its series (those not yet cancelled). */
    async cancel(actor: AuditActor, eventId: string, scope: ChangeScope): Promise<{ cancelled: number }> {
      const event = await mustGet(eventId)
      const at = now()
      if (event.startsAt <= at) throw new AppError('INVALID', EVENT_MESSAGES.cancelStarted, { scope: EVENT_MESSAGES.cancelStarted })
      const ids = (await scoped(event, scope)).filter(t => !t.cancelled).map(t => t.id)
      if (!ids.length) throw new AppError('INVALID', EVENT_MESSAGES.alreadyCancelled, { scope: EVENT_MESSAGES.alreadyCancelled })
      await db.query(
        `update nbh_events set cancelled_at = $2, sequence = sequence + 1, updated_at = now() where id = any($1::uuid[]) and cancelled_at is null`,
        [ids, at.toISOString()],
      )
      await audit.record(actor, {
        action: 'update',
        entityType: 'nbh_event',
        entityId: event.id,
        areaId: event.areaId,
        summary: ids.length > 1 ? `Cancelled “${event.title}” and ${ids.length - 1} later dates` : `Cancelled “${event.title}”`,
        details: { scope, events: ids.length },
      })
      return { cancelled: ids.length }
    },

    /** Undoes the cancellation of one date. */
    async reinstate(actor: AuditActor, eventId: string): Promise<void> {
      const event = await mustGet(eventId)
      if (!event.cancelled) throw new AppError('INVALID', EVENT_MESSAGES.notCancelled)
      await db.query(`update nbh_events set cancelled_at = null, sequence = sequence + 1, updated_at = now() where id = $1`, [event.id])
      await audit.record(actor, {
        action: 'update',
        entityType: 'nbh_event',
        entityId: event.id,
        areaId: event.areaId,
        summary: `Reinstated “${event.title}”`,
      })
    },

    /**
     * A resident's question before a meeting: refused (INVALID, with words to show) when the
     * event is cancelled, takes no questions, or has started. Name and email are optional;
     * the email is only used to send the answer.
     */
    async askQuestion(eventId: string, input: { question: string; name?: string | null; email?: string | null }): Promise<{ id: string }> {
      const event = await mustGet(eventId)
      if (event.cancelled) throw new AppError('INVALID', EVENT_MESSAGES.cancelled, { question: EVENT_MESSAGES.cancelled })
      if (!event.acceptsQuestions) throw new AppError('INVALID', EVENT_MESSAGES.noQuestions, { question: EVENT_MESSAGES.noQuestions })
      if (event.startsAt <= now()) throw new AppError('INVALID', EVENT_MESSAGES.started, { question: EVENT_MESSAGES.started })
      const question = input.question.replace(/\r\n?/g, '\n').trim()
      const name = input.name?.trim() || null
      const email = input.email?.trim() || null
      const errors: Record<string, string> = {}
      if (!question) errors.question = EVENT_MESSAGES.noQuestion
      else if (question.length > LIMITS.question) errors.question = EVENT_MESSAGES.longQuestion
      if (name && name.length > LIMITS.askerName) errors.name = EVENT_MESSAGES.longName
      if (email && (email.length > LIMITS.email || !EMAIL.test(email))) errors.email = EVENT_MESSAGES.badEmail
      if (Object.keys(errors).length) throw invalid(errors)
      const [row] = await db.query<{ id: string }>(
        `insert into nbh_event_questions (event_id, source, question, asker_name, asker_email) values ($1, 'before', $2, $3, $4) returning id`,
        [event.id, question, name, email],
      )
      return { id: row!.id }
    },

    staffQuestions,

    /** The record of a meeting, if one has been made. */
    async record(eventId: string): Promise<MeetingRecord | null> {
      if (!isUuid(eventId)) return null
      const [row] = await db.query<MeetingRecord>(
        `select attendance_in_person as "attendanceInPerson", attendance_online as "attendanceOnline", summary,
                created_at as "recordedAt", updated_at as "updatedAt" from nbh_meeting_records where event_id = $1`,
        [eventId],
      )
      return row ?? null
    },

    priorityChoices,

    /**
     * Saves the record of a meeting (once it has started): attendance, summary, answers to the
     * questions sent before (emailing each asker who left an address, once), the questions
     * raised at the meeting, and the priorities agreed. All in one transaction.
     */
    async recordMeeting(actor: AuditActor, eventId: string, input: RecordInput): Promise<{ answersEmailed: number }> {
      const event = await mustGet(eventId)
      if (event.cancelled) throw new AppError('INVALID', EVENT_MESSAGES.recordCancelled, { attendanceInPerson: EVENT_MESSAGES.recordCancelled })
      if (event.startsAt > now()) throw new AppError('INVALID', EVENT_MESSAGES.recordTooEarly, { attendanceInPerson: EVENT_MESSAGES.recordTooEarly })

      const errors: Record<string, string> = {}
      for (const key of ['attendanceInPerson', 'attendanceOnline'] as const) {
        const n = input[key]
        if (!Number.isInteger(n) || n < 0) errors[key] = EVENT_MESSAGES.badAttendance
        else if (n > LIMITS.attendance) errors[key] = EVENT_MESSAGES.bigAttendance
      }
      const summary = input.summary?.trim() || null
      if (summary && summary.length > LIMITS.summary) errors.summary = EVENT_MESSAGES.longSummary
      const existing = await staffQuestions(event.id)
      const before = new Map(existing.filter(q => q.source === 'before').map(q => [q.id, q]))
      const answers = input.answers.map(a => ({ ...a, answer: a.answer?.trim() || null }))
      answers.forEach((a, i) => {
        if (!before.has(a.id)) errors[`answer-${i}`] = EVENT_MESSAGES.unknownQuestion
        else if ((a.answer?.length ?? 0) > LIMITS.answer) errors[`answer-${i}`] = EVENT_MESSAGES.longAnswer
      })
      const raised = input.raised.map(r => ({ question: r.question.trim(), answer: r.answer?.trim() || null })).filter(r => r.question || r.answer)
      if (raised.length > LIMITS.raised) errors.raised = EVENT_MESSAGES.tooManyRaised
      raised.forEach((r, i) => {
        if (!r.question) errors[`raised-${i}`] = EVENT_MESSAGES.raisedNeedsQuestion
        else if (r.question.length > LIMITS.question) errors[`raised-${i}`] = EVENT_MESSAGES.longQuestion
        else if ((r.answer?.length ?? 0) > LIMITS.answer) errors[`raised-${i}`] = EVENT_MESSAGES.longAnswer
      })
      const offered = new Set((await priorityChoices(event.areaId, event.id)).map(p => p.id))
      const priorityIds = [...new Set(input.priorityIds)]
      if (priorityIds.some(id => !offered.has(id))) errors.priorities = EVENT_MESSAGES.unknownPriority
      if (Object.keys(errors).length) throw invalid(errors)

      const at = now()
      const toEmail = answers.filter(a => {
        const q = before.get(a.id)!
        return a.answer && !a.hidden && q.askerEmail && !q.answeredAt
      })
      await db.transaction(async q => {
        await q(
          `insert into nbh_meeting_records (event_id, attendance_in_person, attendance_online, summary, recorded_by)
           values ($1, $2, $3, $4, $5)
           on conflict (event_id) do update set attendance_in_person = excluded.attendance_in_person,
             attendance_online = excluded.attendance_online, summary = excluded.summary, updated_at = now()`,
          [event.id, input.attendanceInPerson, input.attendanceOnline, summary, actor.userId],
        )
        if (answers.length)
          await q(
            `update nbh_event_questions q set answer = t.answer, hidden = t.hidden,
                    answered_at = case when t.answer is null then null
                                       when q.answer is distinct from t.answer or q.answered_at is null then $4::timestamptz
                                       else q.answered_at end
               from unnest($1::uuid[], $2::text[], $3::boolean[]) as t(id, answer, hidden)
              where q.id = t.id and q.event_id = $5 and q.source = 'before'`,
            [answers.map(a => a.id), answers.map(a => a.answer), answers.map(a => a.hidden), at.toISOString(), event.id],
          )
        await q(`delete from nbh_event_questions where event_id = $1 and source = 'at_meeting'`, [event.id])
        if (raised.length)
          await q(
            `insert into nbh_event_questions (event_id, source, question, answer, answered_at, created_at)
             select $1, 'at_meeting', t.question, t.answer, case when t.answer is null then null else $4::timestamptz end,
                    $4::timestamptz + (t.n * interval '1 millisecond')
               from unnest($2::text[], $3::text[]) with ordinality as t(question, answer, n)`,
            [event.id, raised.map(r => r.question), raised.map(r => r.answer), at.toISOString()],
          )
        await q(`delete from nbh_meeting_priorities where event_id = $1 and not (priority_id = any($2::uuid[]))`, [event.id, priorityIds])
        if (priorityIds.length)
          await q(
            `insert into nbh_meeting_priorities (event_id, priority_id) select $1, unnest($2::uuid[]) on conflict do nothing`,
            [event.id, priorityIds],
          )
      })

      for (const a of toEmail) {
        const question = before.get(a.id)!
        await enqueueEmail(deps.jobs, answerEmail(deps.config.baseUrl, event, question, a.answer!))
      }
      await audit.record(actor, {
        action: 'update',
        entityType: 'nbh_meeting_record',
        entityId: event.id,
        areaId: event.areaId,
        summary: `Recorded the meeting “${event.title}” (${input.attendanceInPerson} in person, ${input.attendanceOnline} online)`,
        details: { answers: answers.filter(a => a.answer).length, raised: raised.length, priorities: priorityIds.length, answersEmailed: toEmail.length },
      })
      return { answersEmailed: toEmail.length }
    },
  }
}

/** The email that takes an answer to a resident who left their address with a question. */
function answerEmail(baseUrl: string, event: EventDetail, question: StaffQuestion, answer: string) {
  const when = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' }).format(event.startsAt)
  const quoted = question.question
    .split('\n')
    .map(l => `> ${l}`)
    .join('\n')
  const text = [
    question.askerName ? `Hello ${question.askerName},` : 'Hello,',
    '',
    `You sent a question before “${event.title}” on ${when}:`,
    '',
    quoted,
    '',
    'The answer:',
    '',
    answer,
    '',
    `The record of the meeting: ${baseUrl}/events/${event.id}`,
    '',
    'You are getting this email because you gave your email address with your question. It is not used for anything else.',
  ].join('\n')
  return { to: question.askerEmail!, subject: `Your question to ${event.title}: the answer`, text }
}

export type EventsService = ReturnType<typeof createEventsService>
