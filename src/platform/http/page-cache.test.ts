import { afterEach, describe, expect, it } from 'vitest'
import Fastify, { type FastifyInstance } from 'fastify'
import helmet from '@fastify/helmet'
import cookie from '@fastify/cookie'
import formbody from '@fastify/formbody'
import csrf from '@fastify/csrf-protection'
import { contentChanged, contentGeneration, etagFor, etagMatches, pageCachePlugin, type PageCacheOptions } from './page-cache.ts'

/**
 * A small app put together like src/app.ts (helmet with CSP nonces, cookies, CSRF secrets set
 * by rendering) so the cache is exercised against the same hooks the real pages go through.
 */
async function build(opts: PageCacheOptions & { position?: 'before-helmet' | 'after-helmet' } = {}) {
  const app = Fastify()
  const renders: Record<string, number> = {}
  const count = (name: string) => (renders[name] = (renders[name] ?? 0) + 1)
  const { position = 'before-helmet', ...cacheOpts } = opts
  if (position === 'before-helmet') await app.register(pageCachePlugin, cacheOpts)
  await app.register(helmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'"] } },
  })
  await app.register(cookie, { secret: 'a-test-secret-that-is-long-enough-000' })
  await app.register(formbody)
  await app.register(csrf, { cookieKey: 'beacon_csrf', cookieOpts: { path: '/', signed: true } })
  if (position === 'after-helmet') await app.register(pageCachePlugin, cacheOpts)

  let version = 1
  const gate = openGate()
  const page = (name: string, body = '') =>
    app.get(`/${name}`, { config: { pageCache: true } }, async (_req, reply) => {
      count(name)
      reply.generateCsrf() // as reply.page does: sets the CSRF secret cookie for a first-time visitor
      return reply
        .type('text/html; charset=utf-8')
        .send(`<!doctype html><title>${name}</title><p>v${version}</p>${body}<script nonce="${reply.cspNonce.script}" src="/a.js"></script>`)
    })
  page('page')
  page('other')
  page('form', '<form method="post"><input type="hidden" name="_csrf" value="t"></form>')
  app.get('/private', { config: { pageCache: true } }, async (_req, reply) => {
    count('private')
    return reply.header('cache-control', 'private, no-store').type('text/html').send('<p>mine</p>')
  })
  app.get('/unflagged', async (_req, reply) => {
    count('unflagged')
    return reply.type('text/html').send('<p>plain</p>')
  })
  app.get('/json', { config: { pageCache: true } }, async () => {
    count('json')
    return { ok: true }
  })
  app.get('/slow', { config: { pageCache: true } }, async (_req, reply) => {
    count('slow')
    await gate.wait()
    return reply.type('text/html; charset=utf-8').send(`<p>slow v${version}</p>`)
  })
  app.get('/racy', { config: { pageCache: true } }, async (_req, reply) => {
    count('racy')
    contentChanged()
    return reply.type('text/html').send('<p>racy</p>')
  })
  app.post('/change', { config: { csrf: false } }, async () => {
    version++
    return { ok: true }
  })
  app.post('/refused', async (_req, reply) => reply.code(400).send({ error: 'no' }))
  await app.ready()
  return { app, renders, gate }
}

/** A gate the /slow handler waits at until the test opens it. */
function openGate() {
  let open = true
  let release: () => void = () => {}
  let opened = Promise.resolve()
  return {
    close() {
      open = false
      opened = new Promise<void>(r => (release = r))
    },
    open() {
      open = true
      release()
    },
    wait: () => (open ? Promise.resolve() : opened),
  }
}

const tick = () => new Promise(r => setTimeout(r, 20))

const nonceIn = (html: string) => /nonce="([0-9a-f]+)"/.exec(html)?.[1]
const cspNonce = (csp: unknown) => /'nonce-([0-9a-f]+)'/.exec(String(csp))?.[1]

describe('page cache', () => {
  let app: FastifyInstance | undefined
  afterEach(async () => {
    await app?.close()
    app = undefined
  })

  for (const position of ['before-helmet', 'after-helmet'] as const) {
    it(`serves the second anonymous GET from memory with a CSP nonce that matches the body (registered ${position})`, async () => {
      const t = await build({ position })
      app = t.app
      const first = await app.inject('/page')
      expect(first.statusCode).toBe(200)
      expect(first.headers['set-cookie']).toBeDefined() // the renderer's CSRF secret, as usual
      const second = await app.inject('/page')
      const third = await app.inject('/page')
      expect(t.renders.page).toBe(1)
      expect(app.pageCache.stats()).toMatchObject({ hits: 2, stored: 1, entries: 1 })
      for (const res of [first, second, third]) {
        expect(res.statusCode).toBe(200)
        expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
        expect(nonceIn(res.body)).toBeDefined()
        expect(cspNonce(res.headers['content-security-policy'])).toBe(nonceIn(res.body))
        expect(res.headers['x-content-type-options']).toBe('nosniff')
      }
      expect(second.body).toBe(first.body)
      // A CSRF cookie is never handed out from the cache.
      expect(second.headers['set-cookie']).toBeUndefined()
      expect(second.headers.etag).toBe(first.headers.etag)
      expect(Number(second.headers['content-length'])).toBe(Buffer.byteLength(second.body))
    })
  }

  it('answers 304 to a matching If-None-Match, and keys pages by path', async () => {
    const t = await build()
    app = t.app
    const first = await app.inject('/page')
    const etag = first.headers.etag as string
    expect(etag).toBe(etagFor(first.body))
    const revalidated = await app.inject({ url: '/page', headers: { 'if-none-match': `W/"x", ${etag}` } })
    expect(revalidated.statusCode).toBe(304)
    expect(revalidated.body).toBe('')
    expect((await app.inject({ url: '/page', headers: { 'if-none-match': '"other"' } })).statusCode).toBe(200)
    const other = await app.inject('/other')
    expect(other.body).toContain('<title>other</title>')
    expect(t.renders).toMatchObject({ page: 1, other: 1 })
  })

  it('renders for staff, flash, query strings and Authorization, and stores none of them', async () => {
    const t = await build()
    app = t.app
    await app.inject({ url: '/page', headers: { cookie: 'beacon_session=abc' } })
    await app.inject({ url: '/page', headers: { cookie: 'x=1; beacon_flash=abc' } })
    await app.inject('/page?utm=1')
    await app.inject({ url: '/page', headers: { authorization: 'Bearer x' } })
    expect(t.renders.page).toBe(4)
    expect(app.pageCache.stats().entries).toBe(0)
    // Someone with only a CSRF cookie (any visitor who has seen a form) is still anonymous.
    await app.inject({ url: '/page', headers: { cookie: 'beacon_csrf=abc' } })
    await app.inject({ url: '/page', headers: { cookie: 'beacon_csrf=abc' } })
    expect(t.renders.page).toBe(5)
    // And a stored page is not served to staff either.
    await app.inject({ url: '/page', headers: { cookie: 'beacon_session=abc' } })
    expect(t.renders.page).toBe(6)
  })

  it('can serve query strings when allowed, keyed by the whole URL', async () => {
    const t = await build({ allowQuery: true })
    app = t.app
    await app.inject('/page?a=1')
    await app.inject('/page?a=1')
    await app.inject('/page?a=2')
    expect(t.renders.page).toBe(2)
  })

  it('never stores pages with a CSRF form, private or non-HTML responses, or unflagged routes', async () => {
    const t = await build()
    app = t.app
    for (const url of ['/form', '/private', '/json', '/unflagged']) {
      await app.inject(url)
      await app.inject(url)
    }
    expect(t.renders).toMatchObject({ form: 2, private: 2, json: 2, unflagged: 2 })
    expect(app.pageCache.stats().entries).toBe(0)
  })

  it('is emptied by any successful non-GET request, not by a refused one', async () => {
    const t = await build()
    app = t.app
    await app.inject('/page')
    await app.inject('/page')
    expect(t.renders.page).toBe(1)
    expect((await app.inject({ method: 'POST', url: '/refused' })).statusCode).toBe(400)
    await app.inject('/page')
    expect(t.renders.page).toBe(1)
    const before = contentGeneration()
    await app.inject({ method: 'POST', url: '/change' })
    expect(contentGeneration()).toBeGreaterThan(before)
    const after = await app.inject('/page')
    expect(after.body).toContain('<p>v2</p>')
    expect(t.renders.page).toBe(2)
    // Changes made outside a request can say so too.
    contentChanged()
    await app.inject('/page')
    expect(t.renders.page).toBe(3)
  })

  it('expires pages after the TTL and keeps at most maxEntries', async () => {
    let clock = 1_000_000
    const t = await build({ ttlMs: 10_000, maxEntries: 1, now: () => clock })
    app = t.app
    await app.inject('/page')
    clock += 9_999
    await app.inject('/page')
    expect(t.renders.page).toBe(1)
    clock += 2
    await app.inject('/page')
    expect(t.renders.page).toBe(2)
    await app.inject('/other') // pushes /page out
    await app.inject('/page')
    expect(t.renders.page).toBe(3)
    expect(app.pageCache.stats().entries).toBe(1)
  })

  it('does not keep a page rendered while a write was finishing', async () => {
    const t = await build()
    app = t.app
    // The /racy handler lets a write land (another request's) while it renders.
    await app.inject('/racy')
    await app.inject('/racy')
    expect(t.renders.racy).toBe(2)
    expect(app.pageCache.stats().entries).toBe(0)
  })

  it('renders a missing page once for many simultaneous visitors', async () => {
    const t = await build()
    app = t.app
    t.gate.close()
    const all = Promise.all([app.inject('/slow'), app.inject('/slow'), app.inject('/slow')])
    await tick()
    t.gate.open()
    const [a, b, c] = await all
    expect(t.renders.slow).toBe(1)
    expect(b!.body).toBe(a!.body)
    expect(c!.body).toBe(a!.body)
    expect(b!.headers['content-security-policy']).toBe(a!.headers['content-security-policy'])
    expect(app.pageCache.stats()).toMatchObject({ misses: 1, coalesced: 2, stored: 1 })
  })

  it('serves the outdated copy while one request re-renders a page past its TTL, never after a write', async () => {
    let clock = 0
    const t = await build({ ttlMs: 1000, staleMs: 1000, now: () => clock })
    app = t.app
    await app.inject('/slow')
    await app.inject({ method: 'POST', url: '/change' }) // v2, and the cache is emptied
    await app.inject('/slow')
    expect(t.renders.slow).toBe(2)
    clock = 1500 // past the TTL
    t.gate.close()
    const rerender = app.inject('/slow')
    await tick()
    const meanwhile = await app.inject('/slow')
    expect(meanwhile.body).toBe('<p>slow v2</p>')
    expect(app.pageCache.stats().stale).toBe(1)
    await app.inject({ method: 'POST', url: '/change' }) // v3: the outdated copy may no longer be used
    t.gate.open()
    await rerender
    t.gate.close()
    const afterWrite = app.inject('/slow')
    await tick()
    t.gate.open()
    expect((await afterWrite).body).toBe('<p>slow v3</p>')
    expect(t.renders.slow).toBe(4)
  })

  it('over HTTP answers fresh hits before Fastify, with the same headers and body', async () => {
    const t = await build()
    app = t.app
    const base = await app.listen({ port: 0, host: '127.0.0.1' })
    const first = await fetch(`${base}/page`)
    const firstBody = await first.text()
    const second = await fetch(`${base}/page`)
    const secondBody = await second.text()
    expect(t.renders.page).toBe(1)
    expect(app.pageCache.stats()).toMatchObject({ hits: 1, fastHits: 1 })
    expect(secondBody).toBe(firstBody)
    expect(second.status).toBe(200)
    expect(second.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(second.headers.get('content-length')).toBe(String(Buffer.byteLength(secondBody)))
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'))
    expect(second.headers.get('set-cookie')).toBeNull()
    expect(cspNonce(second.headers.get('content-security-policy'))).toBe(nonceIn(secondBody))
    expect(second.headers.get('x-frame-options')).toBe(first.headers.get('x-frame-options'))
    const notModified = await fetch(`${base}/page`, { headers: { 'if-none-match': first.headers.get('etag')! } })
    expect(notModified.status).toBe(304)
    const head = await fetch(`${base}/page`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
    // Staff and query strings still go through Fastify and render.
    await fetch(`${base}/page`, { headers: { cookie: 'beacon_session=x' } })
    await fetch(`${base}/page?x=1`)
    expect(t.renders.page).toBe(3)
    // Unflagged routes and other methods are untouched.
    expect((await fetch(`${base}/unflagged`)).status).toBe(200)
    expect((await fetch(`${base}/change`, { method: 'POST' })).status).toBe(200)
    await fetch(`${base}/page`)
    expect(t.renders.page).toBe(4)
  })

  it('can be switched off, and on again at run time', async () => {
    const t = await build({ enabled: false })
    app = t.app
    await app.inject('/page')
    await app.inject('/page')
    expect(t.renders.page).toBe(2)
    app.pageCache.setEnabled(true)
    await app.inject('/page')
    await app.inject('/page')
    expect(t.renders.page).toBe(3)
    app.pageCache.setEnabled(false)
    await app.inject('/page')
    expect(t.renders.page).toBe(4)
  })
})

describe('etagMatches', () => {
  it('compares weakly and understands lists and *', () => {
    expect(etagMatches(undefined, '"a"')).toBe(false)
    expect(etagMatches('"a"', '"a"')).toBe(true)
    expect(etagMatches('W/"a"', '"a"')).toBe(true)
    expect(etagMatches('"b", "a"', '"a"')).toBe(true)
    expect(etagMatches('*', '"a"')).toBe(true)
    expect(etagMatches('"b"', '"a"')).toBe(false)
  })
})
