import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'

const VIEW = 'modules/messaging/web/public/start/view.njk'

/** The start page for community alerts. */
export function startController(_opts: RouteOptions) {
  return {
    show: async (_request: FastifyRequest, reply: FastifyReply) => reply.page(VIEW, { title: 'Community alerts', section: 'alerts' }),
  }
}
