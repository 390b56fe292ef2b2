import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { requireStaff } from '../../../../../platform/auth/access.ts'
import { actorFrom } from '../../../../../platform/audit/service.ts'
import { formatDate } from '../../../../../platform/views/nunjucks.ts'
import { lineChart } from '../../../charts.ts'
import { INBOX_ROLES, viewerFor } from '../../../inbox.service.ts'
import { AppError } from '../../../../../platform/errors.ts'
import { toCsv, type MessageFigures } from '../../../stats.service.ts'
import { periodRadioValues, readPeriod, type PeriodChoice } from './period.ts'

export const REPORT_ROLES = [...INBOX_ROLES, 'board_member'] as const

/** Columns of the messages table and its CSV export, in order. */
export const MESSAGE_COLUMNS = ['Message', 'Area', 'Sent', 'Targeted', 'Sent to', 'Delivered', 'Failed', 'Opened (email)', 'Clicked', 'Useful: yes', 'Useful: no', 'Replies', 'Unsubscribes within 7 days'] as const

/** What the period form shows: the radios with the chosen one ticked, and the typed dates. */
export function periodForm(choice: PeriodChoice) {
  const chosen = choice.values.days ?? '28'
  return {
    periodValues: choice.values,
    periodRadios: periodRadioValues.map(r => ({ ...r, checked: r.value === chosen })),
    periodCustom: chosen === 'custom',
  }
}

/** The period for a CSV export: the same query as the page; a wrong one is a plain 400 (the page explains it). */
export function csvPeriod(choice: PeriodChoice): Extract<PeriodChoice, { ok: true }> {
  if (!choice.ok) throw new AppError('INVALID', 'Check the dates of the period: go back to the measures page to correct them')
  return choice
}

export const messageCells = (m: MessageFigures) => [
  m.title,
  m.areaName ?? m.areaId,
  m.sentAt ? m.sentAt.toISOString() : null,
  m.targeted,
  m.sent,
  m.delivered,
  m.failed,
  m.opened ?? 'not tracked',
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
  const VIEW = 'modules/messaging/web/staff/reports/view.njk'
  const rowsFor = async (request: FastifyRequest, choice: Extract<PeriodChoice, { ok: true }>) =>
    services.messaging.stats.messageReports(viewerFor(requireStaff(request, REPORT_ROLES), REPORT_ROLES), choice.period)

  return {
    show: async (request: FastifyRequest, reply: FastifyReply) => {
      requireStaff(request, REPORT_ROLES)
      const choice = readPeriod(request.query, services.messaging.stats.now())
      const base = { title: 'Message measures', ...periodForm(choice), opensTracked: services.messaging.stats.opensTracked }
      // Wrong dates: the form again with each problem beside its box and what was typed kept.
      if (!choice.ok) return reply.page(VIEW, { ...base, errors: choice.errors, rows: [], periodQuery: 'days=28' }, 400)
      const rows = await rowsFor(request, choice)
      const oldestFirst = [...rows].reverse()
      const chart = lineChart({
        id: 'reach-chart',
        title: 'People each message was sent to',
        description: `Messages sent in ${choice.label}, oldest first.`,
        data: oldestFirst.map(m => ({ label: `${m.sentAt ? formatDate(m.sentAt) : ''}: ${m.title}`, value: m.sent })),
      })
      return reply.page(VIEW, { ...base, rows, period: choice.period, periodCaption: choice.caption, periodQuery: choice.query, chart, columns: MESSAGE_COLUMNS })
    },

    csv: async (request: FastifyRequest, reply: FastifyReply) => {
      requireStaff(request, REPORT_ROLES)
      const choice = csvPeriod(readPeriod(request.query, services.messaging.stats.now()))
      const rows = await rowsFor(request, choice)
      return sendCsv(request, reply, services, `messages-${choice.fileLabel}.csv`, toCsv(MESSAGE_COLUMNS, rows.map(messageCells)), `message measures for ${choice.label}`)
    },
  }
}
