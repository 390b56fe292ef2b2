import type { FastifyInstance } from 'fastify'
import type { RouteOptions } from '../../../app.ts'

export async function channelsRoutes(_app: FastifyInstance, _opts: RouteOptions): Promise<void> {}
