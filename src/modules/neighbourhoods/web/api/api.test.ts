import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../../../test/helpers.ts'
import { contentChanged } from '../../../../platform/http/page-cache.ts'
import { FIXTURE, seedApiFixture } from './fixtures.testing.ts'

/**
 * The open data API, field by field against the data.police.uk shapes in
 * ../shared/reference/police-uk-api.md: same keys, strings for coordinates and population,
 * hyphenated priority dates, `YYYY-MM-DDTHH:MM:SS` dates, null where data.police.uk has null.
 */
describe('open data API (data.police.uk shapes)', () => {
  let t: TestApp
  const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers })
  const json = async (url: string) => {
    const res = await get(url)
    expect(res.statusCode, `${url}: ${res.body}`).toBe(200)
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8')
    return res.json()
  }

  beforeAll(async () => {
    t = await createTestApp({ env: { BASE_URL: 'https://beacon.example' } })
    await seedApiFixture(t.db, t.services.areas)
  })
  afterAll(async () => t.close())

  it('GET /forces → [{id, name}] by name', async () => {
    expect(await json('/api/forces')).toEqual([
      { id: 'leicestershire', name: 'Leicestershire Police' },
      { id: 'rutland', name: 'Rutland Constabulary' },
    ])
  })

  it('GET /forces/{force} → {id, name, description, url, telephone, engagement_methods}', async () => {
    const force = await json('/api/forces/leicestershire')
    expect(Object.keys(force).sort()).toEqual(['description', 'engagement_methods', 'id', 'name', 'telephone', 'url'])
    expect(force).toEqual({
      id: 'leicestershire',
      name: 'Leicestershire Police',
      description: '<p>Leicestershire Police serves Leicester, Leicestershire &amp; Rutland.</p>',
      url: 'https://www.leics.police.uk',
      telephone: '101',
      engagement_methods: [
        { url: 'https://www.facebook.com/leicspolice', type: 'facebook', title: 'facebook', description: null },
        { url: 'https://www.leics.police.uk/feeds/news', type: 'rss', title: 'News feed', description: 'Latest news' },
      ],
    })
    // A force with no profile has nulls and an empty list, never missing keys.
    expect(await json('/api/forces/rutland')).toEqual({
      id: 'rutland',
      name: 'Rutland Constabulary',
      description: null,
      url: null,
      telephone: null,
      engagement_methods: [],
    })
  })

  it('GET /forces/{force}/people → the force-level team as [{name, rank, bio, contact_details}]', async () => {
    expect(await json('/api/forces/leicestershire/people')).toEqual([
      { name: 'Rob Nixon', rank: 'Chief Constable', bio: '<p>Chief Constable since 2024.</p>', contact_details: {} },
    ])
  })

  it('GET /{force}/neighbourhoods → [{id, name}] of that force only', async () => {
    expect(await json('/api/leicestershire/neighbourhoods')).toEqual([
      { id: 'NC05', name: 'Castle' },
      { id: 'NC04', name: 'City Centre' },
    ])
    expect(await json('/api/rutland/neighbourhoods')).toEqual([{ id: 'R01', name: 'Oakham' }])
  })

  it('GET /{force}/{id} → the neighbourhood with string coordinates and population', async () => {
    const n = await json('/api/leicestershire/NC04')
    expect(Object.keys(n).sort()).toEqual(
      ['centre', 'contact_details', 'description', 'id', 'links', 'locations', 'name', 'population', 'url_force', 'welcome_message'].sort(),
    )
    expect(n.id).toBe('NC04')
    expect(n.name).toBe('City Centre')
    expect(n.description).toBe('<p>The city centre, including the Cultural Quarter.</p><p>Busy at night &amp; at weekends.</p>')
    expect(n.url_force).toBe('https://beacon.example/neighbourhoods/NC04')
    expect(n.population).toBe('7985')
    expect(n.welcome_message).toBe('<p>Welcome to the City Centre team.<br>We are here to help.</p>')
    // Only the ways that exist (the blank facebook entry is left out).
    expect(n.contact_details).toEqual({
      email: 'centralleicester.npa@leicestershire.pnn.police.uk',
      telephone: '101',
      twitter: 'http://www.twitter.com/leicesterpolice',
    })
    expect(n.links).toEqual([{ url: 'http://www.leicester.gov.uk/', title: 'Leicester City Council', description: null }])
    expect(n.centre).toEqual({ latitude: '52.6389', longitude: '-1.13619' })
    // The three nearest stations and front counters of the force, nearest first; never another force's.
    expect(n.locations).toEqual([
      {
        name: 'Mansfield House',
        type: 'station',
        address: 'Mansfield House, Leicester',
        postcode: 'LE1 3GG',
        latitude: '52.6405',
        longitude: '-1.13',
        description: '<p>Open every day.</p>',
      },
      {
        name: 'Town Hall Square desk',
        type: 'front counter',
        address: 'Town Hall Square desk, Leicester',
        postcode: 'LE1 9BG',
        latitude: '52.6345',
        longitude: '-1.1335',
        description: null,
      },
      {
        name: 'Euston Street',
        type: 'station',
        address: 'Euston Street, Leicester',
        postcode: 'LE2 7BX',
        latitude: '52.625',
        longitude: '-1.145',
        description: null,
      },
    ])
  })

  it('GET /{force}/{id} for a neighbourhood with nothing published yet keeps every key', async () => {
    const n = await json('/api/leicestershire/NC05')
    expect(n).toEqual({
      id: 'NC05',
      name: 'Castle',
      description: null,
      url_force: 'https://beacon.example/neighbourhoods/NC05',
      population: '0',
      welcome_message: null,
      contact_details: {},
      links: [],
      centre: { latitude: null, longitude: null },
      locations: expect.any(Array),
    })
    expect(n.locations.map((l: { name: string }) => l.name)).toEqual(['Euston Street', 'Loughborough', 'Mansfield House'])
    expect(await json('/api/leicestershire/NC05/boundary')).toEqual([])
    expect(await json('/api/leicestershire/NC05/people')).toEqual([])
    expect(await json('/api/leicestershire/NC05/priorities')).toEqual([])
  })

  it('GET /{force}/{id}/boundary → [{latitude, longitude}] as strings', async () => {
    expect(await json('/api/leicestershire/NC04/boundary')).toEqual([
      { latitude: '52.6289', longitude: '-1.14619' },
      { latitude: '52.6289', longitude: '-1.12619' },
      { latitude: '52.6489', longitude: '-1.12619' },
      { latitude: '52.6489', longitude: '-1.14619' },
      { latitude: '52.6289', longitude: '-1.14619' },
    ])
  })

  it('GET /{force}/{id}/people → [{name, rank, bio, contact_details}], named contact first then the team order', async () => {
    expect(await json('/api/leicestershire/NC04/people')).toEqual([
      {
        name: 'Kim Lee',
        rank: 'Police Community Support Officer',
        bio: null,
        contact_details: { email: 'kim.lee@leicestershire.pnn.police.uk', telephone: '07700 900123' },
      },
      { name: 'Sam Patel', rank: 'Sergeant', bio: null, contact_details: { telephone: '101' } },
      {
        name: 'Jane Smith',
        rank: 'Police Constable',
        bio: '<p>Jane is &lt;b&gt;bold&lt;/b&gt; &amp; brave.</p>',
        contact_details: { email: 'jane.smith@leicestershire.pnn.police.uk' },
      },
    ])
  })

  it('GET /{force}/{id}/events → recent and upcoming, cancelled left out, dates in UK local time', async () => {
    const events = await json('/api/leicestershire/NC04/events')
    const contact = { email: 'centralleicester.npa@leicestershire.pnn.police.uk', telephone: '101' }
    expect(events).toHaveLength(3)
    expect(events[0]).toEqual({
      title: 'Recent street briefing',
      description: null,
      address: 'Clock Tower',
      type: 'street briefing',
      start_date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/),
      end_date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/),
      contact_details: contact,
    })
    expect(events[1]).toEqual({
      title: 'Online neighbourhood panel',
      description: null,
      address: 'Online (Microsoft Teams)',
      type: 'meeting',
      start_date: '2099-01-15T19:00:00', // GMT
      end_date: '2099-01-15T20:00:00',
      contact_details: contact,
    })
    expect(events[2]).toEqual({
      title: 'City Centre PACT meeting',
      description: '<p>Tell us what matters.</p>',
      address: 'Town Hall, Town Hall Square, Leicester',
      type: 'meeting',
      start_date: '2099-07-01T19:00:00', // 18:00 UTC is 19:00 BST
      end_date: '2099-07-01T20:30:00',
      contact_details: contact,
    })
    // Another neighbourhood's events stay with it.
    expect((await json('/api/leicestershire/NC05/events')).map((e: { title: string }) => e.title)).toEqual(['Castle surgery'])
  })

  it('GET /{force}/{id}/priorities → hyphenated dates, latest action, null when none; current first', async () => {
    const priorities = await json('/api/leicestershire/NC04/priorities')
    for (const p of priorities) expect(Object.keys(p)).toEqual(['issue', 'issue-date', 'action', 'action-date'])
    expect(priorities).toEqual([
      { issue: '<p>Speeding on London Road</p>', 'issue-date': '2026-02-20T00:00:00', action: null, 'action-date': null },
      {
        issue: '<p>Anti-social behaviour in Victoria Park</p>',
        'issue-date': '2026-01-10T00:00:00',
        action: '<p>Dispersal order granted</p>',
        'action-date': '2026-03-05T00:00:00',
      },
      {
        issue: '<p>Cycle theft at the railway station</p>',
        'issue-date': '2025-06-01T00:00:00',
        action: '<p>Secure racks fitted &amp; marking events held</p>',
        'action-date': '2025-09-12T00:00:00',
      },
    ])
  })

  it('GET /locate-neighbourhood?q=lat,lng → {force, neighbourhood}', async () => {
    expect(await json(`/api/locate-neighbourhood?q=${FIXTURE.point.lat},${FIXTURE.point.lng}`)).toEqual({ force: 'leicestershire', neighbourhood: 'NC04' })
    expect(await json(`/api/locate-neighbourhood?q=${FIXTURE.otherPoint.lat}, ${FIXTURE.otherPoint.lng}`)).toEqual({ force: 'rutland', neighbourhood: 'R01' })
    // As Python's str() writes small numbers.
    expect((await get('/api/locate-neighbourhood?q=5e-05,-0.72')).statusCode).toBe(404)
  })

  it('answers a malformed q with 400 and a point outside every neighbourhood with 404, in JSON', async () => {
    for (const q of ['', '?q=', '?q=52.6', '?q=abc,def', '?q=52.6,-1.1,3', '?q=95,0', '?q=52.6,-190', '?q=52.6;-1.1', '?q=1,2&q=3,4']) {
      const res = await get(`/api/locate-neighbourhood${q}`)
      expect(res.statusCode, q).toBe(400)
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8')
      expect(res.json().error).toMatch(/latitude and longitude/)
    }
    const outside = await get(`/api/locate-neighbourhood?q=${FIXTURE.outside.lat},${FIXTURE.outside.lng}`)
    expect(outside.statusCode).toBe(404)
    expect(outside.json()).toEqual({ error: 'No neighbourhood covers that location' })
  })

  it('answers an unknown force or neighbourhood, or one of another force, with a JSON 404', async () => {
    const cases: [string, string][] = [
      ['/api/forces/nowhere', 'Force not found'],
      ['/api/forces/nowhere/people', 'Force not found'],
      ['/api/nowhere/neighbourhoods', 'Force not found'],
      ['/api/nowhere/NC04', 'Neighbourhood not found'],
      ['/api/leicestershire/R01', 'Neighbourhood not found'],
      ['/api/rutland/NC04/people', 'Neighbourhood not found'],
      ['/api/leicestershire/nope/boundary', 'Neighbourhood not found'],
      ['/api/leicestershire/nope/events', 'Neighbourhood not found'],
      ['/api/leicestershire/nope/priorities', 'Neighbourhood not found'],
      ['/api/leicester-city/NC04', 'Neighbourhood not found'], // a district is not a force
      ['/api/leicestershire/leicester-city', 'Neighbourhood not found'], // nor a neighbourhood
    ]
    for (const [url, error] of cases) {
      const res = await get(url)
      expect(res.statusCode, url).toBe(404)
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8')
      expect(res.headers['access-control-allow-origin']).toBe('*')
      expect(res.json()).toEqual({ error })
    }
    const unknown = await get('/api/a/b/c/d')
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json().error).toMatch(/No such API method/)
  })

  it('sends CORS, public caching and a strong ETag, and 304 for a current If-None-Match', async () => {
    const res = await get('/api/leicestershire/NC04')
    expect(res.headers['access-control-allow-origin']).toBe('*')
    expect(res.headers['cache-control']).toBe('public, max-age=60')
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin')
    const etag = res.headers.etag as string
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/)
    const again = await get('/api/leicestershire/NC04', { 'if-none-match': etag })
    expect(again.statusCode).toBe(304)
    expect(again.body).toBe('')
    expect(again.headers.etag).toBe(etag)
    expect(again.headers['access-control-allow-origin']).toBe('*')
    expect((await get('/api/leicestershire/NC04', { 'if-none-match': '"stale"' })).statusCode).toBe(200)
    const locate = await get(`/api/locate-neighbourhood?q=${FIXTURE.point.lat},${FIXTURE.point.lng}`)
    expect((await get(`/api/locate-neighbourhood?q=${FIXTURE.point.lat},${FIXTURE.point.lng}`, { 'if-none-match': locate.headers.etag as string })).statusCode).toBe(304)
    const head = await t.app.inject({ method: 'HEAD', url: '/api/forces' })
    expect(head.statusCode).toBe(200)
    expect(head.headers.etag).toBeDefined()
  })

  it('answers a CORS preflight', async () => {
    const res = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/leicestershire/NC04/people',
      headers: { origin: 'https://example.org', 'access-control-request-method': 'GET', 'access-control-request-headers': 'if-none-match' },
    })
    expect(res.statusCode).toBe(204)
    expect(res.headers['access-control-allow-origin']).toBe('*')
    expect(res.headers['access-control-allow-methods']).toBe('GET, HEAD, OPTIONS')
    expect(res.headers['access-control-allow-headers']).toBe('if-none-match')
  })

  it('keeps answers in memory until content changes in this process', async () => {
    const before = await json('/api/leicestershire/NC04/people')
    await t.db.query(`update nbh_team_members set rank = 'Inspector' where name = 'Sam Patel'`)
    // Written behind the application's back: the cached answer stands (for at most the TTL)…
    expect(await json('/api/leicestershire/NC04/people')).toEqual(before)
    // …until a change in this process says so (the page cache does after every successful POST).
    contentChanged()
    const after = await json('/api/leicestershire/NC04/people')
    expect(after[1]).toMatchObject({ name: 'Sam Patel', rank: 'Inspector' })
  })

  it('sets no cookies (no CSRF secret, no session) on API answers', async () => {
    for (const url of ['/api/forces', '/api/leicestershire/NC04', '/api/nowhere/x', `/api/locate-neighbourhood?q=1,1`, '/api/openapi.json'])
      expect((await get(url)).headers['set-cookie'], url).toBeUndefined()
  })
})
