import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { AppError, notFound } from '../../../../../platform/errors.ts'
import type { NeighbourhoodRow } from '../../../../areas/service.ts'
import { CONTACT_TOPICS, MAX_MESSAGE, TOPIC_NAMES } from '../../../contact.service.ts'
import { RESPONSE_TARGET_HOURS } from '../../../response-clock.ts'
import { parseContactForm } from './schema.ts'
import { signSent, verifySent } from './token.ts'

const VIEW = 'modules/neighbourhoods/web/public/contact/view.njk'
const SENT_VIEW = 'modules/neighbourhoods/web/public/contact/sent.njk'
const EXPIRED_VIEW = 'modules/neighbourhoods/web/public/contact/expired.njk'

type ContactRequest = FastifyRequest<{ Params: { id: string } }>
type SentRequest = FastifyRequest<{ Params: { id: string; token: string } }>

export const contactUrl = (areaId: string) => `/neighbourhoods/${encodeURIComponent(areaId)}/contact`

/**
 * "Contact your team": the form (what about, the message, an optional name, how to reply),
 * then a confirmation page with the reference. The query is committed before the resident is
 * told anything; the confirmation page's address carries a short-lived signed token (never a
 * guessable id), so reloading it works but making one up does not.
 */
export function contactController({ services, config }: RouteOptions) {
  async function neighbourhood(id: string): Promise<NeighbourhoodRow> {
    const area = await services.areas.getNeighbourhood(id)
    if (!area) throw notFound('Neighbourhood')
    return area
  }

  const context = (area: NeighbourhoodRow) => ({
    title: `Contact the ${area.name} team`,
    area,
    topicItems: CONTACT_TOPICS.map(t => ({ value: t, text: TOPIC_NAMES[t] })),
    maxMessage: MAX_MESSAGE,
    targetHours: RESPONSE_TARGET_HOURS,
  })

  return {
    show: async (request: ContactRequest, reply: FastifyReply) => {
      const area = await neighbourhood(request.params.id)
      return reply.page(VIEW, context(area))
    },

    send: async (request: ContactRequest, reply: FastifyReply) => {
      const area = await neighbourhood(request.params.id)
      const url = contactUrl(area.id)
      const form = parseContactForm(request.body)
      if (!form.ok) return reply.formErrors(url, form, { template: VIEW, context: context(area) })
      let saved
      try {
        saved = await services.neighbourhoods.contact.submit(area.id, form.data)
      } catch (err) {
        if (err instanceof AppError && err.code === 'INVALID')
          return reply.formErrors(url, { errors: err.fieldErrors ?? { message: err.message }, values: { ...form.data } }, { template: VIEW, context: context(area) })
        throw err
      }
      const token = signSent(config.sessionSecret, {
        reference: saved.reference,
        areaId: area.id,
        acknowledged: saved.acknowledged,
        replyBy: form.data.replyBy,
      })
      return reply.redirect(`${url}/sent/${token}`, 303)
    },

    sent: async (request: SentRequest, reply: FastifyReply) => {
      const area = await neighbourhood(request.params.id)
      // The reference is for this person only: keep it out of shared caches.
      reply.header('cache-control', 'no-store')
      const check = verifySent(config.sessionSecret, request.params.token)
      if (!check.ok && check.reason === 'expired')
        return reply.page(EXPIRED_VIEW, { title: 'This confirmation page has expired', area }, 410)
      if (!check.ok || check.claims.areaId !== area.id) throw notFound('Page')
      return reply.page(SENT_VIEW, {
        title: 'Message sent',
        area,
        reference: check.claims.reference,
        acknowledged: check.claims.acknowledged,
        replyBy: check.claims.replyBy,
        targetHours: RESPONSE_TARGET_HOURS,
      })
    },
  }
}
