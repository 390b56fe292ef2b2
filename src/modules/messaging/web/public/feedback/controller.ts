import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { parseForm } from '../../../../../platform/http/forms.ts'
import { linkProblem, residentPage } from '../shared.ts'
import { errorsIn, langContext, langSuffix, pageLang, PUBLIC_WORDS } from '../words.ts'
import { feedbackSchema } from './schema.ts'

const VIEW = 'modules/messaging/web/public/feedback/view.njk'
const THANKS_VIEW = 'modules/messaging/web/public/feedback/thanks.njk'

type FeedbackRequest = FastifyRequest<{ Params: { token: string }; Querystring: { useful?: string; lang?: string } }>

/**
 * "Was this message useful?" from the link in a message, in the resident's language. Opening
 * the link only shows the question (with ?useful=yes|no pre-selected), so link scanners do not
 * answer for people.
 */
export function feedbackController({ services }: RouteOptions) {
  const subscribers = () => services.messaging.subscribers

  async function resolve(request: FeedbackRequest, reply: FastifyReply) {
    const link = await subscribers().getByLinkToken(request.params.token, 'feedback')
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
    return { lang, message, subscriberLang: link.subscriber.language }
  }

  return {
    show: async (request: FeedbackRequest, reply: FastifyReply) => {
      const found = await resolve(request, reply)
      if (!found) return reply
      const chosen = request.query.useful === 'yes' || request.query.useful === 'no' ? request.query.useful : undefined
      return residentPage(reply, found.lang, VIEW, { title: PUBLIC_WORDS[found.lang].feedback.title, token: request.params.token, message: found.message, chosen })
    },

    record: async (request: FeedbackRequest, reply: FastifyReply) => {
      const token = request.params.token
      const form = parseForm(feedbackSchema, request.body)
      if (!form.ok) {
        const found = await resolve(request, reply)
        if (!found) return reply
        const { lang } = found
        const url = `/alerts/feedback/${token}${langSuffix(request, lang, found.subscriberLang === 'cy' ? 'cy' : 'en')}`
        return reply.formErrors(url, { errors: errorsIn(lang, form.errors), values: form.values }, {
          template: VIEW,
          context: { ...langContext(request, lang), title: PUBLIC_WORDS[lang].feedback.title, section: 'alerts', token, message: found.message },
        })
      }
      const result = await subscribers().recordFeedback(token, form.data.useful === 'yes')
      if (!result.ok) return linkProblem(reply, result.reason === 'no-message' ? 'forged' : result.reason)
      const s = await subscribers().getSubscriber(result.subscriberId)
      const lang = pageLang(request, s?.language)
      return residentPage(reply, lang, THANKS_VIEW, { title: PUBLIC_WORDS[lang].feedback.thanksTitle })
    },
  }
}
