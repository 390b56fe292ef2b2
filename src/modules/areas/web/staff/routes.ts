import type { FastifyInstance } from 'fastify'
import type { RouteOptions } from '../../../../app.ts'

/** Staff pages for areas and geography imports (being written). */
export async function areasStaffRoutes(_app: FastifyInstance, _opts: RouteOptions): Promise<void> {}
