import { randomInt } from 'node:crypto'
import type { NeighbourhoodsDeps } from './deps.ts'
import type { AuditActor } from '../../platform/audit/service.ts'
import { grantedPaths, inScopeSql, type StaffContext } from '../../platform/auth/access.ts'
import { AppError } from '../../platform/errors.ts'
import { enqueueEmail } from '../../platform/jobs/send-email.ts'
import { normaliseEmail, normaliseUkMobile } from '../messaging/phone.ts'
import { NEIGHBOURHOOD_ROLES } from './roles.ts'
import { CONTACT_STATUSES, type ContactStatus } from './schema.ts'
import { RESPONSE_TARGET_HOURS, responseClock, type ResponseClock } from './response-clock.ts'
import { isUuid } from '../../platform/ids.ts'

/** What a resident's message is about (the radios on the form, in order). */
export const CONTACT_TOPICS = ['local_problem', 'question', 'meeting', 'feedback', 'other'] as const
export type ContactTopic = (typeof CONTACT_TOPICS)[number]

export const TOPIC_NAMES: Record<ContactTopic, string> = {
  local_problem: 'A local problem',
  question: 'A question for the team',
  meeting: 'A meeting or event',
  feedback: 'Feedback',
  other: 'Something else',
}

export const CONTACT_STATUS_NAMES: Record<ContactStatus, string> = { new: 'New', assigned: 'Assigned', replied: 'Replied', closed: 'Closed' }

/** Longest message a resident may send, and the other limits on the form and the inbox. */
export const MAX_MESSAGE = 2000
export const MAX_NAME = 100
export const MAX_REPLY = 5000
export const MAX_NOTE = 2000

/** The clear messages the form and the service give. */
export const CONTACT_MESSAGES = {
  noTopic: 'Select what your message is about',
  noMessage: 'Enter your message',
  longMessage: `Your message must be ${MAX_MESSAGE.toLocaleString('en-GB')} characters or fewer`,
  longName: `Your name must be ${MAX_NAME} characters or fewer`,
  noReplyBy: 'Select how you would like us to reply: by email or by phone',
  noEmail: 'Enter your email address so we can reply, or choose to be phoned instead',
  badEmail: 'Enter an email address in the correct format, like name@example.com',
  noPhone: 'Enter your phone number so we can call you back, or choose email instead',
  badPhone: 'Enter a UK phone number, like 01632 960 001 or 07700 900 982',
  noReply: 'Enter your reply',
  longReply: `Your reply must be ${MAX_REPLY.toLocaleString('en-GB')} characters or fewer`,
  noNote: 'Enter the note',
  longNote: `The note must be ${MAX_NOTE.toLocaleString('en-GB')} characters or fewer`,
  noAssignee: 'Choose someone who works in this neighbourhood',
  noEmailToReply: 'The resident did not give an email address, so a reply cannot be emailed. Phone them and mark the query as replied by phone',
  closed: 'This query is closed. Reopen it to reply',
} as const

/**
 * Characters of a reference: digits and capitals without 0/O, 1/I/L and U, so a reference
 * read out on the phone or copied from paper cannot be mistaken (Crockford's choice).
 */
export const REFERENCE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ'
const REFERENCE_PATTERN = new RegExp(`^NQ-[${REFERENCE_ALPHABET}]{4}-[${REFERENCE_ALPHABET}]{4}$`)

/** A fresh random reference, "NQ-7K3M-9P2X": 30^8 (about 6.6 × 10^11) possibilities. */
export function generateReference(pick: (n: number) => number = randomInt): string {
  const chars = Array.from({ length: 8 }, () => REFERENCE_ALPHABET[pick(REFERENCE_ALPHABET.length)]!)
  return `NQ-${chars.slice(0, 4).join('')}-${chars.slice(4).join('')}`
}

/**
 * What someone typed as a reference ("nq 7k3m 9p2x", "7K3M9P2X", "NQ-7K3M-9P2X"), in the stored
 * form, or null when it cannot be one. Letters people confuse are read as the ones we use.
 */
export function normaliseReference(typed: string): string | null {
  let s = typed.toUpperCase().replace(/[\s\-_.]/g, '')
  if (s.startsWith('NQ')) s = s.slice(2)
  s = s.replace(/O/g, '0').replace(/[IL]/g, '1')
  if (s.length !== 8) return null
  const ref = `NQ-${s.slice(0, 4)}-${s.slice(4)}`
  return REFERENCE_PATTERN.test(ref) ? ref : null
}

/**
 * A UK phone number residents may be called back on, in E.164 (+44…), or null. Mobiles follow
 * the messaging module's rules (`normaliseUkMobile`); landlines and non-geographic numbers
 * start 01, 02 or 03 and have 10 digits after the 0 (a few old 01 areas have 9).
 */
export function normaliseUkPhone(typed: string): string | null {
  const mobile = normaliseUkMobile(typed)
  if (mobile) return mobile
  let digits = typed.trim().replace(/[\s\-.()]/g, '')
  if (!/^\+?\d+$/.test(digits)) return null
  if (digits.startsWith('+44')) digits = digits.slice(3)
  else if (digits.startsWith('0044')) digits = digits.slice(4)
  else if (digits.startsWith('44') && digits.length >= 11) digits = digits.slice(2)
  else if (digits.startsWith('+')) return null
  if (digits.startsWith('0')) digits = digits.slice(1)
  if (/^[23]\d{9}$/.test(digits) || /^1\d{8,9}$/.test(digits)) return `+44${digits}`
  return null
}

/** "+441632960001" → "01632 960001"; "+447700900982" → "07700 900982"; "+442079460000" → "020 7946 0000". */
export function formatUkPhone(e164: string): string {
  if (!/^\+44\d{9,10}$/.test(e164)) return e164
  const national = `0${e164.slice(3)}`
  if (/^02\d{9}$/.test(national)) return `${national.slice(0, 3)} ${national.slice(3, 7)} ${national.slice(7)}`
  if (/^03\d{9}$/.test(national)) return `${national.slice(0, 4)} ${national.slice(4, 7)} ${national.slice(7)}`
  return `${national.slice(0, 5)} ${national.slice(5)}`
}

/** A resident's query as the form hands it over (already checked by the form's schema). */
export interface NewContactQuery {
  topic: ContactTopic
  message: string
  name?: string | null | undefined
  replyBy: 'email' | 'phone'
  /** required when replying by email; optional otherwise */
  email?: string | null | undefined
  /** required when replying by phone; optional otherwise */
  phone?: string | null | undefined
}

export interface SubmittedQuery {
  id: string
  reference: string
  /** an acknowledgement email was queued (they gave an email address) */
  acknowledged: boolean
}

/** Who is asking: their id and the subtree roots their neighbourhood grants cover. */
export interface Viewer {
  userId: string
  paths: readonly string[]
}

/** The viewer for a signed-in staff member (grants with one of NEIGHBOURHOOD_ROLES). */
export const contactViewer = (staff: StaffContext): Viewer => ({ userId: staff.userId, paths: grantedPaths(staff, NEIGHBOURHOOD_ROLES) })

export { isUuid }
export const inScope = inScopeSql

export interface ContactRow {
  id: string
  reference: string
  areaId: string
  areaName: string
  topic: ContactTopic
  message: string
  replyBy: 'email' | 'phone'
  status: ContactStatus
  createdAt: Date
  firstReplyAt: Date | null
  closedAt: Date | null
  assignedTo: string | null
  assigneeName: string | null
  clock: ResponseClock
}

export interface ThreadEntry {
  id: string
  kind: 'reply' | 'note'
  body: string
  sentByName: string | null
  createdAt: Date
}

/** One query with the resident's contact details (personal data: reading it is audited). */
export interface ContactDetail extends ContactRow {
  areaPath: string
  name: string | null
  email: string | null
  phone: string | null
  thread: ThreadEntry[]
}

export interface ContactListQuery {
  status?: ContactStatus | undefined
  areaId?: string | undefined
  /** only queries assigned to the viewer */
  mine?: boolean | undefined
  /** an exact reference, as stored */
  reference?: string | undefined
  limit?: number
  offset?: number
}

type QueryDbRow = {
  id: string
  reference: string
  area_id: string
  area_name: string
  topic: ContactTopic
  message: string
  reply_by: 'email' | 'phone'
  status: ContactStatus
  created_at: Date | string
  first_reply_at: Date | string | null
  closed_at: Date | string | null
  assigned_to: string | null
  assignee_name: string | null
}

const longDate = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' })
const toDate = (v: Date | string | null) => (v == null ? null : new Date(v))
const invalid = (field: string, message: string) => new AppError('INVALID', message, { [field]: message })
const quote = (text: string) =>
  text
    .split(/\r?\n/)
    .map(l => `> ${l}`)
    .join('\n')

/** How many times a clashing random reference is drawn again before giving up (never, in practice). */
const REFERENCE_ATTEMPTS = 8

/**
 * "Contact your team": residents' queries to a neighbourhood team, and the staff inbox that
 * answers them within 72 hours. A query is committed before anything is acknowledged; the
 * acknowledgement and every reply go by the job queue, so a mail outage delays them rather
 * than losing them. Staff see only queries in their grants, and every look at a resident's
 * contact details and every change is written to the audit log by the method that does it.
 */
export function createContactService(deps: NeighbourhoodsDeps, opts: { drawReference?: () => string } = {}) {
  const { db, audit, jobs, config } = deps
  const now = () => deps.now?.() ?? new Date()
  const drawReference = opts.drawReference ?? (() => generateReference())

  const baseSelect = `select q.id, q.reference, q.area_id, a.name as area_name, q.topic, q.message, q.reply_by, q.status,
      q.created_at, q.first_reply_at, q.closed_at, q.assigned_to, u.name as assignee_name
    from nbh_contact_queries q
    join areas a on a.id = q.area_id
    left join staff_users u on u.id = q.assigned_to`

  const toRow = (r: QueryDbRow, at: Date): ContactRow => {
    const createdAt = new Date(r.created_at)
    const firstReplyAt = toDate(r.first_reply_at)
    const closedAt = toDate(r.closed_at)
    return {
      id: r.id,
      reference: r.reference,
      areaId: r.area_id,
      areaName: r.area_name,
      topic: r.topic,
      message: r.message,
      replyBy: r.reply_by,
      status: r.status,
      createdAt,
      firstReplyAt,
      closedAt,
      assignedTo: r.assigned_to,
      assigneeName: r.assignee_name,
      clock: responseClock({ createdAt, firstReplyAt, closedAt }, at),
    }
  }

  /** The query if it is inside the viewer's grants; null for anything else (even a malformed id). */
  async function findQuery(viewer: Viewer, id: string): Promise<ContactDetail | null> {
    if (!isUuid(id) || !viewer.paths.length) return null
    const [r] = await db.query<QueryDbRow & { area_path: string; name: string | null; email: string | null; phone: string | null }>(
      `${baseSelect.replace('u.name as assignee_name', 'u.name as assignee_name, a.path as area_path, q.name, q.email, q.phone')}
        where q.id = $1 and ${inScope('a.path', 2)}`,
      [id, viewer.paths],
    )
    if (!r) return null
    const thread = await db.query<{ id: string; kind: 'reply' | 'note'; body: string; sentByName: string | null; createdAt: Date }>(
      `select r.id, r.kind, r.body, u.name as "sentByName", r.created_at as "createdAt"
         from nbh_contact_replies r left join staff_users u on u.id = r.sent_by
        where r.query_id = $1 order by r.created_at, r.id`,
      [id],
    )
    return {
      ...toRow(r, now()),
      areaPath: r.area_path,
      name: r.name,
      email: r.email,
      phone: r.phone,
      thread: thread.map(t => ({ ...t, createdAt: new Date(t.createdAt) })),
    }
  }

  async function mustFind(viewer: Viewer, id: string): Promise<ContactDetail> {
    const query = await findQuery(viewer, id)
    if (!query) throw new AppError('NOT_FOUND', 'Query not found')
    return query
  }

  /** Staff who may be given a query: active, with a neighbourhood role on its area or above. */
  const assignees = (areaPath: string): Promise<{ id: string; name: string; email: string }[]> =>
    db.query(
      `select distinct u.id, u.name, u.email
         from staff_users u
         join role_grants g on g.user_id = u.id
         join areas a on a.id = g.area_id
        where u.active and g.role = any($2::text[]) and left($1, length(a.path)) = a.path
        order by u.name, u.email`,
      [areaPath, [...NEIGHBOURHOOD_ROLES]],
    )

  const record = (actor: AuditActor, query: ContactDetail, action: string, summary: string, details?: Record<string, unknown>) =>
    audit.record(actor, { action, entityType: 'nbh_contact_query', entityId: query.id, areaId: query.areaId, summary, ...(details ? { details } : {}) })

  /** The acknowledgement a resident gets by email, quoting the reference and what they wrote. */
  function acknowledgement(areaName: string, reference: string, input: NewContactQuery, email: string) {
    const how = input.replyBy === 'email' ? 'reply by email' : 'phone you back on the number you gave'
    const text = [
      `Thank you for contacting the ${areaName} neighbourhood policing team.`,
      '',
      `Your reference is ${reference}. Please quote it if you contact us about this again.`,
      '',
      'What happens next',
      `A member of the team will read your message and ${how} within ${RESPONSE_TARGET_HOURS} hours (3 days).`,
      '',
      'This is not for emergencies or reporting crimes. In an emergency, call 999. To report a crime or for other non-emergencies, call 101 or report it online.',
      '',
      `You wrote (about: ${TOPIC_NAMES[input.topic].toLowerCase()}):`,
      '',
      quote(input.message),
      '',
      config.brand.forceName,
    ].join('\n')
    return { to: email, subject: `We have your message: ${reference}`, text, reference: `nbh-contact-${reference}` }
  }

  return {
    assignees,

    /**
     * Records a resident's query for a neighbourhood and answers its new reference. The row is
     * committed before the acknowledgement is queued; if queueing fails, the query still stands
     * (the team will answer it) and the resident still sees their reference.
     */
    async submit(areaId: string, input: NewContactQuery): Promise<SubmittedQuery> {
      const [area] = await db.query<{ name: string }>(`select name from areas where id = $1 and kind = 'neighbourhood'`, [areaId])
      if (!area) throw new AppError('NOT_FOUND', 'Neighbourhood not found')
      const message = input.message.trim()
      if (!CONTACT_TOPICS.includes(input.topic)) throw invalid('topic', CONTACT_MESSAGES.noTopic)
      if (!message) throw invalid('message', CONTACT_MESSAGES.noMessage)
      if (message.length > MAX_MESSAGE) throw invalid('message', CONTACT_MESSAGES.longMessage)
      const name = input.name?.trim() || null
      if (name && name.length > MAX_NAME) throw invalid('name', CONTACT_MESSAGES.longName)
      const email = input.email?.trim() ? normaliseEmail(input.email) : null
      const phone = input.phone?.trim() ? normaliseUkPhone(input.phone) : null
      if (input.email?.trim() && !email) throw invalid('email', CONTACT_MESSAGES.badEmail)
      if (input.phone?.trim() && !phone) throw invalid('phone', CONTACT_MESSAGES.badPhone)
      if (input.replyBy !== 'email' && input.replyBy !== 'phone') throw invalid('replyBy', CONTACT_MESSAGES.noReplyBy)
      if (input.replyBy === 'email' && !email) throw invalid('email', CONTACT_MESSAGES.noEmail)
      if (input.replyBy === 'phone' && !phone) throw invalid('phone', CONTACT_MESSAGES.noPhone)

      let saved: { id: string; reference: string } | undefined
      for (let attempt = 0; attempt < REFERENCE_ATTEMPTS && !saved; attempt++) {
        const reference = drawReference()
        const [row] = await db.query<{ id: string }>(
          `insert into nbh_contact_queries (reference, area_id, topic, message, name, reply_by, email, phone, created_at, updated_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
           on conflict (reference) do nothing returning id`,
          [reference, areaId, input.topic, message, name, input.replyBy, email, phone, now()],
        )
        if (row) saved = { id: row.id, reference }
      }
      if (!saved) throw new Error('could not draw an unused contact reference')

      let acknowledged = false
      if (email) {
        try {
          await enqueueEmail(jobs, acknowledgement(area.name, saved.reference, { ...input, message }, email))
          acknowledged = true
        } catch {
          // The query is saved and will be answered; only the acknowledgement is lost.
          acknowledged = false
        }
      }
      return { ...saved, acknowledged }
    },

    /** Queries within the viewer's grants: open ones first, oldest first; then the rest, newest first. */
    async list(viewer: Viewer, q: ContactListQuery = {}): Promise<{ rows: ContactRow[]; total: number; counts: Record<ContactStatus, number> }> {
      const counts: Record<ContactStatus, number> = { new: 0, assigned: 0, replied: 0, closed: 0 }
      if (!viewer.paths.length) return { rows: [], total: 0, counts }
      const where = [inScope('a.path', 1)]
      const params: unknown[] = [viewer.paths]
      const add = (clause: string, value: unknown) => {
        params.push(value)
        where.push(clause.replaceAll('?', `$${params.length}`))
      }
      if (q.areaId) add('q.area_id = ?', q.areaId)
      if (q.mine) add('q.assigned_to = ?', viewer.userId)
      if (q.reference) add('q.reference = ?', q.reference)
      // Counts per status follow every filter but the status itself, so the choices add up.
      const countWhere = [...where]
      const countParams = [...params]
      if (q.status) add('q.status = ?', q.status)
      const limit = Math.min(Math.max(Math.trunc(q.limit ?? 50), 1), 200)
      const offset = Math.max(Math.trunc(q.offset ?? 0), 0)
      const [rows, totals, byStatus] = await Promise.all([
        db.query<QueryDbRow>(
          `${baseSelect} where ${where.join(' and ')}
            order by (q.status in ('new', 'assigned')) desc,
                     case when q.status in ('new', 'assigned') then q.created_at end asc,
                     q.created_at desc, q.id
            limit ${limit} offset ${offset}`,
          params,
        ),
        db.query<{ n: number }>(`select count(*)::int as n from nbh_contact_queries q join areas a on a.id = q.area_id where ${where.join(' and ')}`, params),
        db.query<{ status: ContactStatus; n: number }>(
          `select q.status, count(*)::int as n from nbh_contact_queries q join areas a on a.id = q.area_id where ${countWhere.join(' and ')} group by q.status`,
          countParams,
        ),
      ])
      for (const s of byStatus) counts[s.status] = s.n
      const at = now()
      return { rows: rows.map(r => toRow(r, at)), total: totals[0]?.n ?? 0, counts }
    },

    /**
     * One query with the resident's contact details and its thread. Opening it is audited as a
     * view of personal data (pass `audit: false` only when the caller does not show them).
     */
    async get(viewer: Viewer, actor: AuditActor, id: string, opts: { audit?: boolean } = {}): Promise<ContactDetail | null> {
      const query = await findQuery(viewer, id)
      if (!query) return null
      if (opts.audit !== false)
        await record(actor, query, 'view', `Viewed contact query ${query.reference} and the resident's contact details`, {
          reference: query.reference,
          shown: [query.name && 'name', query.email && 'email', query.phone && 'phone'].filter(Boolean),
        })
      return query
    },

    /** Gives the query to a colleague (or oneself) whose grants cover its neighbourhood. */
    async assign(viewer: Viewer, actor: AuditActor, id: string, assigneeId: string): Promise<{ name: string }> {
      const query = await mustFind(viewer, id)
      const assignee = (await assignees(query.areaPath)).find(c => c.id === assigneeId)
      if (!assignee) throw invalid('assignee', CONTACT_MESSAGES.noAssignee)
      await db.query(
        `update nbh_contact_queries set assigned_to = $2, status = case when status = 'new' then 'assigned' else status end, updated_at = $3
          where id = $1`,
        [id, assigneeId, now()],
      )
      await record(actor, query, 'update', `Assigned contact query ${query.reference} to ${assignee.name}`, { from: query.assignedTo, to: assigneeId })
      return { name: assignee.name }
    },

    /**
     * Emails a reply to the resident, the reference in the subject and their message quoted.
     * The reply is recorded (stopping the clock at the first one) and the email queued; if the
     * queue refuses, the record is undone, so nothing claims to be sent that was not.
     */
    async reply(viewer: Viewer, actor: AuditActor, id: string, body: string): Promise<{ to: string }> {
      const query = await mustFind(viewer, id)
      const text = body.trim()
      if (!text) throw invalid('reply', CONTACT_MESSAGES.noReply)
      if (text.length > MAX_REPLY) throw invalid('reply', CONTACT_MESSAGES.longReply)
      if (!query.email) throw invalid('reply', CONTACT_MESSAGES.noEmailToReply)
      if (query.status === 'closed') throw invalid('reply', CONTACT_MESSAGES.closed)
      const at = now()
      const replyId = await db.transaction(async q => {
        const [row] = await q<{ id: string }>(
          `insert into nbh_contact_replies (query_id, body, kind, sent_by, created_at) values ($1, $2, 'reply', $3, $4) returning id`,
          [id, text, viewer.userId, at],
        )
        await q(
          `update nbh_contact_queries set status = 'replied', first_reply_at = coalesce(first_reply_at, $2),
                  assigned_to = coalesce(assigned_to, $3), updated_at = $2 where id = $1`,
          [id, at, viewer.userId],
        )
        return row!.id
      })
      try {
        await enqueueEmail(jobs, {
          to: query.email,
          subject: `Re: your message to the ${query.areaName} team [${query.reference}]`,
          text: `${text}\n\n${config.brand.forceName}, ${query.areaName} neighbourhood team\n\n---\nYour reference: ${query.reference}\nYou wrote on ${longDate.format(query.createdAt)}:\n\n${quote(query.message)}\n`,
          reference: `nbh-contact-reply-${replyId}`,
        })
      } catch (err) {
        await db.transaction(async q => {
          await q(`delete from nbh_contact_replies where id = $1`, [replyId])
          await q(`update nbh_contact_queries set status = $2, first_reply_at = $3, assigned_to = $4 where id = $1`, [
            id,
            query.status,
            query.firstReplyAt,
            query.assignedTo,
          ])
        })
        throw err
      }
      await record(actor, query, 'update', `Replied by email to contact query ${query.reference}`, { replyId, length: text.length })
      return { to: query.email }
    },

    /** An internal note on the query (e.g. "phoned, no answer"): the resident never sees it. */
    async addNote(viewer: Viewer, actor: AuditActor, id: string, body: string): Promise<void> {
      const query = await mustFind(viewer, id)
      const text = body.trim()
      if (!text) throw invalid('note', CONTACT_MESSAGES.noNote)
      if (text.length > MAX_NOTE) throw invalid('note', CONTACT_MESSAGES.longNote)
      await db.query(`insert into nbh_contact_replies (query_id, body, kind, sent_by, created_at) values ($1, $2, 'note', $3, $4)`, [
        id,
        text,
        viewer.userId,
        now(),
      ])
      await record(actor, query, 'update', `Added a note to contact query ${query.reference}`)
    },

    /**
     * Records that the resident was answered by phone: a note saying so (with what was said,
     * if given), and the clock stops as for an emailed reply.
     */
    async markRepliedByPhone(viewer: Viewer, actor: AuditActor, id: string, summary = ''): Promise<void> {
      const query = await mustFind(viewer, id)
      if (!query.phone) throw invalid('summary', 'The resident did not give a phone number')
      if (query.status === 'closed') throw invalid('summary', CONTACT_MESSAGES.closed)
      const said = summary.trim()
      if (said.length > MAX_NOTE) throw invalid('summary', CONTACT_MESSAGES.longNote)
      const at = now()
      await db.transaction(async q => {
        await q(`insert into nbh_contact_replies (query_id, body, kind, sent_by, created_at) values ($1, $2, 'note', $3, $4)`, [
          id,
          said ? `Replied by phone: ${said}` : 'Replied by phone.',
          viewer.userId,
          at,
        ])
        await q(
          `update nbh_contact_queries set status = 'replied', first_reply_at = coalesce(first_reply_at, $2),
                  assigned_to = coalesce(assigned_to, $3), updated_at = $2 where id = $1`,
          [id, at, viewer.userId],
        )
      })
      await record(actor, query, 'update', `Marked contact query ${query.reference} as replied by phone`)
    },

    /** Closes the query: nothing more to do. An unanswered query's clock stops here. */
    async close(viewer: Viewer, actor: AuditActor, id: string): Promise<void> {
      const query = await mustFind(viewer, id)
      if (query.status === 'closed') return
      await db.query(`update nbh_contact_queries set status = 'closed', closed_at = $2, updated_at = $2 where id = $1`, [id, now()])
      await record(actor, query, 'update', `Closed contact query ${query.reference}`, { from: query.status })
    },

    /** Opens a closed query again, back to where it stood (replied, assigned or new). */
    async reopen(viewer: Viewer, actor: AuditActor, id: string): Promise<void> {
      const query = await mustFind(viewer, id)
      if (query.status !== 'closed') return
      await db.query(
        `update nbh_contact_queries
            set status = case when first_reply_at is not null then 'replied' when assigned_to is not null then 'assigned' else 'new' end,
                closed_at = null, updated_at = $2
          where id = $1`,
        [id, now()],
      )
      await record(actor, query, 'update', `Reopened contact query ${query.reference}`)
    },
  }
}

export type ContactService = ReturnType<typeof createContactService>

export { CONTACT_STATUSES }
