import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testConfig } from '../../config.ts'
import { createTestDatabase } from '../../../test/helpers.ts'
import type { Database } from '../db/client.ts'
import { createServices, type Services } from '../../services.ts'
import type { StaffContext } from './access.ts'
import { createAuthService, failureDelayMs, SYSTEM, type Acting } from './service.ts'
import { newTotpSecret } from './totp.ts'
import { seedTestAreas, TEST_AREAS, TEST_PASSWORD, totpCode } from './testing.ts'

/** A clock the test moves by hand, and a sleep that only records. */
function harness(services: Services) {
  let at = Date.now()
  const slept: number[] = []
  const auth = createAuthService({
    config: services.config,
    db: services.db,
    audit: services.audit,
    channels: services.channels,
    areas: services.areas,
    sleep: async ms => {
      slept.push(ms)
    },
    now: () => new Date(at),
  })
  return { auth, slept, advance: (ms: number) => (at += ms), nowMs: () => at }
}

const actingAs = async (services: Services, userId: string): Promise<Acting> => {
  const user = (await services.auth.getUser(userId))!
  return { staff: await services.auth.loadStaffContext({ userId, email: user.email, name: user.name }), ip: '192.0.2.1' }
}

async function auditActions(db: Database, entityId: string): Promise<string[]> {
  const rows = await db.query<{ action: string }>('select action from audit_log where entity_id = $1 order by id', [entityId])
  return rows.map(r => r.action)
}

describe('auth service', () => {
  let db: Database
  let services: Services

  beforeAll(async () => {
    db = await createTestDatabase()
    services = await createServices(testConfig(), db)
    await seedTestAreas(db)
  })
  afterAll(async () => db.close())

  describe('accounts', () => {
    it('creates an account with grants, lower-casing the email, and audits both', async () => {
      const user = await services.auth.createStaffUser({
        email: '  Ann.Lee@Example.ORG ',
        name: 'Ann Lee',
        password: TEST_PASSWORD,
        grants: [{ role: 'neighbourhood_officer', areaId: TEST_AREAS.ashbyNorth.id }],
      })
      expect(user.email).toBe('ann.lee@example.org')
      expect(user.hasPassword).toBe(true)
      expect(user.grants).toMatchObject([{ role: 'neighbourhood_officer', areaName: 'Ashby North', areaPath: TEST_AREAS.ashbyNorth.path }])
      expect(await auditActions(db, user.id)).toEqual(['create'])
      const [grantEntry] = await db.query<{ summary: string }>(`select summary from audit_log where entity_type = 'role_grant' and entity_id = $1`, [user.grants[0]!.id])
      expect(grantEntry?.summary).toBe('Granted neighbourhood officer on Ashby North to ann.lee@example.org')
    })

    it('refuses a second account with the same email (any case) with CONFLICT', async () => {
      await expect(services.auth.createStaffUser({ email: 'ANN.LEE@example.org', name: 'Other' })).rejects.toMatchObject({ code: 'CONFLICT' })
    })

    it('refuses unknown areas, weak passwords and bad addresses with INVALID', async () => {
      await expect(
        services.auth.createStaffUser({ email: 'x1@example.org', name: 'X', grants: [{ role: 'partner', areaId: 'nowhere' }] }),
      ).rejects.toMatchObject({ code: 'INVALID' })
      await expect(services.auth.createStaffUser({ email: 'x2@example.org', name: 'X', password: 'short' })).rejects.toMatchObject({
        code: 'INVALID',
        fieldErrors: { password: expect.stringMatching(/12 characters/) },
      })
      await expect(services.auth.createStaffUser({ email: 'not-an-email', name: 'X' })).rejects.toMatchObject({ code: 'INVALID' })
      expect(await services.auth.getUserByEmail('x1@example.org')).toBeNull()
    })

    it('an account created without a password cannot sign in until it has one', async () => {
      const user = await services.auth.createStaffUser({ email: 'nopass@example.org', name: 'No Pass' })
      expect(user.hasPassword).toBe(false)
      expect(await services.auth.signIn('nopass@example.org', '', null)).toEqual({ ok: false, reason: 'invalid' })
      await services.auth.setPassword(user.id, TEST_PASSWORD)
      expect(await services.auth.signIn('nopass@example.org', TEST_PASSWORD, null)).toMatchObject({ ok: true, needs: 'none' })
    })
  })

  describe('signing in', () => {
    it('answers the same for an unknown email and a wrong password', async () => {
      await services.auth.createStaffUser({ email: 'same@example.org', name: 'Same', password: TEST_PASSWORD })
      const unknown = await services.auth.signIn('nobody@example.org', TEST_PASSWORD, null)
      const wrong = await services.auth.signIn('same@example.org', 'wrong password here', null)
      expect(unknown).toEqual(wrong)
      expect(unknown).toEqual({ ok: false, reason: 'invalid' })
    })

    it('takes a similar time for an unknown email and a wrong password (both run argon2)', async () => {
      // The recording sleep keeps the growing delay out of the measurement.
      const h = harness(services)
      const time = async (email: string) => {
        const samples: number[] = []
        for (let i = 0; i < 3; i++) {
          const t0 = performance.now()
          await h.auth.signIn(email, `wrong password ${i}`, null)
          samples.push(performance.now() - t0)
        }
        return samples.sort((a, b) => a - b)[1]!
      }
      await services.auth.createStaffUser({ email: 'timing@example.org', name: 'Timing', password: TEST_PASSWORD })
      await h.auth.signIn('nobody-warmup@example.org', 'x', null)
      const unknown = await time('nobody-timing@example.org')
      const known = await time('timing@example.org')
      // Without the dummy hash an unknown address answers in a millisecond or two.
      expect(unknown).toBeGreaterThan(known / 3)
      expect(unknown).toBeLessThan(known * 3)
    })

    it('slows down after a few failures, locks at the limit, and says until when', async () => {
      const h = harness(services)
      const user = await h.auth.createStaffUser({ email: 'lock@example.org', name: 'Lock', password: TEST_PASSWORD })
      const max = services.config.auth.maxAttempts
      for (let i = 1; i < max; i++) expect(await h.auth.signIn('lock@example.org', 'wrong password', '192.0.2.9')).toEqual({ ok: false, reason: 'invalid' })
      expect(h.slept).toEqual([0, 0, 1000, 2000].slice(0, max - 1))
      const locked = await h.auth.signIn('lock@example.org', 'wrong password', '192.0.2.9')
      expect(locked).toMatchObject({ ok: false, reason: 'locked' })
      const until = (locked as { lockedUntil: Date }).lockedUntil
      expect(until.getTime()).toBe(h.nowMs() + services.config.auth.lockMinutes * 60_000)
      // The right password does not help while locked.
      expect(await h.auth.signIn('lock@example.org', TEST_PASSWORD, null)).toMatchObject({ ok: false, reason: 'locked' })
      expect(await auditActions(db, user.id)).toEqual(['create', ...Array(max).fill('sign-in-failed'), 'lockout', 'sign-in-failed'])
      // Once the lock has passed, the right password works and the count starts again.
      h.advance(services.config.auth.lockMinutes * 60_000 + 1000)
      expect(await h.auth.signIn('lock@example.org', TEST_PASSWORD, null)).toMatchObject({ ok: true, needs: 'none' })
      const [row] = await db.query<{ failed_attempts: number; locked_until: Date | null }>('select failed_attempts, locked_until from staff_users where id = $1', [user.id])
      expect(row).toEqual({ failed_attempts: 0, locked_until: null })
    })

    it('resets the count on success, so earlier slips do not add up', async () => {
      const h = harness(services)
      await h.auth.createStaffUser({ email: 'slips@example.org', name: 'Slips', password: TEST_PASSWORD })
      for (let round = 0; round < 3; round++) {
        await h.auth.signIn('slips@example.org', 'wrong password', null)
        await h.auth.signIn('slips@example.org', 'wrong password', null)
        expect(await h.auth.signIn('slips@example.org', TEST_PASSWORD, null)).toMatchObject({ ok: true })
      }
      expect(h.slept.every(ms => ms === 0)).toBe(true)
    })

    it('grows the delay and caps it', () => {
      expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map(failureDelayMs)).toEqual([0, 0, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000])
    })

    it('refuses deactivated accounts with the same answer as a wrong password', async () => {
      const user = await services.auth.createStaffUser({ email: 'gone@example.org', name: 'Gone', password: TEST_PASSWORD })
      await services.auth.setActive(user.id, false, SYSTEM)
      expect(await services.auth.signIn('gone@example.org', TEST_PASSWORD, null)).toEqual({ ok: false, reason: 'invalid' })
    })
  })

  describe('TOTP', () => {
    it('asks an administrator without TOTP to set it up, then for a code', async () => {
      const h = harness(services)
      const admin = await h.auth.createStaffUser({
        email: 'totp-admin@example.org',
        name: 'Admin',
        password: TEST_PASSWORD,
        grants: [{ role: 'administrator', areaId: TEST_AREAS.force.id }],
      })
      expect(await h.auth.signIn('totp-admin@example.org', TEST_PASSWORD, null)).toEqual({ ok: true, userId: admin.id, needs: 'setup' })
      const secret = newTotpSecret()
      expect(await h.auth.enableTotp(admin.id, secret, '000000' === totpCode(secret, 0, h.nowMs()) ? '111111' : '000000', null)).toBe(false)
      expect(await h.auth.enableTotp(admin.id, secret, totpCode(secret, 0, h.nowMs()), null)).toBe(true)
      expect(await h.auth.signIn('totp-admin@example.org', TEST_PASSWORD, null)).toEqual({ ok: true, userId: admin.id, needs: 'code' })
    })

    it('rejects a code used before, and accepts the next one', async () => {
      const h = harness(services)
      const user = await h.auth.createStaffUser({ email: 'reuse@example.org', name: 'Reuse', password: TEST_PASSWORD })
      const secret = newTotpSecret()
      expect(await h.auth.enableTotp(user.id, secret, totpCode(secret, 0, h.nowMs()), null)).toBe(true)
      // The set-up code cannot be replayed at sign-in.
      expect(await h.auth.verifySecondFactor(user.id, totpCode(secret, 0, h.nowMs()), null)).toEqual({ ok: false, reason: 'reused' })
      h.advance(30_000)
      const code = totpCode(secret, 0, h.nowMs())
      expect(await h.auth.verifySecondFactor(user.id, code, null)).toEqual({ ok: true })
      expect(await h.auth.verifySecondFactor(user.id, code, null)).toEqual({ ok: false, reason: 'reused' })
      // Nor can an older code still inside the window.
      expect(await h.auth.verifySecondFactor(user.id, totpCode(secret, -1, h.nowMs()), null)).toEqual({ ok: false, reason: 'reused' })
    })

    it('counts wrong codes towards the lock', async () => {
      const h = harness(services)
      const user = await h.auth.createStaffUser({ email: 'codes@example.org', name: 'Codes', password: TEST_PASSWORD })
      const secret = newTotpSecret()
      await h.auth.enableTotp(user.id, secret, totpCode(secret, 0, h.nowMs()), null)
      const wrong = totpCode(secret, 5, h.nowMs())
      let last
      for (let i = 0; i < services.config.auth.maxAttempts; i++) last = await h.auth.verifySecondFactor(user.id, wrong, null)
      expect(last).toMatchObject({ ok: false, reason: 'locked' })
    })
  })

  describe('sessions', () => {
    it('stores only a hash of the token and expires after sessionHours', async () => {
      const h = harness(services)
      const user = await h.auth.createStaffUser({ email: 'sess@example.org', name: 'Sess', password: TEST_PASSWORD })
      const token = await h.auth.createSession(user.id, 'full')
      const stored = await db.query<{ id_hash: string }>('select id_hash from sessions where user_id = $1', [user.id])
      expect(stored).toHaveLength(1)
      expect(stored[0]!.id_hash).not.toContain(token)
      expect(await h.auth.findSession(token)).toMatchObject({ userId: user.id, stage: 'full' })
      h.advance(services.config.auth.sessionHours * 3_600_000 + 1000)
      expect(await h.auth.findSession(token)).toBeNull()
    })

    it('a half-signed-in session lasts only minutes', async () => {
      const h = harness(services)
      const user = await h.auth.createStaffUser({ email: 'half@example.org', name: 'Half', password: TEST_PASSWORD })
      const token = await h.auth.createSession(user.id, 'password')
      h.advance(16 * 60_000)
      expect(await h.auth.findSession(token)).toBeNull()
    })
  })

  describe('grants', () => {
    let forceAdmin: Acting
    let northAdmin: Acting
    let northAdminId: string

    beforeAll(async () => {
      const a = await services.auth.createStaffUser({
        email: 'force-admin@example.org',
        name: 'Force Admin',
        password: TEST_PASSWORD,
        grants: [{ role: 'administrator', areaId: TEST_AREAS.force.id }],
      })
      const n = await services.auth.createStaffUser({
        email: 'north-admin@example.org',
        name: 'North Admin',
        password: TEST_PASSWORD,
        grants: [{ role: 'administrator', areaId: TEST_AREAS.north.id }],
      })
      northAdminId = n.id
      forceAdmin = await actingAs(services, a.id)
      northAdmin = await actingAs(services, n.id)
    })

    it('grants and revokes, auditing both with readable summaries', async () => {
      const jo = await services.auth.createStaffUser({ email: 'jo@example.org', name: 'Jo' }, forceAdmin)
      const grant = await services.auth.grantRole({ userId: jo.id, role: 'neighbourhood_officer', areaId: TEST_AREAS.ashbySouth.id }, forceAdmin)
      await expect(services.auth.grantRole({ userId: jo.id, role: 'neighbourhood_officer', areaId: TEST_AREAS.ashbySouth.id }, forceAdmin)).rejects.toMatchObject({ code: 'CONFLICT' })
      await services.auth.revokeGrant(grant.id, forceAdmin)
      const entries = await db.query<{ action: string; summary: string; actor_email: string; area_id: string }>(
        `select action, summary, actor_email, area_id from audit_log where entity_type = 'role_grant' and entity_id = $1 order by id`,
        [grant.id],
      )
      expect(entries).toEqual([
        { action: 'grant', summary: 'Granted neighbourhood officer on Ashby South to jo@example.org', actor_email: 'force-admin@example.org', area_id: TEST_AREAS.ashbySouth.id },
        { action: 'revoke', summary: 'Removed neighbourhood officer on Ashby South from jo@example.org', actor_email: 'force-admin@example.org', area_id: TEST_AREAS.ashbySouth.id },
      ])
    })

    it('a district administrator can grant only inside their district', async () => {
      const kim = await services.auth.createStaffUser({ email: 'kim@example.org', name: 'Kim' }, northAdmin)
      await services.auth.grantRole({ userId: kim.id, role: 'partner', areaId: TEST_AREAS.ashbyNorth.id }, northAdmin)
      await expect(services.auth.grantRole({ userId: kim.id, role: 'partner', areaId: TEST_AREAS.southTown.id }, northAdmin)).rejects.toMatchObject({ code: 'INVALID' })
      expect((await services.auth.areaOptions({ within: services.auth.manageablePaths(northAdmin) })).map(a => a.id)).toEqual([
        TEST_AREAS.north.id,
        TEST_AREAS.ashbyNorth.id,
        TEST_AREAS.ashbySouth.id,
      ])
    })

    it('a district administrator cannot see or change someone who only works elsewhere', async () => {
      const sam = await services.auth.createStaffUser(
        { email: 'sam@example.org', name: 'Sam', grants: [{ role: 'neighbourhood_officer', areaId: TEST_AREAS.southTown.id }] },
        forceAdmin,
      )
      await expect(services.auth.getManageableUser(sam.id, northAdmin)).rejects.toMatchObject({ code: 'NOT_FOUND' })
      await expect(services.auth.setActive(sam.id, false, northAdmin)).rejects.toMatchObject({ code: 'NOT_FOUND' })
      await expect(services.auth.revokeGrant(sam.grants[0]!.id, northAdmin)).rejects.toMatchObject({ code: 'NOT_FOUND' })
      const visible = await services.auth.listUsers({ within: services.auth.manageablePaths(northAdmin) })
      expect(visible.map(u => u.email)).not.toContain('sam@example.org')
      expect((await services.auth.listUsers({ within: services.auth.manageablePaths(forceAdmin) })).map(u => u.email)).toContain('sam@example.org')
    })

    it('an administrator cannot remove their own last administrator grant, but can remove a second one', async () => {
      const self = (await services.auth.getUser(northAdminId))!
      await expect(services.auth.revokeGrant(self.grants[0]!.id, northAdmin)).rejects.toMatchObject({ code: 'CONFLICT' })
      const extra = await services.auth.grantRole({ userId: northAdminId, role: 'administrator', areaId: TEST_AREAS.ashbyNorth.id }, forceAdmin)
      const refreshed = await actingAs(services, northAdminId)
      await services.auth.revokeGrant(extra.id, refreshed)
      expect((await services.auth.getUser(northAdminId))!.grants.map(g => g.role)).toEqual(['administrator'])
    })

    it('nobody can deactivate themselves; deactivating someone ends their sessions', async () => {
      await expect(services.auth.setActive(northAdminId, false, northAdmin)).rejects.toMatchObject({ code: 'CONFLICT' })
      const pat = await services.auth.createStaffUser({ email: 'pat@example.org', name: 'Pat', password: TEST_PASSWORD })
      const token = await services.auth.createSession(pat.id, 'full')
      await services.auth.setActive(pat.id, false, forceAdmin)
      expect(await services.auth.findSession(token)).toBeNull()
      expect(await auditActions(db, pat.id)).toEqual(['create', 'deactivate'])
    })

    it('loads the staff context with area paths for subtree checks', async () => {
      const ctx: StaffContext = (await actingAs(services, northAdminId)).staff!
      expect(ctx.grants).toEqual([{ role: 'administrator', areaId: TEST_AREAS.north.id, areaPath: TEST_AREAS.north.path }])
    })
  })

  describe('password reset links', () => {
    it('work once, expire, and end every session', async () => {
      const h = harness(services)
      const user = await h.auth.createStaffUser({ email: 'reset@example.org', name: 'Reset', password: TEST_PASSWORD })
      const session = await h.auth.createSession(user.id, 'full')
      await h.auth.requestPasswordReset('RESET@example.org', null)
      const [mail] = await db.query<{ body_text: string }>(`select body_text from outbox_messages where recipient = 'reset@example.org'`)
      const token = /reset-password\/([A-Za-z0-9_-]+)/.exec(mail!.body_text)![1]!
      expect(await db.query('select 1 from password_reset_tokens where token_hash = $1', [token])).toHaveLength(0)
      expect(await h.auth.resetPassword(token, 'short', null)).toMatchObject({ ok: false, reason: 'weak' })
      expect(await h.auth.resetPassword(token, 'a brand new passphrase', null)).toEqual({ ok: true, email: 'reset@example.org' })
      expect(await h.auth.findSession(session)).toBeNull()
      expect(await h.auth.resetPassword(token, 'another new passphrase', null)).toEqual({ ok: false, reason: 'invalid-link' })
      expect(await h.auth.signIn('reset@example.org', 'a brand new passphrase', null)).toMatchObject({ ok: true })

      await h.auth.requestPasswordReset('reset@example.org', null)
      const [mail2] = await db.query<{ body_text: string }>(`select body_text from outbox_messages where recipient = 'reset@example.org' order by created_at desc limit 1`)
      const token2 = /reset-password\/([A-Za-z0-9_-]+)/.exec(mail2!.body_text)![1]!
      h.advance(services.config.auth.resetMinutes * 60_000 + 1000)
      expect(await h.auth.checkResetToken(token2)).toBeNull()
      expect(await h.auth.resetPassword(token2, 'yet another passphrase', null)).toEqual({ ok: false, reason: 'invalid-link' })
    })

    it('sends nothing for an unknown address', async () => {
      const before = await db.query('select 1 from outbox_messages')
      await services.auth.requestPasswordReset('nobody-at-all@example.org', null)
      expect(await db.query('select 1 from outbox_messages')).toHaveLength(before.length)
    })
  })
})
