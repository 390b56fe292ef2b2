import type { FastifyInstance } from 'fastify'
import type { RouteOptions } from '../../../app.ts'
import { findController } from './public/find/controller.ts'
import { neighbourhoodsController } from './public/neighbourhoods/controller.ts'
import { areasStaffRoutes } from './staff/routes.ts'

/** Public searches are rate-limited per address: they are cheap to send and we want them cheap to serve. */
const searchLimit = { rateLimit: { max: 60, timeWindow: '1 minute' } }

export async function areasRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  const find = findController(opts)
  const list = neighbourhoodsController(opts)
  app.get('/', find.home)
  app.get('/find', { config: searchLimit }, find.find)
  app.get('/neighbourhoods', list.list)
  app.get('/neighbourhoods/choose', { config: searchLimit }, find.choose)
  // GET /neighbourhoods/:id (the neighbourhood page) lives in the neighbourhoods module.
  await app.register(areasStaffRoutes, opts)
}
