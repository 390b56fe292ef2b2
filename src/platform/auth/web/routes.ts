import type { FastifyInstance } from 'fastify'
import type { RouteOptions } from '../../../app.ts'

export async function authRoutes(_app: FastifyInstance, _opts: RouteOptions): Promise<void> {}
