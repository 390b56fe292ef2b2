import { createHash } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import fp from 'fastify-plugin'

/**
 * A short-lived in-memory cache for public pages that are the same for every anonymous
 * visitor (routes with `config: { pageCache: true }`).
 *
 * - Only anonymous GETs: no staff session cookie, no flash cookie, no Authorization header,
 *   no query string (unless `allowQuery`). Anyone else is rendered as usual and never stored.
 * - What is stored: a 200 `text/html` body with the response headers it was sent with (the
 *   Content-Security-Policy included), minus per-response ones (Set-Cookie, Date, lengths).
 *   A response that sets any cookie but the CSRF secret, says `no-store`/`private`, or holds a
 *   CSRF form field is not stored: it is not the same for everyone.
 * - CSP nonces: helmet makes a fresh nonce per request, and the stored HTML carries the one it
 *   was rendered with. A hit replays the stored CSP header (with that same nonce) over
 *   whatever helmet set, so header and body always agree. Reusing the nonce is safe here: the
 *   body is fixed when it is stored, so nothing injected later can learn and use it, and
 *   query strings (the usual reflection route) bypass the cache. A hit never sets a cookie.
 * - Freshness: entries are fresh for `ttlMs` (10 s by default). Any successful non-GET request
 *   in this process (a staff edit, a form post) empties the cache at once. Another process's
 *   writes are not seen until the TTL runs out, so with several web processes a page can be
 *   up to `ttlMs` (+ `staleMs` while it re-renders) old.
 * - No stampede: when a page is missing, one request renders it while the others wait for that
 *   render; when it has only outlived its TTL, the others get the old copy meanwhile (for at
 *   most `staleMs`). Pages emptied by a write are never served old.
 * - Memory: at most `maxEntries` pages of at most `maxBytes` each; the oldest goes first.
 * - A strong ETag on every stored page; a matching If-None-Match gets 304.
 *
 * Two ways in. Over HTTP, fresh pages are answered straight from the server's request event,
 * before Fastify builds a request (no routing, hooks, logger or helmet): that is what lets a
 * Node process serve a cached page at a useful fraction of nginx's static rate. Everything else
 * (and `app.inject`) goes through Fastify, where an onRequest hook answers hits: registered
 * before helmet, that hook costs no helmet work either.
 */
export interface PageCacheOptions {
  /** how long a stored page is fresh, in ms (default 10,000) */
  ttlMs?: number
  /** how long past its TTL a page may still be served while one request re-renders it (default ttlMs) */
  staleMs?: number
  /** pages kept at once (default 500) */
  maxEntries?: number
  /** largest page stored, in bytes (default 1 MiB) */
  maxBytes?: number
  /** also serve URLs with a query string, keyed by the whole URL (default false) */
  allowQuery?: boolean
  /** cookies that make a visitor not anonymous (default the staff session and the flash) */
  privateCookies?: readonly string[]
  /** the one cookie a stored response may have set (then dropped): the CSRF secret */
  csrfCookie?: string
  /** answer fresh hits from the HTTP server's request event, before Fastify (default true) */
  fastPath?: boolean
  /** false starts with the cache off (every request renders); see `app.pageCache.setEnabled` */
  enabled?: boolean
  /** clock, for tests */
  now?: () => number
}

export interface PageCacheStats {
  /** answered from memory (fastHits of them before Fastify) */
  hits: number
  fastHits: number
  /** rendered because nothing usable was stored */
  misses: number
  /** served an outdated copy while another request re-rendered */
  stale: number
  /** waited for another request's render and got it */
  coalesced: number
  stored: number
  entries: number
}

declare module 'fastify' {
  interface FastifyInstance {
    pageCache: {
      /** Forgets every stored page (and bumps the process-wide content generation). */
      clear(): void
      /** Turns the cache on or off at run time (tests of other pages run with it off). */
      setEnabled(on: boolean): void
      stats(): PageCacheStats
    }
  }
}

// --- process-wide "content changed" signal -------------------------------------------------

let generation = 0

/**
 * A number that changes whenever content may have changed in this process: any successful
 * non-GET request seen by the page cache. Other in-memory caches (the open data API's) keep
 * the generation they were filled at and treat a different one as stale.
 */
export const contentGeneration = (): number => generation

/** Marks every in-memory copy of content as stale (e.g. after a change made outside a request). */
export function contentChanged(): void {
  generation++
}

// --- ETags -----------------------------------------------------------------------------------

/** A strong ETag for exactly these bytes. */
export function etagFor(body: Buffer | string): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`
}

/** If-None-Match against an ETag, with the weak comparison RFC 9110 asks for (W/ ignored, lists, *). */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false
  if (ifNoneMatch.trim() === '*') return true
  const bare = etag.replace(/^W\//, '')
  for (const part of ifNoneMatch.split(',')) if (part.trim().replace(/^W\//, '') === bare) return true
  return false
}

// --- the plugin -------------------------------------------------------------------------------

type HeaderValue = string | string[] | number

interface Entry {
  body: Buffer
  etag: string
  /** for Fastify's reply.headers() */
  headers: Record<string, HeaderValue>
  /** for res.writeHead(): name, value, … with content-length and etag */
  raw200: string[]
  raw304: string[]
  expires: number
  generation: number
}

interface Render {
  key: string
  generation: number
  startedAt: number
  promise: Promise<Entry | null>
  settle: (entry: Entry | null) => void
  settled: boolean
}

/** Response headers that belong to one response only and are never replayed. */
const PER_RESPONSE_HEADERS = new Set(['set-cookie', 'date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'etag'])
const NOT_IN_304 = new Set(['content-type', 'content-length'])
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
/** A waiter gives up on someone else's render after this long and renders for itself. */
const WAIT_MS = 10_000
const kRender = Symbol('pageCacheRender')
const kHit = Symbol('pageCacheHit')

type Marked = FastifyRequest & { [kRender]?: Render; [kHit]?: boolean }

const cookieNamesIn = (setCookie: unknown): string[] => [setCookie ?? []].flat().map(c => String(c).split('=')[0]!.trim())
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

function flatHeaders(headers: Record<string, HeaderValue>, skip: Set<string> = new Set()): string[] {
  const out: string[] = []
  for (const [name, value] of Object.entries(headers))
    if (!skip.has(name)) for (const v of [value].flat()) out.push(name, String(v))
  return out
}

export const pageCachePlugin = fp(
  async (app: FastifyInstance, opts: PageCacheOptions) => {
    const ttlMs = opts.ttlMs ?? 10_000
    const staleMs = opts.staleMs ?? ttlMs
    const maxEntries = opts.maxEntries ?? 500
    const maxBytes = opts.maxBytes ?? 1024 * 1024
    const allowQuery = opts.allowQuery ?? false
    let enabled = opts.enabled ?? true
    const now = opts.now ?? Date.now
    const csrfCookie = opts.csrfCookie ?? 'beacon_csrf'
    const privateCookie = new RegExp(`(?:^|;)\\s*(?:${(opts.privateCookies ?? ['beacon_session', 'beacon_flash']).map(escapeRegExp).join('|')})=`)
    const entries = new Map<string, Entry>()
    const renders = new Map<string, Render>()
    const stats = { hits: 0, fastHits: 0, misses: 0, stale: 0, coalesced: 0, stored: 0 }
    let closing = false

    const clear = () => {
      contentChanged()
      entries.clear()
    }
    app.decorate('pageCache', {
      clear,
      setEnabled(on: boolean) {
        enabled = on
        entries.clear()
      },
      stats: () => ({ ...stats, entries: entries.size }),
    })

    /** Anonymous: none of the private cookies, no credentials. */
    const anonymous = (headers: IncomingMessage['headers']) => !(headers.cookie && privateCookie.test(headers.cookie)) && !headers.authorization

    const fresh = (entry: Entry | undefined, t: number): boolean => entry !== undefined && entry.generation === generation && entry.expires > t

    /** The key for a request Fastify has routed to a flagged page, or null when it must render. */
    const keyFor = (req: FastifyRequest): string | null => {
      if (!enabled || (req.method !== 'GET' && req.method !== 'HEAD')) return null
      if (req.routeOptions.config?.pageCache !== true) return null
      if (!allowQuery && req.url.includes('?')) return null
      return anonymous(req.headers) ? req.url : null
    }

    const startRender = (key: string): Render => {
      let settle!: (entry: Entry | null) => void
      const promise = new Promise<Entry | null>(resolve => (settle = resolve))
      const render: Render = { key, generation, startedAt: now(), promise, settle: () => {}, settled: false }
      render.settle = entry => {
        if (render.settled) return
        render.settled = true
        if (renders.get(key) === render) renders.delete(key)
        settle(entry)
      }
      renders.set(key, render)
      return render
    }

    const serve = (req: Marked, reply: FastifyReply, entry: Entry) => {
      stats.hits++
      req[kHit] = true
      reply.headers(entry.headers)
      reply.header('etag', entry.etag)
      if (etagMatches(req.headers['if-none-match'], entry.etag)) return reply.code(304).send()
      return reply.send(entry.body)
    }

    // --- over HTTP: fresh hits before Fastify ------------------------------------------------
    if (opts.fastPath !== false) {
      const server = app.server
      const [fastifyHandler, ...others] = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[]
      // Only when Fastify's handler is the one listener, as Fastify sets it up; otherwise the
      // hook below still serves every hit.
      if (fastifyHandler && others.length === 0) {
        server.removeListener('request', fastifyHandler)
        server.on('request', (req: IncomingMessage, res: ServerResponse) => {
          if (enabled && !closing && (req.method === 'GET' || req.method === 'HEAD')) {
            const entry = entries.get(req.url ?? '')
            if (entry && fresh(entry, now()) && anonymous(req.headers)) {
              stats.hits++
              stats.fastHits++
              if (etagMatches(req.headers['if-none-match'], entry.etag)) {
                res.writeHead(304, entry.raw304)
                res.end()
              } else {
                res.writeHead(200, entry.raw200)
                res.end(req.method === 'HEAD' ? undefined : entry.body)
              }
              return
            }
          }
          fastifyHandler.call(server, req, res)
        })
      }
    }
    app.addHook('preClose', (done: HookHandlerDoneFunction) => {
      closing = true
      done()
    })

    // --- through Fastify ---------------------------------------------------------------------
    // Runs as early as the plugin is registered: a hit answers before any later onRequest
    // hook (helmet, cookies, the session lookup) and before the handler.
    app.addHook('onRequest', (req: Marked, reply: FastifyReply, done: HookHandlerDoneFunction) => {
      const key = keyFor(req)
      if (key === null) return done()
      const t = now()
      const entry = entries.get(key)
      if (entry && fresh(entry, t)) return void serve(req, reply, entry)
      const rendering = renders.get(key)
      // A render that has taken longer than anyone waits is presumed lost; start another.
      if (rendering && rendering.generation === generation && t - rendering.startedAt < WAIT_MS) {
        // Someone is rendering it: an outdated copy (TTL only, never one a write emptied) now,
        // or else their result when it comes.
        if (entry && entry.generation === generation && t < entry.expires + staleMs) {
          stats.stale++
          return void serve(req, reply, entry)
        }
        let timer: NodeJS.Timeout | undefined
        const timeout = new Promise<null>(resolve => (timer = setTimeout(resolve, WAIT_MS, null).unref()))
        Promise.race([rendering.promise, timeout]).then(result => {
          clearTimeout(timer)
          if (result && !reply.sent) {
            stats.coalesced++
            serve(req, reply, result)
          } else {
            stats.misses++
            done()
          }
        }, done)
        return
      }
      stats.misses++
      if (req.method === 'GET') req[kRender] = startRender(key)
      done()
    })

    app.addHook('onSend', (req: Marked, reply: FastifyReply, payload: unknown, done: (err: null, p?: unknown) => void) => {
      const render = req[kRender]
      if (!render || req[kHit]) return done(null, payload)
      const entry = storable(reply, payload) ? store(render, reply, payload as string | Buffer) : null
      render.settle(entry)
      if (entry) reply.header('etag', entry.etag)
      done(null, entry ? entry.body : payload)
    })

    // A render that ended without a response the cache could use must not leave others waiting.
    const abandon = (req: Marked, _reply: unknown, done: HookHandlerDoneFunction) => {
      req[kRender]?.settle(null)
      done()
    }
    app.addHook('onRequestAbort', (req: Marked, done: HookHandlerDoneFunction) => abandon(req, null, done))

    app.addHook('onResponse', (req: Marked, reply: FastifyReply, done: HookHandlerDoneFunction) => {
      if (!SAFE_METHODS.has(req.method) && reply.statusCode < 400) clear()
      abandon(req, reply, done)
    })

    function storable(reply: FastifyReply, payload: unknown): boolean {
      if (reply.statusCode !== 200 || (typeof payload !== 'string' && !Buffer.isBuffer(payload))) return false
      if (!String(reply.getHeader('content-type') ?? '').startsWith('text/html')) return false
      if (/no-store|private/.test(String(reply.getHeader('cache-control') ?? ''))) return false
      return cookieNamesIn(reply.getHeader('set-cookie')).every(name => name === csrfCookie)
    }

    function store(render: Render, reply: FastifyReply, payload: string | Buffer): Entry | null {
      const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload)
      // A form with a CSRF token is tied to one visitor's secret: never share it.
      if (body.length > maxBytes || body.includes('name="_csrf"')) return null
      const headers: Entry['headers'] = {}
      for (const [name, value] of Object.entries(reply.getHeaders()))
        if (value !== undefined && !PER_RESPONSE_HEADERS.has(name.toLowerCase())) headers[name.toLowerCase()] = value
      const etag = etagFor(body)
      const entry: Entry = {
        body,
        etag,
        headers,
        raw200: [...flatHeaders(headers), 'content-length', String(body.length), 'etag', etag],
        raw304: [...flatHeaders(headers, NOT_IN_304), 'etag', etag],
        expires: now() + ttlMs,
        generation: render.generation,
      }
      // A write finished while this page was rendering: what it read may be old, so it goes
      // to this visitor (and those waiting on it) but is not kept.
      if (render.generation === generation) {
        entries.delete(render.key)
        while (entries.size >= maxEntries) entries.delete(entries.keys().next().value!)
        entries.set(render.key, entry)
        stats.stored++
      }
      return entry
    }
  },
  { name: 'page-cache' },
)
