import type { FastifyRequest } from 'fastify'
import { AppError } from '../errors.ts'
import type { Role } from './schema.ts'

/** A role held on an area subtree; `areaPath` is that area's materialised path. */
export interface Grant {
  role: Role
  areaId: string
  areaPath: string
}

/** The signed-in staff member, attached to the request by the auth plugin. */
export interface StaffContext {
  userId: string
  email: string
  name: string
  grants: Grant[]
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The fully signed-in staff member (password and, for administrators, TOTP), or null. */
    staff: StaffContext | null
  }
}

/** True when any grant (on any area) has one of `roles`. */
export const hasRole = (staff: StaffContext, roles: readonly Role[]) => staff.grants.some(g => roles.includes(g.role))

/** True when the staff member holds the administrator role anywhere. */
export const isAdministrator = (staff: StaffContext) => hasRole(staff, ['administrator'])

/**
 * True when one of the staff member's grants (with one of `roles`, or any role) is on
 * the area itself or an ancestor of it. Paths look like "/force/district/nbh/".
 */
export function canAccessArea(staff: StaffContext, areaPath: string, roles?: readonly Role[]): boolean {
  return staff.grants.some(g => (!roles || roles.includes(g.role)) && areaPath.startsWith(g.areaPath))
}

/** The subtree roots a staff member may see with the given roles: filter staff queries by these. */
export function grantedPaths(staff: StaffContext, roles?: readonly Role[]): string[] {
  const paths = staff.grants.filter(g => !roles || roles.includes(g.role)).map(g => g.areaPath)
  // Drop paths already covered by a shorter one, so SQL filters stay small.
  return paths.filter(p => !paths.some(q => q !== p && p.startsWith(q)))
}

/** Throws unless signed in with one of `roles` (any role when omitted). */
export function requireStaff(request: FastifyRequest, roles?: readonly Role[]): StaffContext {
  const staff = request.staff
  if (!staff) throw new AppError('UNAUTHENTICATED', 'Sign in to continue')
  if (roles && !hasRole(staff, roles)) throw new AppError('FORBIDDEN', 'You do not have access to this page')
  return staff
}

/**
 * Throws NOT_FOUND (not FORBIDDEN) when the area is outside the user's grants, so tampering
 * with an id in a URL does not even confirm that the record exists.
 */
export function requireAreaAccess(staff: StaffContext, areaPath: string | null | undefined, roles?: readonly Role[]): void {
  if (!areaPath || !canAccessArea(staff, areaPath, roles)) throw new AppError('NOT_FOUND', 'Page not found')
}

/**
 * SQL that is true when `column` (a materialised area path) lies inside one of the granted
 * subtrees passed as the text[] parameter `$n` (see grantedPaths). A prefix comparison rather
 * than LIKE, so an underscore or percent sign in an area id can never widen the match.
 */
export const inScopeSql = (column: string, n: number) =>
  `exists (select 1 from unnest($${n}::text[]) as granted(p) where left(${column}, length(granted.p)) = granted.p)`
