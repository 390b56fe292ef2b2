import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as cheerio from 'cheerio'
import { Browser, createTestApp, type TestApp } from '../../../../../../test/helpers.ts'
import { seedTestAreas } from '../../../../../platform/auth/testing.ts'
import { PROPOSAL_MESSAGES } from '../../../proposals.service.ts'
import { SUPPORTER_COOKIE } from './supporter.ts'

const URL = '/neighbourhoods/test-n01/have-your-say'
const openIssues = (html: string) => {
  const $ = cheerio.load(html)
  return $('#open + ol > li').map((_, li) => [[$(li).find('h3').text().trim(), $(li).find('strong').first().text().trim()]]).get() as unknown as [string, string][]
}
const banner = (html: string) => cheerio.load(html)('.govuk-notification-banner').text().replace(/\s+/g, ' ').trim()

describe('have your say on priorities (public)', () => {
  let t: TestApp
  let ann: Browser, bob: Browser

  beforeAll(async () => {
    t = await createTestApp()
    await seedTestAreas(t.db)
    ann = new Browser(t.app)
    bob = new Browser(t.app)
  })
  afterAll(async () => t.close())

  it('shows an empty page with the form, setting no cookie on a view', async () => {
    const page = await ann.get(URL)
    expect(page.statusCode).toBe(200)
    expect(cheerio.load(page.body)('h1').text()).toBe('Have your say on priorities')
    expect(page.body).toContain('There are no open proposals yet')
    expect(ann.cookies.has(SUPPORTER_COOKIE)).toBe(false)
  })

  it('refuses an empty or oversize proposal, keeping what was typed', async () => {
    await ann.submit(URL, { issue: '', details: 'Every night' })
    let page = await ann.get(URL)
    expect(cheerio.load(page.body)('.govuk-error-summary').text()).toContain(PROPOSAL_MESSAGES.noIssue)
    expect(cheerio.load(page.body)('#details').text()).toBe('Every night')
    await ann.submit(URL, { issue: 'x'.repeat(201) })
    page = await ann.get(URL)
    expect(cheerio.load(page.body)('.govuk-error-summary').text()).toContain(PROPOSAL_MESSAGES.longIssue)
  })

  it('publishes a proposal with the proposer’s support counted', async () => {
    const res = await ann.submit(URL, { issue: 'Speeding on Mill Lane', details: 'After 10pm' })
    expect(res.statusCode).toBe(303)
    expect(ann.cookies.has(SUPPORTER_COOKIE)).toBe(true)
    const page = await ann.get(URL)
    expect(banner(page.body)).toContain('Your proposal has been added')
    expect(openIssues(page.body)).toEqual([['Speeding on Mill Lane', '1 resident supports this']])
    // The proposer sees they support it, without a button.
    expect(page.body).toContain('You support this')
    expect(cheerio.load(page.body)('form[action$="/support"]').length).toBe(0)
    // Only an HMAC is stored, never the cookie's id.
    const raw = t.app.unsignCookie(decodeURIComponent(ann.cookies.get(SUPPORTER_COOKIE)!)).value!
    const [row] = await t.db.query<{ supporter_key: string }>(`select supporter_key from nbh_proposal_supports`)
    expect(row!.supporter_key).toBe(t.services.neighbourhoods.proposals.supporterKey(raw))
    expect(row!.supporter_key).not.toContain(raw)
  })

  it('counts one support per browser, most supported first', async () => {
    await bob.submit(URL, { issue: 'Litter by the shops' })
    let page = await bob.get(URL)
    const $ = cheerio.load(page.body)
    const action = $('form[action$="/support"]').attr('action')!
    expect(action).toMatch(/^\/neighbourhoods\/test-n01\/have-your-say\/[0-9a-f-]{36}\/support$/)
    // An accessible name says which proposal the button supports.
    expect($('form[action$="/support"] button').text().replace(/\s+/g, ' ').trim()).toBe('Support “Speeding on Mill Lane”')

    let res = await bob.submit(URL, {}, action)
    expect(res.statusCode).toBe(303)
    page = await bob.get(URL)
    expect(banner(page.body)).toContain(PROPOSAL_MESSAGES.supported)
    expect(openIssues(page.body)).toEqual([
      ['Speeding on Mill Lane', '2 residents support this'],
      ['Litter by the shops', '1 resident supports this'],
    ])

    // Supporting twice (an old page, a double click) says so and counts nothing.
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!
    res = await bob.post(action, { _csrf: token })
    page = await bob.get(URL)
    expect(banner(page.body)).toContain('You have already supported this')
    expect(openIssues(page.body)[0]).toEqual(['Speeding on Mill Lane', '2 residents support this'])
  })

  it('treats a tampered supporter cookie as a new browser', async () => {
    const mallory = new Browser(t.app)
    mallory.cookies.set(SUPPORTER_COOKIE, 'forged-value-without-signature')
    const page = await mallory.get(URL)
    expect(page.body).not.toContain('You support this')
  })

  it('will not support a proposal through another neighbourhood’s address, or without the token', async () => {
    const [p] = await t.db.query<{ id: string }>(`select id from nbh_proposals where issue = 'Litter by the shops'`)
    const carol = new Browser(t.app)
    expect((await carol.submit(URL, {}, `/neighbourhoods/test-s01/have-your-say/${p!.id}/support`)).statusCode).toBe(404)
    expect((await carol.submit(URL, {}, `/neighbourhoods/test-n01/have-your-say/not-an-id/support`)).statusCode).toBe(404)
    expect((await carol.post(`/neighbourhoods/test-n01/have-your-say/${p!.id}/support`, {})).statusCode).toBe(403)
  })

  it('shows decided proposals with the team’s response', async () => {
    const [p] = await t.db.query<{ id: string }>(`select id from nbh_proposals where issue = 'Litter by the shops'`)
    await t.services.neighbourhoods.proposals.decline({ userId: null, email: null, ip: null }, 'test-n01', p!.id, 'The council clears litter; we have passed this on.')
    const page = await ann.get(URL)
    expect(openIssues(page.body).map(x => x[0])).toEqual(['Speeding on Mill Lane'])
    const decided = cheerio.load(page.body)('#decided').nextAll().text()
    expect(decided).toContain('Litter by the shops')
    expect(decided).toContain('The council clears litter; we have passed this on.')
    // Supporting it now says it is closed.
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!
    await ann.post(`${URL}/${p!.id}/support`, { _csrf: token })
    expect(banner((await ann.get(URL)).body)).toContain(PROPOSAL_MESSAGES.closed)
  })
})
