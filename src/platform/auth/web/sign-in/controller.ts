import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { RouteOptions } from '../../../../app.ts'
import { parseForm } from '../../../http/forms.ts'
import { clearCsrfCookie, clearSessionCookies, safeNext, SESSION_COOKIE, setSessionCookie } from '../../plugin.ts'
import { limited, lockMessage, SIGN_IN_RATE_LIMIT } from '../shared.ts'

const SIGN_IN_VIEW = 'platform/auth/web/sign-in/view.njk'
const CODE_VIEW = 'platform/auth/web/sign-in/code.njk'

/** One message for an unknown address and a wrong password: it must not reveal which it was. */
export const SIGN_IN_FAILED = 'Your email address or password is not correct'

const signInSchema = z.object({
  email: z.string().trim().min(1, 'Enter your email address').max(254, 'Email address must be 254 characters or fewer'),
  password: z.string().min(1, 'Enter your password').max(1024, 'Password must be 1024 characters or fewer'),
})

/** A 6-digit code; spaces people type (or apps show) between the groups are ignored. */
export const codeSchema = z.object({
  code: z
    .string()
    .transform(v => v.replace(/\s+/g, ''))
    .pipe(z.string().min(1, 'Enter the 6-digit code from your authenticator app').regex(/^\d{6}$/, 'The code must be 6 digits')),
})

/**
 * Ends the session behind the request's cookie (if any) and starts a new one: a fresh token at
 * each step up in privilege, so a token seen before sign-in is worthless after it.
 */
export async function rotateSession(
  request: FastifyRequest,
  reply: FastifyReply,
  opts: RouteOptions,
  userId: string,
  stage: 'password' | 'full',
  data: { next?: string } = {},
): Promise<void> {
  const old = request.cookies[SESSION_COOKIE]
  if (old) await opts.services.auth.deleteSession(old)
  const token = await opts.services.auth.createSession(userId, stage, data)
  setSessionCookie(reply, opts.config, token, stage)
  clearCsrfCookie(reply, opts.config)
}

const signInUrl = (next: string | undefined) => (next ? `/staff/sign-in?next=${encodeURIComponent(next)}` : '/staff/sign-in')

/** GET/POST /staff/sign-in, GET/POST /staff/sign-in/code (the TOTP step), POST /staff/sign-out. */
export async function signInRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  const { services, config } = opts

  app.get('/staff/sign-in', async (request, reply) => {
    const next = safeNext((request.query as Record<string, unknown>).next)
    if (request.staff) return reply.redirect(next ?? '/staff', 303)
    return reply.page(SIGN_IN_VIEW, { title: 'Sign in', next })
  })

  app.post('/staff/sign-in', { config: limited(SIGN_IN_RATE_LIMIT) }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>
    const next = safeNext(body.next)
    const back = signInUrl(next)
    const fallback = { template: SIGN_IN_VIEW, context: { title: 'Sign in', next } }
    const form = parseForm(signInSchema, body)
    if (!form.ok) return reply.formErrors(back, form, fallback)

    const result = await services.auth.signIn(form.data.email, form.data.password, request.ip)
    if (!result.ok) {
      const message = result.reason === 'locked' ? lockMessage(result.lockedUntil) : SIGN_IN_FAILED
      return reply.formErrors(back, { errors: { email: message }, values: { email: form.data.email } }, fallback)
    }
    if (result.needs === 'none') {
      await rotateSession(request, reply, opts, result.userId, 'full')
      return reply.redirect(next ?? '/staff', 303)
    }
    await rotateSession(request, reply, opts, result.userId, 'password', next ? { next } : {})
    return reply.redirect(result.needs === 'code' ? '/staff/sign-in/code' : '/staff/two-factor/setup', 303)
  })

  app.get('/staff/sign-in/code', async (request, reply) => {
    const session = request.staffSession
    if (!session) return reply.redirect('/staff/sign-in', 303)
    if (session.stage === 'full') return reply.redirect('/staff', 303)
    if (!session.totpEnabled) return reply.redirect('/staff/two-factor/setup', 303)
    return reply.page(CODE_VIEW, { title: 'Enter your authentication code' })
  })

  app.post('/staff/sign-in/code', { config: limited(SIGN_IN_RATE_LIMIT) }, async (request, reply) => {
    const session = request.staffSession
    if (!session || session.stage !== 'password' || !session.totpEnabled) return reply.redirect('/staff/sign-in', 303)
    const fallback = { template: CODE_VIEW, context: { title: 'Enter your authentication code' } }
    const form = parseForm(codeSchema, request.body)
    if (!form.ok) return reply.formErrors('/staff/sign-in/code', form, fallback)

    const result = await services.auth.verifySecondFactor(session.userId, form.data.code, request.ip)
    if (result.ok) {
      await rotateSession(request, reply, opts, session.userId, 'full')
      return reply.redirect(safeNext(session.data.next) ?? '/staff', 303)
    }
    if (result.reason === 'locked') {
      // The half-signed-in session ends with the lock; the person starts again later.
      const token = request.cookies[SESSION_COOKIE]
      if (token) await services.auth.deleteSession(token)
      clearSessionCookies(reply, config)
      return reply.formErrors('/staff/sign-in', { errors: { email: lockMessage(result.lockedUntil) } }, { template: SIGN_IN_VIEW, context: { title: 'Sign in' } })
    }
    const message =
      result.reason === 'reused'
        ? 'That code has already been used. Wait for your app to show a new code, then enter it'
        : 'The code is not correct. Enter the code your authenticator app shows now'
    return reply.formErrors('/staff/sign-in/code', { errors: { code: message } }, fallback)
  })

  app.post('/staff/sign-out', async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE]
    if (token) await services.auth.signOut(token, request.ip)
    clearSessionCookies(reply, config)
    return reply.redirectWithNotice('/staff/sign-in', 'You have signed out')
  })
}
