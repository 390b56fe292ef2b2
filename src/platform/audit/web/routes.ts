import type { FastifyInstance } from 'fastify'
import type { RouteOptions } from '../../../app.ts'
import { auditSearchRoutes } from './search/controller.ts'

/** Pages for reading the audit log (administrators only). */
export async function auditRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  await app.register(auditSearchRoutes, opts)
}
