import type { FastifyReply } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { parseForm } from '../../../../../platform/http/forms.ts'
import { maskEmail, maskPhone } from '../../../phone.ts'
import { MAX_REPLY_LENGTH, type MessageForLink, type Subscriber } from '../../../subscribers.service.ts'
import { fieldErrorsOf, linkProblem, type TokenRequest } from '../shared.ts'
import { replySchema } from './schema.ts'

const VIEW = 'modules/messaging/web/public/reply/view.njk'
const CLOSED_VIEW = 'modules/messaging/web/public/reply/closed.njk'
const SENT_VIEW = 'modules/messaging/web/public/reply/sent.njk'

/** The web form for replying to a message, reached from the reply link in it. */
export function replyController({ services }: RouteOptions) {
  const subscribers = () => services.messaging.subscribers

  async function resolve(request: TokenRequest, reply: FastifyReply): Promise<{ s: Subscriber; message: MessageForLink } | null> {
    const link = await subscribers().getByLinkToken(request.params.token, 'reply')
    if (!link.ok) {
      linkProblem(reply, link.reason)
      return null
    }
    const message = await subscribers().messageFor(link.claims.messageId)
    if (!message) {
      linkProblem(reply, 'forged')
      return null
    }
    if (!message.allowReplies) {
      // Anything typed is shown back, so it can be copied and sent another way.
      const typed = String((request.body as Record<string, unknown> | undefined)?.body ?? '').trim()
      reply.page(CLOSED_VIEW, { title: 'This message does not take replies', section: 'alerts', message, typed }, 410)
      return null
    }
    return { s: link.subscriber, message }
  }

  const context = (token: string, s: Subscriber, message: MessageForLink) => ({
    title: 'Reply to this message',
    section: 'alerts',
    token,
    message,
    maxLength: MAX_REPLY_LENGTH,
    answerItems: [
      ...(s.email ? [{ value: 'email', text: `By email to ${maskEmail(s.email)}` }] : []),
      ...(s.phone ? [{ value: 'sms', text: `By text message to ${maskPhone(s.phone)}` }] : []),
      { value: 'none', text: 'I do not need an answer' },
    ],
  })

  return {
    show: async (request: TokenRequest, reply: FastifyReply) => {
      const found = await resolve(request, reply)
      if (!found) return reply
      return reply.page(VIEW, context(request.params.token, found.s, found.message))
    },

    send: async (request: TokenRequest, reply: FastifyReply) => {
      const found = await resolve(request, reply)
      if (!found) return reply
      const token = request.params.token
      const url = `/alerts/reply/${token}`
      const fallback = { template: VIEW, context: context(token, found.s, found.message) }
      const form = parseForm(replySchema, request.body)
      if (!form.ok) return reply.formErrors(url, form, fallback)
      const { body, answerChannel } = form.data
      try {
        const result = await subscribers().recordReply(token, { body, answerChannel: answerChannel === 'none' ? null : answerChannel })
        if (!result.ok) return result.reason === 'closed' ? reply.redirect(url, 303) : linkProblem(reply, result.reason === 'no-message' ? 'forged' : result.reason)
      } catch (err) {
        const errors = fieldErrorsOf(err)
        if (!errors) throw err
        return reply.formErrors(url, { errors, values: { body, answerChannel } }, fallback)
      }
      return reply.page(SENT_VIEW, { title: 'Reply sent', section: 'alerts', message: found.message, answerChannel })
    },
  }
}
