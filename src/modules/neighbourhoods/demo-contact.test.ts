import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../../test/helpers.ts'
import { testConfig } from '../../config.ts'
import { createServices, type Services } from '../../services.ts'
import { loadDemoArea } from '../areas/demo.ts'
import { loadDemoContact } from './demo-contact.ts'
import { createContactService } from './contact.service.ts'

const SEED = 2026
const now = new Date('2026-05-20T10:00:00Z')

describe('demo contact queries and proposals', () => {
  let services: Services
  let home: { id: string; name: string; path: string }
  let officer: string
  let ms = 0

  beforeAll(async () => {
    const db = await createTestDatabase()
    await loadDemoArea(db, SEED)
    services = await createServices(testConfig(), db)
    const first = (await services.areas.listNeighbourhoods())[0]!
    home = first
    officer = (await services.auth.createStaffUser({ email: 'officer@demo.beacon.example', name: 'PC Olu Officer', password: 'correct horse battery staple', grants: [{ role: 'neighbourhood_officer', areaId: first.id }] })).id
    const started = performance.now()
    await loadDemoContact(services, { seed: SEED, now })
    ms = performance.now() - started
  })
  afterAll(async () => services.db.close())

  const snapshot = () =>
    services.db.query(`select id, reference, area_id, status, created_at, first_reply_at from nbh_contact_queries order by id`).then(async q => ({
      q,
      p: await services.db.query(`select id, area_id, issue, status from nbh_proposals order by id`),
      s: await services.db.query<{ n: number }>(`select count(*)::int as n from nbh_proposal_supports`),
    }))

  it('is quick', () => {
    expect(ms).toBeLessThan(2000)
  })

  it('gives the officer’s neighbourhood one new query, one overdue (assigned to them) and one answered', async () => {
    expect(home.name).toBe('Aldbridge')
    // The inbox as it looks at the demo's own clock.
    const contact = createContactService({ ...services, now: () => now })
    const { rows } = await contact.list({ userId: officer, paths: [home.path] })
    expect(rows.map(r => [r.status, r.clock.overdue, r.clock.stopped])).toEqual([
      ['assigned', true, false],
      ['new', false, false],
      ['replied', false, true],
    ])
    for (const r of rows) expect(r.reference).toMatch(/^NQ-[2-9A-Z]{4}-[2-9A-Z]{4}$/)
    expect(rows[0]!.assignedTo).toBe(officer)
    expect(rows[1]!.clock.text).toBe('5 hours (67 left)')
  })

  it('has late and waiting queries elsewhere, and proposals with supports', async () => {
    const [late] = await services.db.query<{ n: number }>(
      `select count(*)::int as n from nbh_contact_queries where area_id <> $1 and coalesce(first_reply_at, $2) > created_at + interval '72 hours'`,
      [home.id, now],
    )
    expect(late!.n).toBeGreaterThanOrEqual(3)
    const open = await services.neighbourhoods.proposals.openForArea(home.id)
    expect(open.map(p => p.supportCount)).toEqual([9, 5, 2])
    expect((await services.neighbourhoods.proposals.listForArea(home.id)).declined).toHaveLength(1)
    const [elsewhere] = await services.db.query<{ n: number }>(`select count(distinct area_id)::int as n from nbh_proposals where area_id <> $1`, [home.id])
    expect(elsewhere!.n).toBeGreaterThanOrEqual(3)
  })

  it('is the same every time for a seed, and adds nothing when run again', async () => {
    const before = await snapshot()
    await loadDemoContact(services, { seed: SEED, now })
    expect(await snapshot()).toEqual(before)
    await services.db.query(`delete from nbh_contact_queries`)
    await services.db.query(`delete from nbh_proposals`)
    await loadDemoContact(services, { seed: SEED, now })
    expect(await snapshot()).toEqual(before)
  })
})
