import type { FastifyReply } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { parseForm } from '../../../../../platform/http/forms.ts'
import { maskEmail, maskPhone } from '../../../phone.ts'
import { MAX_REPLY_LENGTH, type MessageForLink, type Subscriber } from '../../../subscribers.service.ts'
import { fieldErrorsOf, linkProblem, residentPage, type TokenRequest } from '../shared.ts'
import { errorsIn, langContext, langSuffix, pageLang, PUBLIC_WORDS, type Lang } from '../words.ts'
import { replySchema } from './schema.ts'

const VIEW = 'modules/messaging/web/public/reply/view.njk'
const CLOSED_VIEW = 'modules/messaging/web/public/reply/closed.njk'
const SENT_VIEW = 'modules/messaging/web/public/reply/sent.njk'

/** The web form for replying to a message, reached from the reply link in it, in the resident's language. */
export function replyController({ services }: RouteOptions) {
  const subscribers = () => services.messaging.subscribers

  async function resolve(request: TokenRequest, reply: FastifyReply): Promise<{ s: Subscriber; message: MessageForLink; lang: Lang } | null> {
    const link = await subscribers().getByLinkToken(request.params.token, 'reply')
    if (!link.ok) {
      linkProblem(reply, link.reason)
      return null
    }
    const lang = pageLang(request, link.subscriber.language)
    const message = await subscribers().messageFor(link.claims.messageId, link.subscriber.language)
    if (!message) {
      linkProblem(reply, 'forged', { lang })
      return null
    }
    if (!message.allowReplies) {
      // Anything typed is shown back, so it can be copied and sent another way.
      const typed = String((request.body as Record<string, unknown> | undefined)?.body ?? '').trim()
      residentPage(reply, lang, CLOSED_VIEW, { title: PUBLIC_WORDS[lang].reply.closedTitle, message, typed }, 410)
      return null
    }
    return { s: link.subscriber, message, lang }
  }

  const context = (request: TokenRequest, lang: Lang, token: string, s: Subscriber, message: MessageForLink) => {
    const r = PUBLIC_WORDS[lang].reply
    return {
      ...langContext(request, lang),
      title: r.title,
      section: 'alerts',
      token,
      message,
      maxLength: MAX_REPLY_LENGTH,
      answerItems: [
        ...(s.email ? [{ value: 'email', text: r.byEmailTo(maskEmail(s.email)) }] : []),
        ...(s.phone ? [{ value: 'sms', text: r.bySmsTo(maskPhone(s.phone)) }] : []),
        { value: 'none', text: r.noAnswer },
      ],
    }
  }

  return {
    show: async (request: TokenRequest, reply: FastifyReply) => {
      const found = await resolve(request, reply)
      if (!found) return reply
      return reply.page(VIEW, context(request, found.lang, request.params.token, found.s, found.message))
    },

    send: async (request: TokenRequest, reply: FastifyReply) => {
      const found = await resolve(request, reply)
      if (!found) return reply
      const { lang } = found
      const token = request.params.token
      const url = `/alerts/reply/${token}${langSuffix(request, lang, found.s.language === 'cy' ? 'cy' : 'en')}`
      const fallback = { template: VIEW, context: context(request, lang, token, found.s, found.message) }
      const form = parseForm(replySchema, request.body)
      if (!form.ok) return reply.formErrors(url, { errors: errorsIn(lang, form.errors), values: form.values }, fallback)
      const { body, answerChannel } = form.data
      try {
        const result = await subscribers().recordReply(token, { body, answerChannel: answerChannel === 'none' ? null : answerChannel })
        if (!result.ok) return result.reason === 'closed' ? reply.redirect(url, 303) : linkProblem(reply, result.reason === 'no-message' ? 'forged' : result.reason, { lang })
      } catch (err) {
        const errors = fieldErrorsOf(err)
        if (!errors) throw err
        return reply.formErrors(url, { errors: errorsIn(lang, errors), values: { body, answerChannel } }, fallback)
      }
      return residentPage(reply, lang, SENT_VIEW, { title: PUBLIC_WORDS[lang].reply.sentTitle, message: found.message, answerChannel })
    },
  }
}
