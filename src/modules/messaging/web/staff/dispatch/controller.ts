import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { requireStaff } from '../../../../../platform/auth/access.ts'
import { actorFrom } from '../../../../../platform/audit/service.ts'
import { parseForm } from '../../../../../platform/http/forms.ts'
import { PRIORITIES } from '../../../schema.ts'
import { dispatchActionSchema } from './schema.ts'

const VIEW = 'modules/messaging/web/staff/dispatch/view.njk'
const URL = '/staff/messaging/dispatch'
/** The queue is shared by every area: only those responsible for the whole service see it. */
export const DISPATCH_ROLES = ['administrator', 'engagement_lead'] as const

const STATUS_LABELS: Record<string, string> = {
  queued: 'Waiting to send',
  sending: 'Being sent now',
  digest: 'Waiting for a digest',
  sent: 'Sent',
  delivered: 'Delivered',
  failed: 'Failed',
  digested: 'Sent in a digest',
  skipped: 'Not sent (no contact or cancelled)',
}

/**
 * The delivery queue at a glance: deliveries waiting by priority and status, the rate
 * limits in force, the last day's outcomes and how many contacts are marked failing. Counts
 * only, no personal data. One action: take back deliveries stranded by a stopped worker.
 */
export function dispatchController({ services }: RouteOptions) {
  async function context() {
    const o = await services.messaging.dispatch.overview()
    const queue = PRIORITIES.map((name, rank) => {
      const of = (status: string) => o.byPriority.find(r => r.priority === rank && r.status === status)?.n ?? 0
      return { name, queued: of('queued'), sending: of('sending'), digest: of('digest') }
    })
    return {
      title: 'Message delivery',
      queue,
      last24h: o.last24h.map(r => ({ label: STATUS_LABELS[r.status] ?? r.status, n: r.n })),
      failingContacts: o.failingContacts,
      limits: o.limits,
      batchSize: o.batchSize,
      leaseMinutes: Math.round((o.leaseMs / 60_000) * 10) / 10,
      running: o.running,
    }
  }

  return {
    show: async (request: FastifyRequest, reply: FastifyReply) => {
      requireStaff(request, DISPATCH_ROLES)
      return reply.page(VIEW, await context())
    },

    act: async (request: FastifyRequest, reply: FastifyReply) => {
      requireStaff(request, DISPATCH_ROLES)
      const form = parseForm(dispatchActionSchema, request.body)
      if (!form.ok) return reply.formErrors(URL, form, { template: VIEW, context: await context() })
      const recovered = await services.messaging.dispatch.recoverExpiredLeases()
      await services.audit.record(actorFrom(request), {
        action: 'update',
        entityType: 'messaging_dispatch',
        summary: `Took back ${recovered} stranded deliver${recovered === 1 ? 'y' : 'ies'} for sending`,
        details: { recovered },
      })
      return reply.redirectWithNotice(
        URL,
        recovered === 0
          ? 'No deliveries were stranded: nothing to take back'
          : `${recovered.toLocaleString('en-GB')} stranded deliver${recovered === 1 ? 'y' : 'ies'} will be sent again`,
      )
    },
  }
}
