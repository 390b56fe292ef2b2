import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { grantedPaths, hasRole, requireStaff } from '../../../../../platform/auth/access.ts'
import { APPROVER_ROLES, COMPOSE_ROLES, type ListFilters } from '../../../messages.service.ts'
import { PRIORITY_NAMES, STATUS_TAGS } from '../shared.ts'
import { listQuerySchema } from './schema.ts'

const PAGE_SIZE = 50

/**
 * Lists of messages a staff member may see (inside their grants): all of them with a status
 * filter, the approvals queue for engagement leads, and emergencies waiting for review.
 */
export function messagesListController({ services }: RouteOptions) {
  async function render(request: FastifyRequest, reply: FastifyReply, view: { template: string; title: string; roles: typeof COMPOSE_ROLES; filters: ListFilters }) {
    const staff = requireStaff(request, view.roles)
    const q = listQuerySchema.parse(request.query ?? {})
    const filters = { ...view.filters, ...(q.status && !view.filters.status ? { status: q.status } : {}), limit: PAGE_SIZE, offset: (q.page - 1) * PAGE_SIZE }
    const paths = grantedPaths(staff, view.roles)
    const { rows, total } = await services.messaging.messages.listMessages(paths, filters)
    const [pending, review] = hasRole(staff, APPROVER_ROLES)
      ? await Promise.all([
          services.messaging.messages.listMessages(grantedPaths(staff, APPROVER_ROLES), { status: 'pending_approval', limit: 1 }),
          services.messaging.messages.listMessages(grantedPaths(staff, APPROVER_ROLES), { needsReview: true, limit: 1 }),
        ])
      : [null, null]
    return reply.page(view.template, {
      title: view.title,
      rows,
      total,
      page: q.page,
      pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
      status: filters.status ?? '',
      statusTags: STATUS_TAGS,
      priorityNames: PRIORITY_NAMES,
      pendingCount: pending?.total ?? null,
      reviewCount: review?.total ?? null,
    })
  }

  return {
    list: (request: FastifyRequest, reply: FastifyReply) =>
      render(request, reply, { template: 'modules/messaging/web/staff/messages/view.njk', title: 'Messages', roles: COMPOSE_ROLES, filters: {} }),
    approvals: (request: FastifyRequest, reply: FastifyReply) =>
      render(request, reply, { template: 'modules/messaging/web/staff/approvals/view.njk', title: 'Messages waiting for approval', roles: APPROVER_ROLES, filters: { status: 'pending_approval' } }),
    reviews: (request: FastifyRequest, reply: FastifyReply) =>
      render(request, reply, { template: 'modules/messaging/web/staff/reviews/view.njk', title: 'Emergency messages to review', roles: APPROVER_ROLES, filters: { needsReview: true } }),
  }
}
