import type { Database } from '../../../platform/db/client.ts'
import { createReceipts } from '../../../platform/channels/receipts.ts'
import { ChannelError, type Channels, type EmailMessage, type SmsMessage } from '../../../platform/channels/types.ts'
import type { Priority } from '../schema.ts'
import { PRIORITY_RANK } from '../schema.ts'
import { markFreshDeliveries } from '../targeting.ts'

/**
 * Fixtures for dispatch tests and benchmarks: set-based inserts straight into the msg_
 * tables (the compose module's targeting is tested on its own), and a recording channel.
 */

// Numbers (and addresses) are unique across calls in one process without the caller counting.
let nextNumber = 100_000_000 + Math.floor(Math.random() * 1_000) * 100_000

/** Inserts `count` active subscribers with email and phone; answers their ids in order. */
export async function seedSubscribers(
  db: Database,
  count: number,
  opts: { prefix?: string; emailFrequency?: string; smsFrequency?: string; language?: string } = {},
): Promise<string[]> {
  const prefix = opts.prefix ?? 'person'
  const rows = await db.query<{ id: string }>(
    `insert into msg_subscribers (email, email_confirmed_at, phone, phone_confirmed_at, status, email_frequency, sms_frequency, language)
     select $2 || '-' || ($6::bigint + g) || '@example.test', now(), '+447' || lpad(($6::bigint + g)::text, 9, '0'), now(), 'active', $3, $4, $5
       from generate_series(1, $1::int) g
     returning id`,
    [count, prefix, opts.emailFrequency ?? 'immediate', opts.smsFrequency ?? 'immediate', opts.language ?? 'en', nextNumber],
  )
  nextNumber += count
  return rows.map(r => r.id)
}

/** Inserts a message being sent (status 'sending'). */
export async function createSendingMessage(
  db: Database,
  opts: { title?: string; priority?: Priority; status?: string; isPublic?: boolean; createdAt?: Date } = {},
): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    `insert into msg_messages (title, body_markdown, sms_text, category, priority, status, area_id, area_path, is_public, created_at)
     values ($1, 'Please **check** your doors and windows tonight.', 'Check your doors tonight.', 'crime-alerts', $2, $3, 'force', 'force', $4, $5)
     returning id`,
    [opts.title ?? 'Burglaries in the area', opts.priority ?? 'normal', opts.status ?? 'sending', opts.isPublic ?? false, opts.createdAt ?? new Date()],
  )
  return row!.id
}

/** Queues one delivery per subscriber for a message on a channel (or puts them aside for a digest). */
export async function queueDeliveries(
  db: Database,
  messageId: string,
  subscriberIds: string[],
  opts: { channel?: 'email' | 'sms'; status?: 'queued' | 'digest'; priority?: Priority; nextAttemptAt?: Date } = {},
): Promise<number> {
  const rows = await db.query(
    `insert into msg_deliveries (message_id, subscriber_id, channel, priority, status, next_attempt_at)
     select $1, s, $3, $4, $5, $6 from unnest($2::uuid[]) s
     on conflict (message_id, subscriber_id, channel) do nothing returning channel`,
    [messageId, subscriberIds, opts.channel ?? 'email', PRIORITY_RANK[opts.priority ?? 'normal'], opts.status ?? 'queued', opts.nextAttemptAt ?? new Date(Date.now() - 1000)],
  )
  // As writeDeliveries does: dispatch finds rows never claimed through their message.
  if ((opts.status ?? 'queued') === 'queued') await markFreshDeliveries(db, messageId, PRIORITY_RANK[opts.priority ?? 'normal'])
  return rows.length
}

export interface Sent {
  channel: 'email' | 'sms'
  to: string
  reference: string | undefined
  subject?: string
  text: string
  headers?: Record<string, string>
}

/**
 * Channels that record what they were given. `fail(address, error)` makes sends to that
 * address throw; `gate` (when set) is awaited before each send is accepted, so a test can
 * hold sends in flight (a worker "killed" mid-send never passes the gate).
 */
export function recordingChannels(db: Database) {
  const sent: Sent[] = []
  const failures = new Map<string, ChannelError>()
  const state: { gate: ((m: EmailMessage | SmsMessage) => Promise<void>) | null } = { gate: null }
  let n = 0
  const accept = async (channel: 'email' | 'sms', m: EmailMessage | SmsMessage) => {
    if (state.gate) await state.gate(m)
    const failure = failures.get(m.to)
    if (failure) throw failure
    sent.push({ channel, to: m.to, reference: m.reference, text: m.text, ...('subject' in m ? { subject: m.subject, headers: m.headers ?? {} } : {}) })
    return { providerId: `prov-${++n}`, provider: 'notify' as const, awaitingReceipt: true }
  }
  const channels: Channels = {
    email: { name: 'notify', sendEmail: m => accept('email', m) },
    sms: { name: 'notify', sendSms: m => accept('sms', m) },
    receipts: createReceipts(db),
    async close() {},
  }
  return {
    channels,
    sent,
    state,
    fail(address: string, error: ChannelError) {
      failures.set(address, error)
    },
    heal(address: string) {
      failures.delete(address)
    },
  }
}

/** A clock tests move by hand. */
export function manualClock(start = new Date()) {
  let t = start.getTime()
  return {
    now: () => new Date(t),
    advance(ms: number) {
      t += ms
    },
    set(at: Date) {
      t = at.getTime()
    },
  }
}

