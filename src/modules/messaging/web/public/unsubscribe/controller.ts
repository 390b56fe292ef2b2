import type { FastifyReply } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { manageLink } from '../../../links.ts'
import type { MessagingChannel } from '../../../schema.ts'
import { linkProblem, type TokenRequest } from '../shared.ts'

const VIEW = 'modules/messaging/web/public/unsubscribe/view.njk'
const DONE_VIEW = 'modules/messaging/web/public/unsubscribe/done.njk'

const channelWords = (channels: MessagingChannel[]) =>
  channels.length === 2 ? 'by email or text message' : channels[0] === 'sms' ? 'by text message' : 'by email'

/**
 * Unsubscribing from a message's link. GET asks; POST does it. The POST is also RFC 8058's
 * one-click target (`List-Unsubscribe-Post: List-Unsubscribe=One-Click`): mail clients send
 * it without a CSRF token, so the route skips that check and the signed token is the proof.
 */
export function unsubscribeController({ services, config }: RouteOptions) {
  const subscribers = () => services.messaging.subscribers
  const managePath = (s: { id: string; linkVersion: number }) => new URL(manageLink(config, s)).pathname

  return {
    show: async (request: TokenRequest, reply: FastifyReply) => {
      const link = await subscribers().getByLinkToken(request.params.token, 'unsubscribe')
      if (!link.ok) return linkProblem(reply, link.reason)
      const channels: MessagingChannel[] = link.claims.channel ? [link.claims.channel] : ['email', 'sms']
      return reply.page(VIEW, {
        title: channels.length === 2 ? 'Stop all alerts?' : channels[0] === 'sms' ? 'Stop text message alerts?' : 'Stop email alerts?',
        section: 'alerts',
        token: request.params.token,
        channelWords: channelWords(channels),
        managePath: managePath(link.subscriber),
      })
    },

    unsubscribe: async (request: TokenRequest, reply: FastifyReply) => {
      const result = await subscribers().unsubscribe(request.params.token)
      if (!result.ok) return linkProblem(reply, result.reason)
      const s = (await subscribers().getSubscriber(result.subscriberId))!
      return reply.page(DONE_VIEW, {
        title: 'You have unsubscribed',
        section: 'alerts',
        channelWords: channelWords(result.channels),
        managePath: managePath(s),
      })
    },
  }
}
