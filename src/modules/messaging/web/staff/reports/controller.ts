import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { requireStaff } from '../../../../../platform/auth/access.ts'
import { actorFrom } from '../../../../../platform/audit/service.ts'
import { formatDate } from '../../../../../platform/views/nunjucks.ts'
import { lineChart } from '../../../charts.ts'
import { INBOX_ROLES, viewerFor } from '../../../inbox.service.ts'
import { periodEnding, toCsv, type MessageFigures } from '../../../stats.service.ts'
import { periodItems, periodQuerySchema } from './schema.ts'

export const REPORT_ROLES = [...INBOX_ROLES, 'board_member'] as const

/** Columns of the messages table and its CSV export, in order. */
export const MESSAGE_COLUMNS = ['Message', 'Area', 'Sent', 'Targeted', 'Sent to', 'Delivered', 'Failed', 'Opened (email)', 'Clicked', 'Useful: yes', 'Useful: no', 'Replies', 'Unsubscribes within 7 days'] as const

export const messageCells = (m: MessageFigures) => [
  m.title,
  m.areaName ?? m.areaId,
  m.sentAt ? m.sentAt.toISOString() : null,
  m.targeted,
  m.sent,
  m.delivered,
  m.failed,
  m.opened,
  m.clicked,
  m.usefulYes,
  m.usefulNo,
  m.replies,
  m.unsubscribes,
]

/** Sends a CSV file as a download; the export is audited (it leaves the system). */
export async function sendCsv(request: FastifyRequest, reply: FastifyReply, services: RouteOptions['services'], filename: string, csv: string, what: string) {
  await services.audit.record(actorFrom(request), { action: 'export', entityType: 'msg_report', summary: `Downloaded ${what} as CSV` })
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename}"`)
    .header('x-content-type-options', 'nosniff')
    .send(csv)
}

/**
 * Message measures: every message sent in the period within the user's grants with its
 * reach and response, as a table (the exact figures), a chart of reach over time, and a
 * CSV export of the same table.
 */
export function reportsController({ services }: RouteOptions) {
  const load = async (request: FastifyRequest) => {
    const staff = requireStaff(request, REPORT_ROLES)
    const q = periodQuerySchema.parse(request.query ?? {})
    const period = periodEnding(services.messaging.stats.now(), q.days)
    const rows = await services.messaging.stats.messageReports(viewerFor(staff, REPORT_ROLES), period)
    return { q, period, rows }
  }

  return {
    show: async (request: FastifyRequest, reply: FastifyReply) => {
      const { q, period, rows } = await load(request)
      const oldestFirst = [...rows].reverse()
      const chart = lineChart({
        id: 'reach-chart',
        title: 'People each message was sent to',
        description: `Messages sent in the last ${q.days} days, oldest first.`,
        data: oldestFirst.map(m => ({ label: `${m.sentAt ? formatDate(m.sentAt) : ''}: ${m.title}`, value: m.sent })),
      })
      return reply.page('modules/messaging/web/staff/reports/view.njk', {
        title: 'Message measures',
        rows,
        days: q.days,
        period,
        periodItems: periodItems(q.days),
        chart,
        columns: MESSAGE_COLUMNS,
      })
    },

    csv: async (request: FastifyRequest, reply: FastifyReply) => {
      const { q, rows } = await load(request)
      return sendCsv(request, reply, services, `messages-last-${q.days}-days.csv`, toCsv(MESSAGE_COLUMNS, rows.map(messageCells)), `message measures for the last ${q.days} days`)
    },
  }
}
