import type { FastifyInstance } from 'fastify'
import type { RouteOptions } from '../../../../app.ts'

/** STUB — being written by a helper; replace wholesale. */
export async function messagingDispatchRoutes(_app: FastifyInstance, _opts: RouteOptions): Promise<void> {}
