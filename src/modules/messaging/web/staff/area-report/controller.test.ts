import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type Browser, type TestApp } from '../../../../../../test/helpers.ts'
import { buildStatsFixture, staffBrowser } from '../../../fixtures.testing.ts'

describe('measures by area page', () => {
  let t: TestApp
  let north: Browser, lead: Browser

  beforeAll(async () => {
    t = await createTestApp()
    await buildStatsFixture(t.db)
    ;({ browser: north } = await staffBrowser(t, 'north@example.org', [['neighbourhood_officer', 'test-north']]))
    ;({ browser: lead } = await staffBrowser(t, 'lead@example.org', [['engagement_lead', 'test-force']]))
  })
  afterAll(async () => t.close())

  it('shows the areas in the grants with members per 1,000, growth and conversion, then charts', async () => {
    const page = await north.get('/staff/messages/reports/areas?days=365')
    expect(page.statusCode).toBe(200)
    const names = [...page.body.matchAll(/<th scope="row" class="govuk-table__header"><span[^>]*><\/span>([^<]+)</g)].map(x => x[1])
    expect(names).toEqual(['North District', 'Ashby North', 'Ashby South'])
    const row = (name: string) =>
      [...new RegExp(`${name}<span class="govuk-visually-hidden">[^<]*</span></th>([\\s\\S]*?)</tr>`).exec(page.body)![1]!.matchAll(/numeric">([^<]*)</g)].map(x => x[1]!.trim())
    // Over the year the five January sign-ups started in Ashby North count too: 9 of 17.
    expect(row('Ashby North')).toEqual(['2', '1', '17', '9', '52.9%', '2', '+7', '0', '0'])
    expect(row('Ashby South')).toEqual(['1', 'Population not known', '3', '3', 'Too few to show', '0', '+3', '0', '0'])
    expect(page.body).toContain('<title id="reach-chart-title">Members per 1,000 population, by neighbourhood</title>')
    expect(page.body).toContain('<title id="frequency-chart-title">Messages per member per week, by neighbourhood</title>')
    expect(page.body.indexOf('<table')).toBeLessThan(page.body.indexOf('<svg'))
  })

  it('exports the table as CSV for the areas in the grants only', async () => {
    const res = await lead.get('/staff/messages/reports/areas.csv?days=365')
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8')
    const lines = res.body.trimEnd().split('\r\n')
    expect(lines).toHaveLength(7)
    expect(lines[0]).toContain('Members per 1,000 population')
    expect(lines[3]).toBe('Ashby North,neighbourhood,2,2000,1,17,9,52.9,2,7,3,0,0')
    const own = await north.get('/staff/messages/reports/areas.csv?days=365')
    expect(own.body).not.toContain('South Town')
  })

  it('takes dates the user chooses, keeping them in the CSV link, and explains wrong ones', async () => {
    const q = 'days=custom&from-day=2&from-month=3&from-year=2026&to-day=2&to-month=3&to-year=2026'
    const page = await north.get(`/staff/messages/reports/areas?${q}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Your areas, from 2 March 2026 to 2 March 2026')
    expect(page.body).toContain(`areas.csv?${q.replace(/&/g, '&amp;')}`)
    const csv = await north.get(`/staff/messages/reports/areas.csv?${q}`)
    expect(csv.headers['content-disposition']).toBe('attachment; filename="areas-2026-03-02-to-2026-03-02.csv"')
    // The sign-ups of 2 March only: 12 started and 9 confirmed in Ashby North.
    expect(csv.body.split('\r\n')[2]).toMatch(/^Ashby North,neighbourhood,2,2000,1,12,9,75,2,7,/)
    const wrong = await north.get('/staff/messages/reports/areas?days=custom&from-day=2&from-month=13&from-year=2026&to-day=2&to-month=3&to-year=2026')
    expect(wrong.statusCode).toBe(400)
    expect(wrong.body).toContain('Start date must be a real date, like 27 3 2026')
    expect(wrong.body).toMatch(/id="from-month"[^>]*value="13"|value="13"[^>]*id="from-month"/)
  })
})
