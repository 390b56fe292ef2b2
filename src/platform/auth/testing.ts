/**
 * Helpers for tests that need staff accounts, areas and signed-in browsers. Not used by the
 * application; kept beside the auth code so other modules' tests can sign in the same way.
 */
import * as OTPAuth from 'otpauth'
import type { Database } from '../db/client.ts'
import type { Services } from '../../services.ts'
import type { Role } from './schema.ts'
import { createAuthService } from './service.ts'

/** A password that meets the rules. */
export const TEST_PASSWORD = 'correct horse battery staple'

/** A small area tree: one force, two districts, three neighbourhoods. */
export const TEST_AREAS = {
  force: { id: 'test-force', kind: 'force', parentId: null, path: '/test-force/', name: 'Test Force' },
  north: { id: 'test-north', kind: 'district', parentId: 'test-force', path: '/test-force/north/', name: 'North District' },
  south: { id: 'test-south', kind: 'district', parentId: 'test-force', path: '/test-force/south/', name: 'South District' },
  ashbyNorth: { id: 'test-n01', kind: 'neighbourhood', parentId: 'test-north', path: '/test-force/north/n01/', name: 'Ashby North' },
  ashbySouth: { id: 'test-n02', kind: 'neighbourhood', parentId: 'test-north', path: '/test-force/north/n02/', name: 'Ashby South' },
  southTown: { id: 'test-s01', kind: 'neighbourhood', parentId: 'test-south', path: '/test-force/south/s01/', name: 'South Town' },
} as const

/** Inserts TEST_AREAS (idempotent). */
export async function seedTestAreas(db: Database): Promise<typeof TEST_AREAS> {
  for (const a of Object.values(TEST_AREAS))
    await db.query(`insert into areas (id, kind, parent_id, path, name) values ($1, $2, $3, $4, $5) on conflict (id) do nothing`, [
      a.id,
      a.kind,
      a.parentId,
      a.path,
      a.name,
    ])
  return TEST_AREAS
}

/** Creates an account with a password and the given grants; answers its id. */
export async function createTestStaff(
  services: Services,
  email: string,
  grants: [Role, string][],
  opts: { name?: string; password?: string } = {},
): Promise<string> {
  const user = await services.auth.createStaffUser({
    email,
    name: opts.name ?? email.split('@')[0]!,
    password: opts.password ?? TEST_PASSWORD,
    grants: grants.map(([role, areaId]) => ({ role, areaId })),
  })
  return user.id
}

/**
 * Swaps the app's auth service for one whose failure delay records instead of waiting.
 * Routes read `services.auth` per request, so the swap takes effect at once.
 */
export function recordSleeps(services: Services): number[] {
  const slept: number[] = []
  services.auth = createAuthService({
    config: services.config,
    db: services.db,
    audit: services.audit,
    channels: services.channels,
    areas: services.areas,
    sleep: async ms => {
      slept.push(ms)
    },
  })
  return slept
}

/** The code an authenticator app would show `steps` periods after `at` (default now). */
export function totpCode(secret: string, steps = 0, at: number = Date.now()): string {
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 })
  return totp.generate({ timestamp: at + steps * 30_000 })
}

/** Reads the set-up key from the two-factor set-up page (as someone typing it would). */
export function setupKeyFrom(html: string): string {
  const key = /id="setup-key">([A-Z2-7 ]+)</.exec(html)?.[1]
  if (!key) throw new Error('no set-up key on the page')
  return key.replace(/ /g, '')
}

/** Answers the text of the newest email sent to `to` through the outbox. */
export async function lastEmailTo(db: Database, to: string): Promise<{ subject: string; body_text: string } | undefined> {
  const [row] = await db.query<{ subject: string; body_text: string }>(
    `select subject, body_text from outbox_messages where recipient = $1 order by created_at desc limit 1`,
    [to],
  )
  return row
}

/** The first /staff/reset-password/… link in a text. */
export function resetLinkIn(text: string): string {
  const m = /https?:\/\/[^\s]+(\/staff\/reset-password\/[A-Za-z0-9_-]+)/.exec(text)
  if (!m) throw new Error('no reset link in the email')
  return m[1]!
}

/**
 * Puts a fully signed-in session for `userId` in a test browser's cookie jar, skipping the
 * password and TOTP pages (which have tests of their own). For other modules' route tests.
 */
export async function signInAs(browser: { cookies: Map<string, string> }, services: Services, userId: string): Promise<void> {
  const token = await services.auth.createSession(userId, 'full')
  browser.cookies.set('beacon_session', token)
}

/**
 * Signs in through the real pages; an administrator without TOTP sets it up on the way.
 * Answers the TOTP secret when one was set up.
 */
export async function signInThroughPages(
  browser: { submit(url: string, fields: Record<string, string>, action?: string): Promise<{ headers: Record<string, unknown> }>; get(url: string): Promise<{ body: string }> },
  email: string,
  password = TEST_PASSWORD,
): Promise<string | undefined> {
  const res = await browser.submit('/staff/sign-in', { email, password })
  const location = String(res.headers.location)
  if (location === '/staff/two-factor/setup') {
    const secret = setupKeyFrom((await browser.get('/staff/two-factor/setup')).body)
    await browser.submit('/staff/two-factor/setup', { code: totpCode(secret) })
    return secret
  }
  if (location.startsWith('/staff/sign-in')) throw new Error(`sign-in failed for ${email} (to ${location})`)
  return undefined
}
