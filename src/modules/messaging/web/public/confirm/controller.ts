import type { FastifyReply } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { maskEmail } from '../../../phone.ts'
import { CONFIRMED_VIEW } from '../check/controller.ts'
import { linkProblem, residentPage, type TokenRequest } from '../shared.ts'
import { pageLang, PUBLIC_WORDS } from '../words.ts'

const VIEW = 'modules/messaging/web/public/confirm/view.njk'

/**
 * The emailed confirmation link. Opening it shows a button; the POST confirms. Mail
 * scanners that open every link in an email therefore cannot confirm on someone's behalf.
 * The page is in the language the resident chose when signing up.
 */
export function confirmController({ services }: RouteOptions) {
  const subscribers = () => services.messaging.subscribers
  return {
    show: async (request: TokenRequest, reply: FastifyReply) => {
      const link = await subscribers().getByLinkToken(request.params.token, 'confirm-email')
      if (!link.ok) return linkProblem(reply, link.reason)
      const lang = pageLang(request, link.subscriber.language)
      if (link.subscriber.emailConfirmedAt) return linkProblem(reply, 'used', { lang })
      return residentPage(reply, lang, VIEW, {
        title: PUBLIC_WORDS[lang].confirm.title,
        token: request.params.token,
        maskedEmail: maskEmail(link.subscriber.email ?? ''),
      })
    },

    confirm: async (request: TokenRequest, reply: FastifyReply) => {
      const result = await subscribers().confirmEmail(request.params.token)
      if (!result.ok) return linkProblem(reply, result.reason === 'used' || result.reason === 'expired' ? result.reason : 'forged')
      const s = await subscribers().getSubscriber(result.subscriberId)
      const lang = pageLang(request, s?.language)
      return residentPage(reply, lang, CONFIRMED_VIEW, {
        title: PUBLIC_WORDS[lang].confirmed.emailTitle,
        channel: 'email',
        managePath: new URL(result.manageUrl).pathname,
      })
    },
  }
}
