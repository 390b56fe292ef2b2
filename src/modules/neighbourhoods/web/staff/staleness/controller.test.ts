import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as cheerio from 'cheerio'
import { Browser, createTestApp, type TestApp } from '../../../../../../test/helpers.ts'
import { createTestStaff, seedTestAreas, signInAs } from '../../../../../platform/auth/testing.ts'
import { STALENESS_CSV_HEADER } from './controller.ts'

describe('staleness view', () => {
  let t: TestApp
  let lead: Browser, districtLead: Browser, officer: Browser

  beforeAll(async () => {
    t = await createTestApp()
    await seedTestAreas(t.db)
    const signIn = async (email: string, grants: Parameters<typeof createTestStaff>[2]) => {
      const b = new Browser(t.app)
      await signInAs(b, t.services, await createTestStaff(t.services, email, grants))
      return b
    }
    lead = await signIn('lead@example.org', [['engagement_lead', 'test-force']])
    districtLead = await signIn('north-lead@example.org', [['engagement_lead', 'test-north']])
    officer = await signIn('officer@example.org', [['neighbourhood_officer', 'test-force']])
    await t.db.query(`insert into nbh_team_members (area_id, name, rank, is_named_contact) values ('test-n01', 'PC One', 'Police Constable', true)`)
    await t.db.query(`insert into nbh_priorities (area_id, issue, issue_date, last_reviewed_at) values ('test-s01', '=HYPERLINK("x")', '2025-01-01', now() - interval '200 days')`)
    await t.db.query(`insert into nbh_events (area_id, type, title, starts_at, ends_at) values ('test-n01', 'pact', 'PACT', now() - interval '10 days', now() - interval '9 days')`)
    await t.db.query(
      `insert into nbh_contact_queries (reference, area_id, topic, message, reply_by, email, created_at) values ('NQ-2222-3333', 'test-n02', 'other', 'm', 'email', 'a@example.com', now() - interval '100 hours')`,
    )
  })
  afterAll(async () => t.close())

  it('shows a summary count per check, then a captioned table per check linking to each hub', async () => {
    const page = await lead.get('/staff/staleness')
    expect(page.statusCode).toBe(200)
    const $ = cheerio.load(page.body)
    expect($('h1').text()).toBe('Staleness')
    const summary = $('.govuk-summary-list__row').map((_, r) => [[$(r).find('dt').text().trim(), $(r).find('dd').text().trim()]]).get()
    expect(summary).toEqual([
      ['No named contact', '2 neighbourhoods'],
      ['Priorities not reviewed for three months', '1 neighbourhood'],
      ['No meeting in the last quarter', '2 neighbourhoods'],
      ['Queries answered late', '1 neighbourhood'],
    ])
    const table = (id: string) =>
      $(`#${id}`)
        .next('table')
        .find('tbody th a')
        .map((_, a) => $(a).attr('href'))
        .get()
    expect(table('no-contact')).toEqual(['/staff/neighbourhoods/test-n02', '/staff/neighbourhoods/test-s01'])
    expect(table('reviews')).toEqual(['/staff/neighbourhoods/test-s01'])
    expect(table('meetings')).toEqual(['/staff/neighbourhoods/test-n02', '/staff/neighbourhoods/test-s01'])
    expect(table('late')).toEqual(['/staff/neighbourhoods/test-n02'])
    expect($('table caption').length).toBe(4)
  })

  it('covers only the neighbourhoods in the lead’s grants', async () => {
    const $ = cheerio.load((await districtLead.get('/staff/staleness')).body)
    expect($('#no-contact').next('table').find('tbody th a').map((_, a) => $(a).attr('href')).get()).toEqual(['/staff/neighbourhoods/test-n02'])
    expect($('body').text()).not.toContain('South Town')
  })

  it('exports every neighbourhood as CSV, safe to open in a spreadsheet, and audits it', async () => {
    const res = await lead.get('/staff/staleness.csv')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="neighbourhood-staleness-\d{4}-\d{2}-\d{2}\.csv"$/)
    const lines = res.body.trim().split('\r\n')
    expect(lines[0]).toBe(STALENESS_CSV_HEADER.join(','))
    expect(lines).toHaveLength(4)
    expect(lines[1]).toMatch(/^test-n01,Ashby North,North District,yes,0,,\d{4}-\d{2}-\d{2},yes,0,0,0$/)
    expect(lines[2]).toBe('test-n02,Ashby South,North District,no,0,,,no,1,1,1')
    expect(lines[3]).toMatch(/^test-s01,South Town,South District,no,1,\d{4}-\d{2}-\d{2},,no,0,0,0$/)
    const [entry] = await t.db.query(`select action, entity_type from audit_log where actor_email = 'lead@example.org' and action = 'export'`)
    expect(entry).toEqual({ action: 'export', entity_type: 'nbh_staleness' })
  })

  it('is for engagement leads and administrators only', async () => {
    expect((await officer.get('/staff/staleness')).statusCode).toBe(403)
    expect((await officer.get('/staff/staleness.csv')).statusCode).toBe(403)
    expect((await new Browser(t.app).get('/staff/staleness')).statusCode).toBe(303)
  })
})
