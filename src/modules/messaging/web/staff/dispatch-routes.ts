import type { FastifyInstance } from 'fastify'
import type { RouteOptions } from '../../../../app.ts'
import { dispatchController } from './dispatch/controller.ts'

/** The staff page for the delivery queue (administrators and engagement leads). */
export async function messagingDispatchRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  const dispatch = dispatchController(opts)
  app.get('/staff/messaging/dispatch', dispatch.show)
  app.post('/staff/messaging/dispatch', dispatch.act)
}
