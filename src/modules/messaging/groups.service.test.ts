import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../../test/helpers.ts'
import type { Database } from '../../platform/db/client.ts'
import { seedTestAreas } from '../../platform/auth/testing.ts'
import { addSubscriber, messagingDeps } from './fixtures.testing.ts'
import { createGroupsService, normaliseUkMobile } from './groups.service.ts'

const actor = { userId: null, email: 'officer@example.org', ip: null }

describe('normaliseUkMobile', () => {
  it('accepts the ways people write UK mobiles and nothing else', () => {
    for (const s of ['07700 900123', '+44 7700 900123', '0044-7700-900123', '(07700) 900123', '447700900123']) expect(normaliseUkMobile(s), s).toBe('+447700900123')
    for (const s of ['01632 960001', '0770090012', 'hello', '']) expect(normaliseUkMobile(s), s).toBeNull()
  })
})

describe('groups service', () => {
  let db: Database
  let groups: ReturnType<typeof createGroupsService>
  const north = { userId: 'n', paths: ['/test-force/north/n01/'] }
  const south = { userId: 's', paths: ['/test-force/south/s01/'] }
  const lead = { userId: 'l', paths: ['/test-force/'] }
  let ann: string, bob: string

  beforeAll(async () => {
    db = await createTestDatabase()
    await seedTestAreas(db)
    groups = createGroupsService(await messagingDeps(db, () => new Date()))
    ann = await addSubscriber(db, { email: 'ann@example.com', places: ['ashbyNorth'] })
    bob = await addSubscriber(db, { phone: '+447700900123', places: ['southTown'] })
    await addSubscriber(db, { email: 'unconfirmed@example.com', confirmed: false, status: 'pending' })
  })
  afterAll(async () => db.close())

  it('creates groups only in areas inside the grants, and lists them by scope', async () => {
    const g = await groups.createGroup(north, actor, { name: ' Watch coordinators – Ashby North ', areaId: 'test-n01' })
    expect(g).toMatchObject({ name: 'Watch coordinators – Ashby North', areaName: 'Ashby North', members: 0 })
    await expect(groups.createGroup(north, actor, { name: 'Sneaky', areaId: 'test-s01' })).rejects.toMatchObject({ code: 'INVALID', fieldErrors: { areaId: 'Choose an area you work in' } })
    await expect(groups.createGroup(north, actor, { name: 'Sneaky', areaId: 'test-north' })).rejects.toMatchObject({ code: 'INVALID' })
    await expect(groups.createGroup(north, actor, { name: '  ', areaId: 'test-n01' })).rejects.toMatchObject({ fieldErrors: { name: 'Enter a name for the group' } })
    await groups.createGroup(lead, actor, { name: 'Farm Watch', description: 'Rural', areaId: 'test-force' })
    expect((await groups.listGroups(north)).map(x => x.name)).toEqual(['Watch coordinators – Ashby North'])
    expect((await groups.listGroups(south)).map(x => x.name)).toEqual([])
    expect((await groups.listGroups(lead)).map(x => x.name)).toEqual(['Farm Watch', 'Watch coordinators – Ashby North'])
    const [entry] = await db.query(`select action, entity_type from audit_log where entity_id = $1`, [g.id])
    expect(entry).toEqual({ action: 'create', entity_type: 'msg_group' })
  })

  it('adds members by exact confirmed email or phone, audited, and removes them', async () => {
    const [g] = await groups.listGroups(north)
    expect(await groups.addMember(north, actor, g!.id, 'ANN@example.com ')).toBe('added')
    expect(await groups.addMember(north, actor, g!.id, 'ann@example.com')).toBe('already')
    expect(await groups.addMember(north, actor, g!.id, '07700 900123')).toBe('added')
    await expect(groups.addMember(north, actor, g!.id, 'unconfirmed@example.com')).rejects.toMatchObject({ code: 'INVALID' })
    await expect(groups.addMember(north, actor, g!.id, 'an@example.com')).rejects.toMatchObject({ code: 'INVALID' })
    await expect(groups.addMember(north, actor, g!.id, '12345')).rejects.toMatchObject({ fieldErrors: { contact: 'Enter an email address, or a UK mobile number like 07700 900123' } })
    const lookups = await db.query(`select summary from audit_log where action = 'view' and entity_type = 'msg_subscriber' order by id`)
    expect(lookups).toHaveLength(5)
    expect(lookups[3]).toEqual({ summary: 'Looked up a subscriber by email address to add to "Watch coordinators – Ashby North" (no match)' })
    expect((await groups.listMembers(north, actor, g!.id)).map(m => [m.email, m.phone])).toEqual([
      [null, '+447700900123'],
      ['ann@example.com', null],
    ])
    expect(await groups.removeMember(north, actor, g!.id, bob)).toBe(true)
    expect(await groups.removeMember(north, actor, g!.id, bob)).toBe(false)
    expect((await groups.findGroup(north, g!.id))!.members).toBe(1)
  })

  it('answers not found for another area’s group, whatever the action', async () => {
    const [g] = await groups.listGroups(north)
    expect(await groups.findGroup(south, g!.id)).toBeNull()
    await expect(groups.listMembers(south, actor, g!.id)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(groups.addMember(south, actor, g!.id, 'ann@example.com')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(groups.removeMember(south, actor, g!.id, ann)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(groups.updateGroup(south, actor, g!.id, { name: 'Mine now' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(groups.deleteGroup(south, actor, g!.id)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect((await groups.findGroup(north, g!.id))!.members).toBe(1)
  })

  it('renames and deletes a group with its memberships', async () => {
    const [g] = await groups.listGroups(north)
    await groups.updateGroup(north, actor, g!.id, { name: 'Coordinators', description: 'Street leads' })
    expect(await groups.findGroup(north, g!.id)).toMatchObject({ name: 'Coordinators', description: 'Street leads' })
    await groups.deleteGroup(north, actor, g!.id)
    expect(await groups.findGroup(north, g!.id)).toBeNull()
    expect(await db.query(`select 1 from msg_group_members where group_id = $1`, [g!.id])).toEqual([])
  })
})
