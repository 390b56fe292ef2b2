import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { RouteOptions } from '../../app.ts'

/** Reads the session cookie and attaches `request.staff`. TODO(helper B): sessions. */
export const authPlugin = fp(
  async (app: FastifyInstance, _opts: RouteOptions) => {
    app.decorateRequest('staff', null)
  },
  { name: 'auth' },
)

/** Locals for the staff layout: who is signed in and the navigation their roles allow. */
export function staffLocals(request: FastifyRequest, _reply: FastifyReply): Record<string, unknown> {
  return { staff: request.staff, staffNavigation: [] }
}
