import type { FastifyInstance, FastifyReply } from 'fastify'
import { z } from 'zod'
import type { RouteOptions } from '../../../../app.ts'
import { parseForm } from '../../../http/forms.ts'
import { clearSessionCookies } from '../../plugin.ts'
import { limited, RESET_RATE_LIMIT } from '../shared.ts'

const FORGOT_VIEW = 'platform/auth/web/password/forgot.njk'
const SENT_VIEW = 'platform/auth/web/password/sent.njk'
const RESET_VIEW = 'platform/auth/web/password/reset.njk'
const INVALID_VIEW = 'platform/auth/web/password/invalid.njk'

const forgotSchema = z.object({
  email: z
    .string()
    .trim()
    .min(1, 'Enter your email address')
    .max(254, 'Email address must be 254 characters or fewer')
    .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'Enter an email address in the correct format, like name@example.com'),
})

const resetSchema = z
  .object({
    newPassword: z.string().min(1, 'Enter a new password'),
    confirmPassword: z.string().min(1, 'Enter the new password again'),
  })
  .refine(v => v.newPassword === v.confirmPassword, { path: ['confirmPassword'], message: 'The passwords do not match' })

/**
 * GET/POST /staff/forgot-password, GET /staff/forgot-password/sent and
 * GET/POST /staff/reset-password/:token (also the link in an invitation).
 */
export async function passwordRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  const { services, config } = opts

  app.get('/staff/forgot-password', async (_request, reply) => reply.page(FORGOT_VIEW, { title: 'Reset your password' }))

  app.post('/staff/forgot-password', { config: limited(RESET_RATE_LIMIT) }, async (request, reply) => {
    const form = parseForm(forgotSchema, request.body)
    if (!form.ok) return reply.formErrors('/staff/forgot-password', form, { template: FORGOT_VIEW, context: { title: 'Reset your password' } })
    await services.auth.requestPasswordReset(form.data.email, request.ip)
    // The same answer whether or not there is an account: the page must not confirm addresses.
    return reply.redirect('/staff/forgot-password/sent', 303)
  })

  app.get('/staff/forgot-password/sent', async (_request, reply) =>
    reply.page(SENT_VIEW, { title: 'Check your email', resetMinutes: config.auth.resetMinutes }),
  )

  const invalidLink = (reply: FastifyReply) =>
    reply.page(INVALID_VIEW, { title: 'This link has expired or has already been used' }, 410)

  app.get('/staff/reset-password/:token', async (request, reply) => {
    const { token } = request.params as { token: string }
    const target = await services.auth.checkResetToken(token)
    if (!target) return invalidLink(reply)
    return reply.page(RESET_VIEW, { title: target.firstPassword ? 'Set your password' : 'Reset your password', target })
  })

  app.post('/staff/reset-password/:token', { config: limited(RESET_RATE_LIMIT) }, async (request, reply) => {
    const { token } = request.params as { token: string }
    const target = await services.auth.checkResetToken(token)
    if (!target) return invalidLink(reply)
    const here = `/staff/reset-password/${encodeURIComponent(token)}`
    const fallback = { template: RESET_VIEW, context: { title: target.firstPassword ? 'Set your password' : 'Reset your password', target } }
    const form = parseForm(resetSchema, request.body)
    if (!form.ok) return reply.formErrors(here, form, fallback)
    const result = await services.auth.resetPassword(token, form.data.newPassword, request.ip)
    if (!result.ok && result.reason === 'invalid-link') return invalidLink(reply)
    if (!result.ok) return reply.formErrors(here, { errors: { newPassword: result.reason === 'weak' ? result.problem : 'Enter a new password' } }, fallback)
    // Every session of the account has ended; this browser's cookie is now worthless, so drop it.
    clearSessionCookies(reply, config)
    return reply.redirectWithNotice('/staff/sign-in', 'Your password has been set. Sign in with your new password.')
  })
}
