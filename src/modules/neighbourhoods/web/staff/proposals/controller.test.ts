import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as cheerio from 'cheerio'
import { Browser, createTestApp, type TestApp } from '../../../../../../test/helpers.ts'
import { createTestStaff, seedTestAreas, signInAs } from '../../../../../platform/auth/testing.ts'
import { PROPOSAL_MESSAGES } from '../../../proposals.service.ts'

const BASE = '/staff/neighbourhoods/test-n01/proposals'

describe('staff proposals page', () => {
  let t: TestApp
  let north: Browser, south: Browser
  const ids: Record<string, string> = {}

  beforeAll(async () => {
    t = await createTestApp()
    await seedTestAreas(t.db)
    const signIn = async (email: string, area: string) => {
      const b = new Browser(t.app)
      await signInAs(b, t.services, await createTestStaff(t.services, email, [['neighbourhood_officer', area]]))
      return b
    }
    north = await signIn('north@example.org', 'test-n01')
    south = await signIn('south@example.org', 'test-s01')
    const p = t.services.neighbourhoods.proposals
    const key = (n: number) => p.supporterKey(`s${n}`)
    ids.few = (await p.propose('test-n01', { issue: 'Litter by the shops' }, key(1))).id
    ids.many = (await p.propose('test-n01', { issue: 'Speeding on Mill Lane', details: 'At night' }, key(1))).id
    for (const n of [2, 3, 4]) await p.support('test-n01', ids.many, key(n))
    ids.theirs = (await p.propose('test-s01', { issue: 'South Town parking' }, key(1))).id
  })
  afterAll(async () => t.close())

  it('lists open proposals most supported first, each with “Set as a priority”', async () => {
    const page = await north.get(BASE)
    expect(page.statusCode).toBe(200)
    const $ = cheerio.load(page.body)
    expect($('h1').text()).toBe('Residents’ proposals')
    expect($('caption').first().text()).toContain('Open proposals for the next meeting: 2, with 5 supports in all')
    const rows = $('tbody tr').map((_, tr) => [[$(tr).find('th').text().trim().split('\n')[0], $(tr).find('td').first().text().trim()]]).get()
    expect(rows).toEqual([
      ['Speeding on Mill Lane', '4'],
      ['Litter by the shops', '1'],
    ])
    const links = $('a').filter((_, a) => $(a).text().startsWith('Set as a priority')).map((_, a) => $(a).attr('href')).get()
    expect(links).toEqual([`/staff/neighbourhoods/test-n01/priorities/new?proposal=${ids.many}`, `/staff/neighbourhoods/test-n01/priorities/new?proposal=${ids.few}`])
    expect(page.body).not.toContain('South Town parking')
  })

  it('declines with a public response, refusing an empty one and keeping what was typed', async () => {
    const url = `${BASE}/${ids.few}`
    await north.submit(url, { response: '' }, `${url}/decline`)
    let page = await north.get(url)
    expect(cheerio.load(page.body)('.govuk-error-summary').text()).toContain(PROPOSAL_MESSAGES.noResponse)
    const res = await north.submit(url, { response: 'The council clears litter; we have passed this on.' }, `${url}/decline`)
    expect(res.headers.location).toBe(BASE)
    page = await north.get(BASE)
    expect(page.body).toContain('is declined')
    expect(cheerio.load(page.body)('caption').last().text()).toBe('Decided')
    const pub = await t.app.inject(`/neighbourhoods/test-n01/have-your-say`)
    expect(pub.body).toContain('The council clears litter; we have passed this on.')
    const [entry] = await t.db.query(`select actor_email, action from audit_log where entity_type = 'nbh_proposal' and entity_id = $1`, [ids.few])
    expect(entry).toEqual({ actor_email: 'north@example.org', action: 'update' })
  })

  it('removes a proposal that should not be public', async () => {
    const p = await t.services.neighbourhoods.proposals.propose('test-n01', { issue: 'Abusive words' }, 'k')
    const url = `${BASE}/${p.id}`
    const res = await north.submit(url, {}, `${url}/remove`)
    expect(res.headers.location).toBe(BASE)
    expect(await t.services.neighbourhoods.proposals.get(p.id)).toBeNull()
  })

  it('is not found for another neighbourhood’s proposals, or another neighbourhood (URL tampering)', async () => {
    expect((await south.get(BASE)).statusCode).toBe(404)
    expect((await south.get(`${BASE}/${ids.many}`)).statusCode).toBe(404)
    expect((await north.get(`${BASE}/${ids.theirs}`)).statusCode).toBe(404)
    expect((await north.get(`/staff/neighbourhoods/test-s01/proposals/${ids.theirs}`)).statusCode).toBe(404)
    expect((await north.get(`${BASE}/not-a-uuid`)).statusCode).toBe(404)
    const token = /name="_csrf" value="([^"]+)"/.exec((await north.get(BASE)).body)![1]!
    expect((await north.post(`${BASE}/${ids.theirs}/decline`, { response: 'No', _csrf: token })).statusCode).toBe(404)
    expect((await north.post(`${BASE}/${ids.theirs}/remove`, { _csrf: token })).statusCode).toBe(404)
    const southToken = /name="_csrf" value="([^"]+)"/.exec((await south.get('/staff/contact')).body)![1]!
    expect((await south.post(`${BASE}/${ids.many}/decline`, { response: 'No', _csrf: southToken })).statusCode).toBe(404)
    expect((await t.services.neighbourhoods.proposals.get(ids.theirs!))?.status).toBe('open')
    expect((await t.services.neighbourhoods.proposals.get(ids.many!))?.status).toBe('open')
  })
})
