import type { Role } from '../../platform/auth/schema.ts'
import { grantedPaths, inScopeSql, type StaffContext } from '../../platform/auth/access.ts'
import type { AuditActor } from '../../platform/audit/service.ts'
import { AppError } from '../../platform/errors.ts'
import type { MessagingDeps } from './deps.ts'
import type { MessagingChannel } from './schema.ts'
import { RESPONSE_TARGET_HOURS, responseClock, type ResponseClock } from '../../platform/response-clock.ts'
import { answerEmailText, answerSmsText } from './subscribers-texts.ts'
import { isUuid } from '../../platform/ids.ts'

/** The Neighbourhood Policing Guarantee: residents get an answer within 72 hours. */
export const REPLY_TARGET_HOURS = RESPONSE_TARGET_HOURS
/** Longest answer staff may write; an SMS answer is held to four GSM-7 parts. */
export const MAX_ANSWER_EMAIL = 5000
export const MAX_ANSWER_SMS = 612

/** Roles that read and answer replies (and read the measures). */
export const INBOX_ROLES: readonly Role[] = ['administrator', 'engagement_lead', 'neighbourhood_officer', 'opcc_officer']

export const REPLY_STATUSES = ['new', 'assigned', 'answered', 'actioned'] as const
export type ReplyStatus = (typeof REPLY_STATUSES)[number]

/** Who is asking: their id and the subtree roots their grants cover (see grantedPaths). */
export interface Viewer {
  userId: string
  paths: readonly string[]
}

/** The viewer for a signed-in staff member: the subtrees their grants with `roles` cover. */
export const viewerFor = (staff: StaffContext, roles: readonly Role[]): Viewer => ({ userId: staff.userId, paths: grantedPaths(staff, roles) })

export { isUuid }

export const inScope = inScopeSql

/** Where a reply stands against the 72-hour target, for a tag in the inbox. */
export type ReplyClock = ResponseClock

/** The reply's clock: it stops when the reply is answered, or actioned without an answer. */
export function replyClock(
  reply: { receivedAt: Date; answeredAt?: Date | null; actionedAt?: Date | null },
  now: Date,
  targetHours = REPLY_TARGET_HOURS,
): ReplyClock {
  const stopped = reply.answeredAt
    ? { at: reply.answeredAt, verb: 'Answered' }
    : reply.actionedAt
      ? { at: reply.actionedAt, verb: 'Actioned' }
      : null
  return responseClock({ since: reply.receivedAt, stopped }, now, { targetHours })
}

export interface InboxRow {
  id: string
  messageId: string
  messageTitle: string
  body: string
  via: 'web' | 'email'
  status: ReplyStatus
  receivedAt: Date
  answeredAt: Date | null
  actionedAt: Date | null
  assignedTo: string | null
  assigneeName: string | null
  clock: ReplyClock
}

export interface ReplyDetail extends InboxRow {
  areaPath: string
  answer: string | null
  answeredByName: string | null
  answerChannel: MessagingChannel | null
  /** false once the resident deleted their account: no answer can reach them */
  residentExists: boolean
  /** the channel and address the answer would go to, or null when none is confirmed */
  contact: { channel: MessagingChannel; address: string } | null
  messageAllowsReplies: boolean
  messageAreaId: string
  /** the resident's language: the answer's framing words follow it */
  language: string | null
}

export interface InboxQuery {
  status?: ReplyStatus | undefined
  /** only replies assigned to the viewer */
  mine?: boolean | undefined
  limit?: number
  offset?: number
}

type ReplyDbRow = {
  id: string
  message_id: string
  message_title: string
  body: string
  via: 'web' | 'email'
  status: ReplyStatus
  received_at: Date | string
  answered_at: Date | string | null
  actioned_at: Date | string | null
  assigned_to: string | null
  assignee_name: string | null
}

const toDate = (v: Date | string | null) => (v == null ? null : new Date(v))

export type RespondResult =
  | { ok: true; channel: MessagingChannel; to: string }
  | { ok: false; reason: 'deleted' | 'no-contact' | 'already-answered' }

/**
 * The replies inbox: residents' replies to messages, scoped by the staff member's grants
 * (a reply belongs to the area of the message it answers). Every change, and every look at
 * a resident's contact details, is written to the audit log by the method that does it.
 */
export function createInboxService(deps: MessagingDeps) {
  const { db, audit, channels, config } = deps
  const now = () => deps.now?.() ?? new Date()

  const baseSelect = `select r.id, r.message_id, m.title as message_title, r.body, r.via, r.status, r.received_at,
      r.answered_at, r.actioned_at, r.assigned_to, u.name as assignee_name
    from msg_replies r
    join msg_messages m on m.id = r.message_id
    left join staff_users u on u.id = r.assigned_to`

  const toRow = (r: ReplyDbRow, at: Date): InboxRow => {
    const receivedAt = new Date(r.received_at)
    const answeredAt = toDate(r.answered_at)
    const actionedAt = toDate(r.actioned_at)
    return {
      id: r.id,
      messageId: r.message_id,
      messageTitle: r.message_title,
      body: r.body,
      via: r.via,
      status: r.status,
      receivedAt,
      answeredAt,
      actionedAt,
      assignedTo: r.assigned_to,
      assigneeName: r.assignee_name,
      clock: replyClock({ receivedAt, answeredAt, actionedAt }, at),
    }
  }

  /** The reply if it is inside the viewer's grants; null for anything else (even a malformed id). */
  async function findReply(viewer: Viewer, id: string) {
    if (!isUuid(id) || !viewer.paths.length) return null
    const [r] = await db.query<
      ReplyDbRow & {
        area_path: string
        answer: string | null
        answered_by_name: string | null
        answer_channel: MessagingChannel | null
        subscriber_id: string | null
        allow_replies: boolean
        message_area_id: string
        sub_exists: boolean
        email: string | null
        email_confirmed: boolean
        phone: string | null
        phone_confirmed: boolean
        language: string | null
      }
    >(
      `${baseSelect.replace(
        'left join staff_users u on u.id = r.assigned_to',
        `left join staff_users u on u.id = r.assigned_to
         left join staff_users ab on ab.id = r.answered_by
         left join msg_subscribers s on s.id = r.subscriber_id`,
      ).replace(
        'u.name as assignee_name',
        `u.name as assignee_name, r.area_path, r.answer, ab.name as answered_by_name, r.answer_channel, r.subscriber_id,
         m.allow_replies, m.area_id as message_area_id, s.id is not null as sub_exists, s.email,
         s.email_confirmed_at is not null as email_confirmed, s.phone, s.phone_confirmed_at is not null as phone_confirmed, s.language`,
      )}
       where r.id = $1 and ${inScope('r.area_path', 2)}`,
      [id, viewer.paths],
    )
    if (!r) return null
    const residentExists = r.sub_exists
    // The resident's chosen channel first; if that address is gone, the other confirmed one.
    const options: { channel: MessagingChannel; address: string | null; ok: boolean }[] = [
      { channel: 'email', address: r.email, ok: r.email_confirmed },
      { channel: 'sms', address: r.phone, ok: r.phone_confirmed },
    ]
    if (r.answer_channel === 'sms') options.reverse()
    const usable = residentExists ? options.find(o => o.ok && o.address) : undefined
    const detail: ReplyDetail = {
      ...toRow(r, now()),
      areaPath: r.area_path,
      answer: r.answer,
      answeredByName: r.answered_by_name,
      answerChannel: r.answer_channel,
      residentExists,
      contact: usable ? { channel: usable.channel, address: usable.address! } : null,
      messageAllowsReplies: r.allow_replies,
      messageAreaId: r.message_area_id,
      language: r.language,
    }
    return detail
  }

  /** Staff who may be given a reply: active, with a messaging role on the reply's area or above. */
  const assignees = (areaPath: string): Promise<{ id: string; name: string; email: string }[]> =>
    db.query(
      `select distinct u.id, u.name, u.email
         from staff_users u
         join role_grants g on g.user_id = u.id
         join areas a on a.id = g.area_id
        where u.active and g.role = any($2::text[]) and left($1, length(a.path)) = a.path
        order by u.name, u.email`,
      [areaPath, [...INBOX_ROLES]],
    )

  return {
    assignees,

    /** Replies within the viewer's grants, newest first, with counts per status for the filter. */
    async listReplies(viewer: Viewer, q: InboxQuery = {}): Promise<{ rows: InboxRow[]; total: number; counts: Record<ReplyStatus, number> }> {
      const counts: Record<ReplyStatus, number> = { new: 0, assigned: 0, answered: 0, actioned: 0 }
      if (!viewer.paths.length) return { rows: [], total: 0, counts }
      const where = [inScope('r.area_path', 1)]
      const params: unknown[] = [viewer.paths]
      if (q.status) {
        params.push(q.status)
        where.push(`r.status = $${params.length}`)
      }
      if (q.mine) {
        params.push(viewer.userId)
        where.push(`r.assigned_to = $${params.length}`)
      }
      const limit = Math.min(Math.max(Math.trunc(q.limit ?? 50), 1), 200)
      const offset = Math.max(Math.trunc(q.offset ?? 0), 0)
      const [rows, totals, byStatus] = await Promise.all([
        db.query<ReplyDbRow>(
          `${baseSelect} where ${where.join(' and ')} order by r.received_at desc, r.id desc limit ${limit} offset ${offset}`,
          params,
        ),
        db.query<{ n: number }>(`select count(*)::int as n from msg_replies r where ${where.join(' and ')}`, params),
        db.query<{ status: ReplyStatus; n: number }>(
          `select r.status, count(*)::int as n from msg_replies r where ${inScope('r.area_path', 1)} group by r.status`,
          [viewer.paths],
        ),
      ])
      for (const s of byStatus) counts[s.status] = s.n
      const at = now()
      return { rows: rows.map(r => toRow(r, at)), total: totals[0]?.n ?? 0, counts }
    },

    /**
     * One reply with the message it answers and where an answer would go. The resident's
     * address is personal data, so opening a reply is audited as a view of it (pass
     * `audit: false` only when the caller does not show it).
     */
    async getReply(viewer: Viewer, actor: AuditActor, id: string, opts: { audit?: boolean } = {}): Promise<ReplyDetail | null> {
      const detail = await findReply(viewer, id)
      if (!detail) return null
      // Actions (assign, answer) load the reply too; they are audited as what they do, and the
      // page they return to records the view.
      if (opts.audit === false) return detail
      await audit.record(actor, {
        action: 'view',
        entityType: 'msg_reply',
        entityId: detail.id,
        summary: `Viewed a reply to "${detail.messageTitle}" and the resident's contact details`,
        details: { messageId: detail.messageId, contactShown: detail.contact?.channel ?? null },
      })
      return detail
    },

    /** Gives the reply to a colleague (or oneself) whose grants cover it. */
    async assign(viewer: Viewer, actor: AuditActor, id: string, assigneeId: string): Promise<void> {
      const reply = await findReply(viewer, id)
      if (!reply) throw new AppError('NOT_FOUND', 'Reply not found')
      const candidates = await assignees(reply.areaPath)
      const assignee = candidates.find(c => c.id === assigneeId)
      if (!assignee)
        throw new AppError('INVALID', 'Choose someone who works in this area', { assignee: 'Choose someone who works in this area' })
      await db.query(
        `update msg_replies set assigned_to = $2, status = case when status = 'new' then 'assigned' else status end where id = $1`,
        [id, assigneeId],
      )
      await audit.record(actor, {
        action: 'update',
        entityType: 'msg_reply',
        entityId: id,
        summary: `Assigned a reply to "${reply.messageTitle}" to ${assignee.name}`,
        details: { from: reply.assignedTo, to: assigneeId },
      })
    },

    /**
     * Answers the resident by the channel they chose, at their confirmed address, quoting
     * what they wrote. The reply is marked answered before sending (so two officers cannot
     * both answer) and put back if the provider refuses, so nothing is half done.
     */
    async respond(viewer: Viewer, actor: AuditActor, id: string, answer: string): Promise<RespondResult> {
      const reply = await findReply(viewer, id)
      if (!reply) throw new AppError('NOT_FOUND', 'Reply not found')
      const text = answer.trim()
      if (!text) throw new AppError('INVALID', 'Enter your answer', { answer: 'Enter your answer' })
      if (!reply.residentExists) return { ok: false, reason: 'deleted' }
      if (!reply.contact) return { ok: false, reason: 'no-contact' }
      const max = reply.contact.channel === 'sms' ? MAX_ANSWER_SMS : MAX_ANSWER_EMAIL
      if (text.length > max) {
        const msg = `Your answer must be ${max.toLocaleString('en-GB')} characters or fewer${reply.contact.channel === 'sms' ? ' (it goes by text message)' : ''}`
        throw new AppError('INVALID', msg, { answer: msg })
      }
      const claimed = await db.query<{ id: string }>(
        `update msg_replies r set status = 'answered', answer = $2, answered_by = $3, answered_at = $4,
                assigned_to = coalesce(r.assigned_to, $3)
          where id = $1 and answered_at is null returning r.id`,
        [id, text, viewer.userId, now()],
      )
      if (!claimed.length) return { ok: false, reason: 'already-answered' }
      const { channel, address } = reply.contact
      try {
        if (channel === 'email') {
          const words = answerEmailText(config, { answer: text, messageTitle: reply.messageTitle, reply: reply.body }, reply.language)
          await channels.email.sendEmail({ to: address, ...words, reference: `reply-${id}` })
        } else {
          await channels.sms.sendSms({ to: address, text: answerSmsText(config, text), reference: `reply-${id}` })
        }
      } catch (err) {
        await db.query(
          `update msg_replies set status = $2, answer = null, answered_by = null, answered_at = null, assigned_to = $3 where id = $1`,
          [id, reply.status, reply.assignedTo],
        )
        throw err
      }
      await audit.record(actor, {
        action: 'update',
        entityType: 'msg_reply',
        entityId: id,
        summary: `Answered a reply to "${reply.messageTitle}" by ${channel === 'sms' ? 'text message' : 'email'}`,
        details: { channel, length: text.length },
      })
      return { ok: true, channel, to: address }
    },

    /** Marks the reply as dealt with (e.g. passed to an investigation), stopping its clock if not answered. */
    async markActioned(viewer: Viewer, actor: AuditActor, id: string): Promise<void> {
      const reply = await findReply(viewer, id)
      if (!reply) throw new AppError('NOT_FOUND', 'Reply not found')
      await db.query(`update msg_replies set status = 'actioned', actioned_at = coalesce(actioned_at, $2) where id = $1`, [id, now()])
      await audit.record(actor, {
        action: 'update',
        entityType: 'msg_reply',
        entityId: id,
        summary: `Marked a reply to "${reply.messageTitle}" as actioned`,
        details: { from: reply.status },
      })
    },
  }
}

export type InboxService = ReturnType<typeof createInboxService>
