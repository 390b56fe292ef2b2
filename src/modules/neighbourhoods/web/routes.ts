import type { FastifyInstance } from 'fastify'
import type { RouteOptions } from '../../../app.ts'
import { pageRoutes } from './page.routes.ts'
import { eventsRoutes } from './events.routes.ts'
import { contactRoutes } from './contact.routes.ts'
import { apiRoutes } from './api.routes.ts'

/** Every route of the neighbourhoods module: public pages, staff pages and the open data API. */
export async function neighbourhoodsRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  await app.register(pageRoutes, opts)
  await app.register(eventsRoutes, opts)
  await app.register(contactRoutes, opts)
  await app.register(apiRoutes, opts)
}
