import { z } from 'zod'
import type { AuditActor } from '../../platform/audit/service.ts'
import { canAccessArea, grantedPaths, hasRole, type StaffContext } from '../../platform/auth/access.ts'
import type { Role } from '../../platform/auth/schema.ts'
import { AppError } from '../../platform/errors.ts'
import { defineJob } from '../../platform/jobs/index.ts'
import type { MessagingDeps } from './deps.ts'
import { validateMarkdown } from './markdown.ts'
import { renderEmail, renderSms } from './render.ts'
import { LANGUAGES, ORGANISATIONS, PRIORITIES, type MessageStatus, type Organisation, type Priority } from './schema.ts'
import { smsLength } from './sms-length.ts'
import { countRecipients, liveCount, messageTargets, prepareTargetingTransaction, writeDeliveries, type LiveCount, type Targets } from './targeting.ts'

/**
 * Composing, targeting, approving, scheduling and sending community messages.
 *
 * The rules:
 * * Staff target only areas inside their grants (and groups whose area is inside them).
 * * A message to more than `config.messaging.approvalThreshold` people, or to a whole force,
 *   waits for an engagement lead (or administrator) covering its area, who is not its author.
 * * An emergency message from an authorised officer (neighbourhood officer, engagement lead or
 *   administrator, within their grants) goes at once and is flagged for review afterwards.
 * * Anything else goes at once, or at its scheduled time (the `messaging.send-scheduled` job).
 * * Sending writes every delivery in one statement (targeting.ts) and wakes dispatch.
 * A message belongs to the narrowest area covering all its target areas: that is who on
 * staff can see it. Every change is audited.
 */

/** Who may compose and send messages. */
export const COMPOSE_ROLES: readonly Role[] = ['administrator', 'engagement_lead', 'neighbourhood_officer', 'opcc_officer']
/** Who may approve large or force-wide messages. */
export const APPROVER_ROLES: readonly Role[] = ['engagement_lead', 'administrator']
/** Who may send an emergency message without approval. */
export const EMERGENCY_ROLES: readonly Role[] = ['neighbourhood_officer', 'engagement_lead', 'administrator']

export const SEND_SCHEDULED_JOB = 'messaging.send-scheduled'
export const DISPATCH_JOB = 'messaging.dispatch'

export const MAX_TITLE_LENGTH = 150

export interface TranslationInput {
  language: string
  title: string
  bodyMarkdown: string
  smsText: string | null
}

export interface MessageInput {
  title: string
  bodyMarkdown: string
  smsText: string | null
  category: string
  priority: Priority
  organisation: Organisation
  allowReplies: boolean
  isPublic: boolean
  targets: Targets
  translations: TranslationInput[]
}

export interface Message {
  id: string
  title: string
  bodyMarkdown: string
  smsText: string | null
  category: string
  priority: Priority
  organisation: Organisation
  status: MessageStatus
  allowReplies: boolean
  isPublic: boolean
  areaId: string
  areaPath: string
  createdBy: string | null
  approvedBy: string | null
  approvedAt: Date | null
  needsReview: boolean
  reviewedBy: string | null
  reviewedAt: Date | null
  scheduledFor: Date | null
  sentAt: Date | null
  cancelledAt: Date | null
  recipientCount: number | null
  createdAt: Date
  updatedAt: Date
}

export interface MessageDetail extends Message {
  targets: Targets
  translations: TranslationInput[]
  areaName: string
  createdByName: string | null
}

export interface MessageListItem {
  id: string
  title: string
  status: MessageStatus
  priority: Priority
  organisation: Organisation
  areaName: string
  needsReview: boolean
  recipientCount: number | null
  scheduledFor: Date | null
  sentAt: Date | null
  updatedAt: Date
  createdByName: string | null
}

export interface ListFilters {
  status?: MessageStatus | undefined
  needsReview?: boolean | undefined
  limit?: number
  offset?: number
}

export type SubmitOutcome =
  | { outcome: 'pending_approval'; recipients: number; reason: 'threshold' | 'force-wide' }
  | { outcome: 'scheduled'; recipients: number; at: Date }
  | { outcome: 'sending'; recipients: number; deliveries: number; emergency: boolean }

const COLUMNS = `m.id, m.title, m.body_markdown as "bodyMarkdown", m.sms_text as "smsText", m.category, m.priority, m.organisation,
  m.status, m.allow_replies as "allowReplies", m.is_public as "isPublic", m.area_id as "areaId", m.area_path as "areaPath",
  m.created_by as "createdBy", m.approved_by as "approvedBy", m.approved_at as "approvedAt", m.needs_review as "needsReview",
  m.reviewed_by as "reviewedBy", m.reviewed_at as "reviewedAt", m.scheduled_for as "scheduledFor", m.sent_at as "sentAt",
  m.cancelled_at as "cancelledAt", m.recipient_count as "recipientCount", m.created_at as "createdAt", m.updated_at as "updatedAt"`

const actorOf = (staff: StaffContext): AuditActor => ({ userId: staff.userId, email: staff.email, ip: null })

/** The organisations a staff member may send as: the PCC's office for OPCC staff, the force for police roles. */
export function organisationsFor(staff: StaffContext): Organisation[] {
  const out: Organisation[] = []
  if (hasRole(staff, ['administrator', 'engagement_lead', 'neighbourhood_officer'])) out.push('force')
  if (hasRole(staff, ['administrator', 'opcc_officer'])) out.push('opcc')
  return out
}

const invalid = (field: string, message: string) => new AppError('INVALID', message, { [field]: message })
const noRecipients = () =>
  invalid('areas', 'This message has no recipients: nobody in these areas has signed up for these interests. Choose more areas or interests')

/** The message service; see the module comment for the rules it applies. */
export function createMessagesService(deps: MessagingDeps) {
  const { db, config, audit, jobs } = deps
  const now = () => deps.now?.() ?? new Date()

  // The job that sends scheduled messages when they fall due. Registered once per job queue
  // (tests may build several services on one), and put on a one-minute cron outside tests.
  if (!jobs.definition(SEND_SCHEDULED_JOB)) {
    jobs.register(
      defineJob({
        id: SEND_SCHEDULED_JOB,
        schema: z.object({}).passthrough(),
        retryLimit: 2,
        expireInSeconds: 10 * 60,
        handler: async () => ({ sent: await sendDueScheduled() }),
      }),
    )
    if (config.env !== 'test') jobs.schedule(SEND_SCHEDULED_JOB, '* * * * *').catch(() => {})
  }

  async function loadRow(id: string): Promise<Message | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null
    return (await db.query<Message>(`select ${COLUMNS} from msg_messages m where m.id = $1`, [id]))[0] ?? null
  }

  async function getMessage(id: string): Promise<MessageDetail | null> {
    const message = await loadRow(id)
    if (!message) return null
    const [targets, translations, extra] = await Promise.all([
      messageTargets(db, id),
      db.query<TranslationInput>(
        `select language, title, body_markdown as "bodyMarkdown", sms_text as "smsText" from msg_message_translations where message_id = $1 order by language`,
        [id],
      ),
      db.query<{ areaName: string | null; createdByName: string | null }>(
        `select (select name from areas where id = $1) as "areaName", (select name from staff_users where id = $2) as "createdByName"`,
        [message.areaId, message.createdBy],
      ),
    ])
    return { ...message, targets, translations, areaName: extra[0]?.areaName ?? message.areaId, createdByName: extra[0]?.createdByName ?? null }
  }

  /** The message if the staff member's grants cover its area; NOT_FOUND otherwise (not FORBIDDEN, so ids are not confirmed). */
  async function getMessageFor(staff: StaffContext, id: string): Promise<MessageDetail> {
    const message = await getMessage(id)
    if (!message || !canAccessArea(staff, message.areaPath, COMPOSE_ROLES)) throw new AppError('NOT_FOUND', 'Message not found')
    return message
  }

  /**
   * Checks what was written and where it goes; answers the owning area (the narrowest
   * common ancestor of the target areas, or of the groups' areas when only groups are targeted).
   */
  async function checkInput(staff: StaffContext, input: MessageInput): Promise<{ id: string; path: string }> {
    const errors: Record<string, string> = {}
    if (!input.title.trim()) errors.title = 'Enter a title'
    else if (input.title.length > MAX_TITLE_LENGTH) errors.title = `Title must be ${MAX_TITLE_LENGTH} characters or fewer`
    if (!input.bodyMarkdown.trim()) errors.bodyMarkdown = 'Enter the message'
    else {
      const problem = validateMarkdown(input.bodyMarkdown)[0]
      if (problem) errors.bodyMarkdown = problem.message
    }
    if (input.smsText) {
      const l = smsLength(input.smsText)
      if (l.tooLong) errors.smsText = `Text message must be ${l.maxCharacters} characters or fewer (it is ${l.characters})`
    }
    if (!(PRIORITIES as readonly string[]).includes(input.priority)) errors.priority = 'Choose a priority'
    if (!organisationsFor(staff).includes(input.organisation)) errors.organisation = 'Choose who the message is from'
    const [category] = await db.query(`select 1 from msg_interests where id = $1`, [input.category])
    if (!category) errors.category = 'Choose a category'
    for (const [i, t] of input.translations.entries()) {
      const field = i === 0 ? 'translations' : `translations${i}`
      if (!/^[a-z]{2,3}$/.test(t.language) || t.language === 'en') errors[field] = 'Enter a language code like cy, pl or ur (not en)'
      else if (input.translations.findIndex(o => o.language === t.language) !== i) errors[field] = `There is already a ${t.language} translation`
      else if (!t.title.trim() || !t.bodyMarkdown.trim()) errors[field] = `Enter the title and message of the ${t.language} translation`
      else if (validateMarkdown(t.bodyMarkdown)[0]) errors[field] = `${t.language} translation: ${validateMarkdown(t.bodyMarkdown)[0]!.message}`
      else if (t.smsText && smsLength(t.smsText).tooLong) errors[field] = `${t.language} text message must be ${smsLength(t.smsText).maxCharacters} characters or fewer`
    }
    if (!input.targets.areaIds.length && !input.targets.groupIds.length) errors.areas = 'Choose at least one area or group to send to'

    const scope = grantedPaths(staff, COMPOSE_ROLES)
    const areas = input.targets.areaIds.length
      ? await db.query<{ id: string; path: string }>(`select id, path from areas where id = any($1::text[])`, [input.targets.areaIds])
      : []
    if (areas.length !== input.targets.areaIds.length) errors.areas = 'Choose areas from the list'
    const groups = input.targets.groupIds.length
      ? await db.query<{ id: string; path: string }>(
          `select g.id::text, a.path from msg_groups g join areas a on a.id = g.area_id where g.id::text = any($1::text[])`,
          [input.targets.groupIds],
        )
      : []
    if (groups.length !== input.targets.groupIds.length) errors.groups = 'Choose groups from the list'
    if (input.targets.interestIds.length) {
      const known = await db.query(`select id from msg_interests where id = any($1::text[])`, [input.targets.interestIds])
      if (known.length !== input.targets.interestIds.length) errors.interests = 'Choose interests from the list'
    }
    // Outside the grants is refused outright: the form only offers areas inside them.
    if ([...areas, ...groups].some(a => !scope.some(p => a.path.startsWith(p))))
      throw new AppError('FORBIDDEN', 'You can only send messages to areas you look after')
    if (Object.keys(errors).length) throw new AppError('INVALID', Object.values(errors)[0]!, errors)

    const paths = (areas.length ? areas : groups).map(a => a.path)
    const owner = await db.query<{ id: string; path: string }>(
      `select a.id, a.path from areas a where a.path = $1`,
      [commonAncestor(paths)],
    )
    if (!owner[0]) throw invalid('areas', 'Choose areas from the list')
    return owner[0]
  }

  async function writeParts(q: Database_query, id: string, input: MessageInput) {
    await q(`delete from msg_message_targets where message_id = $1`, [id])
    await q(`delete from msg_message_translations where message_id = $1`, [id])
    const kinds = [
      ...input.targets.areaIds.map(r => ['area', r]),
      ...input.targets.interestIds.map(r => ['interest', r]),
      ...input.targets.groupIds.map(r => ['group', r]),
    ]
    if (kinds.length)
      await q(`insert into msg_message_targets (message_id, kind, ref_id) select $1, k, r from unnest($2::text[], $3::text[]) as t(k, r) on conflict do nothing`, [
        id,
        kinds.map(k => k[0]),
        kinds.map(k => k[1]),
      ])
    for (const t of input.translations)
      await q(`insert into msg_message_translations (message_id, language, title, body_markdown, sms_text) values ($1, $2, $3, $4, $5)`, [
        id,
        t.language,
        t.title,
        t.bodyMarkdown,
        t.smsText || null,
      ])
  }

  async function record(staff: StaffContext | null, message: Pick<Message, 'id' | 'areaId' | 'title'>, action: string, summary: string, details?: Record<string, unknown>) {
    await audit.record(staff ? actorOf(staff) : { userId: null, email: null, ip: null }, {
      action,
      entityType: 'message',
      entityId: message.id,
      areaId: message.areaId,
      summary: `${summary}: ${message.title}`,
      ...(details ? { details } : {}),
    })
  }

  /** Writes deliveries and marks the message sending, if it is still in `from`; then wakes dispatch. */
  async function startSending(message: Message, from: MessageStatus[], extra: { needsReview?: boolean } = {}) {
    const result = await db.transaction(async q => {
      const [claimed] = await q<{ id: string }>(
        `update msg_messages set status = 'sending', needs_review = needs_review or $3, sent_at = coalesce(sent_at, $4), updated_at = now()
          where id = $1 and status = any($2::text[]) returning id`,
        [message.id, from, extra.needsReview ?? false, now()],
      )
      // Someone else (another click, the scheduler) got there first: nothing more to do.
      if (!claimed) return null
      // One big set-based statement: room to hash the audience in memory instead of spilling
      // to disk, no JIT. Applies to this transaction only.
      await prepareTargetingTransaction(q)
      const written = await writeDeliveries({ query: q }, message.id)
      // Rolls the status back too: nothing is sent and the author is told why.
      if (written.people === 0) throw noRecipients()
      return written
    })
    if (!result) throw new AppError('CONFLICT', 'This message has already been sent or changed')
    if (jobs.definition(DISPATCH_JOB)) await jobs.send(DISPATCH_JOB, {}).catch(() => null)
    return result
  }

  /** Sends every scheduled (and approved) message whose time has come; answers how many. */
  async function sendDueScheduled(): Promise<number> {
    const due = await db.query<Message>(
      `select ${COLUMNS} from msg_messages m where m.status = 'scheduled' and m.scheduled_for <= $1 order by m.scheduled_for limit 100`,
      [now()],
    )
    let sent = 0
    for (const message of due) {
      try {
        const r = await startSending(message, ['scheduled'])
        sent++
        await record(null, message, 'send', `Sent a scheduled message to ${r.people} people`, { deliveries: r.deliveries })
      } catch (err) {
        if (!(err instanceof AppError && err.code === 'CONFLICT')) throw err
      }
    }
    return sent
  }

  function requireStatus(message: Message, allowed: MessageStatus[], what: string) {
    if (!allowed.includes(message.status)) throw new AppError('CONFLICT', `This message cannot be ${what} now: it is ${statusName(message.status)}`)
  }

  async function isForceWide(targets: Targets): Promise<boolean> {
    if (!targets.areaIds.length) return false
    const [row] = await db.query<{ any: boolean }>(`select exists (select 1 from areas where id = any($1::text[]) and kind = 'force') as any`, [targets.areaIds])
    return row?.any ?? false
  }

  const inputOf = (m: MessageDetail): MessageInput => ({
    title: m.title,
    bodyMarkdown: m.bodyMarkdown,
    smsText: m.smsText,
    category: m.category,
    priority: m.priority,
    organisation: m.organisation,
    allowReplies: m.allowReplies,
    isPublic: m.isPublic,
    targets: m.targets,
    translations: m.translations,
  })

  /** Sends now, schedules, or asks for approval, by the rules; `at` schedules for later. */
  async function submit(staff: StaffContext, id: string, opts: { at?: Date | null } = {}): Promise<SubmitOutcome> {
    const message = await getMessageFor(staff, id)
    requireStatus(message, ['draft'], 'sent')
    // The author's grants and content rules are checked again: they may have changed since the draft.
    await checkInput(staff, inputOf(message))
    const at = opts.at ?? null
    if (at && at.getTime() <= now().getTime()) throw invalid('scheduledFor', 'The time to send must be in the future')
    const spec = { ...message.targets, organisation: message.organisation }
    const emergency = message.priority === 'emergency' && canAccessArea(staff, message.areaPath, EMERGENCY_ROLES)
    // An emergency goes straight to writing its deliveries, which counts as it goes: no
    // separate count delays it.
    if (emergency && !at) {
      const r = await startSending(message, ['draft'], { needsReview: true })
      await record(staff, message, 'send', `Sent an emergency message at once to ${r.people} people (flagged for review)`, { deliveries: r.deliveries })
      return { outcome: 'sending', recipients: r.people, deliveries: r.deliveries, emergency: true }
    }
    const count = await liveCount(db, spec)
    if (count.total === 0) throw noRecipients()
    // An estimate close to the threshold is settled by the exact count.
    const threshold = config.messaging.approvalThreshold
    if (count.estimated && Math.abs(count.total - threshold) <= count.total * 0.1) count.total = (await countRecipients(db, spec)).total
    const forceWide = await isForceWide(message.targets)
    if (!emergency && (forceWide || count.total > threshold)) {
      await db.query(`update msg_messages set status = 'pending_approval', scheduled_for = $2, updated_at = now() where id = $1 and status = 'draft'`, [id, at])
      const reason = forceWide ? 'force-wide' : 'threshold'
      await record(staff, message, 'submit', `Asked for approval to send to ${count.total} people`, { reason, scheduledFor: at })
      return { outcome: 'pending_approval', recipients: count.total, reason }
    }
    if (at) {
      await db.query(`update msg_messages set status = 'scheduled', scheduled_for = $2, needs_review = needs_review or $3, updated_at = now() where id = $1 and status = 'draft'`, [id, at, emergency])
      await record(staff, message, 'schedule', `Scheduled to send at ${at.toISOString()} to about ${count.total} people`)
      return { outcome: 'scheduled', recipients: count.total, at }
    }
    const r = await startSending(message, ['draft'])
    await record(staff, message, 'send', `Sent to ${r.people} people`, { deliveries: r.deliveries })
    return { outcome: 'sending', recipients: r.people, deliveries: r.deliveries, emergency: false }
  }

  return {
    getMessage,
    getMessageFor,
    sendDueScheduled,
    submit,

    /** Saves a new draft; throws INVALID with field errors, FORBIDDEN for areas outside the grants. */
    async createDraft(staff: StaffContext, input: MessageInput): Promise<MessageDetail> {
      const owner = await checkInput(staff, input)
      const id = await db.transaction(async q => {
        const [row] = await q<{ id: string }>(
          `insert into msg_messages (title, body_markdown, sms_text, category, priority, organisation, allow_replies, is_public, area_id, area_path, created_by)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning id`,
          [input.title, input.bodyMarkdown, input.smsText || null, input.category, input.priority, input.organisation, input.allowReplies, input.isPublic, owner.id, owner.path, staff.userId],
        )
        await writeParts(q, row!.id, input)
        return row!.id
      })
      const message = (await getMessage(id))!
      await record(staff, message, 'create', 'Drafted a message')
      return message
    },

    /** Changes a draft (or a message waiting for approval, which goes back to being a draft). */
    async updateDraft(staff: StaffContext, id: string, input: MessageInput): Promise<MessageDetail> {
      const before = await getMessageFor(staff, id)
      requireStatus(before, ['draft', 'pending_approval'], 'changed')
      const owner = await checkInput(staff, input)
      await db.transaction(async q => {
        const [row] = await q<{ id: string }>(
          `update msg_messages set title = $2, body_markdown = $3, sms_text = $4, category = $5, priority = $6, organisation = $7,
                  allow_replies = $8, is_public = $9, area_id = $10, area_path = $11, status = 'draft', scheduled_for = null, updated_at = now()
            where id = $1 and status in ('draft', 'pending_approval') returning id`,
          [id, input.title, input.bodyMarkdown, input.smsText || null, input.category, input.priority, input.organisation, input.allowReplies, input.isPublic, owner.id, owner.path],
        )
        if (!row) throw new AppError('CONFLICT', 'This message has already been sent or changed')
        await writeParts(q, id, input)
      })
      const message = (await getMessage(id))!
      await record(staff, message, 'update', before.status === 'pending_approval' ? 'Changed a message waiting for approval (back to draft)' : 'Changed a draft')
      return message
    },

    /** Messages whose area is inside any of `paths`, newest first, with a total for paging. */
    async listMessages(paths: readonly string[], filters: ListFilters = {}): Promise<{ rows: MessageListItem[]; total: number }> {
      if (!paths.length) return { rows: [], total: 0 }
      const where = [`exists (select 1 from unnest($1::text[]) as g(path) where left(m.area_path, length(g.path)) = g.path)`]
      const params: unknown[] = [paths]
      if (filters.status) {
        params.push(filters.status)
        where.push(`m.status = $${params.length}`)
      }
      if (filters.needsReview !== undefined) {
        params.push(filters.needsReview)
        where.push(`m.needs_review = $${params.length}`)
      }
      const w = where.join(' and ')
      const [count] = await db.query<{ n: number }>(`select count(*)::int as n from msg_messages m where ${w}`, params)
      const rows = await db.query<MessageListItem>(
        `select m.id, m.title, m.status, m.priority, m.organisation, coalesce(a.name, m.area_id) as "areaName", m.needs_review as "needsReview",
                m.recipient_count as "recipientCount", m.scheduled_for as "scheduledFor", m.sent_at as "sentAt", m.updated_at as "updatedAt",
                u.name as "createdByName"
           from msg_messages m left join areas a on a.id = m.area_id left join staff_users u on u.id = m.created_by
          where ${w} order by m.updated_at desc, m.id limit ${Math.min(Number(filters.limit ?? 50), 200)} offset ${Number(filters.offset ?? 0)}`,
        params,
      )
      return { rows, total: count?.n ?? 0 }
    },

    /** How many people targets would reach, by channel and home area (the live count while composing). */
    countRecipients: (spec: Targets & { organisation: Organisation }): Promise<LiveCount> => liveCount(db, spec),

    /**
     * The email and SMS as a resident will see them, in English and each translation, with
     * links signed for a sample resident (they lead nowhere real).
     */
    async preview(id: string) {
      const message = await getMessage(id)
      if (!message) throw new AppError('NOT_FOUND', 'Message not found')
      const sample = { id: '00000000-0000-4000-8000-000000000000', linkVersion: 0, email: 'resident@example.org', phone: '+447700900000' }
      const versions = [null, ...message.translations].map(t => {
        const email = renderEmail(config, message, t, sample)
        const sms = message.smsText || t?.smsText ? renderSms(config, message, t, sample) : null
        return { language: t?.language ?? 'en', email, sms, smsLength: sms ? smsLength(sms.text) : null }
      })
      return { message, versions }
    },

    /** Sends the rendered email to the staff member's own address, marked as a test. */
    async sendTest(staff: StaffContext, id: string): Promise<void> {
      const message = await getMessageFor(staff, id)
      const email = renderEmail(config, message, null, { id: '00000000-0000-4000-8000-000000000000', linkVersion: 0, email: staff.email })
      await deps.channels.email.sendEmail({ ...email, subject: `[Test] ${email.subject}`, reference: `test:${message.id}` })
      await record(staff, message, 'send-test', `Sent a test of the message to ${staff.email}`)
    },

    /** Schedules a draft for later (through the same rules as sending now). */
    schedule: (staff: StaffContext, id: string, at: Date) => submit(staff, id, { at }),

    /** Approves a message waiting for approval: sends it, or leaves it scheduled for its time. */
    async approve(lead: StaffContext, id: string): Promise<SubmitOutcome> {
      const message = await getMessageFor(lead, id)
      if (!canAccessArea(lead, message.areaPath, APPROVER_ROLES)) throw new AppError('FORBIDDEN', 'Only an engagement lead for this area can approve it')
      if (message.createdBy === lead.userId) throw new AppError('FORBIDDEN', 'Someone other than the author must approve a message')
      requireStatus(message, ['pending_approval'], 'approved')
      await db.query(`update msg_messages set approved_by = $2, approved_at = $3 where id = $1`, [id, lead.userId, now()])
      if (message.scheduledFor && message.scheduledFor.getTime() > now().getTime()) {
        const [row] = await db.query(`update msg_messages set status = 'scheduled', updated_at = now() where id = $1 and status = 'pending_approval' returning id`, [id])
        if (!row) throw new AppError('CONFLICT', 'This message has already been sent or changed')
        await record(lead, message, 'approve', `Approved; it will send at ${message.scheduledFor.toISOString()}`)
        return { outcome: 'scheduled', recipients: message.recipientCount ?? 0, at: message.scheduledFor }
      }
      const r = await startSending(message, ['pending_approval'])
      await record(lead, message, 'approve', `Approved and sent to ${r.people} people`, { deliveries: r.deliveries })
      return { outcome: 'sending', recipients: r.people, deliveries: r.deliveries, emergency: message.priority === 'emergency' }
    },

    /** Sends a message waiting for approval back to its author as a draft, with the reason. */
    async reject(lead: StaffContext, id: string, reason: string): Promise<void> {
      const message = await getMessageFor(lead, id)
      if (!canAccessArea(lead, message.areaPath, APPROVER_ROLES)) throw new AppError('FORBIDDEN', 'Only an engagement lead for this area can turn it down')
      if (!reason.trim()) throw invalid('reason', 'Enter the reason, so the author can put it right')
      const [row] = await db.query(`update msg_messages set status = 'draft', updated_at = now() where id = $1 and status = 'pending_approval' returning id`, [id])
      if (!row) throw new AppError('CONFLICT', `This message cannot be turned down now: it is ${statusName(message.status)}`)
      await record(lead, message, 'reject', `Turned down: ${reason.trim()}`, { reason: reason.trim() })
    },

    /** Cancels a message that has not started sending; removes any deliveries not yet sent. */
    async cancel(staff: StaffContext, id: string): Promise<void> {
      const message = await getMessageFor(staff, id)
      requireStatus(message, ['draft', 'pending_approval', 'scheduled'], 'cancelled')
      await db.transaction(async q => {
        const [row] = await q(
          `update msg_messages set status = 'cancelled', cancelled_at = $2, updated_at = now() where id = $1 and status in ('draft', 'pending_approval', 'scheduled') returning id`,
          [id, now()],
        )
        if (!row) throw new AppError('CONFLICT', 'This message has already started sending')
        // None are written before sending; this guards a send that raced the cancel.
        await q(`delete from msg_deliveries where message_id = $1 and status in ('queued', 'digest')`, [id])
      })
      await record(staff, message, 'cancel', 'Cancelled a message')
    },

    /** Records that an emergency message sent without approval has been reviewed. */
    async markReviewed(lead: StaffContext, id: string): Promise<void> {
      const message = await getMessageFor(lead, id)
      if (!canAccessArea(lead, message.areaPath, APPROVER_ROLES)) throw new AppError('FORBIDDEN', 'Only an engagement lead for this area can review it')
      const [row] = await db.query(
        `update msg_messages set needs_review = false, reviewed_by = $2, reviewed_at = $3, updated_at = now() where id = $1 and needs_review returning id`,
        [id, lead.userId, now()],
      )
      if (!row) throw new AppError('CONFLICT', 'This message has already been reviewed')
      await record(lead, message, 'review', 'Reviewed an emergency message sent without approval')
    },

    /** Public messages (sent and marked public), newest first; optionally those reaching one area. */
    async listPublic(opts: { areaId?: string; limit?: number } = {}) {
      const params: unknown[] = [Math.min(opts.limit ?? 50, 200)]
      let where = `m.is_public and m.status in ('sending', 'sent')`
      if (opts.areaId) {
        params.push(opts.areaId)
        // Messages aimed at the area, anything containing it, or anything inside it.
        where += ` and exists (select 1 from msg_message_targets t join areas ta on ta.id = t.ref_id, areas x
                    where t.message_id = m.id and t.kind = 'area' and x.id = $2
                      and (left(x.path, length(ta.path)) = ta.path or left(ta.path, length(x.path)) = x.path))`
      }
      return db.query<Message & { areaName: string }>(
        `select ${COLUMNS}, coalesce(a.name, m.area_id) as "areaName" from msg_messages m left join areas a on a.id = m.area_id
          where ${where} order by coalesce(m.sent_at, m.updated_at) desc, m.id limit $1`,
        params,
      )
    },

    /** One public message, or null when it is not public or not sent. */
    async getPublic(id: string): Promise<MessageDetail | null> {
      const message = await getMessage(id)
      return message && message.isPublic && (message.status === 'sending' || message.status === 'sent') ? message : null
    },
  }
}

type Database_query = MessagingDeps['db']['query']

/** The longest path every path starts with, cut back to a whole area ("/force/district/"). */
export function commonAncestor(paths: readonly string[]): string {
  if (!paths.length) return ''
  let prefix = paths[0]!
  for (const p of paths) while (!p.startsWith(prefix)) prefix = prefix.slice(0, prefix.slice(0, -1).lastIndexOf('/') + 1)
  return prefix
}

/** Plain words for a status, for messages and pages. */
export function statusName(status: MessageStatus): string {
  return { draft: 'a draft', pending_approval: 'waiting for approval', scheduled: 'scheduled', sending: 'sending', sent: 'sent', cancelled: 'cancelled' }[status]
}

export { LANGUAGES, ORGANISATIONS }
export type MessagesService = ReturnType<typeof createMessagesService>
