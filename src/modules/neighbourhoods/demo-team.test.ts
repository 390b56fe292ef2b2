import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../../test/helpers.ts'
import type { Database } from '../../platform/db/client.ts'
import type { Services } from '../../services.ts'
import { createAreasService } from '../areas/service.ts'
import { loadDemoArea } from '../areas/demo.ts'
import { loadDemoTeams, silhouettePng } from './demo-team.ts'
import { sniffImageType } from './team.service.ts'
import { reviewDueCutoff } from './priorities.service.ts'

const SEED = 2026
const now = new Date('2026-05-20T10:00:00Z')

describe('demo teams', () => {
  let db: Database
  let ms = 0
  let neighbourhoods: { id: string; name: string }[]

  beforeAll(async () => {
    db = await createTestDatabase()
    const areas = await createAreasService(db)
    await loadDemoArea(db, SEED, areas)
    neighbourhoods = await areas.listNeighbourhoods()
    const started = performance.now()
    await loadDemoTeams({ db, areas } as unknown as Services, { seed: SEED, now })
    ms = performance.now() - started
  })
  afterAll(async () => db.close())

  const count = async (sql: string, params: unknown[] = []) => (await db.query<{ n: number }>(sql, params))[0]!.n

  it('is quick: one insert per table', () => {
    expect(ms).toBeLessThan(2000)
  })

  it('gives every neighbourhood a profile and a team of 2 to 4, with a few left without a named contact', async () => {
    expect(await count(`select count(*)::int as n from nbh_profiles`)).toBe(neighbourhoods.length)
    const sizes = await db.query<{ n: number; named: number }>(
      `select count(*)::int as n, count(*) filter (where is_named_contact)::int as named from nbh_team_members group by area_id`,
    )
    expect(sizes).toHaveLength(neighbourhoods.length)
    for (const s of sizes) expect(s.n).toBeGreaterThanOrEqual(2), expect(s.n).toBeLessThanOrEqual(4)
    const without = sizes.filter(s => s.named === 0).length
    expect(without).toBeGreaterThanOrEqual(2)
    expect(without).toBeLessThanOrEqual(3)
  })

  it('makes the demo officer’s neighbourhood (DS13 1AG) complete', async () => {
    const home = neighbourhoods[0]!
    expect(home.name).toBe('Aldbridge')
    const [pc] = await db.query<{ area: string }>(`select neighbourhood_id as area from postcodes where postcode = 'DS131AG'`)
    expect(pc?.area).toBe(home.id)
    const team = await db.query<{ named: boolean; photo: Uint8Array | null; alt: string | null }>(
      `select is_named_contact as named, photo, photo_alt as alt from nbh_team_members where area_id = $1 order by sort_order`,
      [home.id],
    )
    expect(team).toHaveLength(4)
    expect(team.filter(m => m.named)).toHaveLength(1)
    for (const m of team) expect(sniffImageType(m.photo!)).toBe('image/png'), expect(m.alt).toMatch(/^Illustration standing in for a photo of /)
    const priorities = await db.query<{ status: string; reviewed: Date }>(`select status, last_reviewed_at as reviewed from nbh_priorities where area_id = $1`, [home.id])
    expect(priorities).toHaveLength(3)
    expect(priorities.filter(p => p.status === 'resolved')).toHaveLength(1)
    for (const p of priorities) expect(new Date(p.reviewed) > reviewDueCutoff(now)).toBe(true)
  })

  it('sets 1 to 3 priorities each, with dated updates: some resolved, some overdue a review', async () => {
    const per = await db.query<{ n: number }>(`select count(*)::int as n from nbh_priorities group by area_id`)
    expect(per).toHaveLength(neighbourhoods.length)
    for (const p of per) expect(p.n).toBeGreaterThanOrEqual(1), expect(p.n).toBeLessThanOrEqual(3)
    expect(await count(`select count(*)::int as n from nbh_priorities where status = 'resolved' and resolved_at is not null`)).toBeGreaterThan(3)
    expect(await count(`select count(*)::int as n from nbh_priorities where status <> 'resolved' and last_reviewed_at < $1`, [reviewDueCutoff(now)])).toBeGreaterThan(3)
    // Every priority has at least one update, none before its issue date or in the future, and its status is its latest update's.
    expect(await count(`select count(*)::int as n from nbh_priorities p where not exists (select 1 from nbh_priority_updates u where u.priority_id = p.id)`)).toBe(0)
    expect(await count(`select count(*)::int as n from nbh_priority_updates u join nbh_priorities p on p.id = u.priority_id where u.action_date < p.issue_date or u.action_date > '2026-05-20'`)).toBe(0)
    expect(
      await count(
        `select count(*)::int as n from nbh_priorities p
          where p.status <> (select u.status from nbh_priority_updates u where u.priority_id = p.id order by u.action_date desc, u.created_at desc limit 1)`,
      ),
    ).toBe(0)
  })

  it('puts a station with opening hours in every district', async () => {
    const rows = await db.query<{ district: string; stations: number }>(
      `select d.id as district, count(l.id) filter (where l.type = 'station')::int as stations
         from areas d left join nbh_locations l on l.area_id = d.id where d.kind = 'district' group by d.id`,
    )
    for (const r of rows) expect(r.stations, r.district).toBe(1)
    expect(await count(`select count(*)::int as n from nbh_locations where type = 'front_counter'`)).toBeGreaterThan(0)
    expect(await count(`select count(*)::int as n from nbh_locations where jsonb_array_length(opening_hours) = 0`)).toBe(0)
  })

  it('is deterministic and adds nothing when run again', async () => {
    const snapshot = async () =>
      db.query(`select id, area_id, name, is_named_contact from nbh_team_members union all select id, area_id, issue, false from nbh_priorities order by 1`)
    const before = await snapshot()
    await loadDemoTeams({ db } as unknown as Services, { seed: SEED, now })
    expect(await snapshot()).toEqual(before)
  })

  it('draws a valid PNG silhouette', () => {
    const png = silhouettePng([10, 20, 30])
    expect(sniffImageType(png)).toBe('image/png')
    expect(png.length).toBeLessThan(4000)
  })
})
