import type { FastifyInstance } from 'fastify'
import type { RouteOptions } from '../../../app.ts'
import { signInRoutes } from './sign-in/controller.ts'
import { twoFactorRoutes } from './two-factor/controller.ts'
import { passwordRoutes } from './password/controller.ts'
import { homeRoutes } from './home/controller.ts'
import { usersRoutes } from './users/controller.ts'
import { accountRoutes } from './account/controller.ts'

/**
 * Staff sign-in, second factor, password reset, the staff home page and user administration.
 * Each group is its own encapsulated plugin, so the administrators-only hook of the user pages
 * applies to those pages alone.
 */
export async function authRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  await app.register(signInRoutes, opts)
  await app.register(twoFactorRoutes, opts)
  await app.register(passwordRoutes, opts)
  await app.register(homeRoutes, opts)
  await app.register(usersRoutes, opts)
  await app.register(accountRoutes, opts)
}
