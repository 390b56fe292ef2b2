import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as cheerio from 'cheerio'
import { Browser, createTestApp, type TestApp } from '../../../../../../test/helpers.ts'
import { createTestStaff, seedTestAreas, signInAs } from '../../../../../platform/auth/testing.ts'

const staffBrowser = async (t: TestApp, email: string, grants: Parameters<typeof createTestStaff>[2]) => {
  const b = new Browser(t.app)
  await signInAs(b, t.services, await createTestStaff(t.services, email, grants))
  return b
}

const rows = (html: string) => {
  const $ = cheerio.load(html)
  return $('tbody tr').map((_, tr) => $(tr).children().map((_, c) => $(c).text().replace(/\s+/g, ' ').trim()).get().join(' | ')).get()
}

describe('staff neighbourhoods list and hub', () => {
  let t: TestApp
  let north: Browser, lead: Browser, partner: Browser

  beforeAll(async () => {
    t = await createTestApp()
    await seedTestAreas(t.db)
    north = await staffBrowser(t, 'north@example.org', [['neighbourhood_officer', 'test-n01']])
    lead = await staffBrowser(t, 'lead@example.org', [['engagement_lead', 'test-force']])
    partner = await staffBrowser(t, 'partner@example.org', [['partner', 'test-force']])
    const actor = { userId: null, email: 'seed@example.org', ip: null }
    await t.services.neighbourhoods.team.addMember(actor, 'test-n01', {
      name: 'PC Ann Able', rank: 'Police Constable', role: null, bio: null, email: null, telephone: null, isNamedContact: true, sortOrder: 0,
    })
    await t.db.query(
      `insert into nbh_priorities (area_id, issue, issue_date, status, last_reviewed_at) values
         ('test-n01', 'Old', '2025-01-01', 'open', now() - interval '4 months'), ('test-n01', 'New', '2026-01-01', 'in_progress', now()),
         ('test-s01', 'South', '2026-01-01', 'open', now() - interval '6 months')`,
    )
  })
  afterAll(async () => t.close())

  it('lists the neighbourhoods in my grants with named contact, open priorities and reviews due', async () => {
    const mine = await north.get('/staff/neighbourhoods')
    expect(mine.statusCode).toBe(200)
    expect(rows(mine.body)).toEqual(['Ashby North | North District | Yes | 1 | 2 | 1'])
    expect(rows((await lead.get('/staff/neighbourhoods')).body)).toEqual([
      'Ashby North | North District | Yes | 1 | 2 | 1',
      'Ashby South | North District | No | 0 | 0 | 0',
      'South Town | South District | No | 0 | 1 | 1',
    ])
    expect((await partner.get('/staff/neighbourhoods')).statusCode).toBe(403)
    expect((await new Browser(t.app).get('/staff/neighbourhoods')).statusCode).toBe(303)
  })

  it('links every section from the hub, including events, proposals and the contact inbox', async () => {
    const res = await north.get('/staff/neighbourhoods/test-n01')
    expect(res.statusCode).toBe(200)
    const $ = cheerio.load(res.body)
    expect($('h1').text()).toBe('Ashby North')
    const links = $('main a').map((_, a) => $(a).attr('href')).get()
    for (const href of ['profile', 'team', 'priorities', 'events', 'proposals'].map(s => `/staff/neighbourhoods/test-n01/${s}`))
      expect(links).toContain(href)
    expect(links).toEqual(expect.arrayContaining(['/staff/stations', '/staff/contact', '/neighbourhoods/test-n01']))
    expect($('main').text()).toMatch(/Named contact\s+PC Ann Able/)
    expect($('main').text()).toMatch(/Due a review\s+1 priority/)
  })

  it('is 404 for a neighbourhood outside my grants, a district or nonsense', async () => {
    for (const id of ['test-s01', 'test-north', 'no-such'])
      expect((await north.get(`/staff/neighbourhoods/${id}`)).statusCode, id).toBe(404)
    expect((await lead.get('/staff/neighbourhoods/test-s01')).statusCode).toBe(200)
  })
})
