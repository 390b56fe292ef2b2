import type { FastifyInstance } from 'fastify'
import type { RouteOptions } from '../../../app.ts'
import { messagingPublicRoutes } from './public/routes.ts'
import { messagingComposeRoutes } from './staff/compose-routes.ts'
import { messagingInboxRoutes } from './staff/inbox-routes.ts'
import { messagingDispatchRoutes } from './staff/dispatch-routes.ts'

/** Every messaging page; each part registers its own routes. */
export async function messagingRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  await app.register(messagingPublicRoutes, opts)
  await app.register(messagingComposeRoutes, opts)
  await app.register(messagingInboxRoutes, opts)
  await app.register(messagingDispatchRoutes, opts)
}
