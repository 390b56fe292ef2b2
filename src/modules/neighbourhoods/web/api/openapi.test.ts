import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, createTestDatabase, type TestApp } from '../../../../../test/helpers.ts'
import { testConfig } from '../../../../config.ts'
import { buildApp } from '../../../../app.ts'
import { createServices } from '../../../../services.ts'
import { pageCachePlugin } from '../../../../platform/http/page-cache.ts'
import { checkSchema } from './schema-check.ts'
import { FIXTURE, seedApiFixture } from './fixtures.testing.ts'

type Doc = Record<string, any>

/** Real values for the path parameters, so every documented path is called for real. */
const examples: Record<string, Record<string, string>> = {
  '/forces/{force}': { force: FIXTURE.force },
  '/forces/{force}/people': { force: FIXTURE.force },
  '/{force}/neighbourhoods': { force: FIXTURE.force },
}
const nbh = { force: FIXTURE.force, id: FIXTURE.cityCentre }
const urlFor = (path: string) => {
  if (path === '/locate-neighbourhood') return `/api/locate-neighbourhood?q=${FIXTURE.point.lat},${FIXTURE.point.lng}`
  const params = examples[path] ?? nbh
  return `/api${path.replace(/\{(\w+)\}/g, (_, name: string) => params[name as keyof typeof params]!)}`
}

describe('OpenAPI document', () => {
  let t: TestApp
  let doc: Doc

  beforeAll(async () => {
    t = await createTestApp({ env: { BASE_URL: 'https://beacon.example' } })
    await seedApiFixture(t.db, t.services.areas)
    const res = await t.app.inject('/api/openapi.json')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(res.headers['access-control-allow-origin']).toBe('*')
    doc = res.json()
  })
  afterAll(async () => t.close())

  it('is OpenAPI 3.1 for this site, with every method of the API', () => {
    expect(doc.openapi).toBe('3.1.0')
    expect(doc.servers).toEqual([{ url: 'https://beacon.example/api' }])
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/forces',
        '/forces/{force}',
        '/forces/{force}/people',
        '/{force}/neighbourhoods',
        '/{force}/{id}',
        '/{force}/{id}/boundary',
        '/{force}/{id}/people',
        '/{force}/{id}/events',
        '/{force}/{id}/priorities',
        '/locate-neighbourhood',
      ].sort(),
    )
    // Every $ref resolves.
    const refs = [...JSON.stringify(doc).matchAll(/"#\/components\/schemas\/(\w+)"/g)].map(m => m[1]!)
    expect(refs.length).toBeGreaterThan(10)
    for (const r of refs) expect(doc.components.schemas[r], r).toBeDefined()
  })

  it('documents strings for coordinates and population, and hyphenated priority dates', () => {
    const s = doc.components.schemas
    expect(s.LatLng.properties.latitude.type).toBe('string')
    expect(s.Location.properties.longitude.type).toBe('string')
    expect(s.Neighbourhood.properties.population.type).toBe('string')
    expect(s.Priority.required).toEqual(['issue', 'issue-date', 'action', 'action-date'])
    expect(s.Priority.properties['action-date'].type).toEqual(['string', 'null'])
  })

  it("matches every endpoint's live answer (required properties, types, formats)", async () => {
    for (const [path, item] of Object.entries<Doc>(doc.paths)) {
      const url = urlFor(path)
      const res = await t.app.inject(url)
      expect(res.statusCode, url).toBe(200)
      const body = res.json()
      if (Array.isArray(body)) expect(body.length, `${url} should have something to check`).toBeGreaterThan(0)
      const schema = item.get.responses['200'].content['application/json'].schema
      expect(checkSchema(doc, schema, body), url).toEqual([])
    }
  })

  it('matches the error answers too', async () => {
    const errorSchema = { $ref: '#/components/schemas/Error' }
    for (const url of ['/api/forces/nowhere', '/api/leicestershire/nope', '/api/locate-neighbourhood?q=x']) {
      const res = await t.app.inject(url)
      expect(doc.paths[url.includes('locate') ? '/locate-neighbourhood' : url.includes('forces') ? '/forces/{force}' : '/{force}/{id}'].get.responses[res.statusCode], url).toBeDefined()
      expect(checkSchema(doc, errorSchema, res.json())).toEqual([])
    }
  })

  it('has a checker that catches wrong types, missing keys and bad formats', () => {
    const neighbourhood = { $ref: '#/components/schemas/Neighbourhood' }
    const priority = { $ref: '#/components/schemas/Priority' }
    expect(checkSchema(doc, priority, { issue: 'x', issue_date: '2026-01-01T00:00:00', action: null, 'action-date': null })).toEqual([
      '$: missing required "issue-date"',
    ])
    expect(checkSchema(doc, priority, { issue: 'x', 'issue-date': '2026-01-01', action: null, 'action-date': null })[0]).toMatch(/does not match/)
    expect(checkSchema(doc, { $ref: '#/components/schemas/LatLng' }, { latitude: 52.1, longitude: '-1' })).toEqual(['$.latitude: expected string, got number'])
    const problems = checkSchema(doc, neighbourhood, { id: 'a', name: 'b', population: 12 })
    expect(problems).toContain('$: missing required "centre"')
    expect(problems).toContain('$.population: expected string, got integer')
    expect(checkSchema(doc, { type: 'array', items: priority }, {})).toEqual(['$: expected array, got object'])
  })
})

describe('GET /api (the page for people)', () => {
  let t: TestApp
  beforeAll(async () => {
    // The real app with the page cache on.
    const config = testConfig({ BASE_URL: 'https://beacon.example' })
    const db = await createTestDatabase()
    const services = await createServices(config, db)
    const app = await buildApp({ config, db, services })
    // src/app.ts registers it (off under NODE_ENV=test); before that, add it here.
    if (!app.hasDecorator('pageCache')) await app.register(pageCachePlugin)
    await app.ready()
    app.pageCache.setEnabled(true)
    t = { app, db, services, config, close: async () => (await app.close(), await db.close()) }
    await seedApiFixture(t.db, t.services.areas)
  })
  afterAll(async () => t.close())

  it('describes the API with live example links and the base address to give a client', async () => {
    const res = await t.app.inject('/api')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(res.body).toContain('<h1 class="govuk-heading-xl">Open data API</h1>')
    expect(res.body).toContain('<code>https://beacon.example/api/</code>')
    for (const href of [
      '/api/forces',
      '/api/forces/leicestershire',
      '/api/leicestershire/neighbourhoods',
      '/api/leicestershire/NC05/priorities',
      '/api/openapi.json',
    ])
      expect(res.body).toContain(`href="${href}"`)
    expect(res.body).toContain('<caption class="govuk-table__caption govuk-table__caption--s">')
    expect(res.body).not.toContain('name="_csrf"')
    // Each example link works.
    for (const m of res.body.matchAll(/href="(\/api\/[^"]+)"/g)) {
      const url = m[1]!.replace(/&amp;/g, '&')
      expect((await t.app.inject(url)).statusCode, url).toBe(200)
    }
  })

  it('is served from the page cache to anonymous visitors, with a CSP nonce matching the page', async () => {
    t.app.pageCache.clear()
    const first = await t.app.inject('/api')
    const second = await t.app.inject('/api')
    expect(t.app.pageCache.stats()).toMatchObject({ hits: expect.any(Number), entries: 1 })
    expect(second.body).toBe(first.body)
    expect(second.headers['set-cookie']).toBeUndefined()
    const nonce = /<script type="module" src="\/assets\/app\/init.js" nonce="([^"]+)"/.exec(second.body)?.[1]
    expect(nonce).toBeDefined()
    expect(String(second.headers['content-security-policy'])).toContain(`'nonce-${nonce}'`)
    const before = t.app.pageCache.stats().hits
    await t.app.inject('/api')
    expect(t.app.pageCache.stats().hits).toBe(before + 1)
  })
})
