import type { FastifyInstance } from 'fastify'
import type { RouteOptions } from '../../../app.ts'

export async function auditRoutes(_app: FastifyInstance, _opts: RouteOptions): Promise<void> {}
