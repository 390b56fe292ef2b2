import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type Browser, type TestApp } from '../../../../../../test/helpers.ts'
import { buildStatsFixture, staffBrowser } from '../../../fixtures.testing.ts'

describe('one message’s measures page', () => {
  let t: TestApp
  let north: Browser
  let m: { m1: string; m2: string }

  beforeAll(async () => {
    t = await createTestApp()
    m = await buildStatsFixture(t.db)
    ;({ browser: north } = await staffBrowser(t, 'north@example.org', [['neighbourhood_officer', 'test-n01']]))
  })
  afterAll(async () => t.close())

  it('shows reach by channel, usefulness and replies, with the chart after the table', async () => {
    const page = await north.get(`/staff/messages/${m.m1}/report`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('<h1 class="govuk-heading-l">Burglary appeal</h1>')
    expect(page.body).toContain('2 yes, 1 no (67% useful)')
    const row = (label: string) =>
      [...new RegExp(`<th scope="row" class="govuk-table__header">${label}</th>([\\s\\S]*?)</tr>`).exec(page.body)![1]!.matchAll(/numeric">([^<]*)</g)].map(x => x[1]!.trim())
    expect(row('Targeted')).toEqual(['6', '4', '2'])
    expect(row('Delivered')).toEqual(['2', '1', '1'])
    // This app's email provider does not report opens, so none are shown as 0.
    expect(row('Opened')).toEqual(['Not tracked', 'Not tracked', 'Not tracked'])
    expect(page.body).toContain('Opens are not tracked')
    expect(row('Unsubscribes within 7 days')).toEqual(['2', '1', '1'])
    expect(page.body.indexOf('<table')).toBeLessThan(page.body.indexOf('<svg'))
    expect(page.body).toContain('<title id="funnel-chart-title">')
  })

  it('exports CSV and answers 404 for a message outside the grants', async () => {
    const csv = await north.get(`/staff/messages/${m.m1}/report.csv`)
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="message-${m.m1}.csv"`)
    expect(csv.body.split('\r\n').slice(0, 3)).toEqual(['Measure,All channels,Email,Text message', 'Targeted,6,4,2', 'Sent,4,2,2'])
    expect(csv.body).toContain('Opened,not tracked,not tracked,not tracked\r\n')
    expect((await north.get(`/staff/messages/${m.m2}/report`)).statusCode).toBe(404)
    expect((await north.get(`/staff/messages/${m.m2}/report.csv`)).statusCode).toBe(404)
    expect((await north.get(`/staff/messages/nonsense/report`)).statusCode).toBe(404)
  })
})
