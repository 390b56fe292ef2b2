import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import type { RouteOptions } from '../../../../app.ts'
import { parseForm } from '../../../http/forms.ts'
import { requireStaff } from '../../access.ts'
import { rotateSession } from '../sign-in/controller.ts'
import { limited, SIGN_IN_RATE_LIMIT } from '../shared.ts'

const VIEW = 'platform/auth/web/account/password.njk'

const schema = z
  .object({
    currentPassword: z.string().min(1, 'Enter your current password'),
    newPassword: z.string().min(1, 'Enter a new password'),
    confirmPassword: z.string().min(1, 'Enter the new password again'),
  })
  .refine(v => v.newPassword === v.confirmPassword, { path: ['confirmPassword'], message: 'The passwords do not match' })

/**
 * GET/POST /staff/account/password: change your own password (for example the one-off password
 * `beacon create-admin` prints). Other sessions end; this browser gets a fresh one.
 */
export async function accountRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  const { services } = opts

  app.get('/staff/account/password', async (request, reply) => {
    requireStaff(request)
    return reply.page(VIEW, { title: 'Change your password' })
  })

  // Rate-limited like sign-in: the current-password check is a password oracle too.
  app.post('/staff/account/password', { config: limited(SIGN_IN_RATE_LIMIT) }, async (request, reply) => {
    const staff = requireStaff(request)
    const fallback = { template: VIEW, context: { title: 'Change your password' } }
    const form = parseForm(schema, request.body)
    if (!form.ok) return reply.formErrors('/staff/account/password', form, fallback)
    const result = await services.auth.changePassword(staff.userId, form.data.currentPassword, form.data.newPassword, request.ip)
    if (!result.ok) return reply.formErrors('/staff/account/password', { errors: { [result.field]: result.message } }, fallback)
    await rotateSession(request, reply, opts, staff.userId, 'full')
    return reply.redirectWithNotice('/staff', 'Your password has been changed. You have been signed out everywhere else.')
  })
}
