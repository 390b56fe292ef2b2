import type { FastifyInstance } from 'fastify'
import type { Database } from '../db/client.ts'

/** Liveness that includes the database: a load balancer should stop sending traffic when it is gone. */
export function registerHealth(app: FastifyInstance, db: Database): void {
  app.get('/health', async (_req, reply) => {
    const ok = await Promise.race([db.ping(), new Promise<boolean>(r => setTimeout(() => r(false), 2000).unref())])
    reply.header('cache-control', 'no-store')
    return ok ? reply.code(200).send({ status: 'ok' }) : reply.code(503).send({ status: 'unavailable', database: 'down' })
  })
}
