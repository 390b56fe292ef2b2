import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { parseForm } from '../../../../../platform/http/forms.ts'
import { linkProblem } from '../shared.ts'
import { feedbackSchema } from './schema.ts'

const VIEW = 'modules/messaging/web/public/feedback/view.njk'
const THANKS_VIEW = 'modules/messaging/web/public/feedback/thanks.njk'

type FeedbackRequest = FastifyRequest<{ Params: { token: string }; Querystring: { useful?: string } }>

/**
 * "Was this message useful?" from the link in a message. Opening the link only shows the
 * question (with ?useful=yes|no pre-selected), so link scanners do not answer for people.
 */
export function feedbackController({ services }: RouteOptions) {
  const subscribers = () => services.messaging.subscribers

  return {
    show: async (request: FeedbackRequest, reply: FastifyReply) => {
      const link = await subscribers().getByLinkToken(request.params.token, 'feedback')
      if (!link.ok) return linkProblem(reply, link.reason)
      const message = await subscribers().messageFor(link.claims.messageId)
      if (!message) return linkProblem(reply, 'forged')
      const chosen = request.query.useful === 'yes' || request.query.useful === 'no' ? request.query.useful : undefined
      return reply.page(VIEW, { title: 'Was this message useful?', section: 'alerts', token: request.params.token, message, chosen })
    },

    record: async (request: FeedbackRequest, reply: FastifyReply) => {
      const token = request.params.token
      const form = parseForm(feedbackSchema, request.body)
      if (!form.ok) {
        const link = await subscribers().getByLinkToken(token, 'feedback')
        if (!link.ok) return linkProblem(reply, link.reason)
        const message = await subscribers().messageFor(link.claims.messageId)
        if (!message) return linkProblem(reply, 'forged')
        return reply.formErrors(`/alerts/feedback/${token}`, form, { template: VIEW, context: { title: 'Was this message useful?', section: 'alerts', token, message } })
      }
      const result = await subscribers().recordFeedback(token, form.data.useful === 'yes')
      if (!result.ok) return linkProblem(reply, result.reason === 'no-message' ? 'forged' : result.reason)
      return reply.page(THANKS_VIEW, { title: 'Thank you for your feedback', section: 'alerts' })
    },
  }
}
