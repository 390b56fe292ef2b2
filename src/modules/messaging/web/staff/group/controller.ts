import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { requireStaff } from '../../../../../platform/auth/access.ts'
import { actorFrom } from '../../../../../platform/audit/service.ts'
import { AppError } from '../../../../../platform/errors.ts'
import { parseForm } from '../../../../../platform/http/forms.ts'
import { GROUP_ROLES, groupsFrom, type GroupRow } from '../../../groups.service.ts'
import { viewerFor } from '../../../inbox.service.ts'
import { addMemberSchema, removeMemberSchema, updateGroupSchema } from './schema.ts'

const VIEW = 'modules/messaging/web/staff/group/view.njk'

type GroupRequest = FastifyRequest<{ Params: { id: string } }>

/**
 * One group: its members (contact details shown, so the view is audited), and forms to add
 * and remove members, rename it or delete it. A group outside the user's grants is a 404.
 */
export function groupController({ services }: RouteOptions) {
  const groups = groupsFrom(services)
  const url = (id: string) => `/staff/messaging/groups/${id}`

  async function load(request: GroupRequest) {
    const staff = requireStaff(request, GROUP_ROLES)
    const viewer = viewerFor(staff, GROUP_ROLES)
    const group = await groups.findGroup(viewer, request.params.id)
    if (!group) throw new AppError('NOT_FOUND', 'Group not found')
    return { viewer, group }
  }

  const context = async (request: GroupRequest, viewer: ReturnType<typeof viewerFor>, group: GroupRow) => ({
    title: group.name,
    group,
    members: await groups.listMembers(viewer, actorFrom(request), group.id),
  })

  /** Service INVALID errors back to the form with what was typed; anything else propagates. */
  async function invalid(request: GroupRequest, reply: FastifyReply, err: unknown, viewer: ReturnType<typeof viewerFor>, group: GroupRow, values: Record<string, unknown>, field: string) {
    if (!(err instanceof AppError) || err.code !== 'INVALID') throw err
    return reply.formErrors(url(group.id), { errors: err.fieldErrors ?? { [field]: err.message }, values }, { template: VIEW, context: await context(request, viewer, group) })
  }

  return {
    show: async (request: GroupRequest, reply: FastifyReply) => {
      const { viewer, group } = await load(request)
      return reply.page(VIEW, await context(request, viewer, group))
    },

    update: async (request: GroupRequest, reply: FastifyReply) => {
      const { viewer, group } = await load(request)
      const form = parseForm(updateGroupSchema, request.body)
      if (!form.ok) return reply.formErrors(url(group.id), form, { template: VIEW, context: await context(request, viewer, group) })
      try {
        await groups.updateGroup(viewer, actorFrom(request), group.id, form.data)
      } catch (err) {
        return invalid(request, reply, err, viewer, group, form.data, 'name')
      }
      return reply.redirectWithNotice(url(group.id), 'The group has been changed')
    },

    addMember: async (request: GroupRequest, reply: FastifyReply) => {
      const { viewer, group } = await load(request)
      const form = parseForm(addMemberSchema, request.body)
      if (!form.ok) return reply.formErrors(url(group.id), form, { template: VIEW, context: await context(request, viewer, group) })
      let result
      try {
        result = await groups.addMember(viewer, actorFrom(request), group.id, form.data.contact)
      } catch (err) {
        return invalid(request, reply, err, viewer, group, form.data, 'contact')
      }
      return reply.redirectWithNotice(url(group.id), result === 'added' ? 'The member has been added' : 'They were already in this group')
    },

    removeMember: async (request: GroupRequest, reply: FastifyReply) => {
      const { viewer, group } = await load(request)
      const form = parseForm(removeMemberSchema, request.body)
      const removed = form.ok && (await groups.removeMember(viewer, actorFrom(request), group.id, form.data.subscriberId))
      return reply.redirectWithNotice(url(group.id), removed ? 'The member has been removed' : 'They were not in this group')
    },

    remove: async (request: GroupRequest, reply: FastifyReply) => {
      const { viewer, group } = await load(request)
      await groups.deleteGroup(viewer, actorFrom(request), group.id)
      return reply.redirectWithNotice('/staff/messaging/groups', `The group “${group.name}” has been deleted`)
    },
  }
}
