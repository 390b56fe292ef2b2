import type { FastifyRequest } from 'fastify'
import type { Config } from '../../config.ts'
import type { Database } from '../db/client.ts'
import type { AuditActor, AuditService } from '../audit/service.ts'
import type { Channels } from '../channels/types.ts'
import { AppError } from '../errors.ts'
import { roleNames } from '../views/nunjucks.ts'
import { grantedPaths, type Grant, type StaffContext } from './access.ts'
import { ROLES, type Role } from './schema.ts'
import { hashPassword, passwordProblem, verifyDummy, verifyPassword } from './passwords.ts'
import { hashToken, randomToken } from './tokens.ts'
import { matchTotp } from './totp.ts'

export interface AuthDeps {
  config: Config
  db: Database
  audit: AuditService
  channels: Channels
  /** the areas service; auth reads the `areas` table itself so it does not depend on its shape */
  areas: unknown
  /** waits between failed sign-ins; tests pass one that records instead of waiting */
  sleep?: (ms: number) => Promise<void>
  /** the clock, for tests of expiry and time-based codes */
  now?: () => Date
}

/** Who is acting: a signed-in staff member, or the system (CLI, demo seeding) when `staff` is null. */
export interface Acting {
  staff: StaffContext | null
  ip: string | null
}

/** The system acting on its own behalf: no scope checks (CLI commands, demo seeding). */
export const SYSTEM: Acting = { staff: null, ip: null }

/** The acting staff member and their address, for service calls made by a route. */
export const actingFrom = (request: FastifyRequest): Acting => ({ staff: request.staff, ip: request.ip ?? null })

/** What a session carries between steps of signing in. */
export interface SessionData {
  /** where to go once fully signed in (a local path) */
  next?: string
  /** a TOTP secret being set up, confirmed by the first code */
  totpSetupSecret?: string
}

export interface SessionInfo {
  idHash: string
  userId: string
  stage: 'password' | 'full'
  data: SessionData
  email: string
  name: string
  totpEnabled: boolean
  isAdministrator: boolean
  expiresAt: Date
}

/** What the password step decided; `needs` says which second step comes next, if any. */
export type SignInResult =
  | { ok: true; userId: string; needs: 'none' | 'code' | 'setup' }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'locked'; lockedUntil: Date }

export type SecondFactorResult =
  | { ok: true }
  | { ok: false; reason: 'invalid' | 'reused' }
  | { ok: false; reason: 'locked'; lockedUntil: Date }

export interface GrantView {
  id: string
  role: Role
  areaId: string
  areaName: string | null
  areaKind: string | null
  areaPath: string | null
  createdAt: Date
}

export interface StaffUserView {
  id: string
  email: string
  name: string
  active: boolean
  hasPassword: boolean
  totpEnabled: boolean
  lockedUntil: Date | null
  lastSignInAt: Date | null
  createdAt: Date
  grants: GrantView[]
}

export interface AreaOption {
  id: string
  kind: string
  name: string
  path: string
  depth: number
}

/** A session waiting for its second factor lives this long: enough to open an app and type. */
const HALF_SESSION_MINUTES = 15
/** last_seen_at is refreshed at most this often, so reading a page is not a write every time. */
const TOUCH_EVERY_MS = 5 * 60 * 1000
/** Invitations give people a few days to act; a reset link is short-lived (config). */
export const INVITATION_HOURS = 72

/**
 * The wait added before answering a failed sign-in: nothing for the first two slips, then
 * 1 s, 2 s, 4 s … capped at 10 s, so guessing slows down long before the account locks.
 */
export function failureDelayMs(failures: number): number {
  if (failures <= 2) return 0
  return Math.min(1000 * 2 ** (failures - 3), 10_000)
}

/** "neighbourhood officer", "OPCC officer": a role name as it reads mid-sentence. */
export function roleInSentence(role: string): string {
  const name = roleNames[role] ?? role
  return /^[A-Z]{2}/.test(name) ? name : name.charAt(0).toLowerCase() + name.slice(1)
}

const normaliseEmail = (email: string) => email.trim().toLowerCase()
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** True for a well-formed UUID: ids from URLs are checked before they reach SQL. */
export const isUuid = (value: string) => UUID_PATTERN.test(value)

interface UserRow {
  id: string
  email: string
  name: string
  password_hash: string | null
  totp_secret: string | null
  totp_enabled: boolean
  totp_last_step: number | null
  active: boolean
  failed_attempts: number
  locked_until: Date | null
  last_sign_in_at: Date | null
  created_at: Date
}

interface GrantRow {
  id: string
  user_id: string
  role: Role
  area_id: string
  area_name: string | null
  area_kind: string | null
  area_path: string | null
  created_at: Date
}

/** Staff accounts, sign-in, TOTP, sessions, password reset and role grants. */
export function createAuthService(deps: AuthDeps) {
  const { config, db, audit, channels } = deps
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms)))
  const now = deps.now ?? (() => new Date())
  const addMinutes = (minutes: number) => new Date(now().getTime() + minutes * 60_000)

  const actorOf = (by: Acting): AuditActor => ({ userId: by.staff?.userId ?? null, email: by.staff?.email ?? null, ip: by.ip })
  const userActor = (user: { id: string; email: string }, ip: string | null): AuditActor => ({ userId: user.id, email: user.email, ip })

  async function findUserByEmail(email: string): Promise<UserRow | undefined> {
    const [row] = await db.query<UserRow>('select * from staff_users where email = $1', [normaliseEmail(email)])
    return row
  }

  async function findUser(id: string): Promise<UserRow | undefined> {
    if (!isUuid(id)) return undefined
    const [row] = await db.query<UserRow>('select * from staff_users where id = $1', [id])
    return row
  }

  async function grantsOf(userIds: string[]): Promise<GrantRow[]> {
    if (!userIds.length) return []
    return db.query<GrantRow>(
      `select g.id, g.user_id, g.role, g.area_id, a.name as area_name, a.kind as area_kind, a.path as area_path, g.created_at
         from role_grants g left join areas a on a.id = g.area_id
        where g.user_id = any($1::uuid[])
        order by a.path nulls last, g.role`,
      [userIds],
    )
  }

  const toGrantView = (g: GrantRow): GrantView => ({
    id: g.id,
    role: g.role,
    areaId: g.area_id,
    areaName: g.area_name,
    areaKind: g.area_kind,
    areaPath: g.area_path,
    createdAt: g.created_at,
  })

  const toUserView = (u: UserRow, grants: GrantRow[]): StaffUserView => ({
    id: u.id,
    email: u.email,
    name: u.name,
    active: u.active,
    hasPassword: u.password_hash !== null,
    totpEnabled: u.totp_enabled,
    lockedUntil: u.locked_until && u.locked_until > now() ? u.locked_until : null,
    lastSignInAt: u.last_sign_in_at,
    createdAt: u.created_at,
    grants: grants.filter(g => g.user_id === u.id).map(toGrantView),
  })

  /** The subtrees an acting administrator may manage; null means everything (the system). */
  const manageable = (by: Acting): string[] | null => (by.staff ? grantedPaths(by.staff, ['administrator']) : null)
  const within = (paths: string[] | null, areaPath: string | null) =>
    paths === null || (areaPath !== null && paths.some(p => areaPath.startsWith(p)))

  /**
   * An administrator manages accounts that hold a grant inside their own administrator
   * subtree, and accounts with no grant yet (just invited). Anything else is "not found",
   * so one force's administrators cannot even confirm another force's accounts exist.
   */
  function assertManageable(by: Acting, user: StaffUserView | null | undefined): asserts user is StaffUserView {
    if (!user) throw new AppError('NOT_FOUND', 'Staff user not found')
    const paths = manageable(by)
    if (paths === null || user.grants.length === 0) return
    if (!user.grants.some(g => within(paths, g.areaPath))) throw new AppError('NOT_FOUND', 'Staff user not found')
  }

  async function areaById(id: string): Promise<{ id: string; name: string; kind: string; path: string } | undefined> {
    const [row] = await db.query<{ id: string; name: string; kind: string; path: string }>(
      'select id, name, kind, path from areas where id = $1',
      [id],
    )
    return row
  }

  async function recordFailure(user: UserRow, ip: string | null, why: string): Promise<SignInResult & { ok: false }> {
    const lockUntil = addMinutes(config.auth.lockMinutes)
    // One statement, so concurrent guesses cannot slip past the limit between read and write.
    // The count restarts once the account locks, so after the lock ends the person has the
    // full number of attempts again.
    const [row] = await db.query<{ failed_attempts: number; locked_now: boolean }>(
      `update staff_users
          set failed_attempts = case when failed_attempts + 1 >= $2 then 0 else failed_attempts + 1 end,
              locked_until = case when failed_attempts + 1 >= $2 then $3::timestamptz else locked_until end,
              updated_at = now()
        where id = $1
        returning failed_attempts, (failed_attempts = 0 and locked_until = $3::timestamptz) as locked_now`,
      [user.id, config.auth.maxAttempts, lockUntil],
    )
    const lockedNow = row?.locked_now === true
    await audit.record(userActor(user, ip), {
      action: 'sign-in-failed',
      entityType: 'staff_user',
      entityId: user.id,
      summary: `Sign-in failed for ${user.email}: ${why}`,
    })
    if (lockedNow) {
      await audit.record(userActor(user, ip), {
        action: 'lockout',
        entityType: 'staff_user',
        entityId: user.id,
        summary: `Locked ${user.email} for ${config.auth.lockMinutes} minutes after ${config.auth.maxAttempts} failed attempts`,
      })
      return { ok: false, reason: 'locked', lockedUntil: lockUntil }
    }
    await sleep(failureDelayMs(row?.failed_attempts ?? 0))
    return { ok: false, reason: 'invalid' }
  }

  const isLocked = (user: UserRow) => user.locked_until !== null && user.locked_until > now()

  async function isAdministrator(userId: string): Promise<boolean> {
    const [row] = await db.query<{ n: number }>(
      `select count(*)::int as n from role_grants where user_id = $1 and role = 'administrator'`,
      [userId],
    )
    return (row?.n ?? 0) > 0
  }

  async function endAllSessions(userId: string): Promise<void> {
    await db.query('delete from sessions where user_id = $1', [userId])
  }

  async function issueToken(userId: string, minutes: number): Promise<string> {
    const token = randomToken()
    // Expired links are of no use to anyone; clearing them here keeps the table small.
    await db.query('delete from password_reset_tokens where expires_at < $1', [now()])
    await db.query('insert into password_reset_tokens (token_hash, user_id, expires_at) values ($1, $2, $3)', [
      hashToken(token),
      userId,
      addMinutes(minutes),
    ])
    return token
  }

  const service = {
    // ── Accounts ──────────────────────────────────────────────────────────────────────────

    /**
     * Creates a staff account with its grants. Without a password the account cannot sign in
     * until the person follows an invitation link (see `inviteStaffUser`).
     * Throws CONFLICT if the email is taken, INVALID for a bad email, name, password or area.
     */
    async createStaffUser(
      input: { email: string; name: string; password?: string | undefined; grants?: { role: Role; areaId: string }[] },
      by: Acting = SYSTEM,
    ): Promise<StaffUserView> {
      const email = normaliseEmail(input.email)
      const name = input.name.trim()
      if (!EMAIL_PATTERN.test(email)) throw new AppError('INVALID', 'Enter an email address in the correct format', { email: 'Enter an email address in the correct format, like name@example.com' })
      if (!name) throw new AppError('INVALID', 'Enter a name', { name: 'Enter their full name' })
      if (input.password !== undefined) {
        const problem = passwordProblem(input.password, email)
        if (problem) throw new AppError('INVALID', problem, { password: problem })
      }
      const paths = manageable(by)
      const grants = input.grants ?? []
      const areasById = new Map<string, { id: string; name: string; path: string }>()
      for (const g of grants) {
        if (!ROLES.includes(g.role)) throw new AppError('INVALID', `Unknown role ${g.role}`, { role: 'Select a role' })
        const area = await areaById(g.areaId)
        if (!area || !within(paths, area.path)) throw new AppError('INVALID', `Unknown area ${g.areaId}`, { areaId: 'Select an area' })
        areasById.set(area.id, area)
      }
      const passwordHash = input.password !== undefined ? await hashPassword(input.password) : null
      const created = await db.transaction(async q => {
        const [user] = await q<{ id: string }>(
          `insert into staff_users (email, name, password_hash) values ($1, $2, $3)
           on conflict (email) do nothing returning id`,
          [email, name, passwordHash],
        )
        if (!user) return null
        const grantIds: string[] = []
        for (const g of grants) {
          const [row] = await q<{ id: string }>(
            `insert into role_grants (user_id, role, area_id, granted_by) values ($1, $2, $3, $4)
             on conflict do nothing returning id`,
            [user.id, g.role, g.areaId, by.staff?.userId ?? null],
          )
          // Repeated grants in the input collapse to one; '' marks the duplicate so it is not audited twice.
          grantIds.push(row?.id ?? '')
        }
        return { id: user.id, grantIds }
      })
      if (!created) throw new AppError('CONFLICT', 'A staff user with this email address already exists', { email: 'A staff user with this email address already exists' })
      await audit.record(actorOf(by), {
        action: 'create',
        entityType: 'staff_user',
        entityId: created.id,
        summary: `Created staff user ${email}`,
      })
      for (const [i, g] of grants.entries()) {
        const grantId = created.grantIds[i]
        if (!grantId) continue
        await audit.record(actorOf(by), {
          action: 'grant',
          entityType: 'role_grant',
          entityId: grantId,
          areaId: g.areaId,
          summary: `Granted ${roleInSentence(g.role)} on ${areasById.get(g.areaId)?.name ?? g.areaId} to ${email}`,
          details: { userId: created.id, role: g.role },
        })
      }
      return (await service.getUser(created.id))!
    },

    /**
     * Creates an account without a password and emails the person a link to set one. The
     * link is a password-reset token that lasts INVITATION_HOURS.
     */
    async inviteStaffUser(input: { email: string; name: string }, by: Acting): Promise<StaffUserView> {
      const user = await service.createStaffUser({ email: input.email, name: input.name }, by)
      await service.sendInvitation(user.id, by)
      return user
    },

    /** (Re)sends the set-your-password email to an account that has no password yet. */
    async sendInvitation(userId: string, by: Acting): Promise<void> {
      const user = await service.getUser(userId)
      assertManageable(by, user)
      if (user.hasPassword) throw new AppError('CONFLICT', 'This person has already set a password')
      const token = await issueToken(user.id, INVITATION_HOURS * 60)
      const link = `${config.baseUrl}/staff/reset-password/${token}`
      const service_ = `${config.brand.serviceName} for ${config.brand.forceName}`
      await channels.email.sendEmail({
        to: user.email,
        subject: `You have been invited to ${service_}`,
        text:
          `Hello ${user.name},\n\n` +
          `${by.staff ? `${by.staff.name} has` : 'You have been'} invited you to use ${service_}.\n\n` +
          `Set your password using this link:\n${link}\n\n` +
          `The link works once and expires in ${INVITATION_HOURS} hours. If it has expired, ask for a new one at ${config.baseUrl}/staff/forgot-password\n\n` +
          `If you were not expecting this email, you can ignore it.\n`,
      })
      await audit.record(actorOf(by), {
        action: 'invite',
        entityType: 'staff_user',
        entityId: user.id,
        summary: `Sent an invitation to ${user.email}`,
      })
    },

    /**
     * Sets a new password (CLI, demo seeding, or an administrator acting for someone). Clears
     * any lock and ends the person's sessions. Throws INVALID when the password breaks the rules.
     */
    async setPassword(userId: string, password: string, by: Acting = SYSTEM): Promise<void> {
      const user = await service.getUser(userId)
      assertManageable(by, user)
      const problem = passwordProblem(password, user.email)
      if (problem) throw new AppError('INVALID', problem, { password: problem })
      const passwordHash = await hashPassword(password)
      await db.query(
        `update staff_users set password_hash = $2, failed_attempts = 0, locked_until = null, updated_at = now() where id = $1`,
        [userId, passwordHash],
      )
      await endAllSessions(userId)
      await audit.record(actorOf(by), {
        action: 'set-password',
        entityType: 'staff_user',
        entityId: userId,
        summary: `Set the password of ${user.email}`,
      })
    },

    /**
     * A signed-in person changes their own password, proving they know the current one. Every
     * session of the account ends (the caller starts a fresh one for this browser).
     */
    async changePassword(
      userId: string,
      current: string,
      next: string,
      ip: string | null,
    ): Promise<{ ok: true } | { ok: false; field: 'currentPassword' | 'newPassword'; message: string }> {
      const user = await findUser(userId)
      if (!user || !user.active || !user.password_hash) return { ok: false, field: 'currentPassword', message: 'Your current password is not correct' }
      if (!(await verifyPassword(user.password_hash, current))) {
        await audit.record(userActor(user, ip), { action: 'change-password-failed', entityType: 'staff_user', entityId: user.id, summary: `Password change refused for ${user.email}: wrong current password` })
        return { ok: false, field: 'currentPassword', message: 'Your current password is not correct' }
      }
      const problem = passwordProblem(next, user.email)
      if (problem) return { ok: false, field: 'newPassword', message: problem }
      if (next === current) return { ok: false, field: 'newPassword', message: 'New password must be different from your current password' }
      await db.query(`update staff_users set password_hash = $2, updated_at = now() where id = $1`, [user.id, await hashPassword(next)])
      await endAllSessions(user.id)
      await audit.record(userActor(user, ip), { action: 'change-password', entityType: 'staff_user', entityId: user.id, summary: `${user.email} changed their password` })
      return { ok: true }
    },

    /**
     * Every account, by name, with grants; `within` limits it to accounts an administrator
     * with those subtrees manages (plus accounts with no grant yet).
     */
    async listUsers(opts: { within?: string[] | null } = {}): Promise<StaffUserView[]> {
      const users = await db.query<UserRow>('select * from staff_users order by lower(name), email')
      const grants = await grantsOf(users.map(u => u.id))
      const views = users.map(u => toUserView(u, grants))
      const paths = opts.within ?? null
      if (paths === null) return views
      return views.filter(v => v.grants.length === 0 || v.grants.some(g => within(paths, g.areaPath)))
    },

    /** One account with its grants, or null. */
    async getUser(id: string): Promise<StaffUserView | null> {
      const user = await findUser(id)
      if (!user) return null
      return toUserView(user, await grantsOf([user.id]))
    },

    /** The account for an email address, or null. */
    async getUserByEmail(email: string): Promise<StaffUserView | null> {
      const user = await findUserByEmail(email)
      if (!user) return null
      return toUserView(user, await grantsOf([user.id]))
    },

    /** Throws NOT_FOUND unless `by` may manage the account; answers the account. */
    async getManageableUser(id: string, by: Acting): Promise<StaffUserView> {
      const user = await service.getUser(id)
      assertManageable(by, user)
      return user
    },

    /**
     * Gives a role on an area subtree. The acting administrator must hold administrator on
     * that area (or above). Throws CONFLICT if the grant exists already.
     */
    async grantRole(input: { userId: string; role: Role; areaId: string }, by: Acting): Promise<GrantView> {
      if (!ROLES.includes(input.role)) throw new AppError('INVALID', 'Select a role', { role: 'Select a role' })
      const user = await service.getUser(input.userId)
      assertManageable(by, user)
      const area = await areaById(input.areaId)
      if (!area || !within(manageable(by), area.path)) throw new AppError('INVALID', 'Select an area', { areaId: 'Select an area you administer' })
      const [row] = await db.query<{ id: string }>(
        `insert into role_grants (user_id, role, area_id, granted_by) values ($1, $2, $3, $4)
         on conflict do nothing returning id`,
        [user.id, input.role, area.id, by.staff?.userId ?? null],
      )
      if (!row) throw new AppError('CONFLICT', 'They already have this role on this area', { role: `${user.name} is already ${roleInSentence(input.role)} on ${area.name}` })
      await audit.record(actorOf(by), {
        action: 'grant',
        entityType: 'role_grant',
        entityId: row.id,
        areaId: area.id,
        summary: `Granted ${roleInSentence(input.role)} on ${area.name} to ${user.email}`,
        details: { userId: user.id, role: input.role },
      })
      const updated = await service.getUser(user.id)
      return updated!.grants.find(g => g.id === row.id)!
    },

    /**
     * Removes a grant. An administrator cannot remove their own last administrator grant:
     * that would lock them out of the page they are on and could leave no administrator.
     */
    async revokeGrant(grantId: string, by: Acting): Promise<void> {
      if (!isUuid(grantId)) throw new AppError('NOT_FOUND', 'Role not found')
      const [grant] = await db.query<GrantRow>(
        `select g.id, g.user_id, g.role, g.area_id, a.name as area_name, a.kind as area_kind, a.path as area_path, g.created_at
           from role_grants g left join areas a on a.id = g.area_id where g.id = $1`,
        [grantId],
      )
      if (!grant) throw new AppError('NOT_FOUND', 'Role not found')
      const user = await service.getUser(grant.user_id)
      assertManageable(by, user)
      // A grant on a deleted area can be removed by anyone who manages the person.
      if (grant.area_path !== null && !within(manageable(by), grant.area_path)) throw new AppError('NOT_FOUND', 'Role not found')
      if (by.staff && grant.user_id === by.staff.userId && grant.role === 'administrator') {
        const adminGrants = user.grants.filter(g => g.role === 'administrator')
        if (adminGrants.length <= 1) throw new AppError('CONFLICT', 'You cannot remove your own last administrator role', { grants: 'You cannot remove your own last administrator role. Ask another administrator to do it.' })
      }
      await db.query('delete from role_grants where id = $1', [grant.id])
      await audit.record(actorOf(by), {
        action: 'revoke',
        entityType: 'role_grant',
        entityId: grant.id,
        areaId: grant.area_id,
        summary: `Removed ${roleInSentence(grant.role)} on ${grant.area_name ?? grant.area_id} from ${user.email}`,
        details: { userId: user.id, role: grant.role },
      })
    },

    /**
     * Deactivates or reactivates an account. Deactivating ends its sessions at once; nobody
     * can deactivate themselves.
     */
    async setActive(userId: string, active: boolean, by: Acting): Promise<void> {
      const user = await service.getUser(userId)
      assertManageable(by, user)
      if (!active && by.staff?.userId === user.id) throw new AppError('CONFLICT', 'You cannot deactivate your own account', { status: 'You cannot deactivate your own account' })
      if (user.active === active) return
      await db.query('update staff_users set active = $2, updated_at = now() where id = $1', [user.id, active])
      if (!active) await endAllSessions(user.id)
      await audit.record(actorOf(by), {
        action: active ? 'reactivate' : 'deactivate',
        entityType: 'staff_user',
        entityId: user.id,
        summary: `${active ? 'Reactivated' : 'Deactivated'} ${user.email}`,
      })
    },

    /**
     * Removes someone's authenticator (a lost phone). They set up a new one at their next
     * sign-in (required for administrators); their current sessions end.
     */
    async resetTotp(userId: string, by: Acting): Promise<void> {
      const user = await service.getUser(userId)
      assertManageable(by, user)
      await db.query(
        `update staff_users set totp_secret = null, totp_enabled = false, totp_last_step = null, updated_at = now() where id = $1`,
        [user.id],
      )
      await endAllSessions(user.id)
      await audit.record(actorOf(by), {
        action: 'reset-two-factor',
        entityType: 'staff_user',
        entityId: user.id,
        summary: `Reset two-factor authentication for ${user.email}`,
      })
    },

    /** The subtrees the acting administrator manages (null for the system). */
    manageablePaths: manageable,

    /**
     * Areas for a grant picker, in tree order (force, its districts, their neighbourhoods),
     * limited to the given subtrees when `within` is set.
     */
    async areaOptions(opts: { within?: string[] | null } = {}): Promise<AreaOption[]> {
      const rows = await db.query<{ id: string; kind: string; name: string; path: string }>(
        'select id, kind, name, path from areas order by path',
      )
      const paths = opts.within ?? null
      return rows
        .filter(r => within(paths, r.path))
        .map(r => ({ ...r, depth: Math.max(0, r.path.split('/').filter(Boolean).length - 1) }))
    },

    // ── Signing in ────────────────────────────────────────────────────────────────────────

    /**
     * Checks an email and password. Unknown addresses, deactivated accounts and wrong
     * passwords all answer `invalid` after the same argon2 work, so neither the message nor
     * the time tells an attacker whether an account exists. Each failure counts against the
     * account; past a few, answers slow down; at `maxAttempts` it locks for `lockMinutes`.
     * The counter resets only when sign-in completes (after any second factor).
     */
    async signIn(emailInput: string, password: string, ip: string | null): Promise<SignInResult> {
      const user = await findUserByEmail(emailInput)
      if (!user || !user.active || !user.password_hash) {
        await verifyDummy(password)
        await audit.record({ userId: user?.id ?? null, email: normaliseEmail(emailInput).slice(0, 254), ip }, {
          action: 'sign-in-failed',
          entityType: 'staff_user',
          entityId: user?.id ?? null,
          summary: user ? `Sign-in failed for ${user.email}: ${user.active ? 'no password set yet' : 'account deactivated'}` : 'Sign-in failed: no account for this address',
        })
        return { ok: false, reason: 'invalid' }
      }
      if (isLocked(user)) {
        await audit.record(userActor(user, ip), {
          action: 'sign-in-failed',
          entityType: 'staff_user',
          entityId: user.id,
          summary: `Sign-in refused for ${user.email}: account locked`,
        })
        return { ok: false, reason: 'locked', lockedUntil: user.locked_until! }
      }
      if (!(await verifyPassword(user.password_hash, password))) return recordFailure(user, ip, 'wrong password')
      if (user.totp_enabled) return { ok: true, userId: user.id, needs: 'code' }
      if (await isAdministrator(user.id)) return { ok: true, userId: user.id, needs: 'setup' }
      await service.completeSignIn(user.id, ip)
      return { ok: true, userId: user.id, needs: 'none' }
    },

    /**
     * Checks a code from the user's authenticator, one step either side of now. A code is
     * refused if its time step was already used (a shoulder-surfed or replayed code), and
     * wrong codes count towards the same lock as wrong passwords.
     */
    async verifySecondFactor(userId: string, code: string, ip: string | null): Promise<SecondFactorResult> {
      const user = await findUser(userId)
      if (!user || !user.active || !user.totp_enabled || !user.totp_secret) return { ok: false, reason: 'invalid' }
      if (isLocked(user)) return { ok: false, reason: 'locked', lockedUntil: user.locked_until! }
      const step = matchTotp(user.totp_secret, code, now())
      if (step === null) {
        const failed = await recordFailure(user, ip, 'wrong authentication code')
        return failed.reason === 'locked' ? failed : { ok: false, reason: 'invalid' }
      }
      // Only a step later than the last accepted one wins; concurrent replays lose the race.
      const [claimed] = await db.query<{ id: string }>(
        `update staff_users set totp_last_step = $2 where id = $1 and (totp_last_step is null or totp_last_step < $2) returning id`,
        [user.id, step],
      )
      if (!claimed) {
        await audit.record(userActor(user, ip), {
          action: 'sign-in-failed',
          entityType: 'staff_user',
          entityId: user.id,
          summary: `Sign-in failed for ${user.email}: authentication code used before`,
        })
        return { ok: false, reason: 'reused' }
      }
      await service.completeSignIn(user.id, ip)
      return { ok: true }
    },

    /**
     * Turns on TOTP once the person proves their app holds `secret` by typing a current code.
     * The code's step is remembered so it cannot be replayed at the next sign-in.
     */
    async enableTotp(userId: string, secret: string, code: string, ip: string | null): Promise<boolean> {
      const user = await findUser(userId)
      if (!user || !user.active) return false
      const step = matchTotp(secret, code, now())
      if (step === null) return false
      await db.query(
        `update staff_users set totp_secret = $2, totp_enabled = true, totp_last_step = $3, updated_at = now() where id = $1`,
        [user.id, secret, step],
      )
      await audit.record(userActor(user, ip), {
        action: 'two-factor-enabled',
        entityType: 'staff_user',
        entityId: user.id,
        summary: `Set up two-factor authentication for ${user.email}`,
      })
      return true
    },

    /** Records a completed sign-in: clears the failure count and any lock. */
    async completeSignIn(userId: string, ip: string | null): Promise<void> {
      const [user] = await db.query<{ id: string; email: string }>(
        `update staff_users set failed_attempts = 0, locked_until = null, last_sign_in_at = $2 where id = $1 returning id, email`,
        [userId, now()],
      )
      if (user) await audit.record(userActor(user, ip), { action: 'sign-in', entityType: 'staff_user', entityId: user.id, summary: `Signed in as ${user.email}` })
    },

    // ── Sessions ──────────────────────────────────────────────────────────────────────────

    /**
     * Starts a session and answers the token for the cookie; only its SHA-256 is stored.
     * A half-signed-in session (awaiting a code) lasts minutes, a full one `sessionHours`.
     */
    async createSession(userId: string, stage: 'password' | 'full', data: SessionData = {}): Promise<string> {
      const token = randomToken()
      const expires = stage === 'full' ? addMinutes(config.auth.sessionHours * 60) : addMinutes(HALF_SESSION_MINUTES)
      await db.query('delete from sessions where expires_at < $1', [now()])
      await db.query(
        `insert into sessions (id_hash, user_id, stage, data, created_at, last_seen_at, expires_at) values ($1, $2, $3, $4, $5, $5, $6)`,
        [hashToken(token), userId, stage, JSON.stringify(data), now(), expires],
      )
      return token
    },

    /** The live session for a cookie token, or null (unknown, expired or account deactivated). */
    async findSession(token: string): Promise<SessionInfo | null> {
      if (!token || token.length > 100) return null
      const [row] = await db.query<{
        id_hash: string
        user_id: string
        stage: 'password' | 'full'
        data: SessionData
        last_seen_at: Date
        expires_at: Date
        email: string
        name: string
        totp_enabled: boolean
        active: boolean
        is_admin: boolean
      }>(
        `select s.id_hash, s.user_id, s.stage, s.data, s.last_seen_at, s.expires_at, u.email, u.name, u.totp_enabled, u.active,
                exists (select 1 from role_grants g where g.user_id = u.id and g.role = 'administrator') as is_admin
           from sessions s join staff_users u on u.id = s.user_id
          where s.id_hash = $1 and s.expires_at > $2`,
        [hashToken(token), now()],
      )
      if (!row || !row.active) return null
      if (now().getTime() - row.last_seen_at.getTime() > TOUCH_EVERY_MS)
        await db.query('update sessions set last_seen_at = $2 where id_hash = $1', [row.id_hash, now()])
      return {
        idHash: row.id_hash,
        userId: row.user_id,
        stage: row.stage,
        data: row.data ?? {},
        email: row.email,
        name: row.name,
        totpEnabled: row.totp_enabled,
        isAdministrator: row.is_admin,
        expiresAt: row.expires_at,
      }
    },

    /** Replaces a session's step data (e.g. the TOTP secret being set up). */
    async updateSessionData(idHash: string, data: SessionData): Promise<void> {
      await db.query('update sessions set data = $2 where id_hash = $1', [idHash, JSON.stringify(data)])
    },

    /** Ends one session (by its cookie token). */
    async deleteSession(token: string): Promise<void> {
      await db.query('delete from sessions where id_hash = $1', [hashToken(token)])
    },

    /** Ends every session of an account (password change, deactivation). */
    endAllSessions,

    /** Signs out: ends the session and records it. */
    async signOut(token: string, ip: string | null): Promise<void> {
      const session = await service.findSession(token)
      await service.deleteSession(token)
      if (session)
        await audit.record(
          { userId: session.userId, email: session.email, ip },
          { action: 'sign-out', entityType: 'staff_user', entityId: session.userId, summary: `Signed out ${session.email}` },
        )
    },

    /** The grants of a signed-in account, each with its area's path for subtree checks. */
    async loadStaffContext(session: Pick<SessionInfo, 'userId' | 'email' | 'name'>): Promise<StaffContext> {
      const rows = await db.query<{ role: Role; area_id: string; path: string }>(
        `select g.role, g.area_id, a.path from role_grants g join areas a on a.id = g.area_id where g.user_id = $1 order by a.path`,
        [session.userId],
      )
      const grants: Grant[] = rows.map(r => ({ role: r.role, areaId: r.area_id, areaPath: r.path }))
      return { userId: session.userId, email: session.email, name: session.name, grants }
    },

    // ── Password reset ────────────────────────────────────────────────────────────────────

    /**
     * Emails a reset link if the address belongs to an active account; does nothing
     * otherwise. Callers show the same confirmation either way.
     */
    async requestPasswordReset(emailInput: string, ip: string | null): Promise<void> {
      const user = await findUserByEmail(emailInput)
      if (!user || !user.active) return
      const token = await issueToken(user.id, config.auth.resetMinutes)
      const link = `${config.baseUrl}/staff/reset-password/${token}`
      await channels.email.sendEmail({
        to: user.email,
        subject: `Reset your ${config.brand.serviceName} password`,
        text:
          `Hello ${user.name},\n\n` +
          `Someone asked to reset the password for your ${config.brand.serviceName} account at ${config.brand.forceName}.\n\n` +
          `Reset your password using this link:\n${link}\n\n` +
          `The link works once and expires in ${config.auth.resetMinutes} minutes.\n\n` +
          `If you did not ask for this, you can ignore this email: your password has not changed.\n`,
      })
      await audit.record(userActor(user, ip), {
        action: 'password-reset-requested',
        entityType: 'staff_user',
        entityId: user.id,
        summary: `Sent a password reset link to ${user.email}`,
      })
    },

    /** The account a reset or invitation link is for, or null if it is unknown, used or expired. */
    async checkResetToken(token: string): Promise<{ userId: string; email: string; name: string; firstPassword: boolean } | null> {
      if (!token || token.length > 100) return null
      const [row] = await db.query<{ id: string; email: string; name: string; password_hash: string | null }>(
        `select u.id, u.email, u.name, u.password_hash
           from password_reset_tokens t join staff_users u on u.id = t.user_id
          where t.token_hash = $1 and t.used_at is null and t.expires_at > $2 and u.active`,
        [hashToken(token), now()],
      )
      return row ? { userId: row.id, email: row.email, name: row.name, firstPassword: row.password_hash === null } : null
    },

    /**
     * Sets a new password from a reset or invitation link. The link is spent atomically, so
     * it works once even if submitted twice at the same moment; every other link for the
     * account is spent too, any lock is cleared and all the account's sessions end.
     */
    async resetPassword(
      token: string,
      password: string,
      ip: string | null,
    ): Promise<{ ok: true; email: string } | { ok: false; reason: 'invalid-link' } | { ok: false; reason: 'weak'; problem: string }> {
      const target = await service.checkResetToken(token)
      if (!target) return { ok: false, reason: 'invalid-link' }
      const problem = passwordProblem(password, target.email)
      if (problem) return { ok: false, reason: 'weak', problem }
      const passwordHash = await hashPassword(password)
      const spent = await db.transaction(async q => {
        const [row] = await q<{ user_id: string }>(
          `update password_reset_tokens set used_at = $2
            where token_hash = $1 and used_at is null and expires_at > $2 returning user_id`,
          [hashToken(token), now()],
        )
        if (!row) return false
        await q(`update password_reset_tokens set used_at = $2 where user_id = $1 and used_at is null`, [row.user_id, now()])
        await q(
          `update staff_users set password_hash = $2, failed_attempts = 0, locked_until = null, updated_at = now() where id = $1`,
          [row.user_id, passwordHash],
        )
        await q('delete from sessions where user_id = $1', [row.user_id])
        return true
      })
      if (!spent) return { ok: false, reason: 'invalid-link' }
      await audit.record(
        { userId: target.userId, email: target.email, ip },
        {
          action: target.firstPassword ? 'set-password' : 'password-reset',
          entityType: 'staff_user',
          entityId: target.userId,
          summary: target.firstPassword ? `${target.email} set their password from an invitation` : `${target.email} reset their password`,
        },
      )
      return { ok: true, email: target.email }
    },
  }
  return service
}

export type AuthService = ReturnType<typeof createAuthService>
