import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../app.ts'
import { interestsController } from '../staff/interests/controller.ts'
import { checkController } from './check/controller.ts'
import { confirmController } from './confirm/controller.ts'
import { feedbackController } from './feedback/controller.ts'
import { manageController } from './manage/controller.ts'
import { replyController } from './reply/controller.ts'
import { limited, limits, perLinkLimit, type TokenRequest } from './shared.ts'
import { signUpController } from './sign-up/controller.ts'
import { startController } from './start/controller.ts'
import { unsubscribeController } from './unsubscribe/controller.ts'

/**
 * Residents' alert pages (sign-up, confirmation, manage, unsubscribe, reply, feedback) and
 * the administrators' interest taxonomy page. Every POST a resident can send is rate-limited
 * per address; the one-click unsubscribe POST skips CSRF (RFC 8058), the signed token is the proof.
 */
export async function messagingPublicRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  const start = startController(opts)
  const signUp = signUpController(opts)
  const check = checkController(opts)
  const confirm = confirmController(opts)
  const manage = manageController(opts)
  const unsubscribe = unsubscribeController(opts)
  const reply = replyController(opts)
  const feedback = feedbackController(opts)
  const interests = interestsController(opts)

  app.get('/alerts', start.show)
  app.get('/alerts/sign-up', signUp.form)
  app.post('/alerts/sign-up', limited(limits.signUp), signUp.submit)
  app.get('/alerts/check', check.show)
  app.post('/alerts/check', limited(limits.code), check.code)
  app.post('/alerts/check/resend', limited(limits.resend), check.resend)
  // Signed tokens are longer than the router's 100-character limit on a path parameter, so
  // link pages take the rest of the path ("<token>" or "<token>/<action>") and split it.
  linkRoutes(app, 'GET', '/alerts/confirm', { '': confirm.show })
  linkRoutes(app, 'POST', '/alerts/confirm', { '': confirm.confirm }, limited(limits.code))
  linkRoutes(app, 'GET', '/alerts/manage', { '': manage.show, download: manage.download, delete: manage.confirmDelete })
  linkRoutes(
    app,
    'POST',
    '/alerts/manage',
    { '': manage.update, consent: manage.consent, code: manage.code, resend: manage.resend, delete: manage.delete },
    limited(limits.manage),
  )
  linkRoutes(app, 'GET', '/alerts/unsubscribe', { '': unsubscribe.show })
  // RFC 8058 one-click: mail clients post without a CSRF token; the signed token is the proof.
  linkRoutes(app, 'POST', '/alerts/unsubscribe', { '': unsubscribe.unsubscribe }, limited(perLinkLimit, { csrf: false }))
  linkRoutes(app, 'GET', '/alerts/reply', { '': reply.show })
  linkRoutes(app, 'POST', '/alerts/reply', { '': reply.send }, limited(limits.reply))
  linkRoutes(app, 'GET', '/alerts/feedback', { '': feedback.show })
  linkRoutes(app, 'POST', '/alerts/feedback', { '': feedback.record }, limited(limits.oneClick))

  app.get('/staff/messaging/interests', interests.list)
  app.post('/staff/messaging/interests', interests.add)
  app.get('/staff/messaging/interests/:id', interests.show)
  app.post('/staff/messaging/interests/:id', interests.update)
  app.post('/staff/messaging/interests/:id/move', interests.move)
}

// Handlers take a request with `params.token`; each declares the rest of its own request type,
// which is why this one signature is loose.
type LinkHandler = (request: any, reply: FastifyReply) => Promise<unknown>

/**
 * Routes `<prefix>/<token>` and `<prefix>/<token>/<action>` to the handler for the action,
 * with the token in `params.token` as a `:token` route would give it. Anything else is a 404.
 */
function linkRoutes(
  app: FastifyInstance,
  method: 'GET' | 'POST',
  prefix: string,
  actions: Record<string, LinkHandler>,
  options: { config?: Record<string, unknown> } = {},
) {
  app.route({
    method,
    url: `${prefix}/*`,
    ...options,
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      const rest = (request.params as Record<string, string>)['*'] ?? ''
      const [token = '', action = '', ...extra] = rest.split('/')
      const handler = Object.hasOwn(actions, action) ? actions[action] : undefined
      if (!token || extra.length || !handler) return reply.callNotFound()
      ;(request as TokenRequest).params = { token }
      return handler(request, reply)
    },
  })
}
