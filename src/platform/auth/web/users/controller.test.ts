import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Browser, createTestApp, type TestApp } from '../../../../../test/helpers.ts'
import { createTestStaff, lastEmailTo, resetLinkIn, seedTestAreas, signInAs, signInThroughPages, TEST_AREAS, TEST_PASSWORD } from '../../testing.ts'

const errorSummary = (html: string) => /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? ''

describe('staff user administration', () => {
  let t: TestApp
  let admin: Browser
  let adminId: string
  beforeAll(async () => {
    t = await createTestApp()
    await seedTestAreas(t.db)
    adminId = await createTestStaff(t.services, 'admin@example.org', [['administrator', TEST_AREAS.force.id]], { name: 'Ada Admin' })
    admin = new Browser(t.app)
    await signInThroughPages(admin, 'admin@example.org')
  })
  afterAll(async () => t.close())

  it('lists staff with their roles and areas', async () => {
    await createTestStaff(t.services, 'olive@example.org', [['neighbourhood_officer', TEST_AREAS.ashbyNorth.id]], { name: 'Olive Officer' })
    const page = await admin.get('/staff/users')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Olive Officer')
    expect(page.body).toContain('Neighbourhood officer, Ashby North')
    expect(page.body).toMatch(/aria-current="page"[^>]*>\s*<strong[^>]*>Users/)
  })

  it('invites a new user, who sets a password from the emailed link and signs in', async () => {
    const res = await admin.submit('/staff/users/new', { name: 'Jo Bloggs', email: 'Jo@Example.org' })
    expect(res.statusCode).toBe(303)
    const userPath = String(res.headers.location)
    expect(userPath).toMatch(/^\/staff\/users\/[0-9a-f-]{36}$/)
    const page = await admin.get(userPath)
    expect(page.body).toContain('invitation to jo@example.org')
    expect(page.body).toContain('Invited, password not set yet')

    const mail = (await lastEmailTo(t.db, 'jo@example.org'))!
    expect(mail.subject).toContain('invited')
    const link = resetLinkIn(mail.body_text)
    const jo = new Browser(t.app)
    expect((await jo.get(link)).body).toContain('Set your password')
    const done = await jo.submit(link, { newPassword: 'jo has a passphrase', confirmPassword: 'jo has a passphrase' })
    expect(done.headers.location).toBe('/staff/sign-in')
    expect((await jo.submit('/staff/sign-in', { email: 'jo@example.org', password: 'jo has a passphrase' })).headers.location).toBe('/staff')
  })

  it('refuses a duplicate email with an error, keeping what was typed', async () => {
    const res = await admin.submit('/staff/users/new', { name: 'Jo Again', email: 'jo@example.org' })
    expect(res.headers.location).toBe('/staff/users/new')
    const page = await admin.get('/staff/users/new')
    expect(errorSummary(page.body)).toContain('A staff user with this email address already exists')
    expect(page.body).toContain('value="Jo Again"')
  })

  it('grants and removes roles on an area, auditing each change and each view', async () => {
    const jo = (await t.services.auth.getUserByEmail('jo@example.org'))!
    const path = `/staff/users/${jo.id}`
    const page = await admin.get(path)
    // The area picker lists the tree, labelled by kind.
    expect(page.body).toMatch(/<option value="test-force">Test Force \(force\)<\/option>/)
    expect(page.body).toMatch(/<option value="test-n01">(&nbsp;|\u00a0){8}Ashby North \(neighbourhood\)<\/option>/)

    const missing = await admin.submit(path, { role: '', areaId: '' }, `${path}/grants`)
    expect(missing.headers.location).toBe(path)
    const errors = errorSummary((await admin.get(path)).body)
    expect(errors).toContain('Select a role')
    expect(errors).toContain('Select an area')

    const added = await admin.submit(path, { role: 'neighbourhood_officer', areaId: TEST_AREAS.ashbyNorth.id }, `${path}/grants`)
    expect(added.headers.location).toBe(path)
    const after = await admin.get(path)
    expect(after.body).toContain('Added neighbourhood officer on Ashby North')
    expect(after.body).toMatch(/<th scope="row" class="govuk-table__header">Neighbourhood officer<\/th>\s*<td class="govuk-table__cell">Ashby North<\/td>/)

    const dup = await admin.submit(path, { role: 'neighbourhood_officer', areaId: TEST_AREAS.ashbyNorth.id }, `${path}/grants`)
    expect(dup.headers.location).toBe(path)
    expect(errorSummary((await admin.get(path)).body)).toContain('already neighbourhood officer on Ashby North')

    // The new role takes effect on Jo's next request.
    const joBrowser = new Browser(t.app)
    await signInAs(joBrowser, t.services, jo.id)
    expect((await joBrowser.get('/staff')).body).toContain('As neighbourhood officer')

    const grantId = (await t.services.auth.getUser(jo.id))!.grants[0]!.id
    const removed = await admin.submit(path, {}, `${path}/grants/${grantId}/remove`)
    expect(removed.headers.location).toBe(path)
    expect((await t.services.auth.getUser(jo.id))!.grants).toEqual([])

    const entries = await t.db.query<{ action: string; entity_type: string; summary: string; actor_email: string }>(
      `select action, entity_type, summary, actor_email from audit_log where actor_email = 'admin@example.org' and (entity_id = $1 or entity_id = $2) order by id`,
      [jo.id, grantId],
    )
    expect(entries).toContainEqual({ action: 'grant', entity_type: 'role_grant', summary: 'Granted neighbourhood officer on Ashby North to jo@example.org', actor_email: 'admin@example.org' })
    expect(entries).toContainEqual({ action: 'revoke', entity_type: 'role_grant', summary: 'Removed neighbourhood officer on Ashby North from jo@example.org', actor_email: 'admin@example.org' })
    expect(entries).toContainEqual({ action: 'view', entity_type: 'staff_user', summary: 'Viewed staff user jo@example.org', actor_email: 'admin@example.org' })
  })

  it('will not let an administrator remove their own last administrator role', async () => {
    const self = (await t.services.auth.getUser(adminId))!
    const path = `/staff/users/${adminId}`
    const res = await admin.submit(path, {}, `${path}/grants/${self.grants[0]!.id}/remove`)
    expect(res.headers.location).toBe(path)
    const page = await admin.get(path)
    expect(errorSummary(page.body)).toContain('You cannot remove your own last administrator role')
    expect((await t.services.auth.getUser(adminId))!.grants).toHaveLength(1)
    // Nor offer to deactivate themselves.
    expect(page.body).not.toContain(`action="${path}/deactivate"`)
  })

  it('deactivates (signing the person out) and reactivates an account', async () => {
    const id = await createTestStaff(t.services, 'pat@example.org', [['partner', TEST_AREAS.south.id]], { name: 'Pat Partner' })
    const pat = new Browser(t.app)
    await pat.submit('/staff/sign-in', { email: 'pat@example.org', password: TEST_PASSWORD })
    expect((await pat.get('/staff')).statusCode).toBe(200)
    await admin.submit(`/staff/users/${id}`, {}, `/staff/users/${id}/deactivate`)
    expect((await pat.get('/staff')).statusCode).toBe(303)
    expect((await admin.get(`/staff/users/${id}`)).body).toContain('Deactivated')
    expect((await pat.submit('/staff/sign-in', { email: 'pat@example.org', password: TEST_PASSWORD })).headers.location).toBe('/staff/sign-in')
    await admin.submit(`/staff/users/${id}`, {}, `/staff/users/${id}/reactivate`)
    expect((await pat.submit('/staff/sign-in', { email: 'pat@example.org', password: TEST_PASSWORD })).headers.location).toBe('/staff')
  })

  it('resets someone’s two-factor authentication so they set it up again', async () => {
    const id = await createTestStaff(t.services, 'second-admin@example.org', [['administrator', TEST_AREAS.north.id]])
    const other = new Browser(t.app)
    await signInThroughPages(other, 'second-admin@example.org')
    expect((await other.get('/staff/users')).statusCode).toBe(200)
    const page = await admin.get(`/staff/users/${id}`)
    expect(page.body).toContain('Reset two-factor authentication')
    await admin.submit(`/staff/users/${id}`, {}, `/staff/users/${id}/reset-two-factor`)
    // Their session ended; at the next sign-in they set up a new authenticator.
    expect((await other.get('/staff/users')).statusCode).toBe(303)
    const res = await other.submit('/staff/sign-in', { email: 'second-admin@example.org', password: TEST_PASSWORD })
    expect(res.headers.location).toBe('/staff/two-factor/setup')
  })

  it('answers 404 for an unknown or malformed id', async () => {
    expect((await admin.get('/staff/users/00000000-0000-0000-0000-000000000000')).statusCode).toBe(404)
    expect((await admin.get('/staff/users/not-an-id')).statusCode).toBe(404)
  })

  it('keeps a district administrator to their district', async () => {
    const northAdmin = await createTestStaff(t.services, 'north-admin@example.org', [['administrator', TEST_AREAS.north.id]])
    const southOfficer = await createTestStaff(t.services, 'south-officer@example.org', [['neighbourhood_officer', TEST_AREAS.southTown.id]])
    const b = new Browser(t.app)
    await signInAs(b, t.services, northAdmin)
    const list = await b.get('/staff/users')
    expect(list.body).not.toContain('south-officer@example.org')
    expect((await b.get(`/staff/users/${southOfficer}`)).statusCode).toBe(404)
    const olive = (await t.services.auth.getUserByEmail('olive@example.org'))!
    const page = await b.get(`/staff/users/${olive.id}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).not.toContain('value="test-s01"')
  })

  it('refuses every administration route to other roles', async () => {
    const officer = (await t.services.auth.getUserByEmail('olive@example.org'))!
    const b = new Browser(t.app)
    await signInAs(b, t.services, officer.id)
    expect((await b.get('/staff/users')).statusCode).toBe(403)
    expect((await b.get(`/staff/users/${adminId}`)).statusCode).toBe(403)
    const token = /name="_csrf" value="([^"]+)"/.exec((await b.get('/staff')).body)![1]!
    const post = await b.post(`/staff/users/${officer.id}/grants`, { role: 'administrator', areaId: TEST_AREAS.force.id, _csrf: token })
    expect(post.statusCode).toBe(403)
    expect((await t.services.auth.getUser(officer.id))!.grants.map(g => g.role)).toEqual(['neighbourhood_officer'])
  })
})
