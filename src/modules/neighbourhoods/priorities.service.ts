import type { NeighbourhoodsDeps } from './deps.ts'
import type { AuditActor } from '../../platform/audit/service.ts'
import { AppError } from '../../platform/errors.ts'
import { PRIORITY_STATUSES, type PriorityStatus } from './schema.ts'

/** What has been done about a priority, dated. */
export interface PriorityUpdate {
  id: string
  priorityId: string
  action: string
  /** YYYY-MM-DD */
  actionDate: string
  /** the status the priority had after this update */
  status: PriorityStatus
  createdAt: Date
}

export interface Priority {
  id: string
  areaId: string
  issue: string
  /** YYYY-MM-DD, the date it was set */
  issueDate: string
  status: PriorityStatus
  lastReviewedAt: Date
  resolvedAt: Date | null
  proposalId: string | null
  eventId: string | null
  createdAt: Date
  updatedAt: Date
  /** open or in progress, and last reviewed more than three months ago */
  reviewDue: boolean
  /** the newest action update (by action date), if any */
  latestUpdate: PriorityUpdate | null
  /** every action update, newest first; filled by `get` and by `listForArea` with `withUpdates` */
  updates?: PriorityUpdate[]
}

export interface NewPriority {
  issue: string
  /** YYYY-MM-DD */
  issueDate: string
  /** the resident proposal it adopts (same area, not yet adopted) */
  proposalId?: string | null
  /** the meeting that agreed it (same area) */
  eventId?: string | null
}

export interface PriorityUpdateInput {
  action: string
  /** YYYY-MM-DD */
  actionDate: string
  status: PriorityStatus
}

/** A meeting a new priority may be agreed at, for the form's prefill. */
export interface MeetingRef {
  id: string
  areaId: string
  title: string
  startsAt: Date
}

export const STATUS_NAMES: Record<PriorityStatus, string> = { open: 'Open', in_progress: 'In progress', resolved: 'Resolved' }

export const PRIORITY_MESSAGES = {
  resolved: 'This priority has been resolved, so it cannot be updated. Set a new priority if the problem has come back',
  resolvedReview: 'This priority has been resolved, so it does not need reviewing',
  noIssue: 'Enter the issue',
  longIssue: 'The issue must be 500 characters or fewer',
  noAction: 'Enter what has been done',
  longAction: 'The action must be 2,000 characters or fewer',
  longNote: 'The note must be 2,000 characters or fewer',
  badDate: 'Enter a real date',
  futureIssueDate: 'The date it was set must be today or in the past',
  futureActionDate: 'The date of the action must be today or in the past',
  actionBeforeIssue: 'The date of the action must be on or after the date the priority was set',
  badStatus: 'Choose open, in progress or resolved',
  proposalNotFound: 'That proposal was not found in this neighbourhood',
  proposalAdopted: 'That proposal has already been set as a priority',
  eventNotFound: 'That meeting was not found in this neighbourhood',
} as const

/** Priorities not reviewed since this moment are due a review (the Guarantee's three months). */
export function reviewDueCutoff(now: Date): Date {
  const d = new Date(now)
  d.setUTCMonth(d.getUTCMonth() - 3)
  return d
}

export const isReviewDue = (p: { status: PriorityStatus; lastReviewedAt: Date | string }, now: Date) =>
  p.status !== 'resolved' && new Date(p.lastReviewedAt) < reviewDueCutoff(now)

const londonDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' })
/** The date in London (YYYY-MM-DD) at a moment. */
export const londonDay = (d: Date) => londonDate.format(d)

/** True for a real calendar date written YYYY-MM-DD. */
export function isIsoDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s)
  if (!m) return false
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]) && Number(m[1]) >= 1900
}

const isUuid = (s: string | null | undefined) => typeof s === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s)

const PRIORITY_COLUMNS = `p.id, p.area_id as "areaId", p.issue, p.issue_date::text as "issueDate", p.status,
  p.last_reviewed_at as "lastReviewedAt", p.resolved_at as "resolvedAt", p.proposal_id as "proposalId", p.event_id as "eventId",
  p.created_at as "createdAt", p.updated_at as "updatedAt"`

const UPDATE_COLUMNS = `u.id, u.priority_id as "priorityId", u.action, u.action_date::text as "actionDate", u.status, u.created_at as "createdAt"`

/** The newest update of each priority, as one JSON value (null when none), for a lateral join. */
const LATEST_UPDATE = `left join lateral (
    select json_build_object('id', u.id, 'priorityId', u.priority_id, 'action', u.action, 'actionDate', u.action_date::text,
                             'status', u.status, 'createdAt', u.created_at) as latest
      from nbh_priority_updates u where u.priority_id = p.id order by u.action_date desc, u.created_at desc limit 1
  ) lu on true`

type PriorityRow = Omit<Priority, 'reviewDue' | 'latestUpdate'> & { latest: (Omit<PriorityUpdate, 'createdAt'> & { createdAt: string }) | string | null }

/**
 * Neighbourhood priorities with dated action updates: set (optionally from a resident's
 * proposal or at a meeting), updated, reviewed and resolved. Every change is audited. Bad
 * input is refused with AppErrors whose `fieldErrors` name the form field.
 */
export function createPrioritiesService(deps: NeighbourhoodsDeps) {
  const { db, audit } = deps
  const now = () => deps.now?.() ?? new Date()

  const shape = (row: PriorityRow, at: Date): Priority => {
    const { latest, ...p } = row
    const l = typeof latest === 'string' ? (JSON.parse(latest) as Exclude<PriorityRow['latest'], string>) : latest
    return { ...p, reviewDue: isReviewDue(p, at), latestUpdate: l ? { ...l, createdAt: new Date(l.createdAt) } : null }
  }

  async function updatesOf(ids: string[]): Promise<Map<string, PriorityUpdate[]>> {
    const out = new Map<string, PriorityUpdate[]>(ids.map(id => [id, []]))
    if (!ids.length) return out
    const rows = await db.query<PriorityUpdate>(
      `select ${UPDATE_COLUMNS} from nbh_priority_updates u where u.priority_id = any($1::uuid[]) order by u.action_date desc, u.created_at desc`,
      [ids],
    )
    for (const r of rows) out.get(r.priorityId)?.push(r)
    return out
  }

  async function get(id: string): Promise<Priority | null> {
    if (!isUuid(id)) return null
    const [row] = await db.query<PriorityRow>(`select ${PRIORITY_COLUMNS}, lu.latest from nbh_priorities p ${LATEST_UPDATE} where p.id = $1`, [id])
    if (!row) return null
    return { ...shape(row, now()), updates: (await updatesOf([id])).get(id) ?? [] }
  }

  /** The priority if it belongs to the area; NOT_FOUND otherwise (another area's id is never confirmed). */
  async function getIn(areaId: string, id: string): Promise<Priority> {
    const p = await get(id)
    if (!p || p.areaId !== areaId) throw new AppError('NOT_FOUND', 'Priority not found')
    return p
  }

  function checkIssue(issue: string, issueDate: string, today: string): { issue: string; errors: Record<string, string> } {
    const errors: Record<string, string> = {}
    const text = (issue ?? '').trim()
    if (!text) errors.issue = PRIORITY_MESSAGES.noIssue
    else if (text.length > 500) errors.issue = PRIORITY_MESSAGES.longIssue
    if (!isIsoDate(issueDate)) errors.issueDate = PRIORITY_MESSAGES.badDate
    else if (issueDate > today) errors.issueDate = PRIORITY_MESSAGES.futureIssueDate
    return { issue: text, errors }
  }

  function checkAction(input: { action: string; actionDate: string }, issueDate: string, today: string) {
    const errors: Record<string, string> = {}
    const action = (input.action ?? '').trim()
    if (!action) errors.action = PRIORITY_MESSAGES.noAction
    else if (action.length > 2000) errors.action = PRIORITY_MESSAGES.longAction
    if (!isIsoDate(input.actionDate)) errors.actionDate = PRIORITY_MESSAGES.badDate
    else if (input.actionDate > today) errors.actionDate = PRIORITY_MESSAGES.futureActionDate
    else if (input.actionDate < issueDate) errors.actionDate = PRIORITY_MESSAGES.actionBeforeIssue
    return { action, errors }
  }

  const invalid = (errors: Record<string, string>) => new AppError('INVALID', Object.values(errors)[0]!, errors)

  /** Inserts an action update and moves the priority to its status; an update counts as a review. */
  async function writeUpdate(actor: AuditActor, p: Priority, input: PriorityUpdateInput, summary: string): Promise<void> {
    await db.transaction(async q => {
      // The status check is repeated under the row lock so two staff resolving at once cannot both write.
      const [locked] = await q<{ status: PriorityStatus }>(`select status from nbh_priorities where id = $1 for update`, [p.id])
      if (!locked || locked.status === 'resolved') throw new AppError('CONFLICT', PRIORITY_MESSAGES.resolved, { action: PRIORITY_MESSAGES.resolved })
      await q(`insert into nbh_priority_updates (priority_id, action, action_date, status, created_by) values ($1, $2, $3, $4, $5)`, [
        p.id,
        input.action,
        input.actionDate,
        input.status,
        actor.userId,
      ])
      await q(
        `update nbh_priorities set status = $2::text, last_reviewed_at = $3::timestamptz, updated_at = now(),
           resolved_at = case when $2::text = 'resolved' then $3::timestamptz else null end
         where id = $1`,
        [p.id, input.status, now()],
      )
    })
    await audit.record(actor, {
      action: 'update',
      entityType: 'nbh_priority',
      entityId: p.id,
      areaId: p.areaId,
      summary,
      details: { issue: p.issue, ...input, statusBefore: p.status },
    })
  }

  return {
    get,
    getIn,

    /**
     * An area's priorities: `current` (open and in progress, oldest set first) and `past`
     * (resolved, most recently resolved first), each with its latest update, and with every
     * update when `withUpdates` is set.
     */
    async listForArea(areaId: string, opts: { withUpdates?: boolean } = {}): Promise<{ current: Priority[]; past: Priority[] }> {
      const at = now()
      const rows = await db.query<PriorityRow>(
        `select ${PRIORITY_COLUMNS}, lu.latest from nbh_priorities p ${LATEST_UPDATE}
          where p.area_id = $1
          order by (p.status = 'resolved'), case when p.status = 'resolved' then p.resolved_at end desc nulls last, p.issue_date, p.created_at`,
        [areaId],
      )
      const all = rows.map(r => shape(r, at))
      if (opts.withUpdates) {
        const updates = await updatesOf(all.map(p => p.id))
        for (const p of all) p.updates = updates.get(p.id) ?? []
      }
      return { current: all.filter(p => p.status !== 'resolved'), past: all.filter(p => p.status === 'resolved') }
    },

    /** An area's open and in-progress priorities with their latest update. */
    async current(areaId: string): Promise<Priority[]> {
      const at = now()
      const rows = await db.query<PriorityRow>(
        `select ${PRIORITY_COLUMNS}, lu.latest from nbh_priorities p ${LATEST_UPDATE}
          where p.area_id = $1 and p.status <> 'resolved' order by p.issue_date, p.created_at`,
        [areaId],
      )
      return rows.map(r => shape(r, at))
    },

    /** How many of an area's priorities are resolved (the public page links to them). */
    async pastCount(areaId: string): Promise<number> {
      const [row] = await db.query<{ n: number }>(`select count(*)::int as n from nbh_priorities where area_id = $1 and status = 'resolved'`, [areaId])
      return row?.n ?? 0
    },

    /** A meeting of the area (for "set a priority agreed at this meeting"), or null. */
    async meetingIn(areaId: string, eventId: string): Promise<MeetingRef | null> {
      if (!isUuid(eventId)) return null
      const [row] = await db.query<MeetingRef>(
        `select id, area_id as "areaId", title, starts_at as "startsAt" from nbh_events where id = $1 and area_id = $2`,
        [eventId, areaId],
      )
      return row ?? null
    },

    /**
     * Sets a new priority. From a proposal, the priority and the proposal's adoption are one
     * transaction (the proposal must be in the same area and not already adopted); from a
     * meeting, the priority records the meeting and the meeting lists the priority as agreed.
     */
    async create(actor: AuditActor, areaId: string, input: NewPriority): Promise<Priority> {
      const today = londonDay(now())
      const { issue, errors } = checkIssue(input.issue, input.issueDate, today)
      const proposalId = input.proposalId || null
      const eventId = input.eventId || null
      if (proposalId && !isUuid(proposalId)) errors.proposalId = PRIORITY_MESSAGES.proposalNotFound
      if (eventId && !isUuid(eventId)) errors.eventId = PRIORITY_MESSAGES.eventNotFound
      if (Object.keys(errors).length) throw invalid(errors)

      const id = await db.transaction(async q => {
        if (proposalId) {
          const [proposal] = await q<{ areaId: string; priorityId: string | null; status: string }>(
            `select area_id as "areaId", priority_id as "priorityId", status from nbh_proposals where id = $1 for update`,
            [proposalId],
          )
          if (!proposal || proposal.areaId !== areaId) throw invalid({ proposalId: PRIORITY_MESSAGES.proposalNotFound })
          if (proposal.status === 'adopted' || proposal.priorityId)
            throw new AppError('CONFLICT', PRIORITY_MESSAGES.proposalAdopted, { proposalId: PRIORITY_MESSAGES.proposalAdopted })
        }
        if (eventId) {
          const [event] = await q<{ areaId: string }>(`select area_id as "areaId" from nbh_events where id = $1`, [eventId])
          if (!event || event.areaId !== areaId) throw invalid({ eventId: PRIORITY_MESSAGES.eventNotFound })
        }
        const [row] = await q<{ id: string }>(
          `insert into nbh_priorities (area_id, issue, issue_date, status, last_reviewed_at, proposal_id, event_id, created_by)
           values ($1, $2, $3, 'open', $4, $5, $6, $7) returning id`,
          [areaId, issue, input.issueDate, now(), proposalId, eventId, actor.userId],
        )
        const newId = row!.id
        if (proposalId)
          await q(`update nbh_proposals set status = 'adopted', priority_id = $2, updated_at = now() where id = $1`, [proposalId, newId])
        if (eventId)
          await q(`insert into nbh_meeting_priorities (event_id, priority_id) values ($1, $2) on conflict do nothing`, [eventId, newId])
        return newId
      })
      await audit.record(actor, {
        action: 'create',
        entityType: 'nbh_priority',
        entityId: id,
        areaId,
        summary: `Set the priority "${truncate(issue, 80)}"${proposalId ? ' from a resident proposal' : ''}${eventId ? ' agreed at a meeting' : ''}`,
        details: { issue, issueDate: input.issueDate, proposalId, eventId },
      })
      return (await get(id))!
    },

    /** Adds a dated action update and sets the status; refused (CONFLICT) once the priority is resolved. */
    async addUpdate(actor: AuditActor, areaId: string, id: string, input: PriorityUpdateInput): Promise<Priority> {
      const p = await getIn(areaId, id)
      if (p.status === 'resolved') throw new AppError('CONFLICT', PRIORITY_MESSAGES.resolved, { action: PRIORITY_MESSAGES.resolved })
      const { action, errors } = checkAction(input, p.issueDate, londonDay(now()))
      if (!PRIORITY_STATUSES.includes(input.status)) errors.status = PRIORITY_MESSAGES.badStatus
      if (Object.keys(errors).length) throw invalid(errors)
      await writeUpdate(actor, p, { ...input, action }, `Updated the priority "${truncate(p.issue, 80)}" (${STATUS_NAMES[input.status].toLowerCase()})`)
      return (await get(id))!
    },

    /**
     * Records that the priority was reviewed and still stands: `last_reviewed_at` becomes now.
     * A note, if given, is published as an action update dated today with the status unchanged.
     */
    async review(actor: AuditActor, areaId: string, id: string, input: { note?: string | null } = {}): Promise<Priority> {
      const p = await getIn(areaId, id)
      if (p.status === 'resolved') throw new AppError('CONFLICT', PRIORITY_MESSAGES.resolvedReview, { note: PRIORITY_MESSAGES.resolvedReview })
      const note = (input.note ?? '').trim()
      if (note.length > 2000) throw invalid({ note: PRIORITY_MESSAGES.longNote })
      if (note) {
        await writeUpdate(actor, p, { action: `Reviewed: ${note}`, actionDate: londonDay(now()), status: p.status }, `Reviewed the priority "${truncate(p.issue, 80)}"`)
      } else {
        await db.query(`update nbh_priorities set last_reviewed_at = $2, updated_at = now() where id = $1 and status <> 'resolved'`, [id, now()])
        await audit.record(actor, {
          action: 'update',
          entityType: 'nbh_priority',
          entityId: id,
          areaId,
          summary: `Reviewed the priority "${truncate(p.issue, 80)}"`,
        })
      }
      return (await get(id))!
    },

    /** Resolves the priority with a closing action (what was done), dated. */
    async resolve(actor: AuditActor, areaId: string, id: string, input: { action: string; actionDate: string }): Promise<Priority> {
      const p = await getIn(areaId, id)
      if (p.status === 'resolved') throw new AppError('CONFLICT', PRIORITY_MESSAGES.resolved, { action: PRIORITY_MESSAGES.resolved })
      const { action, errors } = checkAction(input, p.issueDate, londonDay(now()))
      if (Object.keys(errors).length) throw invalid(errors)
      await writeUpdate(actor, p, { action, actionDate: input.actionDate, status: 'resolved' }, `Resolved the priority "${truncate(p.issue, 80)}"`)
      return (await get(id))!
    },
  }
}

export type PrioritiesService = ReturnType<typeof createPrioritiesService>

const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s)
