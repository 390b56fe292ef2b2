import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../app.ts'
import { etagMatches } from '../../../platform/http/page-cache.ts'
import { createJsonCache, serialise, type CachedJson } from './api/cache.ts'
import { openApiDocument } from './api/openapi.ts'
import { apiPageController } from './api/controller.ts'

/** How long an API answer is reused in memory (see web/api/cache.ts for invalidation). */
export const API_CACHE_TTL_MS = 15_000
const API_CACHE_MAX_ENTRIES = 5_000
/** What clients and shared caches may keep an answer for, as data.police.uk allows. */
const CACHE_CONTROL = 'public, max-age=60'

type F = { force: string }
type N = { force: string; id: string }

/** A number as a person or a published client writes it: 52.63, -1.2, .5, 5e-05. */
const NUMBER = String.raw`[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?`
const LAT_LNG = new RegExp(`^\\s*(${NUMBER})\\s*,\\s*(${NUMBER})\\s*$`)

/** `q=lat,lng` as numbers in range, or null. */
export function parseLatLng(q: unknown): { lat: number; lng: number } | null {
  if (typeof q !== 'string' || q.length > 100) return null
  const m = LAT_LNG.exec(q)
  if (!m) return null
  const lat = Number(m[1])
  const lng = Number(m[2])
  if (!Number.isFinite(lat) || !Number.isFinite(lng) || Math.abs(lat) > 90 || Math.abs(lng) > 180) return null
  return { lat, lng }
}

/**
 * The data.police.uk-compatible open data API under /api (docs/api.md), its OpenAPI document
 * and a page describing it. Read-only JSON, CORS open to every origin, 60-second public
 * caching with strong ETags, answers kept in memory for API_CACHE_TTL_MS.
 */
export async function apiRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  const { services, config } = opts
  const api = () => services.neighbourhoods.api
  const cache = createJsonCache({ ttlMs: API_CACHE_TTL_MS, maxEntries: API_CACHE_MAX_ENTRIES })
  const openApi = serialise(openApiDocument(config.baseUrl))
  const page = apiPageController(opts)

  // Every answer under /api, errors included, may be read from any origin.
  app.addHook('onRequest', async (req, reply) => {
    if (req.routeOptions.url === '/api') return // the HTML page is an ordinary page
    reply.header('x-content-type-options', 'nosniff')
    reply.header('access-control-allow-origin', '*')
    reply.header('access-control-expose-headers', 'ETag, Cache-Control')
    // Open data is meant to be used from other sites.
    reply.header('cross-origin-resource-policy', 'cross-origin')
  })

  const send = (req: FastifyRequest, reply: FastifyReply, answer: CachedJson) => {
    reply.header('content-type', 'application/json; charset=utf-8').header('cache-control', CACHE_CONTROL).header('etag', answer.etag)
    if (etagMatches(req.headers['if-none-match'], answer.etag)) return reply.code(304).send()
    return reply.send(answer.body)
  }
  const fail = (reply: FastifyReply, status: number, error: string) =>
    reply.code(status).header('content-type', 'application/json; charset=utf-8').header('cache-control', 'no-cache').send(JSON.stringify({ error }))

  /** Answers from the cache, or loads it; null from the loader is a 404 with `notFound` as the error. */
  const cached =
    <P,>(key: (params: P) => string, load: (params: P) => Promise<unknown>, notFound: string) =>
    async (req: FastifyRequest, reply: FastifyReply) => {
      const params = req.params as P
      const answer = await cache.get(key(params), () => load(params))
      return answer ? send(req, reply, answer) : fail(reply, 404, notFound)
    }

  // JSON is never rendered as a page, so helmet's per-request CSP work buys nothing here; the
  // one header that matters for JSON (nosniff) is set above.
  const route = { config: { csrf: false }, helmet: false as const }
  const noForce = 'Force not found'
  const noNeighbourhood = 'Neighbourhood not found'

  app.get('/api', { config: { pageCache: true } }, page.show)
  app.get('/api/openapi.json', route, async (req, reply) => send(req, reply, openApi))

  app.get('/api/forces', route, async (req, reply) => send(req, reply, (await cache.get('forces', () => api().forces()))!))
  const nbh = (what: string, load: (p: N) => Promise<unknown>) => cached<N>(p => `${what}:${p.force}/${p.id}`, load, noNeighbourhood)
  app.get('/api/forces/:force', route, cached<F>(p => `force:${p.force}`, p => api().force(p.force), noForce))
  app.get('/api/forces/:force/people', route, cached<F>(p => `force-people:${p.force}`, p => api().forcePeople(p.force), noForce))
  app.get('/api/:force/neighbourhoods', route, cached<F>(p => `neighbourhoods:${p.force}`, p => api().neighbourhoods(p.force), noForce))
  app.get('/api/:force/:id', route, nbh('neighbourhood', p => api().neighbourhood(p.force, p.id)))
  app.get('/api/:force/:id/boundary', route, nbh('boundary', p => api().boundary(p.force, p.id)))
  app.get('/api/:force/:id/people', route, nbh('people', p => api().people(p.force, p.id)))
  app.get('/api/:force/:id/events', route, nbh('events', p => api().events(p.force, p.id)))
  app.get('/api/:force/:id/priorities', route, nbh('priorities', p => api().priorities(p.force, p.id)))

  // Points vary without end, so these are not kept; the lookup is in memory anyway.
  app.get<{ Querystring: { q?: unknown } }>('/api/locate-neighbourhood', route, async (req, reply) => {
    const point = parseLatLng(req.query.q)
    if (!point) return fail(reply, 400, 'q must be a latitude and longitude, for example q=52.6394,-1.1315')
    const found = await api().locate(point.lat, point.lng)
    if (!found) return fail(reply, 404, 'No neighbourhood covers that location')
    return send(req, reply, serialise(found))
  })

  // Anything else under /api is a JSON 404 (with CORS), not the HTML error page.
  app.get('/api/*', route, async (_req, reply) => fail(reply, 404, 'No such API method; see /api/openapi.json'))

  // CORS preflight: browsers ask before sending If-None-Match from another origin.
  app.options('/api/*', route, async (req, reply) =>
    reply
      .code(204)
      .header('access-control-allow-methods', 'GET, HEAD, OPTIONS')
      .header('access-control-allow-headers', String(req.headers['access-control-request-headers'] ?? 'If-None-Match, Content-Type'))
      .header('access-control-max-age', '86400')
      .send(),
  )
}
