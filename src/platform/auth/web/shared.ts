import type { FastifyError, FastifyRequest } from 'fastify'
import { AppError } from '../../errors.ts'

/**
 * Per-IP limits on the routes that take a password, code or email address. The per-account
 * lock stops guessing one account; these stop one address spraying guesses across many.
 * Generous enough for an office of staff behind one NAT address signing in at 9 o'clock.
 */
export const SIGN_IN_RATE_LIMIT = { max: 30, timeWindow: '1 minute' }
export const RESET_RATE_LIMIT = { max: 10, timeWindow: '15 minutes' }

/** The 429 raised when a limit is hit, in words a person can act on. */
export function rateLimitError(_req: FastifyRequest, ctx: { after: string; statusCode: number }): FastifyError {
  const err = new Error(`Too many attempts from your network. Wait ${ctx.after} and try again.`) as FastifyError
  err.statusCode = ctx.statusCode
  return err
}

/** A route's rate-limit config with the friendly error. */
export const limited = (limit: { max: number; timeWindow: string }) => ({
  rateLimit: { ...limit, errorResponseBuilder: rateLimitError },
})

const timeFmt = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'Europe/London' })
const dayFmt = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', timeZone: 'Europe/London' })

/** "Too many attempts. Your account is locked for 15 minutes. Try again at 17:05 or reset your password." */
export function lockMessage(lockedUntil: Date, now: Date = new Date()): string {
  const minutes = Math.max(1, Math.ceil((lockedUntil.getTime() - now.getTime()) / 60_000))
  const sameDay = dayFmt.format(lockedUntil) === dayFmt.format(now)
  const at = sameDay ? timeFmt.format(lockedUntil) : `${timeFmt.format(lockedUntil)} on ${dayFmt.format(lockedUntil)}`
  return `Too many attempts. Your account is locked for ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}. Try again at ${at} or reset your password.`
}

/** Field errors carried by an AppError (INVALID, CONFLICT), or one error on `fallbackField`. */
export function appErrorFields(err: unknown, fallbackField: string): Record<string, string> | null {
  if (!(err instanceof AppError) || (err.code !== 'INVALID' && err.code !== 'CONFLICT')) return null
  return err.fieldErrors ?? { [fallbackField]: err.message }
}
