import { createHmac, timingSafeEqual } from 'node:crypto'
import type { Config } from '../../config.ts'
import { formatDeliveryRef, type DeliveryRef } from './delivery-ref.ts'

/**
 * Signed links in messages, so residents act without a password: manage preferences,
 * one-click unsubscribe, reply, rate a message, confirm an email address.
 *
 * A token is `base64url(payload).base64url(hmac)`, the HMAC keyed by the session secret
 * and a per-purpose label. The payload carries the subscriber's `linkVersion`: bumping it
 * (e.g. after deletion or on request) revokes every link already sent. Manage and
 * unsubscribe links do not expire, as RFC 8058 and residents expect; others may.
 */
export type LinkPurpose = 'manage' | 'unsubscribe' | 'reply' | 'feedback' | 'confirm-email' | 'download' | 'click'

export interface LinkClaims {
  purpose: LinkPurpose
  subscriberId: string
  linkVersion: number
  messageId?: string
  channel?: 'email' | 'sms'
  /** expiry, epoch seconds; omitted = no expiry */
  exp?: number
  /** confirmation secret for confirm-email links (its hash is stored) */
  secret?: string
  /** click links: the delivery whose email carried the link (its reference, delivery-ref.ts) */
  delivery?: string
  /** click links: where it goes */
  url?: string
}

const mac = (secret: string, purpose: string, data: string) =>
  createHmac('sha256', `${secret}:beacon-link:${purpose}`).update(data).digest()

/** Signs claims into a URL-safe token. */
export function signLink(config: Pick<Config, 'sessionSecret'>, claims: LinkClaims): string {
  const data = Buffer.from(JSON.stringify(claims)).toString('base64url')
  return `${data}.${mac(config.sessionSecret, claims.purpose, data).toString('base64url')}`
}

export type LinkCheck = { ok: true; claims: LinkClaims } | { ok: false; reason: 'forged' | 'expired' | 'wrong-purpose' }

/**
 * Verifies a token for the expected purpose. The caller must still compare
 * `claims.linkVersion` with the subscriber's current one (a revoked link reads as forged
 * to the resident: "this link is no longer valid").
 */
export function verifyLink(config: Pick<Config, 'sessionSecret'>, token: string, purpose: LinkPurpose, now = new Date()): LinkCheck {
  const [data, sig] = token.split('.')
  if (!data || !sig || token.split('.').length !== 2) return { ok: false, reason: 'forged' }
  let claims: LinkClaims
  try {
    claims = JSON.parse(Buffer.from(data, 'base64url').toString('utf8')) as LinkClaims
  } catch {
    return { ok: false, reason: 'forged' }
  }
  if (!claims || typeof claims !== 'object' || typeof claims.purpose !== 'string') return { ok: false, reason: 'forged' }
  const expected = mac(config.sessionSecret, claims.purpose, data)
  const given = Buffer.from(sig, 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'forged' }
  if (claims.purpose !== purpose) return { ok: false, reason: 'wrong-purpose' }
  if (claims.exp !== undefined && claims.exp * 1000 < now.getTime()) return { ok: false, reason: 'expired' }
  return { ok: true, claims }
}

type Who = { id: string; linkVersion: number }

/** Absolute URLs for the links every message carries. */
export function messageLinks(config: Pick<Config, 'sessionSecret' | 'baseUrl'>, who: Who, messageId: string, channel: 'email' | 'sms') {
  const base = config.baseUrl
  const t = (purpose: LinkPurpose, extra: Partial<LinkClaims> = {}) =>
    signLink(config, { purpose, subscriberId: who.id, linkVersion: who.linkVersion, ...extra })
  return {
    manage: `${base}/alerts/manage/${t('manage')}`,
    unsubscribe: `${base}/alerts/unsubscribe/${t('unsubscribe', { messageId, channel })}`,
    reply: `${base}/alerts/reply/${t('reply', { messageId })}`,
    useful: `${base}/alerts/feedback/${t('feedback', { messageId })}`,
  }
}

/** The manage-preferences link alone (e.g. for confirmation emails and digests). */
export function manageLink(config: Pick<Config, 'sessionSecret' | 'baseUrl'>, who: Who): string {
  return `${config.baseUrl}/alerts/manage/${signLink(config, { purpose: 'manage', subscriberId: who.id, linkVersion: who.linkVersion })}`
}

/**
 * A short manage link for text messages, where every character counts (a full signed
 * link is ~200 characters, one or two extra SMS parts per resident). The token is the
 * subscriber id (16 bytes), the link version and a 64-bit HMAC, about 36 characters; it
 * only ever leads to the manage page, which checks the link version as usual.
 */
export function shortManageLink(config: Pick<Config, 'sessionSecret' | 'baseUrl'>, who: Who): string {
  const id = Buffer.from(who.id.replace(/-/g, ''), 'hex')
  const body = `${id.toString('base64url')}${who.linkVersion.toString(36)}`
  return `${config.baseUrl}/a/${body}${shortMac(config, body)}`
}

/** The claims behind a short manage token, or null when it is malformed or forged. */
export function verifyShortManage(config: Pick<Config, 'sessionSecret'>, token: string): { subscriberId: string; linkVersion: number } | null {
  // 22 characters of id, 1+ of version, 11 of MAC.
  const m = /^([A-Za-z0-9_-]{22})([0-9a-z]{1,6})([A-Za-z0-9_-]{11})$/.exec(token)
  if (!m) return null
  const [, id, version, sig] = m as unknown as [string, string, string, string]
  const expected = Buffer.from(shortMac(config, id + version))
  const given = Buffer.from(sig)
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null
  const hex = Buffer.from(id, 'base64url').toString('hex')
  if (hex.length !== 32) return null
  const subscriberId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  return { subscriberId, linkVersion: Number.parseInt(version, 36) }
}

const shortMac = (config: Pick<Config, 'sessionSecret'>, body: string) =>
  mac(config.sessionSecret, 'short-manage', body).subarray(0, 8).toString('base64url')

/**
 * A tracked link in a message body: counts the first click on its delivery (nothing about
 * the person or their device is stored) and then goes on to `url`. Only http(s) targets.
 */
export function clickLink(config: Pick<Config, 'sessionSecret' | 'baseUrl'>, delivery: DeliveryRef, url: string): string {
  return `${config.baseUrl}/alerts/c/${signLink(config, { purpose: 'click', subscriberId: '', linkVersion: 0, delivery: formatDeliveryRef(delivery), url })}`
}
