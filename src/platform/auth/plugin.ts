import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { RouteOptions } from '../../app.ts'
import type { Config } from '../../config.ts'
import { hasRole, type StaffContext } from './access.ts'
import type { SessionInfo } from './service.ts'
import type { Role } from './schema.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** The session behind the cookie at any stage (also half-signed-in), or null. */
    staffSession: SessionInfo | null
  }
}

export const SESSION_COOKIE = 'beacon_session'
const CSRF_COOKIE = 'beacon_csrf'

/** Requests that never need a session: static files and probes stay cheap. */
const skipsSession = (path: string) => path.startsWith('/assets/') || path === '/health' || path === '/metrics'

/** Staff pages anyone may open: the ways in. */
const PUBLIC_STAFF_PATHS = ['/staff/sign-in', '/staff/sign-out', '/staff/forgot-password', '/staff/reset-password/', '/staff/two-factor/setup']
const isPublicStaffPath = (path: string) =>
  PUBLIC_STAFF_PATHS.some(p => (p.endsWith('/') ? path.startsWith(p) : path === p || path.startsWith(`${p}/`)))

const isStaffPath = (path: string) => path === '/staff' || path.startsWith('/staff/')

/** Only a path on this site may be a `next` target: anything else would be an open redirect. */
export function safeNext(next: unknown): string | undefined {
  if (typeof next !== 'string' || next.length > 500) return undefined
  if (!next.startsWith('/') || next.startsWith('//') || next.includes('\\')) return undefined
  if (/[\u0000-\u001f]/.test(next)) return undefined
  if (next.startsWith('/staff/sign-in') || next.startsWith('/staff/sign-out')) return undefined
  return next
}

/** Where a half-signed-in person must go next: their code, or setting up an authenticator. */
export const secondFactorPath = (session: SessionInfo) => (session.totpEnabled ? '/staff/sign-in/code' : '/staff/two-factor/setup')

/** Sets the session cookie: HttpOnly, SameSite=Lax, Secure outside plain-http development. */
export function setSessionCookie(reply: FastifyReply, config: Config, token: string, stage: 'password' | 'full'): void {
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: config.cookieSecure,
    maxAge: stage === 'full' ? config.auth.sessionHours * 3600 : 15 * 60,
  })
}

/**
 * Drops the CSRF secret when who is signed in changes, so the next form gets a secret the
 * previous session never saw.
 */
export function clearCsrfCookie(reply: FastifyReply, config: Config): void {
  reply.clearCookie(CSRF_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: config.cookieSecure })
}

/** Clears the session cookie and the CSRF secret (signing out, or a lock ending a half sign-in). */
export function clearSessionCookies(reply: FastifyReply, config: Config): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: config.cookieSecure })
  clearCsrfCookie(reply, config)
}

/**
 * Loads the session on every request and attaches `request.staff` when it is fully signed in
 * (password and, where required, TOTP). Staff pages without one redirect to sign-in, or to
 * the second step for someone half way through it.
 */
export const authPlugin = fp(
  async (app: FastifyInstance, opts: RouteOptions) => {
    const { services, config } = opts
    app.decorateRequest('staff', null)
    app.decorateRequest('staffSession', null)

    app.addHook('onRequest', async (request, reply) => {
      const path = request.url.split('?')[0] ?? '/'
      if (skipsSession(path)) return
      const token = request.cookies[SESSION_COOKIE]
      if (token) {
        const session = await services.auth.findSession(token)
        if (session) {
          request.staffSession = session
          if (session.stage === 'full') request.staff = await services.auth.loadStaffContext(session)
        } else {
          reply.clearCookie(SESSION_COOKIE, { path: '/' })
        }
      }
      if (!isStaffPath(path)) return
      // Staff pages show personal data: never keep them in a shared or back-button cache.
      reply.header('cache-control', 'no-store')
      if (request.staff || isPublicStaffPath(path)) return
      if (request.staffSession?.stage === 'password') return reply.redirect(secondFactorPath(request.staffSession), 303)
      const next = request.method === 'GET' ? safeNext(request.url) : undefined
      return reply.redirect(next && next !== '/staff' ? `/staff/sign-in?next=${encodeURIComponent(next)}` : '/staff/sign-in', 303)
    })
  },
  { name: 'auth' },
)

export interface StaffNavigationItem {
  href: string
  text: string
  active?: boolean
  current?: boolean
}

/** Roles that send community messages and answer replies. */
const MESSAGING_ROLES: readonly Role[] = ['administrator', 'engagement_lead', 'neighbourhood_officer', 'opcc_officer']
// Same lists as src/modules/neighbourhoods/roles.ts (the platform does not import modules).
const NEIGHBOURHOOD_ROLES: readonly Role[] = ['administrator', 'engagement_lead', 'neighbourhood_officer']
const STALENESS_ROLES: readonly Role[] = ['administrator', 'engagement_lead']

/** The staff menu, filtered by role; `admin` items need the administrator role, `roles` items one of those. */
const NAVIGATION: { href: string; text: string; admin: boolean; section: string; roles?: readonly Role[] }[] = [
  { href: '/staff', text: 'Home', admin: false, section: '/staff' },
  { href: '/staff/areas', text: 'Areas', admin: false, section: '/staff/areas' },
  { href: '/staff/neighbourhoods', text: 'Neighbourhoods', admin: false, section: '/staff/neighbourhoods', roles: NEIGHBOURHOOD_ROLES },
  { href: '/staff/contact', text: 'Contact inbox', admin: false, section: '/staff/contact', roles: NEIGHBOURHOOD_ROLES },
  { href: '/staff/staleness', text: 'Staleness', admin: false, section: '/staff/staleness', roles: STALENESS_ROLES },
  { href: '/staff/messages', text: 'Messages', admin: false, section: '/staff/messages', roles: MESSAGING_ROLES },
  { href: '/staff/imports/boundaries', text: 'Imports', admin: true, section: '/staff/imports' },
  { href: '/staff/users', text: 'Users', admin: true, section: '/staff/users' },
  { href: '/staff/messaging/interests', text: 'Interests', admin: true, section: '/staff/messaging/interests' },
  { href: '/staff/audit', text: 'Audit log', admin: true, section: '/staff/audit' },
  { href: '/staff/outbox', text: 'Outbox', admin: true, section: '/staff/outbox' },
]

/** GOV.UK service navigation items for a staff member on `path`; the current section is marked. */
export function staffNavigation(staff: StaffContext | null, path: string): StaffNavigationItem[] {
  if (!staff) return []
  const admin = hasRole(staff, ['administrator'])
  return NAVIGATION.filter(item => (admin || !item.admin) && (!item.roles || hasRole(staff, item.roles))).map(item => {
    const current = path === item.href
    // Home is only "active" on itself; other sections cover every page beneath them.
    const inSection = item.section !== '/staff' && (path === item.section || path.startsWith(`${item.section}/`))
    return { href: item.href, text: item.text, ...(current ? { current: true } : inSection ? { active: true } : {}) }
  })
}

/** Locals for the staff layout: who is signed in and the navigation their roles allow. */
export function staffLocals(request: FastifyRequest, _reply: FastifyReply): Record<string, unknown> {
  const path = request.url.split('?')[0] ?? '/'
  return { staff: request.staff, staffNavigation: staffNavigation(request.staff, path) }
}
