import { hostname } from 'node:os'
import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import type { MessagingDeps } from '../deps.ts'
import { ChannelError, type DeliveryReceipt, type EmailMessage, type SendResult } from '../../../platform/channels/types.ts'
import { onDeliveryReceipt } from '../../../platform/channels/receipts.ts'
import type { JobDefinition } from '../../../platform/jobs/index.ts'
import type { MessagingChannel } from '../schema.ts'
import { ALL_PRIORITY_RANKS } from '../priority.ts'
import { createRateLimiter, createSharedRateLimiter, type RateLimiter } from './rate-limiter.ts'
import { createMessagesCache, type CachedMessage } from './messages-cache.ts'
import { pickTranslation, renderSms } from '../render.ts'
import { createEmailTemplates } from './email-template.ts'
import { replyHeaders } from '../inbound-email.ts'
import { createDigests, DIGEST_HORIZON_DAYS } from './digests.ts'
import { EMERGENCY_TARGETING_LOCK } from './emergency-lock.ts'
import { deliveryRefParams, deliveryRefWhere, parseDeliveryRef, formatDeliveryRef, type DeliveryRef } from '../delivery-ref.ts'

/** Job that wakes (or, where no dispatcher runs, performs) delivery. Compose sends it when a message goes out. */
export const DISPATCH_JOB = 'messaging.dispatch'
/** Hourly job that sends daily and weekly digests at the configured hour. */
export const DIGEST_JOB = 'messaging.digest'

export interface DispatchOptions {
  /** names this process's claims (claimed_by); default host:pid:random */
  workerId?: string
  /** claim-and-send loops in this process; default 2 */
  workers?: number
  /** sends in flight at once per loop; default 8 */
  concurrency?: number
  /** a row left in 'sending' longer than this is taken back (its worker died); default 2 minutes */
  leaseMs?: number
  /** how often an idle loop looks for work; default 1 s (a dispatch job wakes it sooner) */
  pollMs?: number
  /** how often a loop busy with routine work checks for emergency work; default 100 ms */
  emergencyCheckMs?: number
  /** rows per claim; default config.messaging.batchSize */
  batchSize?: number
  /** provider limits per minute; default config.messaging.emailPerMinute / smsPerMinute */
  emailPerMinute?: number
  smsPerMinute?: number
  /**
   * keep the limits' token buckets in the database (msg_rate_buckets), shared by every
   * dispatch process, rather than in this process; default: on PostgreSQL (PGlite is one
   * process anyway)
   */
  sharedRateLimits?: boolean
  /** first retry delay after a temporary failure; doubles each attempt; default 30 s */
  retryBaseMs?: number
  /** results arriving within this many ms are written together; 0 = each on its own; default 5 */
  resultFlushMs?: number
  /** start() schedules the hourly digest job (needs pg-boss); default true */
  scheduleDigests?: boolean
  /** wait used by the rate limiters (tests make it instant) */
  sleep?: (ms: number) => Promise<void>
}

/**
 * A delivery as the dispatcher names it: its message, resident and channel, the key of
 * msg_deliveries_once (deliveries have no id of their own, migration 0010).
 */
interface DeliveryKey {
  message_id: string
  subscriber_id: string
  channel: MessagingChannel
}

/** Keys as three arrays, for `unnest($n::uuid[], $n+1::uuid[], $n+2::text[])`. */
const keyArrays = (keys: DeliveryKey[]) => [keys.map(k => k.message_id), keys.map(k => k.subscriber_id), keys.map(k => k.channel)]
/** The join from such an unnest (`v`) to its rows, through msg_deliveries_once. */
const BY_KEYS = 'd.message_id = v.message_id and d.subscriber_id = v.subscriber_id and d.channel = v.channel'

interface ClaimedRow extends DeliveryKey {
  priority: number
  attempts: number
  email: string | null
  phone: string | null
  language: string | null
  link_version: number | null
}

/** What one claim-and-send round did. */
export interface RoundResult {
  claimed: number
  sent: number
  retried: number
  failed: number
  skipped: number
  /** rows handed back unsent because emergency work arrived */
  released: number
}

const emptyRound = (): RoundResult => ({ claimed: 0, sent: 0, retried: 0, failed: 0, skipped: 0, released: 0 })
const realSleep = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms))

/**
 * The delivery pipeline: dispatch workers that claim queued deliveries in batches with
 * FOR UPDATE SKIP LOCKED (emergency first), send them through the channel providers under
 * a per-provider rate limit, record each result the moment the provider answers, retry
 * temporary failures with backoff and mark contacts failing after repeated permanent
 * failures. Also: lease recovery after a crash, delivery receipts, and digests.
 * See docs/messaging-delivery.md for the exactly-once argument.
 */
export function createDispatchService(deps: MessagingDeps, options: DispatchOptions = {}) {
  const { db, config, channels, jobs } = deps
  const clock = deps.now ?? (() => new Date())
  const m = config.messaging
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
  const loops = Math.max(1, options.workers ?? 2)
  const concurrency = Math.max(1, options.concurrency ?? 8)
  const leaseMs = options.leaseMs ?? 2 * 60_000
  const pollMs = options.pollMs ?? 1_000
  const emergencyCheckMs = options.emergencyCheckMs ?? 100
  const batchSize = options.batchSize ?? m.batchSize
  const retryBaseMs = options.retryBaseMs ?? 30_000
  const resultFlushMs = options.resultFlushMs ?? 5
  /**
   * Adds the reply routing to a rendered email: a Message-ID naming the delivery and, when
   * the message takes replies, a signed Reply-To address, so an emailed reply can be
   * matched to its message and resident (see inbound-email.ts).
   */
  const withReplyHeaders = (email: EmailMessage, delivery: DeliveryRef, allowReplies: boolean, reference: string): EmailMessage => ({
    ...email,
    headers: { ...email.headers, ...replyHeaders(config, delivery, allowReplies) },
    reference,
  })
  const limiterClock = () => clock().getTime()
  const sharedLimits = options.sharedRateLimits ?? db.kind === 'postgres'
  const bucket = (perMinute: number, name: string): RateLimiter => {
    const common = { perMinute, now: limiterClock, ...(options.sleep ? { sleep: options.sleep } : {}) }
    return sharedLimits ? createSharedRateLimiter({ ...common, db, bucket: name }) : createRateLimiter(common)
  }
  const emailPerMinute = options.emailPerMinute ?? m.emailPerMinute
  const smsPerMinute = options.smsPerMinute ?? m.smsPerMinute
  // GOV.UK Notify's limit is per API key, whatever the channel: when one Notify account
  // carries both, they share one bucket (at the lower of the two settings).
  const sharedProvider = channels.email.name === 'notify' && channels.sms.name === 'notify'
  const limiters: Record<MessagingChannel, RateLimiter> = sharedProvider
    ? (() => {
        const shared = bucket(Math.min(emailPerMinute, smsPerMinute), 'notify')
        return { email: shared, sms: shared }
      })()
    : { email: bucket(emailPerMinute, `email:${channels.email.name}`), sms: bucket(smsPerMinute, `sms:${channels.sms.name}`) }
  const messagesCache = createMessagesCache(db, 5_000, limiterClock)
  // Each message's email is rendered once per language; each send fills in the resident's links.
  const emailTemplates = createEmailTemplates(config)

  // --- claiming -------------------------------------------------------------------------

  /**
   * Claims the rows `pick` selects (a `select ctid … for update`, parameters from $3): marks
   * them sending for this worker ($1 the time, $2 the worker), and answers them, in the
   * order claims go out (priority, message, resident, channel), with the contact details to
   * send to. A row without a resident is skipped, not answered.
   */
  const claimSql = (pick: string) => `
    with claimed as (
      update msg_deliveries d
         set status = case when d.subscriber_id is null then 'skipped' else 'sending' end,
             claimed_at = $1, claimed_by = $2, attempts = d.attempts + 1
       where d.ctid = any(array(${pick}))
       returning d.message_id, d.subscriber_id, d.channel, d.priority, d.attempts)
    select c.message_id, c.subscriber_id, c.channel, c.priority, c.attempts,
           s.email, s.phone, s.language, s.link_version
      from claimed c left join msg_subscribers s on s.id = c.subscriber_id
     where c.subscriber_id is not null
     order by c.priority, c.message_id, c.subscriber_id, c.channel`

  /** Where a message's claims start: before its first resident. */
  const CURSOR_START = { subscriber: '00000000-0000-0000-0000-000000000000', channel: '' }

  /**
   * Claims up to `limit` due rows, lowest priority rank (emergency) first, then the oldest
   * message (ids are time-ordered), and reads the contact details to send to in the same
   * round trip. Two kinds of row are waiting:
   *
   * * rows that have been claimed before and are queued again (a retry, a hand-back, lease
   *   recovery) are in msg_deliveries_queue_idx, and any number of loops and processes take
   *   them side by side with FOR UPDATE SKIP LOCKED;
   * * rows never claimed (a new send's, most of the work) are not in any queue index: writing
   *   half a million of them is cheaper without one (migration 0012). The message says it has
   *   some (`fresh_rank`, their priority rank) and where the last claim stopped (`claim_cursor`,
   *   a resident and channel). A claim locks the message row, takes the next rows in the
   *   unique key's order (message, resident, channel) after the cursor, and moves the cursor
   *   past them in the same transaction, so two claims never take the same row; when none
   *   are left the message's `fresh_rank` is cleared.
   *
   * Rows are picked out by their physical address (ctid, a TID scan): within the statement
   * that locked them it cannot change. A row whose resident has deleted their account
   * (erasure skips those itself; this is the belt to its braces) is skipped.
   */
  async function claim(limit: number, maxPriority = 2): Promise<ClaimedRow[]> {
    const now = clock()
    return db.transaction(async q => {
      const taken: ClaimedRow[] = []
      // Message by message, most urgent and then oldest first, until the batch is full.
      for (;;) {
        // The first message with rows never claimed. Claims of one message take turns on its
        // row (a few milliseconds each).
        const [fresh] = await q<{ id: string; fresh_rank: number; claim_cursor: string | null; claim_cursor_channel: string | null }>(
          `select id, fresh_rank, claim_cursor, claim_cursor_channel from msg_messages
            where fresh_rank is not null and fresh_rank <= $1
            order by fresh_rank, id limit 1 for update`,
          [maxPriority],
        )
        // Rows queued again, of a priority at least as urgent, go first.
        const requeued = await q<ClaimedRow>(
          claimSql(`select ctid from msg_deliveries
                     where status = 'queued' and claimed_at is not null and next_attempt_at <= $1 and priority <= $4
                     order by priority, message_id, next_attempt_at
                     limit $3
                     for update skip locked`),
          [now, workerId, limit - taken.length, fresh ? fresh.fresh_rank : maxPriority],
        )
        taken.push(...requeued)
        const room = limit - taken.length
        if (!fresh || room <= 0) return taken
        // The message's next rows after its cursor, in the unique key's order. FOR UPDATE (not
        // SKIP LOCKED): the only other writers of such a row (erasure, cancelling) are brief,
        // and a row skipped here would be left behind the cursor.
        const rows = await q<ClaimedRow>(
          claimSql(`select ctid from msg_deliveries
                     where message_id = $4 and (subscriber_id, channel) > ($5::uuid, $6::text)
                       and status = 'queued' and claimed_at is null
                     order by subscriber_id, channel
                     limit $3
                     for update`),
          [now, workerId, room, fresh.id, fresh.claim_cursor ?? CURSOR_START.subscriber, fresh.claim_cursor_channel ?? CURSOR_START.channel],
        )
        taken.push(...rows)
        const exhausted = rows.length < room
        const last = rows.at(-1)
        // None left after the cursor. A waiting row without a resident (before erasure skipped
        // them itself) sorts after every resident and is never reached: skip it now.
        if (exhausted)
          await q(
            `update msg_deliveries set status = 'skipped', error = 'the resident deleted their account'
              where message_id = $1 and subscriber_id is null and status = 'queued' and claimed_at is null`,
            [fresh.id],
          )
        await q(
          `update msg_messages set claim_cursor = $2, claim_cursor_channel = $3, fresh_rank = case when $4 then null else fresh_rank end
            where id = $1`,
          [fresh.id, last?.subscriber_id ?? fresh.claim_cursor, last?.channel ?? fresh.claim_cursor_channel, exhausted],
        )
        if (!exhausted) return taken
      }
    })
  }

  /**
   * Whether emergency work is waiting (an index probe on msg_deliveries_queue_idx), and whether
   * an emergency message's deliveries are being written right now (its targeting transaction
   * holds EMERGENCY_TARGETING_LOCK, seen in pg_locks).
   */
  async function emergencyState(): Promise<{ waiting: boolean; preparing: boolean }> {
    const [row] = await db.query<{ waiting: boolean; preparing: boolean }>(
      `select exists (select 1 from msg_deliveries where status = 'queued' and claimed_at is not null and priority = 0 and next_attempt_at <= $1)
                or exists (select 1 from msg_messages where fresh_rank = 0) as waiting,
              exists (select 1 from pg_locks where locktype = 'advisory' and classid = $2::int::oid and objid = $3::int::oid and objsubid = 2) as preparing`,
      [clock(), EMERGENCY_TARGETING_LOCK.classid, EMERGENCY_TARGETING_LOCK.objid],
    )
    return { waiting: row?.waiting === true, preparing: row?.preparing === true }
  }

  /** Hands claimed rows back unsent (the attempt did not happen, so it is not counted). */
  async function release(keys: DeliveryKey[]): Promise<number> {
    if (keys.length === 0) return 0
    const rows = await db.query(
      // claimed_at stays: the row is back in the queue index (it is behind its message's cursor).
      `update msg_deliveries d set status = 'queued', claimed_by = null, attempts = greatest(d.attempts - 1, 0)
         from unnest($1::uuid[], $2::uuid[], $3::text[]) as v(message_id, subscriber_id, channel)
        where ${BY_KEYS} and d.status = 'sending' and d.claimed_by = $4 returning d.channel`,
      [...keyArrays(keys), workerId],
    )
    return rows.length
  }

  // --- recording results ------------------------------------------------------------------

  /**
   * Records providers' acceptances. Each result is written as soon as possible: results that
   * arrive within `resultFlushMs` of each other (default 5 ms, at most 100) go in one
   * statement, which cuts the database's work per email fifty-fold at bulk rates while
   * keeping the window in which a crash could leave an accepted message looking unsent to
   * a few milliseconds (resultFlushMs 0 writes each on its own). A row taken back by lease
   * recovery but not yet re-sent ('queued') is still marked sent: that closes the door on
   * the duplicate. A success also clears the contact's run of failures.
   */
  let sentBuffer: { key: DeliveryKey; providerId: string; done: () => void; fail: (err: unknown) => void }[] = []
  let flushTimer: NodeJS.Timeout | null = null

  async function flushSent(): Promise<void> {
    if (flushTimer) clearTimeout(flushTimer)
    flushTimer = null
    const batch = sentBuffer
    sentBuffer = []
    if (batch.length === 0) return
    // A brief database hiccup must not strand accepted messages: try the write a few times.
    for (let attempt = 1; ; attempt++) {
      try {
        await db.query(
          `with v as (select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[]) as v(message_id, subscriber_id, channel, provider_id)),
           d as (
             update msg_deliveries d set status = 'sent', provider_id = v.provider_id, sent_at = $5, error = null
               from v where ${BY_KEYS} and d.status in ('sending', 'queued')
             returning d.subscriber_id, d.channel),
           x as (
             select subscriber_id, bool_or(channel = 'email') as email, bool_or(channel = 'sms') as sms
               from d where subscriber_id is not null group by subscriber_id)
           update msg_subscribers s
              set email_failures = case when x.email then 0 else s.email_failures end,
                  sms_failures = case when x.sms then 0 else s.sms_failures end
             from x where s.id = x.subscriber_id and ((x.email and s.email_failures > 0) or (x.sms and s.sms_failures > 0))`,
          [...keyArrays(batch.map(b => b.key)), batch.map(b => b.providerId), clock()],
        )
        for (const b of batch) b.done()
        return
      } catch (err) {
        if (attempt >= 3) {
          for (const b of batch) b.fail(err)
          return
        }
        await realSleep(200 * attempt)
      }
    }
  }

  function markSent(row: ClaimedRow, result: SendResult): Promise<void> {
    return new Promise((done, fail) => {
      sentBuffer.push({ key: row, providerId: result.providerId, done, fail })
      if (resultFlushMs <= 0 || sentBuffer.length >= 100) void flushSent()
      else flushTimer ??= setTimeout(() => void flushSent(), resultFlushMs)
    })
  }

  /** A permanent failure: the delivery fails and the contact moves one step towards failing. */
  async function markFailed(key: DeliveryKey, error: string, countAgainstContact: boolean): Promise<void> {
    const f = key.channel === 'email' ? 'email' : 'sms'
    await db.query(
      `with d as (
         update msg_deliveries set status = 'failed', failed_at = $4, error = $5
          where message_id = $1 and subscriber_id = $2 and channel = $3 and status not in ('failed', 'delivered', 'skipped')
          returning subscriber_id)
       update msg_subscribers s
          set ${f}_failures = s.${f}_failures + 1,
              ${f}_failing = s.${f}_failing or s.${f}_failures + 1 >= $6,
              updated_at = $4
         from d where $7 and s.id = d.subscriber_id`,
      [key.message_id, key.subscriber_id, key.channel, clock(), error.slice(0, 500), m.failuresBeforeFailing, countAgainstContact],
    )
  }

  /** Exponential backoff with ±20% jitter, so a recovering provider is not hit by every retry at once. */
  function backoffMs(attempts: number): number {
    const base = retryBaseMs * 2 ** Math.max(0, attempts - 1)
    return Math.round(base * (0.8 + Math.random() * 0.4))
  }

  async function markRetry(row: ClaimedRow, error: string): Promise<'retried' | 'failed'> {
    if (row.attempts >= m.maxAttempts) {
      await markFailed(row, `gave up after ${row.attempts} attempts: ${error}`, false)
      return 'failed'
    }
    await db.query(
      `update msg_deliveries set status = 'queued', next_attempt_at = $4, claimed_by = null, error = $5
        where message_id = $1 and subscriber_id = $2 and channel = $3 and status = 'sending'`,
      [row.message_id, row.subscriber_id, row.channel, new Date(clock().getTime() + backoffMs(row.attempts)), error.slice(0, 500)],
    )
    return 'retried'
  }

  async function markSkipped(key: DeliveryKey, reason: string): Promise<void> {
    await db.query(
      `update msg_deliveries set status = 'skipped', error = $4 where message_id = $1 and subscriber_id = $2 and channel = $3 and status = 'sending'`,
      [key.message_id, key.subscriber_id, key.channel, reason],
    )
  }

  // --- sending ------------------------------------------------------------------------------

  async function sendOne(row: ClaimedRow, message: CachedMessage | null | undefined, recording: Promise<void>[]): Promise<keyof RoundResult> {
    if (!message || message.message.status === 'cancelled') {
      await markSkipped(row, message ? 'message cancelled' : 'message deleted')
      return 'skipped'
    }
    const contact = row.channel === 'email' ? row.email : row.phone
    if (!contact || row.link_version === null) {
      await markSkipped(row, 'no contact for this channel')
      return 'skipped'
    }
    const translation = pickTranslation(message.translations, row.language ?? 'en')
    const who = { id: row.subscriber_id, linkVersion: row.link_version, language: row.language }
    // The reference lets a provider's receipt (and a human reading a relay's log) find the row.
    const delivery: DeliveryRef = { messageRef: String(message.message.ref), subscriberId: row.subscriber_id, channel: row.channel }
    const reference = `delivery-${formatDeliveryRef(delivery)}`
    await limiters[row.channel].take()
    let result: SendResult
    try {
      result =
        row.channel === 'email'
          ? await channels.email.sendEmail(
              withReplyHeaders(emailTemplates.render(message.message, translation, { ...who, email: contact }, delivery), delivery, message.message.allowReplies, reference),
            )
          : await channels.sms.sendSms({ ...renderSms(config, message.message, translation, { ...who, phone: contact }), reference })
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err)
      if (err instanceof ChannelError && err.permanent) {
        await markFailed(row, error, true)
        return 'failed'
      }
      // Anything else (a timeout, a relay asking to try later, even a bug) is retried: it
      // must not be mistaken for the contact's fault, and a bounded number of tries ends it.
      return markRetry(row, error)
    }
    // The provider has the message: from here on it must never be retried as if unsent, so
    // a failure to write the result is not a send failure (the lane moves on; the round
    // waits for the write before it ends).
    recording.push(markSent(row, result))
    return 'sent'
  }

  let stopping = false
  let emergencyFlag = false
  /** an emergency message's deliveries are being written: claim emergency rows only meanwhile */
  let emergencyPreparing = false

  /**
   * One round: claim a batch and send it with `concurrency` sends in flight. A loop busy
   * with routine rows hands the rest of its batch back as soon as emergency work appears,
   * so the emergency message is claimed next instead of waiting behind the batch.
   */
  async function runOnce(opts: { limit?: number } = {}): Promise<RoundResult> {
    const result = emptyRound()
    // Claim no more than the limiters let us send in about two seconds, so claimed rows do
    // not sit in 'sending' for long (a crash strands fewer, and emergency work waits less).
    const perMinute = limiters.email === limiters.sms ? limiters.email.perMinute : limiters.email.perMinute + limiters.sms.perMinute
    const perTwoSeconds = Math.ceil((perMinute / 60) * 2)
    // While an emergency is being targeted, routine rows wait: the CPU goes to writing its
    // deliveries (and any emergency rows already queued are still sent).
    const rows = await claim(Math.max(1, Math.min(opts.limit ?? batchSize, batchSize, perTwoSeconds)), emergencyPreparing ? 0 : 2)
    result.claimed = rows.length
    if (rows.length === 0) return result
    // This loop has the emergency work (claims are emergency first): stop asking others to yield.
    if (rows[0]!.priority === 0) emergencyFlag = false
    const messages = await messagesCache.load(rows.map(r => r.message_id))
    const routine = rows[0]!.priority > 0
    let next = 0
    let handBack = false
    const recording: Promise<void>[] = []
    const lane = async () => {
      while (next < rows.length) {
        if (routine && (emergencyFlag || emergencyPreparing || stopping)) {
          handBack = true
          return
        }
        const row = rows[next++]!
        const outcome = await sendOne(row, messages.get(row.message_id), recording)
        result[outcome]++
      }
    }
    await Promise.all(Array.from({ length: Math.min(concurrency, rows.length) }, lane))
    await flushSent()
    // A result that could not be written leaves its row 'sending'; lease recovery decides.
    const writes = await Promise.allSettled(recording)
    const unwritten = writes.filter(w => w.status === 'rejected')
    if (unwritten.length > 0) process.emitWarning(`messaging dispatch: ${unwritten.length} sent deliveries could not be recorded: ${String((unwritten[0] as PromiseRejectedResult).reason)}`)
    if (handBack && next < rows.length) {
      result.released = await release(rows.slice(next))
      // The next claim (any loop's) takes the emergency rows first; no need to yield again.
      emergencyFlag = false
    }
    await completeMessages([...new Set(rows.map(r => r.message_id))])
    return result
  }

  /** Runs rounds until nothing is due (tests, the dispatch job when no loop runs here). Bounded. */
  async function drain(opts: { maxRounds?: number; deadline?: number } = {}): Promise<RoundResult> {
    const total = emptyRound()
    const maxRounds = opts.maxRounds ?? 10_000
    for (let i = 0; i < maxRounds; i++) {
      if (opts.deadline && Date.now() > opts.deadline) break
      const r = await runOnce()
      for (const k of Object.keys(total) as (keyof RoundResult)[]) total[k] += r[k]
      if (r.claimed === 0) break
    }
    return total
  }

  // --- messages, leases ---------------------------------------------------------------------

  /**
   * Marks messages sent once none of their deliveries is queued or sending. With no ids,
   * checks every message still 'sending' (a digest-only message has no round to finish it).
   */
  async function completeMessages(ids?: string[]): Promise<number> {
    const rows = await db.query(
      `update msg_messages msg set status = 'sent', sent_at = coalesce(msg.sent_at, $2), updated_at = $2
        where msg.status = 'sending' and ($1::uuid[] is null or msg.id = any($1::uuid[])) and msg.fresh_rank is null
          and not exists (select 1 from msg_deliveries d
                           where d.priority = any($3::smallint[]) and d.message_id = msg.id and d.status in ('queued', 'sending')
                             and d.claimed_at is not null)
        returning msg.id`,
      [ids ?? null, clock(), ALL_PRIORITY_RANKS],
    )
    return rows.length
  }

  /**
   * Takes back rows whose worker died mid-send: 'sending' for longer than the lease. Only
   * messages still being sent are looked at, found by msg_deliveries_queue_idx (every
   * priority and the message's id).
   * A row whose send did reach the provider before the crash and whose result was not yet
   * written is sent again: the one window SMTP cannot close (docs/messaging-delivery.md).
   */
  async function recoverExpiredLeases(): Promise<number> {
    const rows = await db.query(
      `update msg_deliveries d set status = 'queued', claimed_by = null, next_attempt_at = $1,
              error = 'taken back from a worker that stopped mid-send'
        where d.status = 'sending' and d.claimed_at < $2 and d.priority = any($3::smallint[])
          and d.message_id in (select id from msg_messages where status in ('sending', 'cancelled'))
        returning d.message_id`,
      [clock(), new Date(clock().getTime() - leaseMs), ALL_PRIORITY_RANKS],
    )
    return rows.length
  }

  // --- receipts -------------------------------------------------------------------------------

  /**
   * Applies a provider's delivery receipt to its delivery (found by provider id, or by our
   * `delivery-<reference>` when the id was not yet written). Idempotent: a repeat finds
   * the row already final. Permanent failures count against the contact.
   */
  async function handleReceipt(receipt: DeliveryReceipt): Promise<void> {
    const ref = receipt.reference?.startsWith('delivery-') ? parseDeliveryRef(receipt.reference.slice('delivery-'.length)) : null
    const digestRef = receipt.reference ? /^digest-([0-9a-f-]{36})$/i.exec(receipt.reference)?.[1] : undefined
    if (digestRef) {
      if (receipt.status === 'permanent-failure')
        await db.query(`update msg_digests set status = 'failed' where id = $1 and status <> 'failed'`, [digestRef])
      return
    }
    const [row] = await db.query<DeliveryKey & { subscriber_id: string | null }>(
      `select message_id, subscriber_id, channel from msg_deliveries
        where ${ref ? deliveryRefWhere(1) : 'provider_id = $1'} limit 1`,
      ref ? deliveryRefParams(ref) : [receipt.providerId],
    )
    // Nothing to record for a resident who has since deleted their account.
    if (!row?.subscriber_id) return
    const at = receipt.occurredAt ?? clock()
    if (receipt.status === 'delivered') {
      await db.query(
        `update msg_deliveries set status = 'delivered', delivered_at = $4, provider_id = coalesce(provider_id, $5)
          where message_id = $1 and subscriber_id = $2 and channel = $3 and status in ('sending', 'sent', 'queued')`,
        [row.message_id, row.subscriber_id, row.channel, at, receipt.providerId],
      )
    } else if (receipt.status === 'permanent-failure') {
      await markFailed(row, `provider: ${receipt.providerStatus}`, true)
    } else if (receipt.status === 'temporary-failure' || receipt.status === 'technical-failure') {
      // Final from the provider's side (Notify has already retried for up to 72 hours), but
      // not evidence that the address is wrong: the contact is not counted against.
      await markFailed(row, `provider: ${receipt.providerStatus}`, false)
    }
  }
  const removeReceiptListener = onDeliveryReceipt(channels, handleReceipt)

  // --- digests --------------------------------------------------------------------------------

  const digests = createDigests({ ...deps, now: clock, limiters })

  // --- jobs and loops ----------------------------------------------------------------------

  let running = false
  let loopPromises: Promise<void>[] = []
  let wakeUp: (() => void)[] = []
  let timers: NodeJS.Timeout[] = []
  const inFlight = new Set<Promise<unknown>>()

  /** Wakes idle loops at once (a message has just gone out). */
  function wake() {
    const waiting = wakeUp
    wakeUp = []
    for (const w of waiting) w()
  }

  const idle = () =>
    new Promise<void>(resolve => {
      const t = setTimeout(done, pollMs)
      function done() {
        clearTimeout(t)
        resolve()
      }
      wakeUp.push(done)
    })

  async function loop(n: number) {
    const log = (err: unknown) => process.emitWarning(`messaging dispatch loop ${n}: ${err instanceof Error ? err.message : String(err)}`)
    while (!stopping) {
      try {
        const r = await runOnce()
        if (r.claimed === 0) await idle()
      } catch (err) {
        log(err)
        await realSleep(Math.min(pollMs * 5, 5_000))
      }
    }
  }

  // Plain definitions (not defineJob) so a dispatch-only process need not load pg-boss.
  const dispatchJob: JobDefinition<Record<string, unknown>> = {
    id: DISPATCH_JOB,
    schema: z.object({}).passthrough(),
    expireInSeconds: 10 * 60,
    retryLimit: 3,
    async handler(_data, ctx) {
      // Where loops run in this process they do the work; the job only wakes them.
      if (running) {
        wake()
        return { woke: true }
      }
      await recoverExpiredLeases()
      const r = await drain({ deadline: Date.now() + 8 * 60_000 })
      await completeMessages()
      // Still work left when the time ran out: hand over to another run of this job.
      if (r.claimed > 0 && (await dueCount()) > 0) await jobs.send(DISPATCH_JOB, {}, { singletonKey: 'messaging.dispatch' })
      ctx.logger.info(r, 'messaging dispatch round')
      return r
    },
  }
  const digestJob: JobDefinition<Record<string, unknown>> = {
    id: DIGEST_JOB,
    schema: z.object({}).passthrough(),
    expireInSeconds: 50 * 60,
    retryLimit: 2,
    handler: async () => digests.run(),
  }
  if (!jobs.definition(DISPATCH_JOB)) jobs.register(dispatchJob)
  if (!jobs.definition(DIGEST_JOB)) jobs.register(digestJob)

  async function dueCount(): Promise<number> {
    const [row] = await db.query<{ n: number }>(
      `select (select count(*) from (select 1 from msg_deliveries
                                        where status = 'queued' and claimed_at is not null and next_attempt_at <= $1 limit 1000) q)::int
              + (select count(*) from msg_messages where fresh_rank is not null)::int as n`,
      [clock()],
    )
    return row?.n ?? 0
  }

  return {
    workerId,
    limiters,
    claim,
    runOnce,
    drain,
    completeMessages,
    recoverExpiredLeases,
    handleReceipt,
    release,
    wake,
    /** Sends the digests due now (the hourly job calls this). */
    runDigests: digests.run,
    digests,

    /**
     * Starts the dispatch loops in this process, lease recovery, the emergency watch and the
     * hourly digest schedule. Call from the worker entry (and the web process on PGlite).
     */
    async start(): Promise<void> {
      if (running) return
      running = true
      stopping = false
      await recoverExpiredLeases()
      await completeMessages()
      // Background checks in flight, so stop() can wait for them before the caller closes
      // the database.
      const track = (p: Promise<unknown>) => {
        inFlight.add(p)
        void p.finally(() => inFlight.delete(p))
      }
      timers.push(
        setInterval(() => {
          track(
            recoverExpiredLeases()
              .then(() => completeMessages())
              .catch(err => process.emitWarning(`messaging lease recovery: ${String(err)}`)),
          )
        }, Math.max(1_000, Math.floor(leaseMs / 2))),
        setInterval(() => {
          track(
            emergencyState()
              .then(({ waiting, preparing }) => {
                if (waiting && !emergencyFlag) wake()
                // Targeting just ended: routine work may be claimed again at once.
                if (!preparing && emergencyPreparing) wake()
                emergencyFlag = waiting
                emergencyPreparing = preparing
              })
              .catch(() => {}),
          )
        }, emergencyCheckMs),
      )
      for (const t of timers) t.unref()
      loopPromises = Array.from({ length: loops }, (_, i) => loop(i))
      if (options.scheduleDigests !== false)
        await jobs.schedule(DIGEST_JOB, '5 * * * *').catch(err => process.emitWarning(`messaging digest schedule: ${String(err)}`))
    },

    /** Stops claiming, lets sends in flight finish and hands unsent claimed rows back. */
    async stop(): Promise<void> {
      if (!running) return
      stopping = true
      for (const t of timers) clearInterval(t)
      timers = []
      wake()
      await Promise.all(loopPromises)
      await Promise.allSettled([...inFlight])
      loopPromises = []
      running = false
    },

    /** Removes the receipt listener (tests building many services). */
    dispose() {
      removeReceiptListener()
    },

    /**
     * Queue depth and health figures for the staff dispatch page. Each count reads only the
     * rows it is about, never the whole (ever-growing) table: the queue through
     * msg_deliveries_queue_idx; rows waiting for a digest and the last day's rows through
     * the messages they belong to (the unique key leads with the message).
     */
    async overview() {
      const now = clock()
      const dayAgo = new Date(now.getTime() - 24 * 3600_000)
      const digestHorizon = new Date(now.getTime() - DIGEST_HORIZON_DAYS * 86_400_000)
      const [byPriority, failing, recent] = await Promise.all([
        db.query<{ priority: number; status: string; n: number }>(
          `select priority, status, sum(n)::int as n from (
             select priority, status, count(*)::int as n from msg_deliveries
              where priority = any($1::smallint[]) and status in ('queued', 'sending') and claimed_at is not null group by priority, status
             union all
             -- Rows never claimed: those after each message's cursor, through the unique key.
             select d.priority, d.status, count(*)::int as n from msg_messages m
               join msg_deliveries d on d.message_id = m.id
                and (d.subscriber_id, d.channel) > (coalesce(m.claim_cursor, '00000000-0000-0000-0000-000000000000'::uuid), coalesce(m.claim_cursor_channel, ''))
              where m.fresh_rank is not null and d.status = 'queued' and d.claimed_at is null
              group by d.priority, d.status
             union all
             select priority, status, count(*)::int as n from msg_deliveries
              where status = 'digest'
                and message_id in (select id from msg_messages where status in ('sending', 'sent') and created_at >= $2)
              group by priority, status
           ) q group by priority, status order by priority, status`,
          [ALL_PRIORITY_RANKS, digestHorizon],
        ),
        db.query<{ email: number; sms: number }>(
          `select count(*) filter (where email_failing)::int as email, count(*) filter (where sms_failing)::int as sms from msg_subscribers`,
        ),
        // Writing a message's deliveries touches its updated_at, so every row created in the
        // last day belongs to a message updated since.
        db.query<{ status: string; n: number }>(
          `select status, count(*)::int as n from msg_deliveries
            where created_at > $1 and message_id in (select id from msg_messages where updated_at > $1)
            group by status order by status`,
          [dayAgo],
        ),
      ])
      return {
        byPriority,
        failingContacts: failing[0] ?? { email: 0, sms: 0 },
        last24h: recent,
        limits: { emailPerMinute: limiters.email.perMinute, smsPerMinute: limiters.sms.perMinute },
        batchSize,
        leaseMs,
        running,
      }
    },
  }
}

export type DispatchService = ReturnType<typeof createDispatchService>
