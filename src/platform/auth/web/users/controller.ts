import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { RouteOptions } from '../../../../app.ts'
import { actorFrom } from '../../../audit/service.ts'
import { AppError } from '../../../errors.ts'
import { parseForm } from '../../../http/forms.ts'
import { roleNames } from '../../../views/nunjucks.ts'
import { requireStaff } from '../../access.ts'
import { ROLES } from '../../schema.ts'
import { actingFrom, isUuid, type AreaOption } from '../../service.ts'
import { appErrorFields } from '../shared.ts'

const LIST_VIEW = 'platform/auth/web/users/list.njk'
const NEW_VIEW = 'platform/auth/web/users/new.njk'
const SHOW_VIEW = 'platform/auth/web/users/show.njk'

const newUserSchema = z.object({
  name: z.string().trim().min(1, 'Enter their full name').max(200, 'Name must be 200 characters or fewer'),
  email: z
    .string()
    .trim()
    .min(1, 'Enter their email address')
    .max(254, 'Email address must be 254 characters or fewer')
    .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'Enter an email address in the correct format, like name@example.com'),
})

const grantSchema = z.object({
  role: z.enum(ROLES, { error: 'Select a role' }),
  areaId: z.string().trim().min(1, 'Select an area'),
})

const KIND_NAMES: Record<string, string> = { force: 'force', district: 'district', neighbourhood: 'neighbourhood' }

/**
 * Select items for an area tree: indented by depth and labelled by kind, so the tree reads in
 * a list. The chosen item is marked by the select's `value` (kept after an error).
 */
export function areaSelectItems(areas: AreaOption[]) {
  return [
    { value: '', text: 'Select an area' },
    ...areas.map(a => ({
      value: a.id,
      // Non-breaking spaces survive in <option> text where ordinary spaces collapse.
      text: `${'\u00a0\u00a0\u00a0\u00a0'.repeat(a.depth)}${a.name} (${KIND_NAMES[a.kind] ?? a.kind})`,
    })),
  ]
}

/** Select items for the roles. */
export function roleSelectItems() {
  return [{ value: '', text: 'Select a role' }, ...ROLES.map(r => ({ value: r, text: roleNames[r] ?? r }))]
}

/**
 * Administrators' pages for staff accounts: list, invite, details (audited as a view of
 * personal data), grants, deactivation and TOTP reset. Every change is audited by the service.
 */
export async function usersRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  const { services } = opts

  // Every route in this plugin is for administrators only.
  app.addHook('preHandler', async request => {
    requireStaff(request, ['administrator'])
  })

  const userPath = (id: string) => `/staff/users/${id}`
  /** Ids from the URL are checked before any query, and unknown ones are a plain 404. */
  const idParam = (params: unknown): string => {
    const id = (params as { id?: string }).id ?? ''
    if (!isUuid(id)) throw new AppError('NOT_FOUND', 'Staff user not found')
    return id
  }

  app.get('/staff/users', async (request, reply) => {
    const by = actingFrom(request)
    const users = await services.auth.listUsers({ within: services.auth.manageablePaths(by) })
    return reply.page(LIST_VIEW, { title: 'Staff users', users })
  })

  app.get('/staff/users/new', async (_request, reply) => reply.page(NEW_VIEW, { title: 'Add a staff user' }))

  app.post('/staff/users/new', async (request, reply) => {
    const fallback = { template: NEW_VIEW, context: { title: 'Add a staff user' } }
    const form = parseForm(newUserSchema, request.body)
    if (!form.ok) return reply.formErrors('/staff/users/new', form, fallback)
    try {
      const user = await services.auth.inviteStaffUser(form.data, actingFrom(request))
      return reply.redirectWithNotice(userPath(user.id), `${user.name} has been sent an invitation to ${user.email}. Now give them a role.`)
    } catch (err) {
      const errors = appErrorFields(err, 'email')
      if (!errors) throw err
      return reply.formErrors('/staff/users/new', { errors, values: form.data }, fallback)
    }
  })

  /** Everything the details page shows; also the in-place fallback when errors will not fit in a cookie. */
  async function showContext(request: FastifyRequest, id: string) {
    const by = actingFrom(request)
    const user = await services.auth.getManageableUser(id, by)
    const areas = await services.auth.areaOptions({ within: services.auth.manageablePaths(by) })
    return {
      title: user.name,
      user,
      isSelf: user.id === request.staff?.userId,
      roleItems: roleSelectItems(),
      areaItems: areaSelectItems(areas),
    }
  }

  app.get('/staff/users/:id', async (request, reply) => {
    const context = await showContext(request, idParam(request.params))
    await services.audit.record(actorFrom(request), {
      action: 'view',
      entityType: 'staff_user',
      entityId: context.user.id,
      summary: `Viewed staff user ${context.user.email}`,
    })
    return reply.page(SHOW_VIEW, context)
  })

  /**
   * Runs one change to an account; AppErrors with field errors go back to the details page
   * as a GOV.UK error summary, anything else is a real failure for the error handler.
   */
  async function change(
    request: FastifyRequest,
    reply: FastifyReply,
    fallbackField: string,
    run: (id: string) => Promise<string>,
    values: Record<string, unknown> = {},
  ) {
    const id = idParam(request.params)
    try {
      const notice = await run(id)
      return reply.redirectWithNotice(userPath(id), notice)
    } catch (err) {
      const errors = appErrorFields(err, fallbackField)
      if (!errors) throw err
      return reply.formErrors(userPath(id), { errors, values }, { template: SHOW_VIEW, context: await showContext(request, id) })
    }
  }

  app.post('/staff/users/:id/grants', async (request, reply) => {
    const id = idParam(request.params)
    const form = parseForm(grantSchema, request.body)
    if (!form.ok) return reply.formErrors(userPath(id), form, { template: SHOW_VIEW, context: await showContext(request, id) })
    return change(request, reply, 'role', async userId => {
      const grant = await services.auth.grantRole({ userId, role: form.data.role, areaId: form.data.areaId }, actingFrom(request))
      return `Added ${roleNames[grant.role]?.toLowerCase() ?? grant.role} on ${grant.areaName ?? grant.areaId}`
    }, form.data)
  })

  app.post('/staff/users/:id/grants/:grantId/remove', async (request, reply) => {
    const { grantId } = request.params as { grantId: string }
    return change(request, reply, 'grants', async () => {
      await services.auth.revokeGrant(grantId, actingFrom(request))
      return 'Role removed'
    })
  })

  app.post('/staff/users/:id/deactivate', async (request, reply) =>
    change(request, reply, 'status', async userId => {
      await services.auth.setActive(userId, false, actingFrom(request))
      return 'Account deactivated. They have been signed out and cannot sign in.'
    }),
  )

  app.post('/staff/users/:id/reactivate', async (request, reply) =>
    change(request, reply, 'status', async userId => {
      await services.auth.setActive(userId, true, actingFrom(request))
      return 'Account reactivated'
    }),
  )

  app.post('/staff/users/:id/reset-two-factor', async (request, reply) =>
    change(request, reply, 'status', async userId => {
      await services.auth.resetTotp(userId, actingFrom(request))
      return 'Two-factor authentication reset. They will set up a new authenticator app when they next sign in.'
    }),
  )

  app.post('/staff/users/:id/invite', async (request, reply) =>
    change(request, reply, 'status', async userId => {
      await services.auth.sendInvitation(userId, actingFrom(request))
      return 'Invitation sent again'
    }),
  )
}
