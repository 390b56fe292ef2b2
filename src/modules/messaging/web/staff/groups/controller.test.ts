import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type Browser, type TestApp } from '../../../../../../test/helpers.ts'
import { seedTestAreas } from '../../../../../platform/auth/testing.ts'
import { staffBrowser } from '../../../fixtures.testing.ts'

const errorSummary = (html: string) => /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? ''

describe('groups page', () => {
  let t: TestApp
  let north: Browser, south: Browser, opcc: Browser

  beforeAll(async () => {
    t = await createTestApp()
    await seedTestAreas(t.db)
    ;({ browser: north } = await staffBrowser(t, 'north@example.org', [['neighbourhood_officer', 'test-n01']]))
    ;({ browser: south } = await staffBrowser(t, 'south@example.org', [['neighbourhood_officer', 'test-s01']]))
    ;({ browser: opcc } = await staffBrowser(t, 'opcc@example.org', [['opcc_officer', 'test-force']]))
  })
  afterAll(async () => t.close())

  it('creates a group in the officer’s own area, audited, and lists it only for them', async () => {
    const form = await north.get('/staff/messaging/groups')
    expect(form.statusCode).toBe(200)
    expect(form.body).toMatch(/<option value="test-n01"[^>]*>\s*Ashby North\s*<\/option>/)
    expect(form.body).not.toContain('value="test-s01"')
    const res = await north.submit('/staff/messaging/groups', { name: 'Watch coordinators – Ashby North', description: '', areaId: 'test-n01' })
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toMatch(/^\/staff\/messaging\/groups\/[0-9a-f-]{36}$/)
    expect((await north.get(String(res.headers.location))).body).toContain('The group “Watch coordinators – Ashby North” has been created')
    expect((await north.get('/staff/messaging/groups')).body).toContain('Watch coordinators – Ashby North')
    expect((await south.get('/staff/messaging/groups')).body).not.toContain('Watch coordinators – Ashby North')
    const audited = await t.db.query(`select action from audit_log where entity_type = 'msg_group'`)
    expect(audited).toEqual([{ action: 'create' }])
  })

  it('keeps what was typed when the name is missing or the area is someone else’s', async () => {
    await north.submit('/staff/messaging/groups', { name: '', description: 'Kept words', areaId: 'test-n01' })
    let page = await north.get('/staff/messaging/groups')
    expect(errorSummary(page.body)).toContain('Enter a name for the group')
    expect(page.body).toContain('Kept words</textarea>')
    await north.submit('/staff/messaging/groups', { name: 'Sneaky', description: '', areaId: 'test-s01' })
    page = await north.get('/staff/messaging/groups')
    expect(errorSummary(page.body)).toContain('Choose an area you work in')
    expect(page.body).toContain('value="Sneaky"')
  })

  it('is for roles that manage groups only', async () => {
    expect((await opcc.get('/staff/messaging/groups')).statusCode).toBe(403)
  })
})
