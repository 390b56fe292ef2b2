import type { FastifyInstance } from 'fastify'
import type { RouteOptions } from '../../../../app.ts'
import { parseForm } from '../../../http/forms.ts'
import { safeNext } from '../../plugin.ts'
import { groupSecret, newTotpSecret, totpQrSvg, totpUri } from '../../totp.ts'
import { codeSchema, rotateSession } from '../sign-in/controller.ts'

const VIEW = 'platform/auth/web/two-factor/setup.njk'

/**
 * GET/POST /staff/two-factor/setup. Administrators arrive here half signed in (password
 * accepted, no authenticator yet) and cannot go further until they finish; other staff may
 * come here from their home page to add an authenticator by choice.
 */
export async function twoFactorRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  const { services, config } = opts

  app.get('/staff/two-factor/setup', async (request, reply) => {
    const session = request.staffSession
    if (!session) return reply.redirect('/staff/sign-in', 303)
    if (session.totpEnabled) return reply.redirect(session.stage === 'full' ? '/staff' : '/staff/sign-in/code', 303)
    // The secret waits in the session until a code proves the app holds it, so an abandoned
    // set-up leaves nothing on the account.
    let secret = session.data.totpSetupSecret
    if (!secret) {
      secret = newTotpSecret()
      await services.auth.updateSessionData(session.idHash, { ...session.data, totpSetupSecret: secret })
    }
    const qrSvg = await totpQrSvg(totpUri(secret, session.email, `${config.brand.serviceName} (${config.brand.forceName})`))
    return reply.page(VIEW, {
      title: 'Set up two-factor authentication',
      required: session.stage === 'password',
      qrSvg,
      groupedKey: groupSecret(secret),
    })
  })

  app.post('/staff/two-factor/setup', async (request, reply) => {
    const session = request.staffSession
    if (!session) return reply.redirect('/staff/sign-in', 303)
    const secret = session.data.totpSetupSecret
    if (session.totpEnabled || !secret) return reply.redirect('/staff/two-factor/setup', 303)
    const form = parseForm(codeSchema, request.body)
    // No in-place fallback is needed: a code error always fits in the flash cookie.
    if (!form.ok) return reply.formErrors('/staff/two-factor/setup', form, { template: VIEW, context: { title: 'Set up two-factor authentication' } })
    const ok = await services.auth.enableTotp(session.userId, secret, form.data.code, request.ip)
    if (!ok)
      return reply.formErrors(
        '/staff/two-factor/setup',
        { errors: { code: 'The code is not correct. Check you added the key to your app, then enter the code it shows now' } },
        { template: VIEW, context: { title: 'Set up two-factor authentication' } },
      )
    if (session.stage === 'password') await services.auth.completeSignIn(session.userId, request.ip)
    await rotateSession(request, reply, opts, session.userId, 'full')
    return reply.redirectWithNotice(
      safeNext(session.data.next) ?? '/staff',
      'Two-factor authentication is set up. You will need a code from your app each time you sign in.',
    )
  })
}
