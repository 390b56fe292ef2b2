import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import helmet from '@fastify/helmet'
import cookie from '@fastify/cookie'
import formbody from '@fastify/formbody'
import multipart from '@fastify/multipart'
import csrf from '@fastify/csrf-protection'
import rateLimit from '@fastify/rate-limit'
import qs from 'node:querystring'
import type { Logger } from 'pino'
import type { Config } from './config.ts'
import type { Database } from './platform/db/client.ts'
import { createNunjucks } from './platform/views/nunjucks.ts'
import { registerAssets } from './platform/views/assets.ts'
import { renderPlugin } from './platform/http/render.ts'
import { registerErrorHandling } from './platform/http/errors.ts'
import { registerHealth } from './platform/http/health.ts'
import { registerMetrics } from './platform/http/metrics.ts'
import { pageCachePlugin } from './platform/http/page-cache.ts'
import type { Services } from './services.ts'
import { authPlugin, staffLocals } from './platform/auth/plugin.ts'
import { sitePages } from './web/pages/routes.ts'
import { areasRoutes } from './modules/areas/web/routes.ts'
import { authRoutes } from './platform/auth/web/routes.ts'
import { auditRoutes } from './platform/audit/web/routes.ts'
import { channelsRoutes } from './platform/channels/web/routes.ts'
import { messagingRoutes } from './modules/messaging/web/routes.ts'
import { neighbourhoodsRoutes } from './modules/neighbourhoods/web/routes.ts'

export interface AppDeps {
  config: Config
  db: Database
  services: Services
  logger?: Logger
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false on routes that take no browser form (APIs, webhooks): they skip the CSRF check */
    csrf?: boolean
    /**
     * true on public GET pages that are the same for every anonymous visitor (no form with a
     * CSRF token, no flash): src/platform/http/page-cache.ts may serve them from memory.
     */
    pageCache?: boolean
  }
}

/** Builds the whole web application; the server and the tests both call this. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, db, services } = deps
  const app = Fastify({
    // pino's Logger type is wider than Fastify's base logger; the instance is the same.
    loggerInstance: deps.logger as FastifyBaseLogger | undefined,
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
    requestIdHeader: 'x-request-id',
    // Signed links in messages carry long tokens in the path.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 },
  })

  // First, so a cached public page is answered before helmet, cookies or the session lookup
  // run (see page-cache.ts). Off under test, where pages must show each change at once;
  // page-cache.test.ts tests it on its own.
  await app.register(pageCachePlugin, { enabled: config.env !== 'test' })

  // CSP with per-request nonces: GOV.UK Frontend's one inline script and our module scripts
  // carry the nonce, so no 'unsafe-inline' is needed. Map and images stay same-origin.
  await app.register(helmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        upgradeInsecureRequests: config.cookieSecure ? [] : null,
      },
    },
    hsts: config.isProduction,
    crossOriginEmbedderPolicy: false,
  })
  await app.register(cookie, { secret: config.sessionSecret })
  // Forms are parsed with node's querystring so repeated fields arrive as arrays.
  await app.register(formbody, { parser: body => qs.parse(body), bodyLimit: 256 * 1024 })
  await app.register(multipart, { limits: { fileSize: 100 * 1024 * 1024, files: 1, fields: 20 } })
  await app.register(csrf, {
    cookieKey: 'beacon_csrf',
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'lax', signed: true, secure: config.cookieSecure },
    // Multipart uploads carry the token in the query string: the body is streamed after this check.
    getToken: req =>
      ((req.body as Record<string, string> | undefined)?._csrf ??
        (req.query as Record<string, string> | undefined)?._csrf ??
        req.headers['x-csrf-token']) as string,
  })
  await app.register(rateLimit, { global: false })

  const env = createNunjucks({ noCache: config.env === 'development' })
  await app.register(renderPlugin, { env, config, locals: [staffLocals] })
  registerErrorHandling(app)

  app.addHook('preHandler', (req, reply, done) => {
    const safe = req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS'
    if (safe || req.routeOptions.config.csrf === false) return done()
    app.csrfProtection(req, reply, done)
  })

  await registerAssets(app, config)
  registerHealth(app, db)
  registerMetrics(app)

  await app.register(authPlugin, { services, config })
  await app.register(sitePages, { services, config })
  await app.register(areasRoutes, { services, config })
  await app.register(authRoutes, { services, config })
  await app.register(auditRoutes, { services, config })
  await app.register(channelsRoutes, { services, config })
  await app.register(messagingRoutes, { services, config })
  await app.register(neighbourhoodsRoutes, { services, config })
  return app
}

/** Options every route plugin receives. */
export interface RouteOptions {
  services: Services
  config: Config
}
