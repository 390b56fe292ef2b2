import type { FastifyInstance } from 'fastify'
import { Registry, collectDefaultMetrics, Histogram, Counter } from 'prom-client'
import { jobsRegistry } from '../jobs/metrics.ts'

/**
 * Prometheus metrics at /metrics: HTTP metrics in one registry per app (so tests can build
 * many apps in one process) plus the process-wide job metrics.
 */
export function registerMetrics(app: FastifyInstance): Registry {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'beacon_' })
  const duration = new Histogram({
    name: 'beacon_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  })
  const errors = new Counter({
    name: 'beacon_http_server_errors_total',
    help: 'Responses with a 5xx status',
    labelNames: ['route'],
    registers: [registry],
  })
  app.addHook('onResponse', async (req, reply) => {
    // Route patterns, not raw URLs, keep label cardinality bounded.
    const route = req.routeOptions.url ?? 'unmatched'
    duration.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000)
    if (reply.statusCode >= 500) errors.inc({ route })
  })
  app.get('/metrics', { config: { csrf: false } }, async (_req, reply) => {
    const merged = Registry.merge([registry, jobsRegistry])
    return reply.header('content-type', registry.contentType).send(await merged.metrics())
  })
  return registry
}
