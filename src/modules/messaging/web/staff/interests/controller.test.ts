import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Browser, createTestApp, type TestApp } from '../../../../../../test/helpers.ts'
import { createTestStaff, seedTestAreas, signInAs, TEST_AREAS } from '../../../../../platform/auth/testing.ts'
import { duplicateIds, errorSummary, inputValue } from '../../public/testing.ts'

describe('administrators manage alert interests', () => {
  let t: TestApp
  const admin = () => new Browser(t.app)
  let as: { admin: Browser; lead: Browser }
  beforeAll(async () => {
    t = await createTestApp()
    await seedTestAreas(t.db)
    const adminId = await createTestStaff(t.services, 'admin@example.org', [['administrator', TEST_AREAS.force.id]])
    const leadId = await createTestStaff(t.services, 'lead@example.org', [['engagement_lead', TEST_AREAS.force.id]])
    as = { admin: admin(), lead: admin() }
    await signInAs(as.admin, t.services, adminId)
    await signInAs(as.lead, t.services, leadId)
  })
  afterAll(async () => t.close())

  const names = (html: string) => [...html.matchAll(/href="\/staff\/messaging\/interests\/([^"]+)"/g)].map(m => m[1])
  const lastAudit = async () =>
    (await t.db.query<{ actor_email: string; action: string; entity_id: string; summary: string }>(
      `select actor_email, action, entity_id, summary from audit_log where entity_type = 'msg_interest' order by id desc limit 1`,
    ))[0]

  it('lists the interests in order with a table a screen reader can follow', async () => {
    const res = await as.admin.get('/staff/messaging/interests')
    expect(res.statusCode).toBe(200)
    expect(names(res.body)).toEqual(['appeals', 'crime-alerts', 'scams-fraud', 'rural-crime', 'business-crime', 'road-safety', 'events', 'consultations', 'volunteering', 'watch-schemes'])
    expect(res.body).toContain('<th scope="col" class="govuk-table__header">Welsh</th>')
    expect(res.body).toContain('Apeliadau a phobl ar goll')
    expect(duplicateIds(res.body)).toEqual([])
  })

  it('adds an interest, audited; a blank name is explained and what was typed kept', async () => {
    let res = await as.admin.submit('/staff/messaging/interests', { name: '', nameCy: 'Seiberdroseddu' })
    expect(res.statusCode).toBe(303)
    let page = (await as.admin.get('/staff/messaging/interests')).body
    expect(errorSummary(page)).toEqual(['name: Enter the name in English'])
    expect(inputValue(page, 'nameCy')).toBe('Seiberdroseddu')
    res = await as.admin.submit('/staff/messaging/interests', { name: 'Cyber crime', nameCy: 'Seiberdroseddu', description: '' })
    page = (await as.admin.get('/staff/messaging/interests')).body
    expect(page).toContain('Cyber crime has been added')
    expect(names(page).at(-1)).toBe('cyber-crime')
    expect(await lastAudit()).toMatchObject({ actor_email: 'admin@example.org', action: 'create', entity_id: 'cyber-crime' })
    // Residents see it at once.
    expect((await t.app.inject('/alerts/sign-up')).body).toContain('value="cyber-crime"')
  })

  it('renames and deactivates an interest, audited; residents stop seeing it', async () => {
    const res = await as.admin.submit('/staff/messaging/interests/cyber-crime', { name: 'Online crime', nameCy: 'Troseddau ar-lein', description: 'Hacking and online fraud', active: 'no' })
    expect(res.statusCode).toBe(303)
    const page = (await as.admin.get('/staff/messaging/interests')).body
    expect(page).toContain('Online crime has been updated')
    expect(page).toContain('Inactive')
    expect(await lastAudit()).toMatchObject({ action: 'update', entity_id: 'cyber-crime', summary: 'Deactivated the alert interest Online crime' })
    expect((await t.app.inject('/alerts/sign-up')).body).not.toContain('value="cyber-crime"')
    const bad = await as.admin.submit('/staff/messaging/interests/cyber-crime', { name: 'x'.repeat(101), active: 'yes' })
    expect(bad.statusCode).toBe(303)
    expect(errorSummary((await as.admin.get('/staff/messaging/interests/cyber-crime')).body)).toEqual(['name: The name in English must be 100 characters or fewer'])
  })

  it('reorders interests, audited', async () => {
    await as.admin.submit('/staff/messaging/interests', { direction: 'up' }, '/staff/messaging/interests/events/move')
    const order = names((await as.admin.get('/staff/messaging/interests')).body)
    expect(order.indexOf('events')).toBe(order.indexOf('road-safety') - 1)
    expect(await lastAudit()).toMatchObject({ action: 'update', entity_id: 'events', summary: 'Moved the alert interest Events and meetings up' })
  })

  it('is for administrators only, and answers 404 for an unknown interest', async () => {
    expect((await as.lead.get('/staff/messaging/interests')).statusCode).toBe(403)
    // A valid token from a public form, posted to the admin page: still refused.
    expect((await as.lead.submit('/alerts/sign-up', { name: 'Sneaky' }, '/staff/messaging/interests')).statusCode).toBe(403)
    expect((await t.services.messaging.subscribers.listInterests()).some(i => i.name === 'Sneaky')).toBe(false)
    expect((await as.admin.get('/staff/messaging/interests/no-such-interest')).statusCode).toBe(404)
    const anonymous = await new Browser(t.app).get('/staff/messaging/interests')
    expect(anonymous.statusCode).toBe(303)
  })
})
