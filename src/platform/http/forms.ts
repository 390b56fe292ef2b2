import type { FastifyReply, FastifyRequest } from 'fastify'
import type { z } from 'zod'
import type { FieldErrors } from '../views/nunjucks.ts'

export type FormResult<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors; values: Record<string, unknown> }

/** Fields never written back into a form (or a cookie) after a failed submission. */
const SECRET_FIELDS = new Set(['password', 'newPassword', 'confirmPassword', 'code', '_csrf'])

/**
 * Checks a submitted form against its zod schema. Errors are keyed by field name so
 * each can be shown beside its field and linked from the error summary; the first
 * message per field wins (zod lists the most basic problem first).
 */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown): FormResult<z.infer<S>> {
  const result = schema.safeParse(body ?? {})
  if (result.success) return { ok: true, data: result.data }
  const errors: FieldErrors = {}
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? 'form')
    errors[field] ??= issue.message
  }
  return { ok: false, errors, values: keptValues(body) }
}

/** What the user typed, minus secrets, to put back in the form. */
export function keptValues(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object') return {}
  return Object.fromEntries(Object.entries(body).filter(([k]) => !SECRET_FIELDS.has(k)))
}

export interface Flash {
  errors?: FieldErrors
  values?: Record<string, unknown>
  notice?: { text: string; success?: boolean }
}

const FLASH_COOKIE = 'beacon_flash'
/** Browsers drop cookies over 4 KB; past this the form is re-rendered in place instead. */
const FLASH_MAX_BYTES = 3500

/** Post/redirect/get: keep errors and typed values for the next GET of `location`. */
export function redirectWithFlash(reply: FastifyReply, location: string, flash: Flash): FastifyReply | null {
  const value = Buffer.from(JSON.stringify(flash)).toString('base64url')
  if (value.length > FLASH_MAX_BYTES) return null
  reply.setCookie(FLASH_COOKIE, value, { path: '/', httpOnly: true, sameSite: 'lax', signed: true, maxAge: 300 })
  return reply.redirect(location, 303)
}

/** Reads and clears the flash set by the previous POST. */
export function takeFlash(request: FastifyRequest, reply: FastifyReply): Flash {
  const raw = request.cookies[FLASH_COOKIE]
  if (!raw) return {}
  reply.clearCookie(FLASH_COOKIE, { path: '/' })
  const unsigned = request.unsignCookie(raw)
  if (!unsigned.valid || !unsigned.value) return {}
  try {
    return JSON.parse(Buffer.from(unsigned.value, 'base64url').toString('utf8')) as Flash
  } catch {
    return {}
  }
}
