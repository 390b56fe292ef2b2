import { createHmac, timingSafeEqual } from 'node:crypto'
import type { Config } from '../../config.ts'
import type { MessagingDeps } from './deps.ts'
import { verifyLink } from './links.ts'
import { deliveryRefParams, deliveryRefWhere, findDeliveryRefs, formatDeliveryRef, parseDeliveryRef, type DeliveryRef } from './delivery-ref.ts'

/**
 * Email replies to messages. A provider that supports inbound mail (SMTP relay, SES, Mailgun,
 * Postmark…) hands each received email to `recordInboundEmail` through a small adapter, or
 * posts it to /webhooks/inbound-email signed with the shared secret.
 *
 * A reply is matched to what it answers in one of two ways:
 * 1. the address it was sent to, `reply+<token>@domain`, where the token is either the compact
 *    per-delivery token made by `replyAddress` (fits the 64-character limit on the local part
 *    and survives mail systems that lower-case addresses) or a signed 'reply' link token;
 * 2. the In-Reply-To or References header naming the delivery, `delivery-<reference>`
 *    (delivery-ref.ts), which is what dispatch puts in each email's Message-ID.
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

/** Reply addresses are for email deliveries: the token names the message and the resident. */
const compactBody = (ref: Pick<DeliveryRef, 'messageRef' | 'subscriberId'>) => `${ref.messageRef}.${ref.subscriberId.replaceAll('-', '').toLowerCase()}`

const compactMac = (secret: string, body: string) =>
  createHmac('sha256', `${secret}:beacon-link:reply-address`).update(body).digest('hex').slice(0, 16)

/**
 * The Reply-To address for one email delivery:
 * `reply+<message ref>.<resident, 32 hex>.<16 hex>@<mail domain>`, at most 64 characters
 * before the @ (RFC 5321) while message numbers have up to 8 digits. Hex, so it survives
 * case-folding; 8 bytes of HMAC, so it cannot be guessed (and the sender must still be the
 * resident's confirmed address).
 */
export function replyAddress(config: Pick<Config, 'sessionSecret' | 'channels' | 'baseUrl'>, ref: Pick<DeliveryRef, 'messageRef' | 'subscriberId'>): string {
  const body = compactBody(ref)
  return `reply+${body}.${compactMac(config.sessionSecret, body)}@${mailDomain(config)}`
}

/**
 * Headers dispatch adds to each message email so a reply finds its way back: a Reply-To with
 * the delivery's reply address (only when the message takes replies) and a Message-ID naming
 * the delivery, which mail programs copy into In-Reply-To and References.
 */
export function replyHeaders(config: Pick<Config, 'sessionSecret' | 'channels' | 'baseUrl'>, ref: DeliveryRef, allowReplies: boolean): Record<string, string> {
  return {
    'Message-ID': `<delivery-${formatDeliveryRef(ref)}@${mailDomain(config)}>`,
    ...(allowReplies ? { 'Reply-To': replyAddress(config, ref) } : {}),
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
    const m = /^(\d{1,18})\.([0-9a-f]{32})\.([0-9a-f]{16})$/i.exec(token)
    if (!m) return null
    const ref = parseDeliveryRef(`${m[1]}-${m[2]}-e`)
    if (!ref) return null
    const expected = Buffer.from(compactMac(config.sessionSecret, compactBody(ref)))
    const given = Buffer.from(m[3]!.toLowerCase())
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null
    return deliveryTarget(ref)
  }

  /** The message and resident of an email delivery that exists (and whose resident still does). */
  async function deliveryTarget(ref: DeliveryRef): Promise<Target | null> {
    if (ref.channel !== 'email') return null
    const [row] = await db.query<{ message_id: string; subscriber_id: string | null }>(
      `select message_id, subscriber_id from msg_deliveries where ${deliveryRefWhere(1)}`,
      deliveryRefParams(ref),
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
    for (const ref of findDeliveryRefs(threaded, 'delivery-').reverse()) {
      const t = await deliveryTarget(ref)
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

// ---------------------------------------------------------------- provider adapters
//
// Each provider posts a received email in its own shape. These turn that shape into an
// InboundEmail (pure functions, so the tests run them on the providers' documented payloads),
// and check the provider's own proof that the post came from it.

/** Form fields as a provider posted them: one string each (the first if a field is repeated). */
export type ProviderFields = Record<string, string>

/** Splits an address header ("Ann <a@x>, \"Smith, Bob\" <b@y>") into its addresses, respecting quotes and brackets. */
export function addressList(header: string | undefined): string[] {
  if (!header) return []
  const out: string[] = []
  let current = ''
  let quoted = false
  let angle = 0
  for (const ch of header) {
    if (ch === '"') quoted = !quoted
    else if (!quoted && ch === '<') angle++
    else if (!quoted && ch === '>') angle = Math.max(0, angle - 1)
    if (ch === ',' && !quoted && angle === 0) {
      if (current.trim()) out.push(current.trim())
      current = ''
    } else current += ch
  }
  if (current.trim()) out.push(current.trim())
  return out
}

/**
 * A raw header block ("Name: value" lines, folded lines continuing with white space) as a
 * map of lower-cased names to values; a repeated header's values are joined with a space.
 */
export function parseHeaderBlock(block: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {}
  if (!block) return headers
  const lines = block.replace(/\r\n?/g, '\n').split('\n')
  let name = ''
  for (const line of lines) {
    if (/^[ \t]/.test(line) && name) {
      headers[name] += ` ${line.trim()}`
      continue
    }
    const m = /^([!-9;-~]+):\s*(.*)$/.exec(line)
    if (!m) {
      name = ''
      continue
    }
    name = m[1]!.toLowerCase()
    headers[name] = headers[name] ? `${headers[name]} ${m[2]!.trim()}` : m[2]!.trim()
  }
  return headers
}

/**
 * Plain text from an HTML reply, for the rare email with no text part. Quoted messages
 * (blockquotes) are dropped, as stripQuoted drops "> " lines; everything else loses its tags.
 */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|head)[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<blockquote[\s\S]*<\/blockquote\s*>/gi, '\n')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|h[1-6]|tr)\s*>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
}

const bodyText = (text: string | undefined, html: string | undefined) => (text && text.trim() ? text : html ? htmlToText(html) : '')

/**
 * SendGrid Inbound Parse (the default, parsed format: multipart/form-data with `headers`,
 * `from`, `to`, `subject`, `text`, `html`, `envelope`…). The reply address is found in the
 * SMTP envelope (`envelope.to`) and in the To header; threading headers come from the raw
 * `headers` block. Answers null when the post is not an email Beacon can read (for example
 * the "raw" format, which sends the whole MIME message in `email`).
 */
export function fromSendGrid(fields: ProviderFields): InboundEmail | null {
  const headers = parseHeaderBlock(fields.headers)
  const from = fields.from || headers.from
  const text = bodyText(fields.text, fields.html)
  if (!from || (!text && !fields.html)) return null
  let envelopeTo: string[] = []
  try {
    const envelope = JSON.parse(fields.envelope ?? '{}') as { to?: unknown }
    if (Array.isArray(envelope.to)) envelopeTo = envelope.to.filter((x): x is string => typeof x === 'string')
  } catch {
    // A missing or broken envelope leaves the To header to match on.
  }
  return {
    from,
    to: [...envelopeTo, ...addressList(fields.to || headers.to), ...addressList(fields.cc || headers.cc)],
    subject: fields.subject ?? headers.subject,
    text,
    inReplyTo: headers['in-reply-to'],
    references: headers.references,
    headers,
  }
}

/**
 * Mailgun routes, forward() to a URL (the "fully parsed" format:
 * application/x-www-form-urlencoded, or multipart/form-data when the email has attachments).
 * `recipient` is the SMTP envelope's recipient; `stripped-text` is Mailgun's own cut of the
 * reply without the quoted message (Beacon still applies its own); `message-headers` is a JSON
 * list of [name, value] pairs. Answers null when the post is not an email.
 */
export function fromMailgun(fields: ProviderFields): InboundEmail | null {
  const headers: Record<string, string> = {}
  try {
    const list = JSON.parse(fields['message-headers'] ?? '[]') as unknown
    if (Array.isArray(list))
      for (const pair of list)
        if (Array.isArray(pair) && typeof pair[0] === 'string' && typeof pair[1] === 'string') {
          const name = pair[0].toLowerCase()
          headers[name] = headers[name] ? `${headers[name]} ${pair[1]}` : pair[1]
        }
  } catch {
    // Without the header list, the top-level fields below still carry the threading headers.
  }
  const from = fields.from || headers.from || fields.sender
  const text = bodyText(fields['stripped-text'] || fields['body-plain'], fields['stripped-html'] || fields['body-html'])
  if (!from || !text) return null
  return {
    from,
    to: [...addressList(fields.recipient), ...addressList(fields.To || headers.to)],
    subject: fields.subject ?? headers.subject,
    text,
    inReplyTo: fields['In-Reply-To'] || headers['in-reply-to'],
    references: fields.References || headers.references,
    headers,
  }
}

/** How old (either way, in seconds) a Mailgun signature's timestamp may be. */
export const MAILGUN_MAX_AGE_SECONDS = 300

/**
 * Mailgun's proof that a post came from it: `signature` is the hex HMAC-SHA256 of
 * timestamp + token keyed by the webhook signing key. The timestamp must be within five
 * minutes, and each token is accepted once (kept for as long as its timestamp is fresh), so a
 * captured post cannot be replayed.
 */
export function createMailgunVerifier(signingKey: string, maxAgeSeconds = MAILGUN_MAX_AGE_SECONDS) {
  const seen = new Map<string, number>()
  return (sig: { timestamp?: unknown; token?: unknown; signature?: unknown }, at = new Date()): 'ok' | 'bad-signature' | 'stale' | 'replayed' => {
    const { timestamp, token, signature } = sig
    if (typeof timestamp !== 'string' && typeof timestamp !== 'number') return 'bad-signature'
    if (typeof token !== 'string' || typeof signature !== 'string' || !/^\d{1,12}$/.test(String(timestamp)) || token.length > 200) return 'bad-signature'
    const expected = Buffer.from(createHmac('sha256', signingKey).update(`${timestamp}${token}`).digest('hex'))
    const given = Buffer.from(signature.toLowerCase())
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad-signature'
    const now = Math.floor(at.getTime() / 1000)
    if (Math.abs(now - Number(timestamp)) > maxAgeSeconds) return 'stale'
    for (const [t, until] of seen) if (until < now) seen.delete(t)
    if (seen.has(token)) return 'replayed'
    seen.set(token, Number(timestamp) + maxAgeSeconds)
    return 'ok'
  }
}

/** Signs like Mailgun does (for tests and for checking a set-up by hand). */
export function signMailgun(signingKey: string, timestamp: number | string, token: string): string {
  return createHmac('sha256', signingKey).update(`${timestamp}${token}`).digest('hex')
}

/** Compares a secret from a URL or a header with the configured one, in constant time. */
export function sameSecret(given: string | undefined, expected: string): boolean {
  if (!given) return false
  const a = createHmac('sha256', 'beacon-compare').update(given).digest()
  const b = createHmac('sha256', 'beacon-compare').update(expected).digest()
  return timingSafeEqual(a, b)
}

/** The password of an HTTP basic Authorization header, or undefined. */
export function basicAuthPassword(header: string | undefined): string | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '')
  if (!m) return undefined
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return colon < 0 ? undefined : decoded.slice(colon + 1)
}

/** The delivery a provider's event names through the Message-ID dispatch gave it (`<delivery-<reference>@domain>`). */
export function deliveryRefFromMessageId(messageId: unknown): DeliveryRef | null {
  if (typeof messageId !== 'string') return null
  const m = /^<?delivery-([^@\s>]+)@[^>\s]+>?$/.exec(messageId.trim())
  return m ? parseDeliveryRef(m[1]) : null
}

/**
 * Records an "opened" event a provider reported for an email delivery: the first open only
 * (opened_at is never moved later), and only for email. Answers whether a delivery was found.
 * Beacon adds no tracking pixel; this is only reached when a provider tracks opens itself.
 */
export async function recordOpen(db: MessagingDeps['db'], ref: DeliveryRef, at: Date): Promise<boolean> {
  if (ref.channel !== 'email') return false
  const rows = await db.query<{ channel: string }>(
    `update msg_deliveries set opened_at = least(coalesce(opened_at, $4), $4) where ${deliveryRefWhere(1)} returning channel`,
    [...deliveryRefParams(ref), at],
  )
  return rows.length > 0
}
