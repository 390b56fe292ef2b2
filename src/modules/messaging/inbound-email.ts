import { createHmac, timingSafeEqual } from 'node:crypto'
import type { Config } from '../../config.ts'
import type { MessagingDeps } from './deps.ts'
import { verifyLink } from './links.ts'

/**
 * Email replies to messages. A provider that supports inbound mail (SMTP relay, SES, Mailgun,
 * Postmark…) hands each received email to `recordInboundEmail` through a small adapter, or
 * posts it to /webhooks/inbound-email signed with the shared secret.
 *
 * A reply is matched to what it answers in one of two ways:
 * 1. the address it was sent to, `reply+<token>@domain`, where the token is either the compact
 *    per-delivery token made by `replyAddress` (fits the 64-character limit on the local part
 *    and survives mail systems that lower-case addresses) or a signed 'reply' link token;
 * 2. the In-Reply-To or References header naming the delivery, `delivery-<id>`, which is what
 *    dispatch puts in each email's Message-ID.
 * Either way the sender must be the resident the delivery went to: a header is easy to
 * forge, a From address that is also the recipient's confirmed address much less so.
 */

export interface InboundEmail {
  from: string
  to: string | string[]
  subject?: string | undefined
  text: string
  inReplyTo?: string | undefined
  references?: string | undefined
  headers?: Record<string, string | string[] | undefined> | undefined
}

export type InboundResult =
  | { ok: true; replyId: string; messageId: string; duplicate: boolean }
  | { ok: false; reason: 'no-match' | 'unknown-sender' | 'replies-closed' | 'empty' }

/** Longest reply kept; the rest of a long email thread is not the resident's words. */
export const MAX_INBOUND_REPLY = 5000

const mailDomain = (config: Pick<Config, 'channels' | 'baseUrl'>) => {
  const m = /@([^>\s]+)>?\s*$/.exec(config.channels.mailFrom)
  return m?.[1] ?? new URL(config.baseUrl).hostname
}

const compactMac = (secret: string, deliveryId: number) =>
  createHmac('sha256', `${secret}:beacon-link:reply-address`).update(String(deliveryId)).digest('hex').slice(0, 32)

/**
 * The Reply-To address for one delivery: `reply+<deliveryId>.<32 hex>@<mail domain>`. Hex, so
 * it survives case-folding; 16 bytes of HMAC, so it cannot be guessed.
 */
export function replyAddress(config: Pick<Config, 'sessionSecret' | 'channels' | 'baseUrl'>, deliveryId: number): string {
  return `reply+${deliveryId}.${compactMac(config.sessionSecret, deliveryId)}@${mailDomain(config)}`
}

/**
 * Headers dispatch adds to each message email so a reply finds its way back: a Reply-To with
 * the delivery's reply address (only when the message takes replies) and a Message-ID naming
 * the delivery, which mail programs copy into In-Reply-To and References.
 */
export function replyHeaders(config: Pick<Config, 'sessionSecret' | 'channels' | 'baseUrl'>, deliveryId: number, allowReplies: boolean): Record<string, string> {
  return {
    'Message-ID': `<delivery-${deliveryId}@${mailDomain(config)}>`,
    ...(allowReplies ? { 'Reply-To': replyAddress(config, deliveryId) } : {}),
  }
}

/** The address part of "Name <a@b>" or "a@b", lower-cased. */
export function bareAddress(s: string): string {
  const m = /<([^>]+)>/.exec(s)
  return (m?.[1] ?? s).trim().toLowerCase()
}

/**
 * What the resident wrote, without the quoted message below it: stops at the first quoted
 * line block ("> …") or an "On … wrote:" / "-----Original Message-----" separator.
 */
export function stripQuoted(text: string): string {
  const out: string[] = []
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    if (/^\s*>/.test(line)) break
    if (/^On .+wrote:\s*$/.test(line.trim()) || /^-{2,}\s*Original Message\s*-{2,}$/i.test(line.trim())) break
    if (/^_{5,}$/.test(line.trim())) break
    out.push(line)
  }
  return out.join('\n').trim()
}

const headerValue = (headers: InboundEmail['headers'], name: string) => {
  if (!headers) return undefined
  const key = Object.keys(headers).find(k => k.toLowerCase() === name)
  const v = key ? headers[key] : undefined
  return Array.isArray(v) ? v.join(' ') : v
}

/** Records inbound email replies. */
export function createInboundEmail(deps: MessagingDeps) {
  const { db, config } = deps
  const now = () => deps.now?.() ?? new Date()

  type Target = { messageId: string; subscriberId: string }

  /** The delivery named by a compact token, if its signature is right. */
  async function fromCompactToken(token: string): Promise<Target | null> {
    const m = /^(\d{1,18})\.([0-9a-f]{32})$/i.exec(token)
    if (!m) return null
    const id = Number(m[1])
    const expected = Buffer.from(compactMac(config.sessionSecret, id))
    const given = Buffer.from(m[2]!.toLowerCase())
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null
    return deliveryTarget(id)
  }

  async function deliveryTarget(id: number): Promise<Target | null> {
    const [row] = await db.query<{ message_id: string; subscriber_id: string | null }>(
      `select message_id, subscriber_id from msg_deliveries where id = $1 and channel = 'email'`,
      [id],
    )
    return row?.subscriber_id ? { messageId: row.message_id, subscriberId: row.subscriber_id } : null
  }

  /** Every way this email might name what it answers, strongest first. */
  async function findTarget(email: InboundEmail): Promise<Target | null> {
    for (const to of [email.to].flat()) {
      const address = (/<([^>]+)>/.exec(to)?.[1] ?? to).trim()
      const local = address.slice(0, Math.max(0, address.lastIndexOf('@')))
      const plus = local.indexOf('+')
      if (plus < 0) continue
      const token = local.slice(plus + 1)
      const compact = await fromCompactToken(token)
      if (compact) return compact
      const signed = verifyLink(config, token, 'reply', now())
      if (signed.ok && signed.claims.messageId) {
        const [s] = await db.query<{ link_version: number }>(`select link_version from msg_subscribers where id = $1`, [signed.claims.subscriberId])
        // A bumped link version (e.g. after the resident asked) revokes reply addresses too.
        if (s && s.link_version === signed.claims.linkVersion) return { messageId: signed.claims.messageId, subscriberId: signed.claims.subscriberId }
      }
    }
    const threaded = [email.inReplyTo, email.references, headerValue(email.headers, 'in-reply-to'), headerValue(email.headers, 'references')]
      .filter(Boolean)
      .join(' ')
    // The newest reference first: it is the email being answered.
    const ids = [...threaded.matchAll(/delivery-(\d{1,18})\b/g)].map(m => Number(m[1])).reverse()
    for (const id of ids) {
      const t = await deliveryTarget(id)
      if (t) return t
    }
    return null
  }

  return {
    /**
     * Stores an email reply in the inbox (via 'email', answered by email), or says why not:
     * nothing it answers could be found, the sender is not the resident it went to, the
     * message does not take replies, or nothing was written above the quoted text. A
     * provider's retry of the same email is recognised and not stored twice.
     */
    async recordInboundEmail(email: InboundEmail): Promise<InboundResult> {
      const target = await findTarget(email)
      if (!target) return { ok: false, reason: 'no-match' }
      const [sub] = await db.query<{ email: string | null; confirmed: boolean }>(
        `select email, email_confirmed_at is not null as confirmed from msg_subscribers where id = $1`,
        [target.subscriberId],
      )
      if (!sub || !sub.confirmed || !sub.email || sub.email.toLowerCase() !== bareAddress(email.from))
        return { ok: false, reason: 'unknown-sender' }
      const [message] = await db.query<{ allow_replies: boolean; area_path: string }>(
        `select allow_replies, area_path from msg_messages where id = $1`,
        [target.messageId],
      )
      if (!message || !message.allow_replies) return { ok: false, reason: 'replies-closed' }
      const body = stripQuoted(email.text).slice(0, MAX_INBOUND_REPLY)
      if (!body) return { ok: false, reason: 'empty' }
      const [existing] = await db.query<{ id: string }>(
        `select id from msg_replies where message_id = $1 and subscriber_id = $2 and via = 'email' and body = $3 limit 1`,
        [target.messageId, target.subscriberId, body],
      )
      if (existing) return { ok: true, replyId: existing.id, messageId: target.messageId, duplicate: true }
      const [row] = await db.query<{ id: string }>(
        `insert into msg_replies (message_id, subscriber_id, via, body, answer_channel, area_path, received_at)
         values ($1, $2, 'email', $3, 'email', $4, $5) returning id`,
        [target.messageId, target.subscriberId, body, message.area_path, now()],
      )
      return { ok: true, replyId: row!.id, messageId: target.messageId, duplicate: false }
    },
  }
}

/**
 * The signature an inbound adapter sends with POST /webhooks/inbound-email:
 * `X-Beacon-Timestamp: <epoch seconds>` and
 * `X-Beacon-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" keyed by SESSION_SECRET>`.
 */
export function signInbound(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
}

/** Checks a webhook signature and that its timestamp is within five minutes (no replays of old posts). */
export function verifyInbound(secret: string, timestamp: string | undefined, signature: string | undefined, body: string, at = new Date()): boolean {
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false
  if (Math.abs(at.getTime() / 1000 - Number(timestamp)) > 300) return false
  const expected = Buffer.from(signInbound(secret, Number(timestamp), body))
  const given = Buffer.from(signature)
  return given.length === expected.length && timingSafeEqual(given, expected)
}
