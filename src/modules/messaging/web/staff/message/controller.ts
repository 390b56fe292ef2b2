import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { canAccessArea, requireStaff, type StaffContext } from '../../../../../platform/auth/access.ts'
import { AppError } from '../../../../../platform/errors.ts'
import { parseForm } from '../../../../../platform/http/forms.ts'
import { markdownToHtml } from '../../../markdown.ts'
import { APPROVER_ROLES, COMPOSE_ROLES, EMERGENCY_ROLES, statusName, type MessageDetail, type SubmitOutcome } from '../../../messages.service.ts'
import { describeSmsLength } from '../../../sms-length.ts'
import { ORGANISATION_NAMES, PRIORITY_NAMES, STATUS_TAGS } from '../shared.ts'
import { londonTime, rejectSchema, submitSchema } from './schema.ts'

const VIEW = 'modules/messaging/web/staff/message/view.njk'
const PREVIEW = 'modules/messaging/web/staff/message/preview.njk'

type IdRequest = FastifyRequest<{ Params: { id: string } }>

const LANGUAGE_NAMES: Record<string, string> = { en: 'English', cy: 'Welsh (Cymraeg)', pl: 'Polish', ur: 'Urdu', pa: 'Punjabi', bn: 'Bengali', ro: 'Romanian', ar: 'Arabic', gu: 'Gujarati' }

/**
 * One message's page: what it says and who it goes to, the recipient count, and the actions
 * its status allows (change, preview, test, send or schedule, cancel; approve or turn down
 * for a lead; mark an emergency as reviewed). Out-of-grant ids are 404.
 */
export function messageController(opts: RouteOptions) {
  const { services } = opts
  const messages = () => services.messaging.messages
  const url = (m: { id: string }) => `/staff/messages/${m.id}`

  async function load(request: IdRequest): Promise<{ staff: StaffContext; message: MessageDetail }> {
    const staff = requireStaff(request, COMPOSE_ROLES)
    return { staff, message: await messages().getMessageFor(staff, request.params.id) }
  }

  async function pageContext(staff: StaffContext, message: MessageDetail) {
    const names = await services.db.query<{ kind: string; id: string; name: string }>(
      `select 'area' as kind, id, name from areas where id = any($1::text[])
       union all select 'interest', id, name from msg_interests where id = any($2::text[]) or id = $4
       union all select 'group', id::text, name from msg_groups where id::text = any($3::text[])`,
      [message.targets.areaIds, message.targets.interestIds, message.targets.groupIds, message.category],
    )
    const nameOf = (kind: string, id: string) => names.find(n => n.kind === kind && n.id === id)?.name ?? id
    const open = ['draft', 'pending_approval', 'scheduled'].includes(message.status)
    const count = open ? await messages().countRecipients({ ...message.targets, organisation: message.organisation }) : null
    const lead = canAccessArea(staff, message.areaPath, APPROVER_ROLES)
    return {
      title: message.title,
      message,
      statusTag: STATUS_TAGS[message.status],
      organisationName: ORGANISATION_NAMES[message.organisation],
      priorityName: PRIORITY_NAMES[message.priority],
      categoryName: nameOf('interest', message.category),
      areaNames: message.targets.areaIds.map(id => nameOf('area', id)),
      interestNames: message.targets.interestIds.map(id => nameOf('interest', id)),
      groupNames: message.targets.groupIds.map(id => nameOf('group', id)),
      languages: message.translations.map(t => LANGUAGE_NAMES[t.language] ?? t.language),
      bodyHtml: markdownToHtml(message.bodyMarkdown),
      count,
      topAreas: count ? count.byArea.slice(0, 10) : [],
      canEdit: message.status === 'draft' || message.status === 'pending_approval',
      canSubmit: message.status === 'draft',
      canCancel: open,
      canApprove: lead && message.status === 'pending_approval' && message.createdBy !== staff.userId,
      canReview: lead && message.needsReview,
      emergencyNow: message.priority === 'emergency' && canAccessArea(staff, message.areaPath, EMERGENCY_ROLES),
      threshold: services.config.messaging.approvalThreshold,
    }
  }

  const outcomeText = (o: SubmitOutcome) =>
    o.outcome === 'pending_approval'
      ? `Sent for approval: it goes to ${o.recipients.toLocaleString('en-GB')} people${o.reason === 'force-wide' ? ' across the force' : ''}, so an engagement lead must approve it`
      : o.outcome === 'scheduled'
        ? `Scheduled: it will send at ${new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/London' }).format(o.at)}`
        : `${o.emergency ? 'Emergency message sending now' : 'Sending now'} to ${o.recipients.toLocaleString('en-GB')} people${o.emergency ? '; it has been flagged for review' : ''}`

  /** Runs an action; a rule it breaks comes back as an error on the message page. */
  async function act(request: IdRequest, reply: FastifyReply, staff: StaffContext, message: MessageDetail, run: () => Promise<string>) {
    try {
      return reply.redirectWithNotice(url(message), await run())
    } catch (err) {
      if (err instanceof AppError && (err.code === 'INVALID' || err.code === 'CONFLICT')) {
        const errors = err.fieldErrors && Object.keys(err.fieldErrors).length ? err.fieldErrors : { form: err.message }
        return reply.formErrors(url(message), { errors, values: (request.body ?? {}) as Record<string, unknown> }, { template: VIEW, context: await pageContext(staff, message) })
      }
      throw err
    }
  }

  return {
    show: async (request: IdRequest, reply: FastifyReply) => {
      const { staff, message } = await load(request)
      return reply.page(VIEW, await pageContext(staff, message))
    },

    preview: async (request: IdRequest, reply: FastifyReply) => {
      const { message } = await load(request)
      const { versions } = await messages().preview(message.id)
      return reply.page(PREVIEW, {
        title: `Preview: ${message.title}`,
        message,
        versions: versions.map(v => {
          const t = message.translations.find(x => x.language === v.language)
          return {
            ...v,
            name: LANGUAGE_NAMES[v.language] ?? v.language,
            // The page shows the body through the same renderer with page classes: the email's own
            // inline styles would break the page's content security policy.
            bodyHtml: markdownToHtml(t?.bodyMarkdown ?? message.bodyMarkdown),
            smsDescription: v.smsLength ? describeSmsLength(v.smsLength) : null,
          }
        }),
      })
    },

    sendTest: async (request: IdRequest, reply: FastifyReply) => {
      const { staff, message } = await load(request)
      return act(request, reply, staff, message, async () => {
        await messages().sendTest(staff, message.id)
        return `A test email has been sent to ${staff.email}`
      })
    },

    submit: async (request: IdRequest, reply: FastifyReply) => {
      const { staff, message } = await load(request)
      const form = parseForm(submitSchema, request.body)
      if (!form.ok) return reply.formErrors(url(message), form, { template: VIEW, context: await pageContext(staff, message) })
      let at: Date | null = null
      if (form.data.when === 'later') {
        const [h, m] = form.data.time!.split(/[:.]/).map(Number)
        at = londonTime(Number(form.data.year), Number(form.data.month), Number(form.data.day), h!, m!)
        if (!at) return reply.formErrors(url(message), { errors: { scheduledFor: 'Enter a real date, like 27 3 2027' }, values: form.data }, { template: VIEW, context: await pageContext(staff, message) })
      }
      return act(request, reply, staff, message, async () => outcomeText(await messages().submit(staff, message.id, { at })))
    },

    cancel: async (request: IdRequest, reply: FastifyReply) => {
      const { staff, message } = await load(request)
      return act(request, reply, staff, message, async () => {
        await messages().cancel(staff, message.id)
        return 'The message has been cancelled; nobody will get it'
      })
    },

    approve: async (request: IdRequest, reply: FastifyReply) => {
      const { staff, message } = await load(request)
      return act(request, reply, staff, message, async () => `Approved. ${outcomeText(await messages().approve(staff, message.id))}`)
    },

    reject: async (request: IdRequest, reply: FastifyReply) => {
      const { staff, message } = await load(request)
      const form = parseForm(rejectSchema, request.body)
      if (!form.ok) return reply.formErrors(url(message), form, { template: VIEW, context: await pageContext(staff, message) })
      return act(request, reply, staff, message, async () => {
        await messages().reject(staff, message.id, form.data.reason)
        return 'Turned down: the message is a draft again for its author to change'
      })
    },

    review: async (request: IdRequest, reply: FastifyReply) => {
      const { staff, message } = await load(request)
      return act(request, reply, staff, message, async () => {
        await messages().markReviewed(staff, message.id)
        return 'Marked as reviewed'
      })
    },
  }
}

export { statusName }
