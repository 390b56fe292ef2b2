import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../../test/helpers.ts'
import type { Database } from '../../platform/db/client.ts'
import { buildStatsFixture, messagingDeps, STATS_NOW as NOW } from './fixtures.testing.ts'
import { createStatsService, periodBetween, periodEnding, toCsv } from './stats.service.ts'

describe('stats service', () => {
  let db: Database
  let stats: ReturnType<typeof createStatsService>
  let m: { m1: string; m2: string }
  const north = { userId: 'x', paths: ['/test-force/north/'] }
  const lead = { userId: 'y', paths: ['/test-force/'] }
  const period = periodEnding(NOW, 28)

  beforeAll(async () => {
    db = await createTestDatabase()
    m = await buildStatsFixture(db)
    // As if the email provider reported opens (MESSAGING_PROVIDER_REPORTS_OPENS=true).
    const deps = await messagingDeps(db, () => NOW)
    stats = createStatsService({ ...deps, config: { ...deps.config, messaging: { ...deps.config.messaging, providerReportsOpens: true } } })
  })
  afterAll(async () => db.close())

  it('counts every figure for one message, overall and by channel', async () => {
    const report = await stats.messageReport(north, m.m1)
    expect(report!.message).toMatchObject({
      title: 'Burglary appeal',
      targeted: 6,
      sent: 4,
      delivered: 2,
      failed: 1,
      opened: 2,
      clicked: 1,
      usefulYes: 2,
      usefulNo: 1,
      replies: 2,
      unsubscribes: 2,
    })
    expect(report!.byChannel).toEqual([
      { channel: 'email', targeted: 4, sent: 2, delivered: 1, failed: 1, opened: 2, clicked: 1, unsubscribes: 1 },
      { channel: 'sms', targeted: 2, sent: 2, delivered: 1, failed: 0, opened: null, clicked: 0, unsubscribes: 1 },
    ])
  })

  it('keeps other areas’ messages out, by id too', async () => {
    expect(await stats.messageReport(north, m.m2)).toBeNull()
    expect(await stats.messageReport(north, 'nope')).toBeNull()
    expect((await stats.messageReports(north, period)).map(r => r.title)).toEqual(['Burglary appeal'])
    const all = await stats.messageReports(lead, period)
    expect(all.map(r => [r.title, r.targeted, r.unsubscribes, r.opened])).toEqual([
      ['=HYPERLINK("evil")', 1, 1, 0],
      ['Burglary appeal', 6, 2, 2],
    ])
    expect(await stats.messageReports(lead, periodEnding(new Date('2026-02-01T00:00:00Z'), 28))).toEqual([])
  })

  it('says opens are not tracked (null, never 0) unless the provider reports them', async () => {
    const untracked = createStatsService(await messagingDeps(db, () => NOW))
    expect(untracked.opensTracked).toBe(false)
    const report = await untracked.messageReport(north, m.m1)
    expect(report!.message.opened).toBeNull()
    expect(report!.byChannel.map(c => c.opened)).toEqual([null, null])
    expect((await untracked.messageReports(lead, period)).map(r => r.opened)).toEqual([null, null])
  })

  it('takes a period between two instants, counting per week over its real length', async () => {
    const custom = periodBetween(new Date('2026-02-10T00:00:00Z'), NOW)
    expect(custom.days).toBe(28)
    expect((await stats.messageReports(lead, periodBetween(new Date('2026-03-01T00:00:00Z'), new Date('2026-03-02T00:00:00Z')))).map(r => r.title)).toEqual(['Burglary appeal'])
    const pick = (await stats.areaReports(lead, custom)).find(r => r.id === 'test-n01')!
    expect(pick).toMatchObject({ deliveries: 3, perMemberPerWeek: 0.4, mostPerWeek: 0.5 })
    // The same deliveries over a fortnight: twice as many a week.
    const fortnight = (await stats.areaReports(lead, periodBetween(new Date('2026-02-24T00:00:00Z'), NOW))).find(r => r.id === 'test-n01')!
    expect(fortnight).toMatchObject({ deliveries: 3, perMemberPerWeek: 0.8, mostPerWeek: 1 })
  })

  it('works out members, members per 1,000, growth, conversion and frequency per area', async () => {
    const rows = await stats.areaReports(lead, period)
    const pick = (id: string) => rows.find(r => r.id === id)!
    expect(rows.map(r => r.id)).toEqual(['test-force', 'test-north', 'test-n01', 'test-n02', 'test-south', 'test-s01'])
    // Ann and Bob follow Ashby North; Dee is not confirmed; Eve follows the whole district.
    expect(pick('test-n01')).toMatchObject({ members: 2, population: 2000, perThousand: 1, started: 12, confirmed: 9, left: 2, growth: 7, conversion: 75 })
    // Three deliveries reached Ann (2) and Bob (1) in four weeks: 3 / 2 / 4 = 0.375.
    expect(pick('test-n01')).toMatchObject({ deliveries: 3, perMemberPerWeek: 0.4, mostPerWeek: 0.5, depth: 2 })
    // Fewer than ten started: conversion is withheld.
    expect(pick('test-n02')).toMatchObject({ members: 1, perThousand: null, started: 3, conversion: null, growth: 3 })
    // Bob follows both Ashby neighbourhoods: counted once for the district. 3 / 4000 × 1000 = 0.75.
    expect(pick('test-north')).toMatchObject({ members: 3, perThousand: 0.8, started: 15, confirmed: 12, conversion: 80, growth: 10 })
    expect(pick('test-s01')).toMatchObject({ members: 1, perThousand: 2, growth: 0, conversion: null, deliveries: 1, perMemberPerWeek: 0.3 })
    expect(pick('test-force')).toMatchObject({ members: 4, started: 16, confirmed: 13, left: 3, growth: 10, conversion: 81.3, deliveries: 4, depth: 0 })
    const officer = await stats.areaReports(north, period)
    expect(officer.map(r => r.id)).toEqual(['test-north', 'test-n01', 'test-n02'])
    expect(officer[0]!.depth).toBe(0)
  })
})

describe('toCsv', () => {
  it('escapes quotes, commas and new lines, and defuses formulas in text cells', () => {
    expect(toCsv(['Title', 'Growth'], [['=SUM(A1)', -3], ['a "b", c', 2], ['+1', null], ['@x', 0], ['-2', 1], ['line\nbreak', 5]])).toBe(
      'Title,Growth\r\n\'=SUM(A1),-3\r\n"a ""b"", c",2\r\n\'+1,\r\n\'@x,0\r\n\'-2,1\r\n"line\nbreak",5\r\n',
    )
  })
})
