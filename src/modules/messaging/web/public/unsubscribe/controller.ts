import type { FastifyReply } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { manageLink } from '../../../links.ts'
import type { MessagingChannel } from '../../../schema.ts'
import { linkProblem, residentPage, type TokenRequest } from '../shared.ts'
import { pageLang, PUBLIC_WORDS, type Lang } from '../words.ts'

const VIEW = 'modules/messaging/web/public/unsubscribe/view.njk'
const DONE_VIEW = 'modules/messaging/web/public/unsubscribe/done.njk'

const channelWords = (lang: Lang, channels: MessagingChannel[]) => {
  const c = PUBLIC_WORDS[lang].unsubscribe.channels
  return channels.length === 2 ? c.both : channels[0] === 'sms' ? c.sms : c.email
}

/**
 * Unsubscribing from a message's link, in the resident's language. GET asks; POST does it.
 * The POST is also RFC 8058's one-click target (`List-Unsubscribe-Post:
 * List-Unsubscribe=One-Click`): mail clients send it without a CSRF token, so the route skips
 * that check and the signed token is the proof.
 */
export function unsubscribeController({ services, config }: RouteOptions) {
  const subscribers = () => services.messaging.subscribers
  const managePath = (s: { id: string; linkVersion: number }) => new URL(manageLink(config, s)).pathname

  return {
    show: async (request: TokenRequest, reply: FastifyReply) => {
      const link = await subscribers().getByLinkToken(request.params.token, 'unsubscribe')
      if (!link.ok) return linkProblem(reply, link.reason)
      const lang = pageLang(request, link.subscriber.language)
      const u = PUBLIC_WORDS[lang].unsubscribe
      const channels: MessagingChannel[] = link.claims.channel ? [link.claims.channel] : ['email', 'sms']
      return residentPage(reply, lang, VIEW, {
        title: channels.length === 2 ? u.titleAll : channels[0] === 'sms' ? u.titleSms : u.titleEmail,
        token: request.params.token,
        channelWords: channelWords(lang, channels),
        managePath: managePath(link.subscriber),
      })
    },

    unsubscribe: async (request: TokenRequest, reply: FastifyReply) => {
      const result = await subscribers().unsubscribe(request.params.token)
      if (!result.ok) return linkProblem(reply, result.reason)
      const s = (await subscribers().getSubscriber(result.subscriberId))!
      const lang = pageLang(request, s.language)
      return residentPage(reply, lang, DONE_VIEW, {
        title: PUBLIC_WORDS[lang].unsubscribe.doneTitle,
        channelWords: channelWords(lang, result.channels),
        managePath: managePath(s),
      })
    },
  }
}
