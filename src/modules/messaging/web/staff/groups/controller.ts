import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { requireStaff, type StaffContext } from '../../../../../platform/auth/access.ts'
import { actorFrom } from '../../../../../platform/audit/service.ts'
import { AppError } from '../../../../../platform/errors.ts'
import { parseForm } from '../../../../../platform/http/forms.ts'
import { GROUP_ROLES, groupsFrom } from '../../../groups.service.ts'
import { viewerFor } from '../../../inbox.service.ts'
import { createGroupSchema } from './schema.ts'

const VIEW = 'modules/messaging/web/staff/groups/view.njk'
const URL = '/staff/messaging/groups'

/**
 * Subscriber groups (e.g. Watch coordinators) in the user's areas, and a form to create one
 * owned by one of those areas.
 */
export function groupsController({ services }: RouteOptions) {
  const groups = groupsFrom(services)

  async function context(staff: StaffContext) {
    const viewer = viewerFor(staff, GROUP_ROLES)
    const [list, areas] = await Promise.all([groups.listGroups(viewer), services.areas.listAreasWithin(viewer.paths)])
    // Indented by depth below the user's highest area, so the tree reads at a glance.
    const top = Math.min(...areas.map(a => a.depth))
    return {
      title: 'Groups',
      groups: list,
      areaItems: [{ value: '', text: 'Choose an area' }, ...areas.map(a => ({ value: a.id, text: `${'– '.repeat(a.depth - top)}${a.name}` }))],
    }
  }

  return {
    list: async (request: FastifyRequest, reply: FastifyReply) => {
      const staff = requireStaff(request, GROUP_ROLES)
      return reply.page(VIEW, await context(staff))
    },

    create: async (request: FastifyRequest, reply: FastifyReply) => {
      const staff = requireStaff(request, GROUP_ROLES)
      const form = parseForm(createGroupSchema, request.body)
      if (!form.ok) return reply.formErrors(URL, form, { template: VIEW, context: await context(staff) })
      try {
        const group = await groups.createGroup(viewerFor(staff, GROUP_ROLES), actorFrom(request), form.data)
        return reply.redirectWithNotice(`${URL}/${group.id}`, `The group “${group.name}” has been created`)
      } catch (err) {
        if (err instanceof AppError && err.code === 'INVALID')
          return reply.formErrors(URL, { errors: err.fieldErrors ?? { name: err.message }, values: form.data }, { template: VIEW, context: await context(staff) })
        throw err
      }
    },
  }
}
