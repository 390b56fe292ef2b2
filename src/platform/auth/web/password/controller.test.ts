import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Browser, createTestApp, type TestApp } from '../../../../../test/helpers.ts'
import { SESSION_COOKIE } from '../../plugin.ts'
import { createTestStaff, lastEmailTo, resetLinkIn, seedTestAreas, TEST_AREAS, TEST_PASSWORD } from '../../testing.ts'

const errorSummary = (html: string) => /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? ''

describe('password reset', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp()
    await seedTestAreas(t.db)
    await createTestStaff(t.services, 'forgetful@example.org', [['board_member', TEST_AREAS.force.id]], { name: 'Fran Forgetful' })
  })
  afterAll(async () => t.close())

  const ask = async (b: Browser, email: string) => b.submit('/staff/forgot-password', { email })

  it('shows the same confirmation whether or not the address has an account', async () => {
    const b = new Browser(t.app)
    const known = await ask(b, 'forgetful@example.org')
    const unknown = await ask(b, 'stranger@example.org')
    expect(known.headers.location).toBe('/staff/forgot-password/sent')
    expect(unknown.headers.location).toBe('/staff/forgot-password/sent')
    const page = await b.get('/staff/forgot-password/sent')
    expect(page.body).toContain('Check your email')
    expect(page.body).toContain(`expires in ${t.config.auth.resetMinutes} minutes`)
    expect(await lastEmailTo(t.db, 'stranger@example.org')).toBeUndefined()
  })

  it('asks for a real email address, keeping what was typed', async () => {
    const b = new Browser(t.app)
    const res = await ask(b, 'not an address')
    expect(res.headers.location).toBe('/staff/forgot-password')
    const page = await b.get('/staff/forgot-password')
    expect(errorSummary(page.body)).toContain('Enter an email address in the correct format')
    expect(page.body).toContain('value="not an address"')
  })

  it('resets the password end to end from the emailed link, once, and ends every session', async () => {
    const signedIn = new Browser(t.app)
    await signedIn.submit('/staff/sign-in', { email: 'forgetful@example.org', password: TEST_PASSWORD })
    expect((await signedIn.get('/staff')).statusCode).toBe(200)

    const b = new Browser(t.app)
    await ask(b, 'Forgetful@example.org')
    const mail = (await lastEmailTo(t.db, 'forgetful@example.org'))!
    expect(mail.subject).toContain('Reset your')
    expect(mail.body_text).toContain(`${t.config.baseUrl}/staff/reset-password/`)
    const link = resetLinkIn(mail.body_text)

    const form = await b.get(link)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain('Reset your password')

    // Rules first: too short, then not matching. Nothing typed is sent back.
    const short = await b.submit(link, { newPassword: 'short', confirmPassword: 'short' })
    expect(short.headers.location).toBe(link)
    const shortPage = await b.get(link)
    expect(errorSummary(shortPage.body)).toContain('Password must be 12 characters or more')
    const mismatch = await b.submit(link, { newPassword: 'a new long passphrase', confirmPassword: 'a different passphrase' })
    expect(mismatch.headers.location).toBe(link)
    const mismatchPage = await b.get(link)
    expect(errorSummary(mismatchPage.body)).toContain('The passwords do not match')
    expect(mismatchPage.body).not.toContain('a new long passphrase')
    const asEmail = await b.submit(link, { newPassword: 'forgetful@example.org', confirmPassword: 'forgetful@example.org' })
    expect(asEmail.headers.location).toBe(link)
    expect(errorSummary((await b.get(link)).body)).toContain('must not be your email address')

    const done = await b.submit(link, { newPassword: 'a new long passphrase', confirmPassword: 'a new long passphrase' })
    expect(done.statusCode).toBe(303)
    expect(done.headers.location).toBe('/staff/sign-in')
    expect((await b.get('/staff/sign-in')).body).toContain('Your password has been set')

    // The session that was open before the reset has ended.
    expect((await signedIn.get('/staff')).headers.location).toBe('/staff/sign-in')

    // The old password no longer works; the new one does.
    const old = await b.submit('/staff/sign-in', { email: 'forgetful@example.org', password: TEST_PASSWORD })
    expect(old.headers.location).toBe('/staff/sign-in')
    const fresh = await b.submit('/staff/sign-in', { email: 'forgetful@example.org', password: 'a new long passphrase' })
    expect(fresh.headers.location).toBe('/staff')

    // The link worked once.
    const reused = await new Browser(t.app).get(link)
    expect(reused.statusCode).toBe(410)
    expect(reused.body).toContain('This link has expired or has already been used')
    expect(reused.body).toContain('href="/staff/forgot-password"')

    const actions = await t.db.query<{ action: string }>(
      `select action from audit_log where actor_email = 'forgetful@example.org' and action like 'password%' order by id`,
    )
    expect(actions.map(a => a.action)).toEqual(['password-reset-requested', 'password-reset-requested', 'password-reset'])
  })

  it('refuses an expired link and a made-up one with the same clear page', async () => {
    const b = new Browser(t.app)
    await ask(b, 'forgetful@example.org')
    const link = resetLinkIn((await lastEmailTo(t.db, 'forgetful@example.org'))!.body_text)
    await t.db.query(`update password_reset_tokens set expires_at = now() - interval '1 minute' where used_at is null`)
    const expired = await b.get(link)
    expect(expired.statusCode).toBe(410)
    expect(expired.body).toContain('This link has expired or has already been used')
    // Posting to it does nothing either.
    const page = await b.get('/staff/forgot-password')
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!
    const posted = await b.post(link, { newPassword: 'sneaky new passphrase', confirmPassword: 'sneaky new passphrase', _csrf: token })
    expect(posted.statusCode).toBe(410)
    expect((await b.submit('/staff/sign-in', { email: 'forgetful@example.org', password: 'sneaky new passphrase' })).headers.location).toBe('/staff/sign-in')

    const forged = await b.get('/staff/reset-password/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')
    expect(forged.statusCode).toBe(410)
    expect(forged.body).toContain('Ask for a new link')
  })

  it('unlocks a locked account', async () => {
    await t.db.query(`update staff_users set locked_until = now() + interval '10 minutes' where email = 'forgetful@example.org'`)
    const b = new Browser(t.app)
    await ask(b, 'forgetful@example.org')
    const link = resetLinkIn((await lastEmailTo(t.db, 'forgetful@example.org'))!.body_text)
    await b.submit(link, { newPassword: 'unlocked passphrase!', confirmPassword: 'unlocked passphrase!' })
    const res = await b.submit('/staff/sign-in', { email: 'forgetful@example.org', password: 'unlocked passphrase!' })
    expect(res.headers.location).toBe('/staff')
    expect(b.cookies.has(SESSION_COOKIE)).toBe(true)
  })

  it('limits how often one address can ask for links', async () => {
    const b = new Browser(t.app)
    const page = await b.get('/staff/forgot-password')
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!
    let status = 0
    for (let i = 0; i < 12 && status !== 429; i++)
      status = (await b.post('/staff/forgot-password', { email: `someone${i}@example.org`, _csrf: token })).statusCode
    expect(status).toBe(429)
  })
})
