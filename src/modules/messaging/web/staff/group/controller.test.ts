import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type Browser, type TestApp } from '../../../../../../test/helpers.ts'
import { seedTestAreas } from '../../../../../platform/auth/testing.ts'
import { addSubscriber, staffBrowser } from '../../../fixtures.testing.ts'

const errorSummary = (html: string) => /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? ''

describe('one group’s page', () => {
  let t: TestApp
  let north: Browser, south: Browser
  let groupId: string, ann: string

  beforeAll(async () => {
    t = await createTestApp()
    await seedTestAreas(t.db)
    ;({ browser: north } = await staffBrowser(t, 'north@example.org', [['neighbourhood_officer', 'test-n01']]))
    ;({ browser: south } = await staffBrowser(t, 'south@example.org', [['neighbourhood_officer', 'test-s01']]))
    ann = await addSubscriber(t.db, { email: 'ann@example.com', places: ['ashbyNorth'] })
    await addSubscriber(t.db, { phone: '+447700900123', places: ['ashbyNorth'] })
    const [g] = await t.db.query<{ id: string }>(`insert into msg_groups (name, area_id) values ('Coordinators', 'test-n01') returning id`)
    groupId = g!.id
  })
  afterAll(async () => t.close())

  it('adds members by confirmed email or phone and shows them, audited', async () => {
    const url = `/staff/messaging/groups/${groupId}`
    expect((await north.submit(url, { contact: 'ann@example.com' }, `${url}/members`)).headers.location).toBe(url)
    await north.submit(url, { contact: '07700 900123' }, `${url}/members`)
    const page = await north.get(url)
    expect(page.body).toContain('2 members')
    expect(page.body).toContain('ann@example.com')
    expect(page.body).toContain('+447700900123')
    const audit = await t.db.query<{ action: string; entity_type: string }>(`select action, entity_type from audit_log order by id`)
    expect(audit.filter(a => a.action === 'view' && a.entity_type === 'msg_subscriber')).toHaveLength(2)
    expect(audit.filter(a => a.action === 'view' && a.entity_type === 'msg_group').length).toBeGreaterThan(0)
  })

  it('explains an unknown contact and keeps it in the box', async () => {
    const url = `/staff/messaging/groups/${groupId}`
    await north.submit(url, { contact: 'nobody@example.com' }, `${url}/members`)
    const page = await north.get(url)
    expect(errorSummary(page.body)).toContain('Nobody has signed up and confirmed that email address or mobile number')
    expect(page.body).toContain('value="nobody@example.com"')
  })

  it('removes a member, renames and deletes the group', async () => {
    const url = `/staff/messaging/groups/${groupId}`
    await north.submit(url, { subscriberId: ann }, `${url}/members/remove`)
    expect((await north.get(url)).body).toContain('1 member')
    await north.submit(url, { name: 'Street leads', description: '' })
    expect((await north.get(url)).body).toContain('<h1 class="govuk-heading-l">Street leads</h1>')
    await north.submit(url, {}, `${url}/delete`)
    expect((await north.get(url)).statusCode).toBe(404)
  })

  it('answers 404 to another area’s officer, for the page and every form', async () => {
    const [g] = await t.db.query<{ id: string }>(`insert into msg_groups (name, area_id) values ('Private', 'test-n01') returning id`)
    const url = `/staff/messaging/groups/${g!.id}`
    expect((await south.get(url)).statusCode).toBe(404)
    for (const [action, fields] of [
      [url, { name: 'Mine' }],
      [`${url}/members`, { contact: 'ann@example.com' }],
      [`${url}/members/remove`, { subscriberId: ann }],
      [`${url}/delete`, {}],
    ] as const) {
      const res = await south.submit('/staff/messaging/groups', fields, action)
      expect(res.statusCode, action).toBe(404)
    }
    expect((await t.db.query(`select name from msg_groups where id = $1`, [g!.id]))[0]).toEqual({ name: 'Private' })
  })
})
