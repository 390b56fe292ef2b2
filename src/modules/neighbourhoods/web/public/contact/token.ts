import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * The confirmation page's address carries a short-lived signed token naming the new query's
 * reference, so the page can be reloaded for a while (post/redirect/get) but nobody can make
 * one up: references are random and the token is HMAC-signed with the server's secret.
 */
export interface SentClaims {
  /** the reference, e.g. "NQ-7K3M-9P2X" */
  reference: string
  areaId: string
  /** an acknowledgement email was queued */
  acknowledged: boolean
  replyBy: 'email' | 'phone'
  /** expiry, epoch seconds */
  exp: number
}

/** How long the confirmation page can be reloaded. */
export const SENT_TOKEN_SECONDS = 60 * 60

const mac = (secret: string, data: string) => createHmac('sha256', `${secret}:beacon-contact-sent`).update(data).digest()

export function signSent(secret: string, claims: Omit<SentClaims, 'exp'>, now = new Date()): string {
  const full: SentClaims = { ...claims, exp: Math.floor(now.getTime() / 1000) + SENT_TOKEN_SECONDS }
  const data = Buffer.from(JSON.stringify(full)).toString('base64url')
  return `${data}.${mac(secret, data).toString('base64url')}`
}

export type SentCheck = { ok: true; claims: SentClaims } | { ok: false; reason: 'forged' | 'expired' }

export function verifySent(secret: string, token: string, now = new Date()): SentCheck {
  const parts = token.split('.')
  if (parts.length !== 2 || !parts[0] || !parts[1]) return { ok: false, reason: 'forged' }
  const [data, sig] = parts as [string, string]
  const expected = mac(secret, data)
  const given = Buffer.from(sig, 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'forged' }
  let claims: SentClaims
  try {
    claims = JSON.parse(Buffer.from(data, 'base64url').toString('utf8')) as SentClaims
  } catch {
    return { ok: false, reason: 'forged' }
  }
  if (typeof claims?.reference !== 'string' || typeof claims.areaId !== 'string' || typeof claims.exp !== 'number') return { ok: false, reason: 'forged' }
  if (claims.exp * 1000 < now.getTime()) return { ok: false, reason: 'expired' }
  return { ok: true, claims }
}
