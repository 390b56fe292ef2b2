import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { requireStaff } from '../../../../../platform/auth/access.ts'
import { actorFrom } from '../../../../../platform/audit/service.ts'
import { AppError } from '../../../../../platform/errors.ts'
import { parseForm } from '../../../../../platform/http/forms.ts'
import { interestEditSchema, interestSchema, moveSchema } from './schema.ts'

const LIST_VIEW = 'modules/messaging/web/staff/interests/list.njk'
const EDIT_VIEW = 'modules/messaging/web/staff/interests/edit.njk'
const LIST_URL = '/staff/messaging/interests'
const ADMIN = ['administrator'] as const

type IdRequest = FastifyRequest<{ Params: { id: string } }>

/**
 * Administrators manage the interest taxonomy residents choose from: add, rename (English and
 * Welsh), reorder, deactivate. Every change is audited. Member counts are totals only.
 */
export function interestsController({ services }: RouteOptions) {
  const subscribers = () => services.messaging.subscribers

  async function listContext() {
    const interests = await subscribers().listInterests({ includeInactive: true })
    const counts = await services.db.query<{ interest_id: string; n: number }>(
      `select interest_id, count(*)::int as n from msg_subscriber_interests group by interest_id`,
    )
    return {
      title: 'Alert interests',
      interests: interests.map(i => ({ ...i, members: counts.find(c => c.interest_id === i.id)?.n ?? 0 })),
    }
  }

  async function find(id: string) {
    const interest = (await subscribers().listInterests({ includeInactive: true })).find(i => i.id === id)
    if (!interest) throw new AppError('NOT_FOUND', 'Interest not found')
    return interest
  }

  return {
    list: async (request: FastifyRequest, reply: FastifyReply) => {
      requireStaff(request, ADMIN)
      return reply.page(LIST_VIEW, await listContext())
    },

    add: async (request: FastifyRequest, reply: FastifyReply) => {
      requireStaff(request, ADMIN)
      const form = parseForm(interestSchema, request.body)
      if (!form.ok) return reply.formErrors(LIST_URL, form, { template: LIST_VIEW, context: await listContext() })
      const added = await subscribers().addInterest(form.data)
      await services.audit.record(actorFrom(request), {
        action: 'create',
        entityType: 'msg_interest',
        entityId: added.id,
        summary: `Added the alert interest ${added.name}`,
        details: { after: added },
      })
      return reply.redirectWithNotice(LIST_URL, `${added.name} has been added`)
    },

    show: async (request: IdRequest, reply: FastifyReply) => {
      requireStaff(request, ADMIN)
      const interest = await find(request.params.id)
      return reply.page(EDIT_VIEW, { title: `Change ${interest.name}`, interest })
    },

    update: async (request: IdRequest, reply: FastifyReply) => {
      requireStaff(request, ADMIN)
      const interest = await find(request.params.id)
      const url = `${LIST_URL}/${encodeURIComponent(interest.id)}`
      const form = parseForm(interestEditSchema, request.body)
      if (!form.ok) return reply.formErrors(url, form, { template: EDIT_VIEW, context: { title: `Change ${interest.name}`, interest } })
      const { before, after } = await subscribers().updateInterest(interest.id, { ...form.data, active: form.data.active === 'yes' })
      await services.audit.record(actorFrom(request), {
        action: 'update',
        entityType: 'msg_interest',
        entityId: interest.id,
        summary: before.active && !after.active ? `Deactivated the alert interest ${after.name}` : `Changed the alert interest ${after.name}`,
        details: { before, after },
      })
      return reply.redirectWithNotice(LIST_URL, `${after.name} has been updated`)
    },

    move: async (request: IdRequest, reply: FastifyReply) => {
      requireStaff(request, ADMIN)
      const interest = await find(request.params.id)
      const form = parseForm(moveSchema, request.body)
      if (!form.ok) return reply.redirect(LIST_URL, 303)
      await subscribers().moveInterest(interest.id, form.data.direction)
      await services.audit.record(actorFrom(request), {
        action: 'update',
        entityType: 'msg_interest',
        entityId: interest.id,
        summary: `Moved the alert interest ${interest.name} ${form.data.direction}`,
        details: { direction: form.data.direction },
      })
      return reply.redirectWithNotice(LIST_URL, `${interest.name} has been moved ${form.data.direction}`)
    },
  }
}
