import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type Browser, type TestApp } from '../../../../../../test/helpers.ts'
import { buildStatsFixture, staffBrowser } from '../../../fixtures.testing.ts'

describe('message measures page', () => {
  let t: TestApp
  let north: Browser, lead: Browser

  beforeAll(async () => {
    t = await createTestApp()
    await buildStatsFixture(t.db)
    ;({ browser: north } = await staffBrowser(t, 'north@example.org', [['neighbourhood_officer', 'test-north']]))
    ;({ browser: lead } = await staffBrowser(t, 'lead@example.org', [['engagement_lead', 'test-force']]))
  })
  afterAll(async () => t.close())

  it('shows the messages in the user’s areas as a table, with a chart beside it', async () => {
    const page = await north.get('/staff/messages/reports?days=365')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('1 message sent from')
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
})
