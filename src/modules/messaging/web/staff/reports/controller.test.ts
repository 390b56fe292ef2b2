import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type Browser, type TestApp } from '../../../../../../test/helpers.ts'
import { buildStatsFixture, staffBrowser } from '../../../fixtures.testing.ts'
import { errorSummary } from '../../public/testing.ts'

const inputValue = (html: string, id: string) => new RegExp(`<input[^>]*id="${id}"[^>]*value="([^"]*)"`).exec(html)?.[1]

describe('message measures page', () => {
  let t: TestApp
  let north: Browser, lead: Browser

  beforeAll(async () => {
    // This app's email provider reports opens, so they are counted (see message-report for "Not tracked").
    t = await createTestApp({ env: { MESSAGING_PROVIDER_REPORTS_OPENS: 'true' } })
    await buildStatsFixture(t.db)
    ;({ browser: north } = await staffBrowser(t, 'north@example.org', [['neighbourhood_officer', 'test-north']]))
    ;({ browser: lead } = await staffBrowser(t, 'lead@example.org', [['engagement_lead', 'test-force']]))
  })
  afterAll(async () => t.close())

  it('shows the messages in the user’s areas as a table, with a chart beside it', async () => {
    const page = await north.get('/staff/messages/reports?days=365')
    expect(page.statusCode).toBe(200)
    expect(page.body).toMatch(/1 message sent in the last year \(\d+ \w+ \d{4} to \d+ \w+ \d{4}\)/)
    expect(page.body).toContain('Burglary appeal')
    expect(page.body).not.toContain('HYPERLINK')
    const row = /<tr class="govuk-table__row">\s*<th scope="row"[\s\S]*?<\/tr>/.exec(page.body)![0]
    const cells = [...row.matchAll(/govuk-table__cell--numeric">([^<]*)</g)].map(m => m[1]!.trim())
    expect(cells).toEqual(['6', '4', '2', '1', '2', '1', '2 / 1', '2', '2'])
    expect(page.body.indexOf('<table')).toBeLessThan(page.body.indexOf('<svg'))
    expect(page.body).toMatch(/<svg class="beacon-chart"[^>]*role="img"/)
    expect(page.body).not.toMatch(/\sstyle="/)
    // The default period (28 days to today) holds none of March's messages.
    expect((await north.get('/staff/messages/reports')).body).toContain('No messages were sent in your areas in this period.')
  })

  it('exports the same table as CSV, with formulas defused, and audits the export', async () => {
    const res = await lead.get('/staff/messages/reports/messages.csv?days=365')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(res.headers['content-disposition']).toBe('attachment; filename="messages-last-365-days.csv"')
    const lines = res.body.trimEnd().split('\r\n')
    expect(lines[0]).toBe('Message,Area,Sent,Targeted,Sent to,Delivered,Failed,Opened (email),Clicked,Useful: yes,Useful: no,Replies,Unsubscribes within 7 days')
    expect(lines[1]).toBe(`"'=HYPERLINK(""evil"")",South Town,2026-03-05T10:00:00.000Z,1,1,0,0,0,0,0,0,0,1`)
    expect(lines[2]).toBe('Burglary appeal,Ashby North,2026-03-01T10:00:00.000Z,6,4,2,1,2,1,2,1,2,2')
    const [entry] = await t.db.query(`select action, entity_type from audit_log where action = 'export'`)
    expect(entry).toEqual({ action: 'export', entity_type: 'msg_report' })
  })

  const custom = (from: [string, string, string], to: [string, string, string]) =>
    `days=custom&from-day=${from[0]}&from-month=${from[1]}&from-year=${from[2]}&to-day=${to[0]}&to-month=${to[1]}&to-year=${to[2]}`

  it('shows dates the user chooses, whole UK days, and keeps them in the links and the CSV', async () => {
    const page = await lead.get(`/staff/messages/reports?${custom(['1', '3', '2026'], ['4', '3', '2026'])}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('1 message sent from 1 March 2026 to 4 March 2026')
    expect(page.body).toContain('Burglary appeal')
    expect(page.body).not.toContain('HYPERLINK')
    expect(page.body).toMatch(/<input[^>]*id="days-5"[^>]*value="custom"[^>]*checked/)
    expect(inputValue(page.body, 'from-day')).toBe('1')
    const query = 'days=custom&amp;from-day=1&amp;from-month=3&amp;from-year=2026&amp;to-day=4&amp;to-month=3&amp;to-year=2026'
    expect(page.body).toContain(`href="/staff/messages/reports/messages.csv?${query}"`)
    expect(page.body).toContain(`href="/staff/messages/reports/areas?${query}"`)
    // The last day counts whole: the message of 5 March, 10:00 is in when the period ends on the 5th.
    expect((await lead.get(`/staff/messages/reports?${custom(['5', '3', '2026'], ['5', '3', '2026'])}`)).body).toContain('HYPERLINK')
    const csv = await lead.get(`/staff/messages/reports/messages.csv?${custom(['1', '3', '2026'], ['4', '3', '2026'])}`)
    expect(csv.headers['content-disposition']).toBe('attachment; filename="messages-2026-03-01-to-2026-03-04.csv"')
    expect(csv.body.trimEnd().split('\r\n')).toHaveLength(2)
  })

  it('explains wrong dates beside the boxes, keeping what was typed, and shows no figures', async () => {
    const check = async (from: [string, string, string], to: [string, string, string]) => {
      const page = await lead.get(`/staff/messages/reports?${custom(from, to)}`)
      expect(page.statusCode).toBe(400)
      expect(page.body).not.toContain('Burglary appeal')
      return { page: page.body, errors: errorSummary(page.body) }
    }
    let r = await check(['', '', ''], ['4', '', '2026'])
    expect(r.errors).toEqual(['from-day: Enter the start date', 'to-month: End date must include a month'])
    expect(inputValue(r.page, 'to-day')).toBe('4')
    expect(inputValue(r.page, 'to-year')).toBe('2026')
    expect(r.page).toMatch(/class="[^"]*govuk-input--error[^"]*" id="to-month"/)
    expect(r.page).not.toMatch(/class="[^"]*govuk-input--error[^"]*" id="to-day"/)
    r = await check(['31', '2', '2026'], ['4', '3', '26'])
    expect(r.errors).toEqual(['from-day: Start date must be a real date, like 27 3 2026', 'to-year: Year must include 4 numbers, like 2026'])
    r = await check(['1', '3', '2026'], ['1', '1', '2099'])
    expect(r.errors).toEqual(['to-day: End date must be today or in the past'])
    r = await check(['5', '3', '2026'], ['1', '3', '2026'])
    expect(r.errors).toEqual(['to-day: End date must be the same as or after the start date'])
    r = await check(['1', '1', '2022'], ['1', '3', '2026'])
    expect(r.errors).toEqual(['from-day: The period must be 3 years or shorter: choose a later start date'])
    expect(r.page).toContain('<title>Error: ')
    // A CSV address with wrong dates is refused rather than guessed.
    expect((await lead.get(`/staff/messages/reports/messages.csv?${custom(['5', '3', '2026'], ['1', '3', '2026'])}`)).statusCode).toBe(400)
  })
})
