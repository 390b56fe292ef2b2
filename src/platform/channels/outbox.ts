import type { Database } from '../db/client.ts'
import type { EmailChannel, EmailMessage, SmsChannel, SmsMessage } from './types.ts'
import { isUuid } from '../ids.ts'

/** Development provider: "sends" by storing the message where administrators can read it. */
export function createOutboxChannel(db: Database): EmailChannel & SmsChannel & { name: 'outbox' } {
  return {
    name: 'outbox',
    async sendEmail(m: EmailMessage) {
      const [row] = await db.query<{ id: string }>(
        `insert into outbox_messages (channel, recipient, subject, body_text, body_html, headers, reference)
         values ('email', $1, $2, $3, $4, $5, $6) returning id`,
        [m.to, m.subject, m.text, m.html ?? null, m.headers ? JSON.stringify(m.headers) : null, m.reference ?? null],
      )
      return { providerId: row!.id, provider: 'outbox', awaitingReceipt: false }
    },
    async sendSms(m: SmsMessage) {
      const [row] = await db.query<{ id: string }>(
        `insert into outbox_messages (channel, recipient, body_text, reference) values ('sms', $1, $2, $3) returning id`,
        [m.to, m.text, m.reference ?? null],
      )
      return { providerId: row!.id, provider: 'outbox', awaitingReceipt: false }
    },
  }
}

export interface OutboxSummary {
  id: string
  channel: 'email' | 'sms'
  recipient: string
  subject: string | null
  createdAt: Date
}

export interface OutboxMessage extends OutboxSummary {
  bodyText: string
  bodyHtml: string | null
  headers: Record<string, string>
  reference: string | null
}

export interface OutboxQuery {
  /** part of an address or number; case-insensitive */
  recipient?: string | undefined
  limit?: number
  offset?: number
}


/** Escapes LIKE's wildcards so a search for "a_b" finds "a_b" and not "axb". */
const likeEscape = (s: string) => s.replace(/[\\%_]/g, c => `\\${c}`)

/** Newest first, optionally only messages to recipients containing `recipient`. */
export async function listOutboxMessages(db: Database, q: OutboxQuery = {}): Promise<{ rows: OutboxSummary[]; total: number }> {
  const recipient = q.recipient?.trim()
  const where = recipient ? `where recipient ilike $1` : ''
  const params = recipient ? [`%${likeEscape(recipient)}%`] : []
  const limit = Math.min(Math.max(Math.trunc(q.limit ?? 50), 1), 200)
  const offset = Math.max(Math.trunc(q.offset ?? 0), 0)
  const [count] = await db.query<{ n: number }>(`select count(*)::int as n from outbox_messages ${where}`, params)
  const rows = await db.query<{ id: string; channel: 'email' | 'sms'; recipient: string; subject: string | null; created_at: Date }>(
    `select id, channel, recipient, subject, created_at from outbox_messages ${where}
      order by created_at desc, id desc limit ${limit} offset ${offset}`,
    params,
  )
  return {
    rows: rows.map(r => ({ id: r.id, channel: r.channel, recipient: r.recipient, subject: r.subject, createdAt: new Date(r.created_at) })),
    total: count?.n ?? 0,
  }
}

/** One message with its bodies and headers, or null (also for an id that is not a uuid). */
export async function findOutboxMessage(db: Database, id: string): Promise<OutboxMessage | null> {
  if (!isUuid(id)) return null
  const [r] = await db.query<{
    id: string
    channel: 'email' | 'sms'
    recipient: string
    subject: string | null
    body_text: string
    body_html: string | null
    headers: Record<string, string> | string | null
    reference: string | null
    created_at: Date
  }>(`select id, channel, recipient, subject, body_text, body_html, headers, reference, created_at from outbox_messages where id = $1`, [id])
  if (!r) return null
  return {
    id: r.id,
    channel: r.channel,
    recipient: r.recipient,
    subject: r.subject,
    createdAt: new Date(r.created_at),
    bodyText: r.body_text,
    bodyHtml: r.body_html,
    // jsonb comes back parsed from both drivers; a string means it was stored double-encoded.
    headers: typeof r.headers === 'string' ? (JSON.parse(r.headers) as Record<string, string>) : (r.headers ?? {}),
    reference: r.reference,
  }
}
