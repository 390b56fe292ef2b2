import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Browser, createTestApp, type TestApp } from '../../../../../test/helpers.ts'
import { SESSION_COOKIE } from '../../plugin.ts'
import { createTestStaff, recordSleeps, seedTestAreas, setupKeyFrom, TEST_AREAS, TEST_PASSWORD, totpCode } from '../../testing.ts'

const signIn = (b: Browser, email: string, password = TEST_PASSWORD, next?: string) =>
  b.submit(next ? `/staff/sign-in?next=${encodeURIComponent(next)}` : '/staff/sign-in', { email, password, ...(next ? { next } : {}) })

/** The page a redirect leads to (following one hop, as a browser would). */
const follow = async (b: Browser, res: { headers: Record<string, unknown> }) => b.get(String(res.headers.location))

const errorSummary = (html: string) => /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? ''

describe('staff sign-in', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp()
    await seedTestAreas(t.db)
    await createTestStaff(t.services, 'officer@example.org', [['neighbourhood_officer', TEST_AREAS.ashbyNorth.id]], { name: 'Olive Officer' })
  })
  afterAll(async () => t.close())

  it('sends a signed-out visitor of a staff page to sign in, remembering where they were going', async () => {
    const b = new Browser(t.app)
    const res = await b.get('/staff/audit?action=sign-in')
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe(`/staff/sign-in?next=${encodeURIComponent('/staff/audit?action=sign-in')}`)
    const home = await b.get('/staff')
    expect(home.headers.location).toBe('/staff/sign-in')
  })

  it('signs in with the right password, sets a safe cookie and goes to the page asked for', async () => {
    const b = new Browser(t.app)
    const res = await signIn(b, 'Officer@Example.org', TEST_PASSWORD, '/staff?from=test')
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe('/staff?from=test')
    const cookie = [res.headers['set-cookie']].flat().find(c => c?.startsWith(`${SESSION_COOKIE}=`))!
    expect(cookie).toMatch(/; HttpOnly/)
    expect(cookie).toMatch(/; SameSite=Lax/)
    expect(cookie).toMatch(/; Path=\//)
    // Secure outside development: tests run as production would send it.
    expect(cookie).toMatch(/; Secure/)
    expect(Buffer.from(/=([^;]+)/.exec(cookie)![1]!, 'base64url')).toHaveLength(32)
    const home = await b.get('/staff')
    expect(home.statusCode).toBe(200)
    expect(home.body).toContain('Hello, Olive Officer')
    expect(home.body).toContain('Ashby North')
    expect(home.headers['cache-control']).toBe('no-store')
  })

  it('ignores a next address on another site', async () => {
    const b = new Browser(t.app)
    const form = await b.get('/staff/sign-in?next=//evil.example/steal')
    expect(form.body).not.toContain('evil.example')
    const res = await signIn(b, 'officer@example.org', TEST_PASSWORD, 'https://evil.example/')
    expect(res.headers.location).toBe('/staff')
  })

  it('gives the same message for an unknown email and a wrong password, keeping the email but not the password', async () => {
    const b = new Browser(t.app)
    const unknown = await follow(b, await signIn(b, 'nobody@example.org', 'some password 1'))
    const wrong = await follow(b, await signIn(b, 'officer@example.org', 'some password 2'))
    expect(errorSummary(unknown.body)).toContain('Your email address or password is not correct')
    expect(errorSummary(unknown.body)).toBe(errorSummary(wrong.body))
    expect(wrong.body).toContain('value="officer@example.org"')
    expect(wrong.body).not.toContain('some password 2')
    expect(wrong.body).toMatch(/<title>Error: Sign in/)
  })

  it('shows an error summary when a field is empty', async () => {
    const b = new Browser(t.app)
    const page = await follow(b, await signIn(b, '', ''))
    expect(errorSummary(page.body)).toContain('Enter your email address')
    expect(errorSummary(page.body)).toContain('Enter your password')
  })

  it('slows down after failures and locks the account with a clear message', async () => {
    const slept = recordSleeps(t.services)
    await createTestStaff(t.services, 'locky@example.org', [['partner', TEST_AREAS.north.id]])
    const b = new Browser(t.app)
    const max = t.config.auth.maxAttempts
    let res
    for (let i = 0; i < max; i++) res = await signIn(b, 'locky@example.org', `wrong password ${i}`)
    expect(slept).toEqual([0, 0, 1000, 2000])
    const page = await follow(b, res!)
    expect(page.body).toMatch(
      /Too many attempts\. Your account is locked for 15 minutes\. Try again at \d\d:\d\d or reset your password\./,
    )
    // The right password is refused until the lock ends.
    const again = await follow(b, await signIn(b, 'locky@example.org', TEST_PASSWORD))
    expect(again.body).toContain('Your account is locked')
    const entries = await t.db.query<{ action: string }>(
      `select action from audit_log where actor_email = 'locky@example.org' and action in ('lockout', 'sign-in-failed') order by id`,
    )
    expect(entries.map(e => e.action)).toEqual([...Array(max).fill('sign-in-failed'), 'lockout', 'sign-in-failed'])
  })

  it('refuses a form posted without its CSRF token', async () => {
    const b = new Browser(t.app)
    const res = await b.post('/staff/sign-in', { email: 'officer@example.org', password: TEST_PASSWORD })
    expect(res.statusCode).toBe(403)
    expect(res.headers['set-cookie'] ?? '').not.toContain(SESSION_COOKIE)
  })

  it('signing out ends the session: the old cookie no longer works', async () => {
    const b = new Browser(t.app)
    await signIn(b, 'officer@example.org')
    const oldCookie = b.cookies.get(SESSION_COOKIE)!
    const home = await b.get('/staff')
    expect(home.body).toContain('action="/staff/sign-out"')
    const out = await b.submit('/staff', {}, '/staff/sign-out')
    expect(out.statusCode).toBe(303)
    expect(out.headers.location).toBe('/staff/sign-in')
    expect(b.cookies.has(SESSION_COOKIE)).toBe(false)
    expect((await b.get('/staff/sign-in')).body).toContain('You have signed out')

    const replay = new Browser(t.app)
    replay.cookies.set(SESSION_COOKIE, oldCookie)
    const res = await replay.get('/staff')
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe('/staff/sign-in')
    const [entry] = await t.db.query<{ n: number }>(`select count(*)::int as n from audit_log where action = 'sign-out' and actor_email = 'officer@example.org'`)
    expect(entry!.n).toBe(1)
  })

  it('gives a new session token at sign-in, so a token planted before it is worthless', async () => {
    const b = new Browser(t.app)
    await signIn(b, 'officer@example.org')
    const first = b.cookies.get(SESSION_COOKIE)!
    // Signed in already, the sign-in page redirects; post the form from another page's token.
    await b.submit('/staff/forgot-password', { email: 'officer@example.org', password: TEST_PASSWORD }, '/staff/sign-in')
    const second = b.cookies.get(SESSION_COOKIE)!
    expect(second).not.toBe(first)
    const replay = new Browser(t.app)
    replay.cookies.set(SESSION_COOKIE, first)
    expect((await replay.get('/staff')).statusCode).toBe(303)
    expect((await b.get('/staff')).statusCode).toBe(200)
  })

  it('a deactivated account is signed out at once', async () => {
    const id = await createTestStaff(t.services, 'leaver@example.org', [['partner', TEST_AREAS.north.id]])
    const b = new Browser(t.app)
    await signIn(b, 'leaver@example.org')
    expect((await b.get('/staff')).statusCode).toBe(200)
    await t.db.query('update staff_users set active = false where id = $1', [id])
    expect((await b.get('/staff')).statusCode).toBe(303)
  })

  it('shows non-administrators no administration links, and refuses them the pages', async () => {
    const b = new Browser(t.app)
    await signIn(b, 'officer@example.org')
    const home = await b.get('/staff')
    expect(home.body).not.toContain('href="/staff/users"')
    expect(home.body).toContain('href="/staff/areas"')
    for (const url of ['/staff/users', '/staff/users/new', '/staff/audit']) expect((await b.get(url)).statusCode).toBe(403)
  })
})

describe('two-factor authentication', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp()
    await seedTestAreas(t.db)
    await createTestStaff(t.services, 'admin@example.org', [['administrator', TEST_AREAS.force.id]], { name: 'Ada Admin' })
    await createTestStaff(t.services, 'lead@example.org', [['engagement_lead', TEST_AREAS.north.id]], { name: 'Lee Lead' })
  })
  afterAll(async () => t.close())

  let secret = ''

  it('sends an administrator to set up an authenticator before anything else', async () => {
    const b = new Browser(t.app)
    const res = await signIn(b, 'admin@example.org', TEST_PASSWORD, '/staff/users')
    expect(res.headers.location).toBe('/staff/two-factor/setup')
    const halfCookie = b.cookies.get(SESSION_COOKIE)!
    // Half signed in: no staff page opens.
    for (const url of ['/staff', '/staff/users', '/staff/audit']) {
      const page = await b.get(url)
      expect(page.statusCode).toBe(303)
      expect(page.headers.location).toBe('/staff/two-factor/setup')
    }

    const setup = await b.get('/staff/two-factor/setup')
    expect(setup.statusCode).toBe(200)
    expect(setup.body).toContain('Administrators must use two-factor authentication')
    expect(setup.body).toMatch(/<div class="beacon-qr[^"]*"><svg /)
    expect(setup.body).not.toMatch(/<img[^>]+src="data:/)
    expect(setup.body).not.toMatch(/\sstyle="/)
    expect(setup.body).toMatch(/id="setup-key">([A-Z2-7]{4} )+[A-Z2-7]{1,4}</)
    secret = setupKeyFrom(setup.body)
    // The same key is shown until it is confirmed (reloading does not change it).
    expect(setupKeyFrom((await b.get('/staff/two-factor/setup')).body)).toBe(secret)

    const bad = await b.submit('/staff/two-factor/setup', { code: totpCode(secret, 4) })
    expect(bad.headers.location).toBe('/staff/two-factor/setup')
    expect((await b.get('/staff/two-factor/setup')).body).toContain('The code is not correct')

    const ok = await b.submit('/staff/two-factor/setup', { code: totpCode(secret) })
    expect(ok.statusCode).toBe(303)
    expect(ok.headers.location).toBe('/staff/users')
    expect(b.cookies.get(SESSION_COOKIE)).not.toBe(halfCookie)
    const users = await b.get('/staff/users')
    expect(users.statusCode).toBe(200)
    expect(users.body).toContain('Two-factor authentication is set up')

    // The half-signed-in token died with the step up.
    const replay = new Browser(t.app)
    replay.cookies.set(SESSION_COOKIE, halfCookie)
    expect((await replay.get('/staff/two-factor/setup')).headers.location).toBe('/staff/sign-in')
  })

  it('asks for the code at every later sign-in, and only then opens staff pages', async () => {
    const b = new Browser(t.app)
    const res = await signIn(b, 'admin@example.org')
    expect(res.headers.location).toBe('/staff/sign-in/code')
    expect((await b.get('/staff/users')).headers.location).toBe('/staff/sign-in/code')
    const page = await b.get('/staff/sign-in/code')
    expect(page.body).toContain('autocomplete="one-time-code"')

    const wrong = await b.submit('/staff/sign-in/code', { code: '12345' })
    expect(wrong.headers.location).toBe('/staff/sign-in/code')
    expect((await b.get('/staff/sign-in/code')).body).toContain('The code must be 6 digits')

    // The set-up used this period's code, so the app's next code is the one that works now.
    const code = totpCode(secret, 1)
    const ok = await b.submit('/staff/sign-in/code', { code: `${code.slice(0, 3)} ${code.slice(3)}` })
    expect(ok.headers.location).toBe('/staff')
    expect((await b.get('/staff/users')).statusCode).toBe(200)

    // The same code cannot sign in anyone else (a code read over a shoulder).
    const other = new Browser(t.app)
    await signIn(other, 'admin@example.org')
    await other.submit('/staff/sign-in/code', { code })
    expect((await other.get('/staff/sign-in/code')).body).toContain('That code has already been used')
    expect((await other.get('/staff')).headers.location).toBe('/staff/sign-in/code')
  })

  it('lets other staff choose to set up an authenticator, and then asks them for codes', async () => {
    const b = new Browser(t.app)
    expect((await signIn(b, 'lead@example.org')).headers.location).toBe('/staff')
    const home = await b.get('/staff')
    expect(home.body).toContain('href="/staff/two-factor/setup"')
    const setup = await b.get('/staff/two-factor/setup')
    expect(setup.body).not.toContain('Administrators must use')
    const leadSecret = setupKeyFrom(setup.body)
    const done = await b.submit('/staff/two-factor/setup', { code: totpCode(leadSecret) })
    expect(done.headers.location).toBe('/staff')
    expect((await b.get('/staff')).body).toContain('Two-factor authentication is on')

    const again = new Browser(t.app)
    expect((await signIn(again, 'lead@example.org')).headers.location).toBe('/staff/sign-in/code')
  })
})

describe('cookies in development', () => {
  it('leaves Secure off so sign-in works on http://localhost', async () => {
    const t = await createTestApp({ env: { NODE_ENV: 'development' } })
    try {
      await seedTestAreas(t.db)
      await createTestStaff(t.services, 'dev@example.org', [['partner', TEST_AREAS.north.id]])
      const res = await signIn(new Browser(t.app), 'dev@example.org')
      const cookie = [res.headers['set-cookie']].flat().find(c => c?.startsWith(`${SESSION_COOKIE}=`))!
      expect(cookie).toMatch(/; HttpOnly/)
      expect(cookie).not.toMatch(/; Secure/)
    } finally {
      await t.close()
    }
  })
})

describe('cookies in production', () => {
  it('marks the session cookie Secure', async () => {
    const t = await createTestApp({
      env: {
        NODE_ENV: 'production',
        SESSION_SECRET: 'production-secret-production-secret-0000',
        BASE_URL: 'https://beacon.example',
        DATABASE_URL: 'postgres://unused@localhost/unused',
      },
    })
    try {
      await seedTestAreas(t.db)
      await createTestStaff(t.services, 'prod@example.org', [['partner', TEST_AREAS.north.id]])
      const b = new Browser(t.app)
      const res = await signIn(b, 'prod@example.org')
      const cookie = [res.headers['set-cookie']].flat().find(c => c?.startsWith(`${SESSION_COOKIE}=`))!
      expect(cookie).toMatch(/; Secure/)
      expect(cookie).toMatch(/; HttpOnly/)
      expect(cookie).toMatch(/; SameSite=Lax/)
    } finally {
      await t.close()
    }
  })
})

describe('rate limit', () => {
  it('answers 429 with a plain message when one address sends too many sign-ins', async () => {
    const t = await createTestApp()
    try {
      recordSleeps(t.services)
      const b = new Browser(t.app)
      const page = await b.get('/staff/sign-in')
      const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!
      let res
      for (let i = 0; i < 40; i++) {
        res = await b.post('/staff/sign-in', { email: `nobody${i}@example.org`, password: 'x', _csrf: token })
        if (res.statusCode === 429) break
      }
      expect(res!.statusCode).toBe(429)
      expect(res!.body).toContain('Too many attempts from your network')
      expect(res!.body).not.toMatch(/at .*\.ts:\d+/)
    } finally {
      await t.close()
    }
  })
})

describe('changing your own password', () => {
  it('needs the current password, then ends other sessions and keeps this one', async () => {
    const t = await createTestApp()
    try {
      await seedTestAreas(t.db)
      await createTestStaff(t.services, 'changer@example.org', [['partner', TEST_AREAS.north.id]])
      const here = new Browser(t.app)
      const elsewhere = new Browser(t.app)
      await signIn(here, 'changer@example.org')
      await signIn(elsewhere, 'changer@example.org')
      const wrong = await here.submit('/staff/account/password', { currentPassword: 'not it at all', newPassword: 'a fresh passphrase', confirmPassword: 'a fresh passphrase' })
      expect(wrong.headers.location).toBe('/staff/account/password')
      expect(errorSummary((await here.get('/staff/account/password')).body)).toContain('Your current password is not correct')
      const ok = await here.submit('/staff/account/password', { currentPassword: TEST_PASSWORD, newPassword: 'a fresh passphrase', confirmPassword: 'a fresh passphrase' })
      expect(ok.headers.location).toBe('/staff')
      expect((await here.get('/staff')).body).toContain('Your password has been changed')
      expect((await elsewhere.get('/staff')).statusCode).toBe(303)
      expect((await signIn(new Browser(t.app), 'changer@example.org', 'a fresh passphrase')).headers.location).toBe('/staff')
    } finally {
      await t.close()
    }
  })
})
