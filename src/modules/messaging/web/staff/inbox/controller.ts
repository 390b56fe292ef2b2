import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { requireStaff } from '../../../../../platform/auth/access.ts'
import { INBOX_ROLES, REPLY_STATUSES, viewerFor } from '../../../inbox.service.ts'
import { inboxQuerySchema } from './schema.ts'

const PAGE_SIZE = 50
const STATUS_NAMES = { new: 'New', assigned: 'Assigned', answered: 'Answered', actioned: 'Actioned' } as const

/**
 * The replies inbox: residents' replies within the user's grants, newest first, each with the
 * message it answers and its time against the 72-hour target. The list shows what residents
 * wrote but not who they are; contact details appear (audited) only on a reply's own page.
 */
export function inboxController({ services }: RouteOptions) {
  return {
    list: async (request: FastifyRequest, reply: FastifyReply) => {
      const staff = requireStaff(request, INBOX_ROLES)
      const q = inboxQuerySchema.parse(request.query ?? {})
      const { rows, total, counts } = await services.messaging.inbox.listReplies(viewerFor(staff, INBOX_ROLES), {
        status: q.status,
        mine: q.mine,
        limit: PAGE_SIZE,
        offset: (q.page - 1) * PAGE_SIZE,
      })
      const pages = Math.max(1, Math.ceil(total / PAGE_SIZE))
      const link = (page: number) =>
        `/staff/messages/inbox?${new URLSearchParams({ ...(q.status ? { status: q.status } : {}), ...(q.mine ? { mine: 'yes' } : {}), page: String(page) })}`
      return reply.page('modules/messaging/web/staff/inbox/view.njk', {
        title: 'Replies',
        replies: rows,
        total,
        filter: { status: q.status ?? '', mine: q.mine },
        statusItems: [
          { value: '', text: `All (${Object.values(counts).reduce((a, b) => a + b, 0)})` },
          ...REPLY_STATUSES.map(s => ({ value: s, text: `${STATUS_NAMES[s]} (${counts[s]})`, selected: q.status === s })),
        ],
        statusNames: STATUS_NAMES,
        page: q.page,
        pages,
        previous: q.page > 1 ? link(q.page - 1) : null,
        next: q.page < pages ? link(q.page + 1) : null,
      })
    },
  }
}
