import { randomBytes } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../../../../config.ts'

/** The cookie holding this browser's random supporter id (signed, so it cannot be swapped for another's). */
export const SUPPORTER_COOKIE = 'beacon_supporter'
/** Two years: long enough to outlast the proposals it counts against. */
const SUPPORTER_MAX_AGE = 2 * 365 * 24 * 3600

/** The supporter id from this browser's cookie, or null when it has none (or a tampered one). */
export function readSupporterId(request: FastifyRequest): string | null {
  const raw = request.cookies[SUPPORTER_COOKIE]
  if (!raw) return null
  const unsigned = request.unsignCookie(raw)
  return unsigned.valid && unsigned.value && /^[A-Za-z0-9_-]{22,64}$/.test(unsigned.value) ? unsigned.value : null
}

/**
 * This browser's supporter id, made and set only when someone proposes or supports (never on
 * a page view). Only an HMAC of it is stored with a support.
 */
export function ensureSupporterId(request: FastifyRequest, reply: FastifyReply, config: Config): string {
  const existing = readSupporterId(request)
  if (existing) return existing
  const id = randomBytes(18).toString('base64url')
  reply.setCookie(SUPPORTER_COOKIE, id, {
    path: '/neighbourhoods',
    httpOnly: true,
    sameSite: 'lax',
    secure: config.cookieSecure,
    signed: true,
    maxAge: SUPPORTER_MAX_AGE,
  })
  return id
}
