import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../../test/helpers.ts'
import { seedTestAreas, TEST_AREAS } from '../../platform/auth/testing.ts'
import type { Database } from '../../platform/db/client.ts'
import { seededRandom } from '../../platform/geo/seeded-random.ts'
import type { Organisation, Priority } from './schema.ts'
import { audienceForm, countRecipients, liveCount, recipientsSql, writeDeliveries, type TargetSpec } from './targeting.ts'
import { fixtureId, insertFixtureGroup, insertFixtureSubscribers, type FixtureSubscriber } from './targeting.test-fixtures.ts'

const AREAS = Object.values(TEST_AREAS)
const pathOf = new Map<string, string>(AREAS.map(a => [a.id, a.path]))
const INTERESTS = ['appeals', 'crime-alerts', 'scams-fraud', 'rural-crime']
const HISTORIES: boolean[][] = [[true], [true], [true, false], [false, true], [], [true, true], [false]]

/** The targeting rule written plainly, as the oracle for the set-based SQL. */
function expected(people: FixtureSubscriber[], groupMembers: Map<string, Set<string>>, spec: TargetSpec) {
  const targetPaths = spec.areaIds.map(id => pathOf.get(id)!)
  return people.flatMap(p => {
    const inArea = (p.places ?? []).some(a => {
      const path = pathOf.get(a)!
      return targetPaths.some(t => path.startsWith(t) || t.startsWith(path))
    })
    const interested = spec.interestIds.length === 0 || (p.interests ?? []).some(i => spec.interestIds.includes(i))
    const inGroup = spec.groupIds.some(g => groupMembers.get(g)?.has(p.id))
    const history = p.consents?.[spec.organisation] ?? []
    const consented = history.length > 0 && history[history.length - 1] === true
    const email = !!p.email && p.emailConfirmed !== false && !p.emailFailing
    const sms = !!p.phone && p.phoneConfirmed !== false && !p.smsFailing
    return ((inArea && interested) || inGroup) && consented && (email || sms) ? [{ p, email, sms }] : []
  })
}

describe('set-based targeting', () => {
  let db: Database
  let people: FixtureSubscriber[]
  let watchGroup: string
  const groupMembers = new Map<string, Set<string>>()

  beforeAll(async () => {
    db = await createTestDatabase()
    await seedTestAreas(db)
    watchGroup = await insertFixtureGroup(db, 'Watch coordinators', TEST_AREAS.north.id)
    const random = seededRandom(42)
    const pick = <T,>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!
    people = Array.from({ length: 400 }, (_, n): FixtureSubscriber => {
      const hasEmail = random() < 0.8
      const hasPhone = !hasEmail || random() < 0.4
      const places = [...new Set(Array.from({ length: 1 + Math.floor(random() * 2) }, () => pick(AREAS).id))]
      const home = places.find(a => a.startsWith('test-n') || a.startsWith('test-s0')) ?? null
      return {
        id: fixtureId(n + 1),
        email: hasEmail ? `p${n}@example.org` : null,
        emailConfirmed: random() < 0.9,
        emailFailing: random() < 0.05,
        phone: hasPhone ? `+4477009${String(n).padStart(5, '0')}` : null,
        phoneConfirmed: random() < 0.9,
        smsFailing: random() < 0.05,
        emailFrequency: pick(['immediate', 'immediate', 'daily', 'weekly'] as const),
        smsFrequency: pick(['immediate', 'daily'] as const),
        homeAreaId: home,
        places,
        interests: INTERESTS.filter(() => random() < 0.4),
        groups: random() < 0.05 ? [watchGroup] : [],
        consents: { force: pick(HISTORIES), opcc: pick(HISTORIES) },
      }
    })
    groupMembers.set(watchGroup, new Set(people.filter(p => p.groups!.length).map(p => p.id)))
    await insertFixtureSubscribers(db, people)
  })
  afterAll(async () => db.close())

  const specs: [string, TargetSpec][] = [
    ['one neighbourhood', { areaIds: [TEST_AREAS.ashbyNorth.id], interestIds: [], groupIds: [], organisation: 'force' }],
    ['a district, two interests', { areaIds: [TEST_AREAS.north.id], interestIds: ['appeals', 'rural-crime'], groupIds: [], organisation: 'force' }],
    ['the force, for the PCC', { areaIds: [TEST_AREAS.force.id], interestIds: [], groupIds: [], organisation: 'opcc' }],
    ['a neighbourhood and a group', { areaIds: [TEST_AREAS.southTown.id], interestIds: ['scams-fraud'], groupIds: [''], organisation: 'force' }],
    ['a mix of areas', { areaIds: [TEST_AREAS.ashbySouth.id, TEST_AREAS.south.id], interestIds: ['crime-alerts'], groupIds: [], organisation: 'opcc' }],
  ]

  for (const [name, raw] of specs) {
    it(`counts exactly who the rule says, by channel and home area: ${name}`, async () => {
      const spec = { ...raw, groupIds: raw.groupIds.map(g => (g === '' ? watchGroup : g)) }
      const want = expected(people, groupMembers, spec)
      const got = await countRecipients(db, spec)
      expect(want.length).toBeGreaterThan(5)
      expect(got.total).toBe(want.length)
      expect(got.byChannel).toEqual({ email: want.filter(w => w.email).length, sms: want.filter(w => w.sms).length })
      const byArea = new Map<string | null, number>()
      for (const w of want) byArea.set(w.p.homeAreaId ?? null, (byArea.get(w.p.homeAreaId ?? null) ?? 0) + 1)
      expect(new Map(got.byArea.map(a => [a.areaId, a.count]))).toEqual(byArea)
      expect(got.byArea.find(a => a.areaId === TEST_AREAS.ashbyNorth.id)?.name ?? 'Ashby North').toBe('Ashby North')
    })
  }

  for (const [name, raw] of specs) {
    it(`finds the same residents whichever way the place rule is evaluated (narrow or wide): ${name}`, async () => {
      const spec = { ...raw, groupIds: raw.groupIds.map(g => (g === '' ? watchGroup : g)) }
      const want = expected(people, groupMembers, spec).map(w => w.p.id).sort()
      for (const form of ['narrow', 'wide'] as const) {
        const { text, params } = recipientsSql(spec, spec.organisation, form)
        const got = (await db.query<{ id: string }>(text, params)).map(r => r.id).sort()
        expect(got, form).toEqual(want)
      }
    })
  }

  it('chooses the wide form only when the targets cover a large share of the areas', async () => {
    // Six test areas: one neighbourhood overlaps itself, its district and the force (3 of 6).
    expect(await audienceForm(db, [TEST_AREAS.ashbyNorth.id])).toBe('wide')
    expect(await audienceForm(db, [TEST_AREAS.force.id])).toBe('wide')
    expect(await audienceForm(db, [])).toBe('narrow')
    const many = Array.from({ length: 40 }, (_, i) => ({ id: `test-x${i}`, path: `/test-force/south/x${i}/` }))
    const other = await createTestDatabase()
    try {
      await seedTestAreas(other)
      for (const a of many)
        await other.query(`insert into areas (id, kind, parent_id, path, name) values ($1, 'neighbourhood', 'test-south', $2, $1)`, [a.id, a.path])
      // Now a neighbourhood in the north overlaps 3 of 46 areas; the south district 43 of 46.
      expect(await audienceForm(other, [TEST_AREAS.ashbyNorth.id])).toBe('narrow')
      expect(await audienceForm(other, [TEST_AREAS.south.id])).toBe('wide')
    } finally {
      await other.close()
    }
  })

  it('gives the live count exactly for small audiences and an estimate from a sample for large ones', async () => {
    const spec: TargetSpec = { areaIds: [TEST_AREAS.force.id], interestIds: [], groupIds: [], organisation: 'force' }
    const exact = await countRecipients(db, spec)
    // A sample bigger than the table is the whole table: exact, not estimated.
    expect(await liveCount(db, spec)).toEqual({ ...exact, estimated: false })
    // Forced to estimate: a sample of about half the residents, scaled up, no per-area figures.
    const estimate = await liveCount(db, spec, { exactUpTo: 1, sampleRows: 200 })
    expect(estimate.estimated).toBe(true)
    expect(estimate.byArea).toEqual([])
    expect(estimate.total).toBeGreaterThan(exact.total * 0.6)
    expect(estimate.total).toBeLessThan(exact.total * 1.4)
    // An estimate under the exact limit is replaced by the exact count.
    expect(await liveCount(db, spec, { exactUpTo: 10_000, sampleRows: 200 })).toEqual({ ...exact, estimated: false })
  })

  it('keeps consent per organisation: force consent does not reach PCC messages', async () => {
    const forceOnly = people.filter(p => p.consents!.force!.at(-1) === true && p.consents!.opcc!.at(-1) !== true)
    expect(forceOnly.length).toBeGreaterThan(0)
    const spec = (organisation: Organisation): TargetSpec => ({ areaIds: [TEST_AREAS.force.id], interestIds: [], groupIds: [], organisation })
    const ids = async (organisation: Organisation) => {
      const { recipientsSql } = await import('./targeting.ts')
      const { text, params } = recipientsSql(spec(organisation), organisation)
      return new Set((await db.query<{ id: string }>(text, params)).map(r => r.id))
    }
    const force = await ids('force')
    const opcc = await ids('opcc')
    const reachable = forceOnly.filter(p => force.has(p.id))
    expect(reachable.length).toBeGreaterThan(0)
    for (const p of reachable) expect(opcc.has(p.id)).toBe(false)
    // Withdrawn consent (latest row false) excludes; consent given again includes.
    for (const p of people.filter(p => p.consents!.force!.join() === 'true,false')) expect(force.has(p.id)).toBe(false)
  })

  async function newMessage(priority: Priority, organisation: Organisation, areaIds: string[]): Promise<string> {
    const [m] = await db.query<{ id: string }>(
      `insert into msg_messages (title, body_markdown, category, priority, organisation, status, area_id, area_path)
       values ('t', 'b', 'crime-alerts', $1, $2, 'sending', 'test-force', '/test-force/') returning id`,
      [priority, organisation],
    )
    for (const a of areaIds) await db.query(`insert into msg_message_targets (message_id, kind, ref_id) values ($1, 'area', $2)`, [m!.id, a])
    return m!.id
  }

  it('writes every delivery in one statement, digests for normal messages, and nothing the second time', async () => {
    const id = await newMessage('normal', 'force', [TEST_AREAS.force.id])
    const want = expected(people, groupMembers, { areaIds: [TEST_AREAS.force.id], interestIds: [], groupIds: [], organisation: 'force' })
    const first = await writeDeliveries(db, id)
    expect(first).toEqual({ deliveries: want.filter(w => w.email).length + want.filter(w => w.sms).length, people: want.length })
    const rows = await db.query<{ subscriber_id: string; channel: string; status: string; priority: number; area_id: string | null }>(
      `select subscriber_id, channel, status, priority, area_id from msg_deliveries where message_id = $1`,
      [id],
    )
    expect(rows).toHaveLength(first.deliveries)
    const byPerson = new Map(want.map(w => [w.p.id, w.p]))
    for (const r of rows) {
      const p = byPerson.get(r.subscriber_id)!
      const frequency = r.channel === 'email' ? p.emailFrequency : p.smsFrequency
      expect(r.status).toBe(frequency === 'immediate' ? 'queued' : 'digest')
      expect(r.priority).toBe(2)
      expect(r.area_id).toBe(p.homeAreaId ?? null)
    }
    expect(rows.some(r => r.status === 'digest')).toBe(true)
    expect(await writeDeliveries(db, id)).toEqual({ deliveries: 0, people: 0 })
    const [m] = await db.query<{ recipient_count: number }>(`select recipient_count from msg_messages where id = $1`, [id])
    expect(m!.recipient_count).toBe(want.length)
    const [again] = await db.query<{ n: number }>(`select count(*)::int as n from msg_deliveries where message_id = $1`, [id])
    expect(again!.n).toBe(first.deliveries)
  })

  it('queues emergency and high-priority messages for everyone at once, ahead in the queue', async () => {
    for (const [priority, rank] of [['emergency', 0], ['high', 1]] as const) {
      const id = await newMessage(priority, 'force', [TEST_AREAS.north.id])
      const { deliveries } = await writeDeliveries(db, id)
      expect(deliveries).toBeGreaterThan(0)
      const statuses = await db.query<{ status: string; priority: number }>(
        `select distinct status, priority from msg_deliveries where message_id = $1`,
        [id],
      )
      expect(statuses).toEqual([{ status: 'queued', priority: rank }])
    }
  })

  it('excludes unconfirmed and failing channels', async () => {
    const id = await newMessage('emergency', 'force', [TEST_AREAS.force.id])
    await writeDeliveries(db, id)
    const rows = await db.query<{ subscriber_id: string; channel: string }>(`select subscriber_id, channel from msg_deliveries where message_id = $1`, [id])
    const byId = new Map(people.map(p => [p.id, p]))
    for (const r of rows) {
      const p = byId.get(r.subscriber_id)!
      if (r.channel === 'email') expect(p.email && p.emailConfirmed && !p.emailFailing).toBeTruthy()
      else expect(p.phone && p.phoneConfirmed && !p.smsFailing).toBeTruthy()
    }
    const excluded = people.filter(p => p.email && (!p.emailConfirmed || p.emailFailing))
    expect(excluded.length).toBeGreaterThan(0)
    for (const p of excluded) expect(rows.some(r => r.subscriber_id === p.id && r.channel === 'email')).toBe(false)
  })
})

describe('home places (read from the resident’s row, migration 0011)', () => {
  let db: Database
  const ann = fixtureId(9001)
  const spec = (areaId: string): TargetSpec => ({ areaIds: [areaId], interestIds: [], groupIds: [], organisation: 'force' })
  const reached = async (areaId: string) => (await countRecipients(db, spec(areaId))).total
  const homeArea = async () => (await db.query<{ home_area_id: string | null }>(`select home_area_id from msg_subscribers where id = $1`, [ann]))[0]!.home_area_id
  const addPlace = (areaKey: keyof typeof TEST_AREAS, label: string) =>
    db.query(`insert into msg_subscriber_places (subscriber_id, area_id, area_path, label) values ($1, $2, $3, $4)`, [
      ann,
      TEST_AREAS[areaKey].id,
      TEST_AREAS[areaKey].path,
      label,
    ])

  beforeAll(async () => {
    db = await createTestDatabase()
    await seedTestAreas(db)
    await insertFixtureSubscribers(db, [{ id: ann, email: 'ann@example.org', homeAreaId: null, places: [], consents: { force: [true] } }])
  })
  afterAll(async () => db.close())

  it('keeps home_area_id equal to the home place, whoever writes the places', async () => {
    await addPlace('ashbyNorth', 'home')
    expect(await homeArea()).toBe(TEST_AREAS.ashbyNorth.id)
    // A direct change cannot move it away from the home place.
    await db.query(`update msg_subscribers set home_area_id = $2 where id = $1`, [ann, TEST_AREAS.southTown.id])
    expect(await homeArea()).toBe(TEST_AREAS.ashbyNorth.id)
    // One home place at most.
    await expect(addPlace('southTown', 'home')).rejects.toThrow(/msg_places_one_home/)
    // Moving home moves it; removing the home place clears it.
    await db.query(`update msg_subscriber_places set area_id = $2, area_path = $3 where subscriber_id = $1 and label = 'home'`, [
      ann,
      TEST_AREAS.southTown.id,
      TEST_AREAS.southTown.path,
    ])
    expect(await homeArea()).toBe(TEST_AREAS.southTown.id)
    await db.query(`delete from msg_subscriber_places where subscriber_id = $1 and label = 'home'`, [ann])
    expect(await homeArea()).toBeNull()
  })

  it('reaches a resident through their home place and through their other places, and not through a home they left', async () => {
    await db.query(`delete from msg_subscriber_places where subscriber_id = $1`, [ann])
    await addPlace('ashbyNorth', 'home')
    await addPlace('southTown', 'work')
    expect(await reached(TEST_AREAS.ashbyNorth.id)).toBe(1)
    expect(await reached(TEST_AREAS.north.id)).toBe(1)
    expect(await reached(TEST_AREAS.southTown.id)).toBe(1)
    expect(await reached(TEST_AREAS.force.id)).toBe(1)
    // Moved: the old home area no longer reaches her; a message to both of her places reaches her once.
    await db.query(`delete from msg_subscriber_places where subscriber_id = $1 and label = 'home'`, [ann])
    expect(await reached(TEST_AREAS.ashbyNorth.id)).toBe(0)
    expect(await reached(TEST_AREAS.southTown.id)).toBe(1)
    expect((await countRecipients(db, { ...spec(TEST_AREAS.southTown.id), areaIds: [TEST_AREAS.southTown.id, TEST_AREAS.force.id] })).total).toBe(1)
  })
})
