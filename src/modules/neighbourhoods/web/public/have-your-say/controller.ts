import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { AppError, notFound } from '../../../../../platform/errors.ts'
import { parseForm, redirectWithFlash } from '../../../../../platform/http/forms.ts'
import type { NeighbourhoodRow } from '../../../../areas/service.ts'
import { MAX_DETAILS, MAX_ISSUE, PROPOSAL_MESSAGES } from '../../../proposals.service.ts'
import { proposeSchema } from './schema.ts'
import { ensureSupporterId, readSupporterId } from './supporter.ts'

const VIEW = 'modules/neighbourhoods/web/public/have-your-say/view.njk'

type PageRequest = FastifyRequest<{ Params: { id: string } }>
type SupportRequest = FastifyRequest<{ Params: { id: string; proposalId: string } }>

export const haveYourSayUrl = (areaId: string) => `/neighbourhoods/${encodeURIComponent(areaId)}/have-your-say`

/**
 * "Have your say on priorities": open proposals with their support counts (most supported
 * first), what the team decided about earlier ones, a form to propose an issue and a button to
 * support each open proposal. Supporting is a POST with the CSRF token; one support per browser
 * (see supporter.ts), and this browser's supports show as such.
 */
export function haveYourSayController({ services, config }: RouteOptions) {
  const proposals = () => services.neighbourhoods.proposals

  async function neighbourhood(id: string): Promise<NeighbourhoodRow> {
    const area = await services.areas.getNeighbourhood(id)
    if (!area) throw notFound('Neighbourhood')
    return area
  }

  async function context(request: FastifyRequest, area: NeighbourhoodRow) {
    const list = await proposals().listForArea(area.id)
    const supporterId = readSupporterId(request)
    const mine = supporterId ? await proposals().supportedBy(proposals().supporterKey(supporterId), list.open.map(p => p.id)) : new Set<string>()
    return {
      title: `Have your say on priorities in ${area.name}`,
      area,
      open: list.open.map(p => ({ ...p, supported: mine.has(p.id) })),
      adopted: list.adopted,
      declined: list.declined,
      maxIssue: MAX_ISSUE,
      maxDetails: MAX_DETAILS,
    }
  }

  return {
    show: async (request: PageRequest, reply: FastifyReply) => {
      const area = await neighbourhood(request.params.id)
      return reply.page(VIEW, await context(request, area))
    },

    propose: async (request: PageRequest, reply: FastifyReply) => {
      const area = await neighbourhood(request.params.id)
      const url = haveYourSayUrl(area.id)
      const form = parseForm(proposeSchema, request.body)
      if (!form.ok) return reply.formErrors(url, form, { template: VIEW, context: await context(request, area) })
      const key = proposals().supporterKey(ensureSupporterId(request, reply, config))
      try {
        await proposals().propose(area.id, form.data, key)
      } catch (err) {
        if (err instanceof AppError && err.code === 'INVALID')
          return reply.formErrors(url, { errors: err.fieldErrors ?? { issue: err.message }, values: form.data }, { template: VIEW, context: await context(request, area) })
        throw err
      }
      return reply.redirectWithNotice(
        url,
        'Thank you. Your proposal has been added, with your support counted. The team looks at proposals when setting priorities at its next meeting.',
      )
    },

    support: async (request: SupportRequest, reply: FastifyReply) => {
      const area = await neighbourhood(request.params.id)
      const key = proposals().supporterKey(ensureSupporterId(request, reply, config))
      const result = await proposals().support(area.id, request.params.proposalId, key)
      const text = result === 'added' ? PROPOSAL_MESSAGES.supported : result === 'already' ? PROPOSAL_MESSAGES.alreadySupported : PROPOSAL_MESSAGES.closed
      const url = haveYourSayUrl(area.id)
      return redirectWithFlash(reply, url, { notice: { text, success: result === 'added' } }) ?? reply.redirect(url, 303)
    },
  }
}
