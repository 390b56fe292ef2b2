import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { requireStaff } from '../../../../../platform/auth/access.ts'
import { actorFrom } from '../../../../../platform/audit/service.ts'
import { AppError } from '../../../../../platform/errors.ts'
import { parseForm } from '../../../../../platform/http/forms.ts'
import { INBOX_ROLES, MAX_ANSWER_EMAIL, MAX_ANSWER_SMS, viewerFor, type ReplyDetail } from '../../../inbox.service.ts'
import { assignSchema, respondSchema } from './schema.ts'

const VIEW = 'modules/messaging/web/staff/reply/view.njk'

type ReplyRequest = FastifyRequest<{ Params: { id: string } }>

const REFUSALS = {
  deleted: 'This resident has deleted their account, so your answer cannot be sent',
  'no-contact': 'This resident no longer has a confirmed email address or mobile number, so your answer cannot be sent',
  'already-answered': 'This reply has already been answered',
} as const

/**
 * One reply: what the resident wrote, the message it answers, where an answer would go, and
 * forms to assign it, answer it and mark it actioned. Replies outside the user's grants are
 * 404 for every method. Opening the page is audited (it shows the resident's contact).
 */
export function replyController({ services }: RouteOptions) {
  const inbox = services.messaging.inbox
  const url = (id: string) => `/staff/messages/inbox/${id}`

  /** The reply, if in the user's grants; `view` records the look at the resident's contact. */
  async function load(request: ReplyRequest, view = false) {
    const staff = requireStaff(request, INBOX_ROLES)
    const viewer = viewerFor(staff, INBOX_ROLES)
    const detail = await inbox.getReply(viewer, actorFrom(request), request.params.id, { audit: view })
    if (!detail) throw new AppError('NOT_FOUND', 'Reply not found')
    return { staff, viewer, detail }
  }

  async function context(detail: ReplyDetail, userId: string) {
    const assignees = await inbox.assignees(detail.areaPath)
    return {
      title: `Reply to ${detail.messageTitle}`,
      reply: detail,
      canAssignSelf: assignees.some(a => a.id === userId) && detail.assignedTo !== userId,
      userId,
      assigneeItems: [
        { value: '', text: 'Choose a colleague' },
        ...assignees.map(a => ({ value: a.id, text: `${a.name} (${a.email})`, selected: a.id === detail.assignedTo })),
      ],
      maxAnswer: detail.contact?.channel === 'sms' ? MAX_ANSWER_SMS : MAX_ANSWER_EMAIL,
    }
  }

  return {
    show: async (request: ReplyRequest, reply: FastifyReply) => {
      const { staff, detail } = await load(request, true)
      return reply.page(VIEW, await context(detail, staff.userId))
    },

    assign: async (request: ReplyRequest, reply: FastifyReply) => {
      const { staff, viewer, detail } = await load(request)
      const form = parseForm(assignSchema, request.body)
      if (!form.ok) return reply.formErrors(url(detail.id), form, { template: VIEW, context: await context(detail, staff.userId) })
      try {
        await inbox.assign(viewer, actorFrom(request), detail.id, form.data.assignee)
      } catch (err) {
        if (err instanceof AppError && err.code === 'INVALID')
          return reply.formErrors(url(detail.id), { errors: { assignee: err.message }, values: form.data }, { template: VIEW, context: await context(detail, staff.userId) })
        throw err
      }
      return reply.redirectWithNotice(url(detail.id), form.data.assignee === staff.userId ? 'The reply is assigned to you' : 'The reply has been assigned')
    },

    respond: async (request: ReplyRequest, reply: FastifyReply) => {
      const { staff, viewer, detail } = await load(request)
      const form = parseForm(respondSchema, request.body)
      const back = async (errors: Record<string, string>, values: Record<string, unknown>) =>
        reply.formErrors(url(detail.id), { errors, values }, { template: VIEW, context: await context(detail, staff.userId) })
      if (!form.ok) return back(form.errors, form.values)
      let result
      try {
        result = await inbox.respond(viewer, actorFrom(request), detail.id, form.data.answer)
      } catch (err) {
        if (err instanceof AppError && err.code === 'INVALID') return back(err.fieldErrors ?? { answer: err.message }, form.data)
        throw err
      }
      if (!result.ok) return back({ answer: REFUSALS[result.reason] }, form.data)
      return reply.redirectWithNotice(url(detail.id), `Your answer has been sent by ${result.channel === 'sms' ? 'text message' : 'email'}`)
    },

    actioned: async (request: ReplyRequest, reply: FastifyReply) => {
      const { viewer, detail } = await load(request)
      await inbox.markActioned(viewer, actorFrom(request), detail.id)
      return reply.redirectWithNotice(url(detail.id), 'The reply is marked as actioned')
    },
  }
}
