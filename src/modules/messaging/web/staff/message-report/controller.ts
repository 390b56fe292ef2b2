import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { requireStaff } from '../../../../../platform/auth/access.ts'
import { AppError } from '../../../../../platform/errors.ts'
import { barChart } from '../../../charts.ts'
import { viewerFor } from '../../../inbox.service.ts'
import { toCsv, type DeliveryFigures } from '../../../stats.service.ts'
import { REPORT_ROLES, sendCsv } from '../reports/controller.ts'
import { messageReportParams } from './schema.ts'

const MEASURES: { key: keyof DeliveryFigures | 'unsubscribes'; label: string }[] = [
  { key: 'targeted', label: 'Targeted' },
  { key: 'sent', label: 'Sent' },
  { key: 'delivered', label: 'Delivered' },
  { key: 'failed', label: 'Failed' },
  { key: 'opened', label: 'Opened' },
  { key: 'clicked', label: 'Clicked' },
  { key: 'unsubscribes', label: 'Unsubscribes within 7 days' },
]

/**
 * One message's measures: reach by channel, engagement, usefulness, replies and unsubscribes
 * within 7 days. A message outside the user's grants is a 404.
 */
export function messageReportController({ services }: RouteOptions) {
  const load = async (request: FastifyRequest) => {
    const staff = requireStaff(request, REPORT_ROLES)
    const { id } = messageReportParams.parse(request.params)
    const report = await services.messaging.stats.messageReport(viewerFor(staff, REPORT_ROLES), id)
    if (!report) throw new AppError('NOT_FOUND', 'Message not found')
    const [email, sms] = [report.byChannel.find(c => c.channel === 'email')!, report.byChannel.find(c => c.channel === 'sms')!]
    const table = MEASURES.map(m => ({
      label: m.label,
      all: m.key === 'opened' ? report.message.opened : report.message[m.key],
      email: email[m.key],
      sms: sms[m.key],
    }))
    return { report, table }
  }

  return {
    show: async (request: FastifyRequest, reply: FastifyReply) => {
      const { report, table } = await load(request)
      const m = report.message
      const chart = barChart({
        id: 'funnel-chart',
        title: `How far “${m.title}” got`,
        description: report.message.opened === null
          ? 'People targeted, sent to, delivered to and who clicked a link (opens are not tracked).'
          : 'People targeted, sent to, delivered to, who opened it (email only) and who clicked a link.',
        // A measure that is not tracked is left out of the chart rather than drawn as 0.
        data: table.filter(r => ['Targeted', 'Sent', 'Delivered', 'Opened', 'Clicked'].includes(r.label) && r.all !== null).map(r => ({ label: r.label, value: r.all })),
      })
      const rated = m.usefulYes + m.usefulNo
      return reply.page('modules/messaging/web/staff/message-report/view.njk', {
        title: `Measures: ${m.title}`,
        message: m,
        table,
        chart,
        usefulPercent: rated ? Math.round((m.usefulYes / rated) * 100) : null,
        opensTracked: services.messaging.stats.opensTracked,
      })
    },

    csv: async (request: FastifyRequest, reply: FastifyReply) => {
      const { report, table } = await load(request)
      const csv = toCsv(['Measure', 'All channels', 'Email', 'Text message'], [
        ...table.map(r => [r.label, r.all ?? 'not tracked', r.email ?? 'not tracked', r.sms ?? 'not tracked']),
        ['Rated useful', report.message.usefulYes, null, null],
        ['Rated not useful', report.message.usefulNo, null, null],
        ['Replies', report.message.replies, null, null],
      ])
      return sendCsv(request, reply, services, `message-${report.message.id}.csv`, csv, `the measures of "${report.message.title}"`)
    },
  }
}
