import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../../test/helpers.ts'
import { testConfig } from '../../config.ts'
import type { Database } from '../../platform/db/client.ts'
import { createAuditService } from '../../platform/audit/service.ts'
import { createChannels } from '../../platform/channels/index.ts'
import type { Jobs } from '../../platform/jobs/index.ts'
import { seedTestAreas } from '../../platform/auth/testing.ts'
import { createAreasService } from '../areas/service.ts'
import { GIF, JPEG, PNG, WEBP } from './web/staff/team/photos.testing.ts'
import { checkPhoto, createTeamService, directionsLinks, MAX_PHOTO_BYTES, PHOTO_MESSAGES, sniffImageType, type TeamMemberInput } from './team.service.ts'

const actor = { userId: null, email: 'officer@example.org', ip: '127.0.0.1' }

const member = (name: string, over: Partial<TeamMemberInput> = {}): TeamMemberInput => ({
  name,
  rank: 'Police Constable',
  role: null,
  bio: null,
  email: null,
  telephone: null,
  isNamedContact: false,
  sortOrder: 0,
  ...over,
})

describe('photo checks', () => {
  it('knows JPEG, PNG and WebP by their bytes, whatever the file claims to be', () => {
    expect(sniffImageType(JPEG)).toBe('image/jpeg')
    expect(sniffImageType(PNG)).toBe('image/png')
    expect(sniffImageType(WEBP)).toBe('image/webp')
    expect(sniffImageType(GIF)).toBeNull()
    expect(sniffImageType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull()
    expect(sniffImageType(Buffer.from('RIFF\0\0\0\0WAVE'))).toBeNull()
  })

  it('refuses the wrong type, an empty file and anything over 2 MB with a message for the photo field', () => {
    expect(() => checkPhoto(GIF)).toThrow(expect.objectContaining({ code: 'INVALID', fieldErrors: { photo: PHOTO_MESSAGES.wrongType } }))
    expect(() => checkPhoto(Buffer.alloc(0))).toThrow(expect.objectContaining({ fieldErrors: { photo: PHOTO_MESSAGES.empty } }))
    const big = Buffer.concat([JPEG, Buffer.alloc(MAX_PHOTO_BYTES)])
    expect(() => checkPhoto(big)).toThrow(expect.objectContaining({ code: 'TOO_LARGE', fieldErrors: { photo: PHOTO_MESSAGES.tooLarge } }))
    expect(() => checkPhoto(JPEG, { truncated: true })).toThrow(expect.objectContaining({ code: 'TOO_LARGE' }))
    expect(checkPhoto(Buffer.concat([PNG, Buffer.alloc(MAX_PHOTO_BYTES - PNG.length)]))).toBe('image/png')
  })

  it('makes plain directions links', () => {
    expect(directionsLinks({ lat: 53.9123456789, lng: -2.31 })).toEqual({
      google: 'https://www.google.com/maps/dir/?api=1&destination=53.912346,-2.31',
      osm: 'https://www.openstreetmap.org/directions?to=53.912346%2C-2.31',
    })
  })
})

describe('team service', () => {
  let db: Database
  let team: ReturnType<typeof createTeamService>

  beforeAll(async () => {
    db = await createTestDatabase()
    await seedTestAreas(db)
    const config = testConfig()
    team = createTeamService({
      config,
      db,
      audit: createAuditService(db),
      channels: createChannels(config, db),
      jobs: {} as Jobs,
      areas: await createAreasService(db),
      now: () => new Date('2026-05-20T10:00:00Z'),
    })
  })
  afterAll(async () => db.close())

  const namedContacts = async (areaId: string) =>
    (await db.query<{ name: string }>(`select name from nbh_team_members where area_id = $1 and is_named_contact order by name`, [areaId])).map(r => r.name)

  it('keeps at most one named contact per neighbourhood: setting one unsets the other', async () => {
    const ann = await team.addMember(actor, 'test-n01', member('PC Ann Able', { isNamedContact: true, sortOrder: 1 }))
    const bob = await team.addMember(actor, 'test-n01', member('PCSO Bob Brown', { rank: 'Police Community Support Officer', sortOrder: 2 }))
    await team.addMember(actor, 'test-s01', member('PC Sue South', { isNamedContact: true }))
    expect(await namedContacts('test-n01')).toEqual(['PC Ann Able'])

    await team.addMember(actor, 'test-n01', member('Sgt Cat Cole', { rank: 'Sergeant', isNamedContact: true }))
    expect(await namedContacts('test-n01')).toEqual(['Sgt Cat Cole'])
    await team.updateMember(actor, 'test-n01', bob.id, { ...member('PCSO Bob Brown'), isNamedContact: true, sortOrder: 2 })
    expect(await namedContacts('test-n01')).toEqual(['PCSO Bob Brown'])
    await team.setNamedContact(actor, 'test-n01', ann.id)
    expect(await namedContacts('test-n01')).toEqual(['PC Ann Able'])
    // Another neighbourhood's named contact is untouched throughout.
    expect(await namedContacts('test-s01')).toEqual(['PC Sue South'])
    await team.setNamedContact(actor, 'test-n01', null)
    expect(await namedContacts('test-n01')).toEqual([])
    // The database refuses two even if a writer skipped the service.
    await team.setNamedContact(actor, 'test-n01', ann.id)
    await expect(db.query(`update nbh_team_members set is_named_contact = true where id = $1`, [bob.id])).rejects.toThrow()

    expect((await team.listMembers('test-n01')).map(m => m.name)).toEqual(['Sgt Cat Cole', 'PC Ann Able', 'PCSO Bob Brown'])
    const audits = await db.query<{ summary: string }>(`select summary from audit_log where entity_type = 'nbh_team_member' order by id`)
    expect(audits.map(a => a.summary)).toContain('Made PC Ann Able the named contact')
  })

  it('lets two officers change the named contact at the same moment: the last to save wins, nobody gets an error', async () => {
    // A neighbourhood of its own, so the other tests' teams are not disturbed.
    await db.query(`insert into areas (id, kind, parent_id, path, name) values ('test-race', 'neighbourhood', 'test-south', '/test-force/south/race/', 'Race Town')`)
    const a = await team.addMember(actor, 'test-race', member('PC Race One'))
    const b = await team.addMember(actor, 'test-race', member('PC Race Two'))
    // On PostgreSQL these run on separate connections at once; on PGlite one after the other.
    for (let round = 0; round < 5; round++) {
      const results = await Promise.allSettled([
        team.setNamedContact(actor, 'test-race', a.id),
        team.setNamedContact(actor, 'test-race', b.id),
        team.addMember(actor, 'test-race', member(`PC Race Extra ${round}`, { isNamedContact: true })),
        team.updateMember(actor, 'test-race', a.id, { ...member('PC Race One'), isNamedContact: true }),
      ])
      expect(results.filter(r => r.status === 'rejected')).toEqual([])
      expect(await namedContacts('test-race')).toHaveLength(1)
    }
  })

  it('stores a checked photo with its description, and refuses a bad one without adding anyone', async () => {
    const dee = await team.addMember(actor, 'test-n02', member('PC Dee Dunn'), { bytes: PNG, alt: 'PC Dee Dunn in uniform' })
    expect(dee).toMatchObject({ hasPhoto: true, photoAlt: 'PC Dee Dunn in uniform' })
    expect(await team.getPhoto('test-n02', dee.id)).toMatchObject({ type: 'image/png', bytes: PNG })
    expect(await team.getPhoto('test-n01', dee.id)).toBeNull()

    await expect(team.addMember(actor, 'test-n02', member('PC Gif'), { bytes: GIF, alt: 'x' })).rejects.toMatchObject({ fieldErrors: { photo: PHOTO_MESSAGES.wrongType } })
    await expect(team.addMember(actor, 'test-n02', member('PC No Alt'), { bytes: JPEG, alt: ' ' })).rejects.toMatchObject({ fieldErrors: { photoAlt: PHOTO_MESSAGES.noAlt } })
    expect((await team.listMembers('test-n02')).map(m => m.name)).toEqual(['PC Dee Dunn'])

    const replaced = await team.updateMember(actor, 'test-n02', dee.id, member('PC Dee Dunn'), { photo: { bytes: WEBP, alt: 'Dee smiling' } })
    expect(replaced.photoAlt).toBe('Dee smiling')
    expect((await team.getPhoto('test-n02', dee.id))!.type).toBe('image/webp')
    await expect(team.updateMember(actor, 'test-n02', dee.id, member('PC Dee Dunn'), { photoAlt: '' })).rejects.toMatchObject({ fieldErrors: { photoAlt: PHOTO_MESSAGES.noAlt } })
    const removed = await team.updateMember(actor, 'test-n02', dee.id, member('PC Dee Dunn'), { removePhoto: true })
    expect(removed).toMatchObject({ hasPhoto: false, photoAlt: null })
  })

  it('never changes a member through another neighbourhood', async () => {
    const [sue] = await team.listMembers('test-s01')
    await expect(team.updateMember(actor, 'test-n01', sue!.id, member('Hijacked'))).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(team.removeMember(actor, 'test-n01', sue!.id)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(team.setNamedContact(actor, 'test-n01', sue!.id)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(team.memberIn('test-n01', 'nonsense')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await team.removeMember(actor, 'test-s01', sue!.id)
    expect(await team.listMembers('test-s01')).toEqual([])
  })

  it('saves a profile and reads it back', async () => {
    expect(await team.getProfile('test-n01')).toBeNull()
    await team.saveProfile(actor, 'test-n01', {
      welcomeMessage: 'Welcome',
      engagement: 'Monthly PACT meetings',
      contactDetails: { email: 'ashby@police.example', telephone: '101' },
      links: [{ url: 'https://example.org/ashby', title: 'Ashby on Facebook' }],
    })
    expect(await team.getProfile('test-n01')).toMatchObject({ welcomeMessage: 'Welcome', contactDetails: { email: 'ashby@police.example' }, links: [{ title: 'Ashby on Facebook' }] })
  })

  it('finds the nearest stations in the same force, nearest first', async () => {
    await db.query(`update areas set centre_lat = 53.90, centre_lng = -2.30 where id = 'test-n01'`)
    await db.query(`insert into areas (id, kind, parent_id, path, name) values ('other-force', 'force', null, '/other-force/', 'Other')`)
    const at = (name: string, areaId: string, lat: number, lng: number) =>
      team.createStation(actor, { areaId, name, type: 'station', address: '1 High Street', postcode: null, lat, lng, openingHours: [], description: null })
    await at('Far station', 'test-force', 54.2, -2.3)
    await at('Near station', 'test-south', 53.91, -2.3)
    await at('Middle counter', 'test-n02', 54.0, -2.3)
    await at('Next door, other force', 'other-force', 53.9, -2.3)
    const near = await team.nearest('test-n01', 2)
    expect(near.map(s => s.name)).toEqual(['Near station', 'Middle counter'])
    expect(near[0]!.distanceKm).toBeCloseTo(1.11, 1)
    expect((await team.nearest('test-n01', 10)).map(s => s.name)).toEqual(['Near station', 'Middle counter', 'Far station'])
    // No centre: the force's stations by name.
    expect((await team.nearest('test-s01', 10)).map(s => s.name)).toEqual(['Far station', 'Middle counter', 'Near station'])
    expect((await team.listStations(['/test-force/north/'])).map(s => s.name)).toEqual(['Middle counter'])
  })

  it('summarises the neighbourhoods in a subtree for staff', async () => {
    await db.query(
      `insert into nbh_priorities (area_id, issue, issue_date, status, last_reviewed_at) values
         ('test-n01', 'a', '2026-01-01', 'open', '2026-01-01'), ('test-n01', 'b', '2026-05-01', 'in_progress', '2026-05-01'),
         ('test-n01', 'c', '2026-01-01', 'resolved', '2026-01-01')`,
    )
    const rows = await team.healthWithin(['/test-force/north/'])
    expect(rows).toEqual([
      { id: 'test-n01', name: 'Ashby North', districtName: 'North District', hasNamedContact: true, teamSize: 3, openPriorities: 2, reviewDue: 1 },
      { id: 'test-n02', name: 'Ashby South', districtName: 'North District', hasNamedContact: false, teamSize: 1, openPriorities: 0, reviewDue: 0 },
    ])
    expect(await team.healthWithin([])).toEqual([])
  })
})
