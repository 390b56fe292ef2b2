import { createHmac, timingSafeEqual } from 'node:crypto'
import type { Config } from '../../config.ts'

/**
 * Signed links in messages, so residents act without a password: manage preferences,
 * one-click unsubscribe, reply, rate a message, confirm an email address.
 *
 * A token is `base64url(payload).base64url(hmac)`, the HMAC keyed by the session secret
 * and a per-purpose label. The payload carries the subscriber's `linkVersion`: bumping it
 * (e.g. after deletion or on request) revokes every link already sent. Manage and
 * unsubscribe links do not expire, as RFC 8058 and residents expect; others may.
 */
export type LinkPurpose = 'manage' | 'unsubscribe' | 'reply' | 'feedback' | 'confirm-email' | 'download'

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
