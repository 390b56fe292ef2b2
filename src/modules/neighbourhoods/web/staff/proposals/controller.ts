import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { requireAreaAccess, requireStaff } from '../../../../../platform/auth/access.ts'
import { actorFrom } from '../../../../../platform/audit/service.ts'
import { AppError } from '../../../../../platform/errors.ts'
import { parseForm } from '../../../../../platform/http/forms.ts'
import type { NeighbourhoodRow } from '../../../../areas/service.ts'
import { MAX_RESPONSE, type ProposalRecord } from '../../../proposals.service.ts'
import { NEIGHBOURHOOD_ROLES } from '../../../roles.ts'
import { declineSchema } from './schema.ts'

const LIST_VIEW = 'modules/neighbourhoods/web/staff/proposals/list.njk'
const PROPOSAL_VIEW = 'modules/neighbourhoods/web/staff/proposals/proposal.njk'

type AreaRequest = FastifyRequest<{ Params: { id: string } }>
type ProposalRequest = FastifyRequest<{ Params: { id: string; proposalId: string } }>

const base = (areaId: string) => `/staff/neighbourhoods/${encodeURIComponent(areaId)}`
export const proposalsUrl = (areaId: string) => `${base(areaId)}/proposals`
/** Helper A's priority form adopts the proposal when the priority is set. */
export const setAsPriorityUrl = (areaId: string, proposalId: string) => `${base(areaId)}/priorities/new?proposal=${encodeURIComponent(proposalId)}`

/**
 * Residents' proposals for one neighbourhood, for the team setting priorities at its next
 * meeting: open ones with support counts (most supported first), each with "Set as a priority"
 * (the priorities form, which adopts it) and a page to decline it with a public response or
 * remove it. Neighbourhoods and proposals outside the user's grants are 404.
 */
export function staffProposalsController({ services }: RouteOptions) {
  const proposals = () => services.neighbourhoods.proposals

  async function area(request: AreaRequest): Promise<NeighbourhoodRow> {
    const staff = requireStaff(request, NEIGHBOURHOOD_ROLES)
    const found = await services.areas.getNeighbourhood(request.params.id)
    requireAreaAccess(staff, found?.path, NEIGHBOURHOOD_ROLES)
    return found!
  }

  async function proposal(request: ProposalRequest): Promise<{ nbh: NeighbourhoodRow; proposal: ProposalRecord }> {
    const nbh = await area(request)
    const found = await proposals().getRecord(request.params.proposalId)
    if (!found || found.areaId !== nbh.id) throw new AppError('NOT_FOUND', 'Proposal not found')
    return { nbh, proposal: found }
  }

  const proposalContext = (nbh: NeighbourhoodRow, p: ProposalRecord) => ({
    title: p.issue,
    area: nbh,
    proposal: p,
    setAsPriority: setAsPriorityUrl(nbh.id, p.id),
    maxResponse: MAX_RESPONSE,
  })

  return {
    list: async (request: AreaRequest, reply: FastifyReply) => {
      const nbh = await area(request)
      const list = await proposals().listForArea(nbh.id)
      return reply.page(LIST_VIEW, {
        title: 'Residents’ proposals',
        area: nbh,
        open: list.open.map(p => ({ ...p, setAsPriority: setAsPriorityUrl(nbh.id, p.id) })),
        decided: [...list.adopted, ...list.declined].sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime()),
        supporters: list.open.reduce((n, p) => n + p.supportCount, 0),
      })
    },

    show: async (request: ProposalRequest, reply: FastifyReply) => {
      const { nbh, proposal: p } = await proposal(request)
      return reply.page(PROPOSAL_VIEW, proposalContext(nbh, p))
    },

    decline: async (request: ProposalRequest, reply: FastifyReply) => {
      const { nbh, proposal: p } = await proposal(request)
      const url = `${proposalsUrl(nbh.id)}/${p.id}`
      const form = parseForm(declineSchema, request.body)
      if (!form.ok) return reply.formErrors(url, form, { template: PROPOSAL_VIEW, context: proposalContext(nbh, p) })
      try {
        await proposals().decline(actorFrom(request), nbh.id, p.id, form.data.response)
      } catch (err) {
        if (err instanceof AppError && (err.code === 'INVALID' || err.code === 'CONFLICT'))
          return reply.formErrors(url, { errors: err.fieldErrors ?? { response: err.message }, values: form.data }, { template: PROPOSAL_VIEW, context: proposalContext(nbh, p) })
        throw err
      }
      return reply.redirectWithNotice(proposalsUrl(nbh.id), `The proposal “${p.issue}” is declined. Your response is published on the Have your say page.`)
    },

    remove: async (request: ProposalRequest, reply: FastifyReply) => {
      const { nbh, proposal: p } = await proposal(request)
      try {
        await proposals().remove(actorFrom(request), nbh.id, p.id)
      } catch (err) {
        if (err instanceof AppError && err.code === 'CONFLICT')
          return reply.formErrors(`${proposalsUrl(nbh.id)}/${p.id}`, { errors: { remove: err.message } }, { template: PROPOSAL_VIEW, context: proposalContext(nbh, p) })
        throw err
      }
      return reply.redirectWithNotice(proposalsUrl(nbh.id), 'The proposal has been removed from the public page')
    },
  }
}
