import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../../test/helpers.ts'
import type { Database } from '../../platform/db/client.ts'
import type { Services } from '../../services.ts'
import { createAreasService } from '../areas/service.ts'
import { loadDemoArea } from '../areas/demo.ts'
import { loadDemoTeams } from './demo-team.ts'
import { loadDemoEvents } from './demo-events.ts'
import { isJoinLink } from './events.service.ts'
import { expandRule, londonParts, parseRule } from './recurrence.ts'

const SEED = 2026
const now = new Date('2026-05-20T10:00:00Z')
const DAY = 86_400_000
const quarterAgo = new Date(now.getTime() - 91 * DAY)

describe('demo events', () => {
  let db: Database
  let ms = 0
  let neighbourhoods: { id: string; name: string }[]
  let services: Services

  beforeAll(async () => {
    db = await createTestDatabase()
    const areas = await createAreasService(db)
    await loadDemoArea(db, SEED, areas)
    neighbourhoods = await areas.listNeighbourhoods()
    services = { db, areas } as unknown as Services
    await loadDemoTeams(services, { seed: SEED, now })
    const started = performance.now()
    await loadDemoEvents(services, { seed: SEED, now })
    ms = performance.now() - started
  })
  afterAll(async () => db.close())

  const count = async (sql: string, params: unknown[] = []) => (await db.query<{ n: number }>(sql, params))[0]!.n

  it('is quick: one insert per table', () => {
    expect(ms).toBeLessThan(2000)
  })

  it('gives every neighbourhood a monthly PACT series with meetings before and after now', async () => {
    const rows = await db.query<{ area: string; before: number; after: number }>(
      `select area_id as area, count(*) filter (where starts_at < $1)::int as before, count(*) filter (where starts_at > $1)::int as after
         from nbh_events where type = 'pact' and series_id is not null group by area_id`,
      [now],
    )
    expect(rows).toHaveLength(neighbourhoods.length)
    for (const r of rows) expect(r.after, r.area).toBeGreaterThanOrEqual(3)
    expect(rows.filter(r => r.before >= 3).length).toBeGreaterThan(neighbourhoods.length - 5)
  })

  it('stores rules that expand to exactly the dates stored, at the same London time', async () => {
    const series = await db.query<{ id: string; rule: string }>(`select id, rule from nbh_event_series`)
    for (const s of series) {
      const dates = await db.query<{ starts_at: Date; ends_at: Date }>(`select starts_at, ends_at from nbh_events where series_id = $1 order by starts_at`, [s.id])
      const first = londonParts(dates[0]!.starts_at)
      const expanded = expandRule(parseRule(s.rule), first.date, first.time, 90)
      expect(expanded.map(e => e.startsAt.toISOString())).toEqual(dates.map(d => d.starts_at.toISOString()))
    }
  })

  it('mixes in-person, online (with a platform and an https link) and hybrid meetings', async () => {
    const formats = await db.query<{ format: string; n: number }>(
      `select case when address is not null and online_url is not null then 'hybrid' when online_url is not null then 'online' else 'in_person' end as format,
              count(distinct area_id)::int as n
         from nbh_events where type = 'pact' group by 1 order by 1`,
    )
    expect(formats.map(f => f.format)).toEqual(['hybrid', 'in_person', 'online'])
    const links = await db.query<{ url: string; platform: string | null }>(`select distinct online_url as url, online_platform as platform from nbh_events where online_url is not null`)
    for (const l of links) expect(isJoinLink(l.url), l.url).toBe(true), expect(l.platform).toMatch(/^(Microsoft Teams|Zoom|Facebook Live)$/)
    const noAddress = await count(`select count(*)::int as n from nbh_events where online_url is null and address is null`)
    expect(noAddress).toBe(0)
  })

  it('records most past meetings, with attendance, answered questions and priorities agreed', async () => {
    const past = await count(`select count(*)::int as n from nbh_events where type = 'pact' and ends_at <= $1`, [now])
    const recorded = await count(`select count(*)::int as n from nbh_meeting_records`)
    expect(recorded / past).toBeGreaterThan(0.8)
    expect(recorded).toBeLessThan(past)
    expect(await count(`select count(*)::int as n from nbh_meeting_records r join nbh_events e on e.id = r.event_id where e.starts_at > $1`, [now])).toBe(0)
    expect(await count(`select count(*)::int as n from nbh_event_questions where answer is not null and source = 'at_meeting'`)).toBeGreaterThan(50)
    expect(await count(`select count(*)::int as n from nbh_meeting_priorities`)).toBeGreaterThan(20)
    const wrongArea = await count(
      `select count(*)::int as n from nbh_meeting_priorities mp join nbh_events e on e.id = mp.event_id join nbh_priorities p on p.id = mp.priority_id where p.area_id <> e.area_id`,
    )
    expect(wrongArea).toBe(0)
  })

  it('leaves 2–3 neighbourhoods with no meeting in the last quarter', async () => {
    const without = await db.query<{ id: string }>(
      `select a.id from areas a where a.kind = 'neighbourhood' and not exists (
         select 1 from nbh_events e join nbh_meeting_records r on r.event_id = e.id where e.area_id = a.id and e.starts_at >= $1)`,
      [quarterAgo],
    )
    expect(without.length).toBeGreaterThanOrEqual(2)
    expect(without.length).toBeLessThanOrEqual(3)
    expect(without.map(w => w.id)).not.toContain(neighbourhoods[0]!.id)
    expect(without.map(w => w.id)).not.toContain(neighbourhoods[1]!.id)
    const anyEvent = await count(`select count(*)::int as n from nbh_events where area_id = any($1::text[]) and type = 'pact' and starts_at between $2 and $3`, [
      without.map(w => w.id),
      quarterAgo,
      now,
    ])
    expect(anyEvent).toBe(0)
  })

  it('gives Aldbridge (DS13 1AG) an upcoming in-person PACT meeting taking questions, and the last one unrecorded with questions', async () => {
    const home = neighbourhoods[0]!
    expect(home.name).toBe('Aldbridge')
    const [pc] = await db.query<{ area: string }>(`select neighbourhood_id as area from postcodes where postcode = 'DS131AG'`)
    expect(pc!.area).toBe(home.id)
    const [next] = await db.query<{ starts_at: Date; address: string | null; online_url: string | null; accepts_questions: boolean; cancelled_at: Date | null }>(
      `select starts_at, address, online_url, accepts_questions, cancelled_at from nbh_events where area_id = $1 and type = 'pact' and starts_at > $2 order by starts_at limit 1`,
      [home.id, now],
    )
    expect(next!.address).toMatch(/, Aldbridge DS13 1AG$/)
    expect(next!.online_url).toBeNull()
    expect(next!.accepts_questions).toBe(true)
    expect(next!.cancelled_at).toBeNull()
    const ahead = (next!.starts_at.getTime() - now.getTime()) / DAY
    expect(ahead).toBeGreaterThanOrEqual(4)
    expect(ahead).toBeLessThanOrEqual(20)
    const [last] = await db.query<{ id: string; ends_at: Date; recorded: boolean }>(
      `select e.id, e.ends_at, exists (select 1 from nbh_meeting_records r where r.event_id = e.id) as recorded
         from nbh_events e where area_id = $1 and type = 'pact' and ends_at <= $2 order by starts_at desc limit 1`,
      [home.id, now],
    )
    expect(last!.recorded).toBe(false)
    expect(now.getTime() - last!.ends_at.getTime()).toBeGreaterThan(2 * DAY)
    const qs = await db.query<{ asker_email: string | null; answer: string | null }>(`select asker_email, answer from nbh_event_questions where event_id = $1 order by created_at`, [last!.id])
    expect(qs).toHaveLength(2)
    expect(qs.every(q => q.answer === null)).toBe(true)
    expect(qs.map(q => q.asker_email)).toContain('priya.shah@example.com')
  })

  it('has surgeries and street briefings, one cancelled', async () => {
    expect(await count(`select count(*)::int as n from nbh_events where type = 'surgery' and starts_at > $1`, [now])).toBeGreaterThan(10)
    expect(await count(`select count(*)::int as n from nbh_events where type = 'street_briefing' and starts_at < $1`, [now])).toBeGreaterThan(5)
    expect(await count(`select count(*)::int as n from nbh_events where cancelled_at is not null`)).toBeGreaterThanOrEqual(1)
  })

  it('is the same for the same seed and adds nothing when run again', async () => {
    const snapshot = () =>
      db.query(`select id, area_id, title, starts_at, address, online_url, cancelled_at, sequence, updated_at from nbh_events order by id`)
    const before = await snapshot()
    await loadDemoEvents(services, { seed: SEED, now })
    expect(await snapshot()).toEqual(before)

    const db2 = await createTestDatabase()
    const areas2 = await createAreasService(db2)
    await loadDemoArea(db2, SEED, areas2)
    const s2 = { db: db2, areas: areas2 } as unknown as Services
    await loadDemoTeams(s2, { seed: SEED, now })
    await loadDemoEvents(s2, { seed: SEED, now })
    const again = await db2.query(`select id, area_id, title, starts_at, address, online_url, cancelled_at, sequence, updated_at from nbh_events order by id`)
    await db2.close()
    expect(again).toEqual(before)
  })
})
