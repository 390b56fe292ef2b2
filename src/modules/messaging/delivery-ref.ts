import type { MessagingChannel } from './schema.ts'

/**
 * How a delivery is named outside Beacon: in the Message-ID of its email, the reference a
 * provider echoes in receipts, a tracked link and a reply address.
 *
 * Deliveries have no id of their own (migration 0010: the id and its index cost a big send
 * about a fifth of its write). A delivery is one message, one resident and one channel, the
 * key msg_deliveries_once holds; the reference spells that key with the message's short
 * number (`msg_messages.ref`) so it fits where space is short (the 64-character local part
 * of a reply address):
 *
 *     <message ref>-<resident id, 32 hex digits>-<e|s>        e.g. 42-0a1b…9f-e
 *
 * Lower-case hex and digits only, so it survives mail systems that fold case. It is a name,
 * not a secret: anything that acts on it (a reply address) carries its own signature.
 */
export interface DeliveryRef {
  /** msg_messages.ref, as decimal digits */
  messageRef: string
  subscriberId: string
  channel: MessagingChannel
}

const CHANNEL_LETTER: Record<MessagingChannel, string> = { email: 'e', sms: 's' }

/** `<message ref>-<resident hex>-<e|s>`; the pattern parseDeliveryRef reads back. */
export const DELIVERY_REF_PATTERN = '(\\d{1,18})-([0-9a-f]{32})-([es])'

export function formatDeliveryRef(ref: DeliveryRef): string {
  return `${ref.messageRef}-${ref.subscriberId.replaceAll('-', '').toLowerCase()}-${CHANNEL_LETTER[ref.channel]}`
}

const hexToUuid = (hex: string) => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`

/** The parts of a reference made by formatDeliveryRef, or null for anything else. */
export function parseDeliveryRef(text: unknown): DeliveryRef | null {
  if (typeof text !== 'string') return null
  const m = new RegExp(`^${DELIVERY_REF_PATTERN}$`).exec(text.trim().toLowerCase())
  if (!m) return null
  return { messageRef: String(BigInt(m[1]!)), subscriberId: hexToUuid(m[2]!), channel: m[3] === 'e' ? 'email' : 'sms' }
}

/** Every reference in a piece of text (a References header, say), in the order written. */
export function findDeliveryRefs(text: string, prefix: string): DeliveryRef[] {
  const out: DeliveryRef[] = []
  for (const m of text.toLowerCase().matchAll(new RegExp(`${prefix}${DELIVERY_REF_PATTERN}\\b`, 'g'))) {
    const ref = parseDeliveryRef(`${m[1]}-${m[2]}-${m[3]}`)
    if (ref) out.push(ref)
  }
  return out
}

/**
 * SQL naming the delivery a reference points to, through the unique key: `$n` the message
 * ref, `$n+1` the resident, `$n+2` the channel (deliveryRefParams gives them in order).
 */
export function deliveryRefWhere(first: number, alias = ''): string {
  const a = alias ? `${alias}.` : ''
  return `${a}message_id = (select m.id from msg_messages m where m.ref = $${first}::bigint) and ${a}subscriber_id = $${first + 1}::uuid and ${a}channel = $${first + 2}::text`
}

export const deliveryRefParams = (ref: DeliveryRef): [string, string, string] => [ref.messageRef, ref.subscriberId, ref.channel]
