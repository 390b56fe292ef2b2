import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { actorFrom } from '../../../../../platform/audit/service.ts'
import { AppError } from '../../../../../platform/errors.ts'
import { keptValues, parseForm } from '../../../../../platform/http/forms.ts'
import type { FieldErrors } from '../../../../../platform/views/nunjucks.ts'
import type { NeighbourhoodRow } from '../../../../areas/service.ts'
import { londonDay, PRIORITY_MESSAGES, STATUS_NAMES, type Priority } from '../../../priorities.service.ts'
import type { ProposalSummary } from '../../../proposals.service.ts'
import { staffNeighbourhood, staffUrl, type NeighbourhoodRequest } from '../neighbourhood/access.ts'
import { dateFromParts, newPrioritySchema, resolveSchema, reviewSchema, updateSchema } from './schema.ts'

const LIST = 'modules/neighbourhoods/web/staff/priorities/list.njk'
const NEW = 'modules/neighbourhoods/web/staff/priorities/new.njk'
const DETAIL = 'modules/neighbourhoods/web/staff/priorities/detail.njk'

type NewRequest = FastifyRequest<{ Params: { id: string }; Querystring: { proposal?: string; event?: string } }>
type PriorityRequest = NeighbourhoodRequest<{ priorityId: string }>

/** Today in London as date-input parts, the default for "when". */
const todayParts = (now: Date) => {
  const [year, month, day] = londonDay(now).split('-')
  return { day: String(Number(day)), month: String(Number(month)), year }
}

const STATUS_ITEMS = (['open', 'in_progress', 'resolved'] as const).map(value => ({ value, text: STATUS_NAMES[value] }))

/**
 * Staff priorities: the list (current with review-due flags, and past), setting a priority
 * (optionally from a resident's proposal, `?proposal=`, or agreed at a meeting, `?event=`),
 * and one priority with its updates and the forms to add an action, record a review or
 * resolve it. Priorities of other neighbourhoods are 404 whatever the URL says.
 */
export function prioritiesController({ services }: RouteOptions) {
  const priorities = services.neighbourhoods.priorities
  const now = () => new Date()

  /** The proposal or meeting named in the address, if it is this neighbourhood's. */
  async function sources(area: NeighbourhoodRow, q: { proposal?: string; event?: string }) {
    const proposalId = typeof q.proposal === 'string' ? q.proposal : ''
    const eventId = typeof q.event === 'string' ? q.event : ''
    let proposal: ProposalSummary | null = null
    if (/^[0-9a-f-]{36}$/i.test(proposalId)) {
      const found = await services.neighbourhoods.proposals.get(proposalId)
      proposal = found && found.areaId === area.id ? found : null
    }
    const meeting = eventId ? await priorities.meetingIn(area.id, eventId) : null
    return { proposal, meeting, missing: Boolean((proposalId && !proposal) || (eventId && !meeting)) }
  }

  const newUrl = (area: NeighbourhoodRow, q: { proposal?: string; event?: string }) => {
    const params = new URLSearchParams()
    if (typeof q.proposal === 'string' && q.proposal) params.set('proposal', q.proposal)
    if (typeof q.event === 'string' && q.event) params.set('event', q.event)
    const qs = params.toString()
    return staffUrl(area.id, `/priorities/new${qs ? `?${qs}` : ''}`)
  }

  async function newContext(area: NeighbourhoodRow, q: { proposal?: string; event?: string }) {
    const { proposal, meeting, missing } = await sources(area, q)
    return { title: `Set a priority: ${area.name}`, area, proposal, meeting, missing, today: todayParts(now()), action: newUrl(area, q) }
  }

  async function detailContext(area: NeighbourhoodRow, p: Priority) {
    return { title: p.issue, area, priority: p, statusNames: STATUS_NAMES, statusItems: STATUS_ITEMS, today: todayParts(now()) }
  }

  async function priorityFor(request: PriorityRequest) {
    const { area } = await staffNeighbourhood(services, request)
    const priority = await priorities.getIn(area.id, request.params.priorityId)
    return { area, priority }
  }

  /** Field errors from the service (bad dates, a resolved priority…), renamed for the form that sent them. */
  const serviceErrors = (err: unknown, rename: Record<string, string> = {}): FieldErrors | null => {
    if (!(err instanceof AppError) || !['INVALID', 'CONFLICT'].includes(err.code)) return null
    const errors: FieldErrors = {}
    for (const [k, v] of Object.entries(err.fieldErrors ?? { form: err.message })) errors[rename[k] ?? k] = v
    return errors
  }

  return {
    list: async (request: NeighbourhoodRequest, reply: FastifyReply) => {
      const { area } = await staffNeighbourhood(services, request)
      const { current, past } = await priorities.listForArea(area.id)
      return reply.page(LIST, { title: `Priorities: ${area.name}`, area, current, past, statusNames: STATUS_NAMES })
    },

    newForm: async (request: NewRequest, reply: FastifyReply) => {
      const { area } = await staffNeighbourhood(services, request)
      return reply.page(NEW, await newContext(area, request.query ?? {}))
    },

    create: async (request: NewRequest, reply: FastifyReply) => {
      const { area } = await staffNeighbourhood(services, request)
      const q = request.query ?? {}
      const body = (request.body ?? {}) as Record<string, unknown>
      const form = parseForm(newPrioritySchema, body)
      const errors: FieldErrors = form.ok ? {} : { ...form.errors }
      const issueDate = dateFromParts(body, 'issueDate', 'the date the priority was set', errors)
      const back = async (e: FieldErrors) =>
        reply.formErrors(newUrl(area, q), { errors: e, values: keptValues(body) }, { template: NEW, context: await newContext(area, q) })
      if (!form.ok || Object.keys(errors).length) return back(errors)
      let created: Priority
      try {
        created = await priorities.create(actorFrom(request), area.id, { issue: form.data.issue, issueDate, proposalId: form.data.proposalId, eventId: form.data.eventId })
      } catch (err) {
        // The proposal and meeting travel in hidden fields: their problems are shown on the issue.
        const e = serviceErrors(err, { proposalId: 'issue', eventId: 'issue' })
        if (!e) throw err
        return back(e)
      }
      return reply.redirectWithNotice(staffUrl(area.id, `/priorities/${created.id}`), 'The priority has been set and published')
    },

    show: async (request: PriorityRequest, reply: FastifyReply) => {
      const { area, priority } = await priorityFor(request)
      return reply.page(DETAIL, await detailContext(area, priority))
    },

    addUpdate: async (request: PriorityRequest, reply: FastifyReply) => {
      const { area, priority } = await priorityFor(request)
      const url = staffUrl(area.id, `/priorities/${priority.id}`)
      const body = (request.body ?? {}) as Record<string, unknown>
      const form = parseForm(updateSchema, body)
      const errors: FieldErrors = form.ok ? {} : { ...form.errors }
      const actionDate = dateFromParts(body, 'actionDate', 'the date of the action', errors)
      const back = async (e: FieldErrors) => reply.formErrors(url, { errors: e, values: keptValues(body) }, { template: DETAIL, context: await detailContext(area, priority) })
      if (priority.status === 'resolved') return back({ action: PRIORITY_MESSAGES.resolved })
      if (!form.ok || Object.keys(errors).length) return back(errors)
      try {
        await priorities.addUpdate(actorFrom(request), area.id, priority.id, { action: form.data.action, actionDate, status: form.data.status })
      } catch (err) {
        const e = serviceErrors(err)
        if (!e) throw err
        return back(e)
      }
      return reply.redirectWithNotice(url, form.data.status === 'resolved' ? 'The action has been added and the priority is resolved' : 'The action has been added')
    },

    review: async (request: PriorityRequest, reply: FastifyReply) => {
      const { area, priority } = await priorityFor(request)
      const url = staffUrl(area.id, `/priorities/${priority.id}`)
      const body = (request.body ?? {}) as Record<string, unknown>
      const form = parseForm(reviewSchema, body)
      const back = async (e: FieldErrors) => reply.formErrors(url, { errors: e, values: keptValues(body) }, { template: DETAIL, context: await detailContext(area, priority) })
      if (!form.ok) return back(form.errors)
      try {
        await priorities.review(actorFrom(request), area.id, priority.id, { note: form.data.note })
      } catch (err) {
        const e = serviceErrors(err)
        if (!e) throw err
        return back(e)
      }
      return reply.redirectWithNotice(url, 'The priority is marked as reviewed today')
    },

    resolve: async (request: PriorityRequest, reply: FastifyReply) => {
      const { area, priority } = await priorityFor(request)
      const url = staffUrl(area.id, `/priorities/${priority.id}`)
      const body = (request.body ?? {}) as Record<string, unknown>
      const form = parseForm(resolveSchema, body)
      const errors: FieldErrors = form.ok ? {} : { ...form.errors }
      const actionDate = dateFromParts(body, 'closingDate', 'the date it was resolved', errors)
      const back = async (e: FieldErrors) => reply.formErrors(url, { errors: e, values: keptValues(body) }, { template: DETAIL, context: await detailContext(area, priority) })
      if (!form.ok || Object.keys(errors).length) return back(errors)
      try {
        await priorities.resolve(actorFrom(request), area.id, priority.id, { action: form.data.closingAction, actionDate })
      } catch (err) {
        const e = serviceErrors(err, { action: 'closingAction', actionDate: 'closingDate' })
        if (!e) throw err
        return back(e)
      }
      return reply.redirectWithNotice(url, 'The priority is resolved. It stays readable on the public page under past priorities')
    },
  }
}
