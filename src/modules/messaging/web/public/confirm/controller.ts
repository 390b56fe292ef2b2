import type { FastifyReply } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { maskEmail } from '../../../phone.ts'
import { CONFIRMED_VIEW } from '../check/controller.ts'
import { linkProblem, type TokenRequest } from '../shared.ts'

const VIEW = 'modules/messaging/web/public/confirm/view.njk'

/**
 * The emailed confirmation link. Opening it shows a button; the POST confirms. Mail
 * scanners that open every link in an email therefore cannot confirm on someone's behalf.
 */
export function confirmController({ services }: RouteOptions) {
  const subscribers = () => services.messaging.subscribers
  return {
    show: async (request: TokenRequest, reply: FastifyReply) => {
      const link = await subscribers().getByLinkToken(request.params.token, 'confirm-email')
      if (!link.ok) return linkProblem(reply, link.reason)
      if (link.subscriber.emailConfirmedAt) return linkProblem(reply, 'used')
      return reply.page(VIEW, {
        title: 'Confirm your email address',
        section: 'alerts',
        token: request.params.token,
        maskedEmail: maskEmail(link.subscriber.email ?? ''),
      })
    },

    confirm: async (request: TokenRequest, reply: FastifyReply) => {
      const result = await subscribers().confirmEmail(request.params.token)
      if (!result.ok) return linkProblem(reply, result.reason === 'used' || result.reason === 'expired' ? result.reason : 'forged')
      return reply.page(CONFIRMED_VIEW, {
        title: 'Email address confirmed',
        section: 'alerts',
        channel: 'email',
        managePath: new URL(result.manageUrl).pathname,
      })
    },
  }
}
