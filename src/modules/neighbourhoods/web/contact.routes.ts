import type { FastifyInstance } from 'fastify'
import type { RouteOptions } from '../../../app.ts'

// Placeholder: replaced by the real routes.
export async function contactRoutes(_app: FastifyInstance, _opts: RouteOptions): Promise<void> {}
