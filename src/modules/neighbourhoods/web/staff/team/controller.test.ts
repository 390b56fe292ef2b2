import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as cheerio from 'cheerio'
import { Browser, createTestApp, type TestApp } from '../../../../../../test/helpers.ts'
import { createTestStaff, seedTestAreas, signInAs } from '../../../../../platform/auth/testing.ts'
import { errorSummary, upload, type UploadPart } from '../../../../areas/web/staff/upload-testing.ts'
import { MAX_PHOTO_BYTES, PHOTO_MESSAGES } from '../../../team.service.ts'
import { GIF, JPEG, PNG } from './photos.testing.ts'

const staffBrowser = async (t: TestApp, email: string, grants: Parameters<typeof createTestStaff>[2]) => {
  const b = new Browser(t.app)
  await signInAs(b, t.services, await createTestStaff(t.services, email, grants))
  return b
}

const fields = (o: Record<string, string>): UploadPart[] => Object.entries(o).map(([name, value]) => ({ name, value }))
const photoPart = (content: Buffer, filename = 'me.jpg', contentType = 'image/jpeg'): UploadPart => ({ name: 'photo', filename, content, contentType })
const typed = (html: string, id: string) => cheerio.load(html)(`#${id}`).val()

describe('staff team pages', () => {
  let t: TestApp
  let north: Browser, south: Browser, lead: Browser
  const base = '/staff/neighbourhoods/test-n01'

  beforeAll(async () => {
    t = await createTestApp()
    await seedTestAreas(t.db)
    north = await staffBrowser(t, 'north@example.org', [['neighbourhood_officer', 'test-n01']])
    south = await staffBrowser(t, 'south@example.org', [['neighbourhood_officer', 'test-s01']])
    lead = await staffBrowser(t, 'lead@example.org', [['engagement_lead', 'test-force']])
  })
  afterAll(async () => t.close())

  const members = (areaId: string) => t.services.neighbourhoods.team.listMembers(areaId)

  it('adds a member with a photo, shown on the public page with its description', async () => {
    const res = await upload(north, `${base}/team/new`, [
      ...fields({ name: 'PC Ann Able', rank: 'Police Constable', role: 'Beat manager', bio: 'Knows everyone.', email: 'ann@police.example', telephone: '01632 960 001', sortOrder: '1', isNamedContact: 'yes', photoAlt: 'Ann in uniform' }),
      photoPart(JPEG),
    ])
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe(`${base}/team`)
    const list = await north.get(`${base}/team`)
    expect(list.body).toContain('PC Ann Able has been added to the team')
    const [ann] = await members('test-n01')
    expect(ann).toMatchObject({ name: 'PC Ann Able', isNamedContact: true, hasPhoto: true, photoAlt: 'Ann in uniform', sortOrder: 1 })
    const [entry] = await t.db.query(`select actor_email, action, area_id from audit_log where entity_type = 'nbh_team_member' and entity_id = $1`, [ann!.id])
    expect(entry).toEqual({ actor_email: 'north@example.org', action: 'create', area_id: 'test-n01' })
    const page = cheerio.load((await t.app.inject('/neighbourhoods/test-n01')).body)
    expect(page('ul.beacon-team img').attr('alt')).toBe('Ann in uniform')
  })

  it('refuses an oversize photo with a clear message, keeping everything else typed', async () => {
    const big = Buffer.concat([JPEG, Buffer.alloc(MAX_PHOTO_BYTES)])
    const res = await upload(north, `${base}/team/new`, [
      ...fields({ name: 'PCSO Bob Brown', rank: 'Police Community Support Officer', bio: 'Runs the youth club.', photoAlt: 'Bob' }),
      photoPart(big),
    ])
    expect(res.statusCode).toBe(303)
    const page = await north.get(`${base}/team/new`)
    expect(errorSummary(page.body)).toContain(PHOTO_MESSAGES.tooLarge)
    expect(typed(page.body, 'name')).toBe('PCSO Bob Brown')
    expect(typed(page.body, 'rank')).toBe('Police Community Support Officer')
    expect(typed(page.body, 'bio')).toBe('Runs the youth club.')
    expect(typed(page.body, 'photoAlt')).toBe('Bob')
    expect((await members('test-n01')).map(m => m.name)).toEqual(['PC Ann Able'])
  })

  it('refuses a file that is not a JPEG, PNG or WebP whatever its name says, and a photo without a description', async () => {
    await upload(north, `${base}/team/new`, [...fields({ name: 'PCSO Bob Brown', rank: 'PCSO', photoAlt: 'Bob' }), photoPart(GIF, 'bob.jpg', 'image/jpeg')])
    let page = await north.get(`${base}/team/new`)
    expect(errorSummary(page.body)).toContain(PHOTO_MESSAGES.wrongType)
    expect(typed(page.body, 'name')).toBe('PCSO Bob Brown')

    await upload(north, `${base}/team/new`, [...fields({ name: 'PCSO Bob Brown', rank: 'PCSO', photoAlt: '' }), photoPart(PNG, 'bob.png', 'image/png')])
    page = await north.get(`${base}/team/new`)
    expect(errorSummary(page.body)).toContain(PHOTO_MESSAGES.noAlt)
    expect((await members('test-n01')).map(m => m.name)).toEqual(['PC Ann Able'])
  })

  it('refuses bad details with every problem listed and what was typed kept (no photo needed)', async () => {
    const res = await north.submit(`${base}/team/new`, { name: '  ', rank: 'PC', email: 'not-an-email', telephone: 'call me', sortOrder: 'first', bio: 'Hello' })
    expect(res.statusCode).toBe(303)
    const page = await north.get(`${base}/team/new`)
    const summary = errorSummary(page.body)
    expect(summary).toContain('Enter the team member’s name')
    expect(summary).toContain('Enter an email address in the correct format')
    expect(summary).toContain('Enter a telephone number')
    expect(summary).toContain('Enter the position as a whole number from 0 to 999')
    expect(typed(page.body, 'email')).toBe('not-an-email')
    expect(typed(page.body, 'bio')).toBe('Hello')
  })

  it('changes the named contact: setting one unsets the other', async () => {
    await north.submit(`${base}/team/new`, { name: 'PCSO Bob Brown', rank: 'Police Community Support Officer', sortOrder: '2' })
    const bob = (await members('test-n01')).find(m => m.name === 'PCSO Bob Brown')!
    const list = await north.get(`${base}/team`)
    expect(list.body).toContain(`action="${base}/team/${bob.id}/named-contact"`)
    await north.submit(`${base}/team`, {}, `${base}/team/${bob.id}/named-contact`)
    expect((await members('test-n01')).filter(m => m.isNamedContact).map(m => m.name)).toEqual(['PCSO Bob Brown'])

    // Through the edit form too, keeping the photo with a changed description.
    const ann = (await members('test-n01')).find(m => m.name === 'PC Ann Able')!
    const res = await upload(north, `${base}/team/${ann.id}`, fields({ name: 'PC Ann Able', rank: 'Police Constable', sortOrder: '1', isNamedContact: 'yes', photoAlt: 'Ann smiling' }))
    expect(res.statusCode).toBe(303)
    const after = await members('test-n01')
    expect(after.filter(m => m.isNamedContact).map(m => m.name)).toEqual(['PC Ann Able'])
    expect(after.find(m => m.id === ann.id)).toMatchObject({ hasPhoto: true, photoAlt: 'Ann smiling' })
  })

  it('removes a photo, then a member, after asking', async () => {
    const ann = (await members('test-n01')).find(m => m.name === 'PC Ann Able')!
    await upload(north, `${base}/team/${ann.id}`, fields({ name: 'PC Ann Able', rank: 'Police Constable', sortOrder: '1', isNamedContact: 'yes', removePhoto: 'yes', photoAlt: '' }))
    expect((await members('test-n01')).find(m => m.id === ann.id)).toMatchObject({ hasPhoto: false })
    const confirm = await north.get(`${base}/team/${ann.id}/remove`)
    expect(confirm.body).toContain('is the named contact')
    const res = await north.submit(`${base}/team/${ann.id}/remove`, {})
    expect(res.statusCode).toBe(303)
    expect((await north.get(`${base}/team`)).body).toContain('Choose a new named contact')
    expect((await members('test-n01')).map(m => m.name)).toEqual(['PCSO Bob Brown'])
  })

  it('is 404 for another neighbourhood’s team, however the URL is changed', async () => {
    const bob = (await members('test-n01'))[0]!
    expect((await south.get(`${base}/team`)).statusCode).toBe(404)
    expect((await south.get(`${base}/team/${bob.id}`)).statusCode).toBe(404)
    expect((await south.get(`${base}/team/new`)).statusCode).toBe(404)
    // Their own neighbourhood in the URL, someone else's member id.
    expect((await south.get(`/staff/neighbourhoods/test-s01/team/${bob.id}`)).statusCode).toBe(404)
    const token = /name="_csrf" value="([^"]+)"/.exec((await south.get('/staff/neighbourhoods/test-s01/team')).body)![1]!
    for (const url of [`${base}/team/${bob.id}/remove`, `${base}/team/${bob.id}/named-contact`, `/staff/neighbourhoods/test-s01/team/${bob.id}/remove`, `${base}/team/new`])
      expect((await south.post(url, { _csrf: token, name: 'x', rank: 'y' })).statusCode, url).toBe(404)
    expect((await members('test-n01')).map(m => m.name)).toEqual(['PCSO Bob Brown'])
    expect(await members('test-s01')).toEqual([])
    // A district or force id is not a neighbourhood.
    expect((await lead.get('/staff/neighbourhoods/test-north/team')).statusCode).toBe(404)
    expect((await lead.get(`${base}/team`)).statusCode).toBe(200)
  })
})
