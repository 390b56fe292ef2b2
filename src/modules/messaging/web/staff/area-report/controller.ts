import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { requireStaff } from '../../../../../platform/auth/access.ts'
import { barChart } from '../../../charts.ts'
import { viewerFor } from '../../../inbox.service.ts'
import { MIN_STARTS_FOR_CONVERSION, toCsv } from '../../../stats.service.ts'
import { csvPeriod, periodForm, REPORT_ROLES, sendCsv } from '../reports/controller.ts'
import { readPeriod, type PeriodChoice } from '../reports/period.ts'

const COLUMNS = [
  'Area',
  'Type',
  'Members',
  'Population',
  'Members per 1,000 population',
  'Sign-ups started',
  'Sign-ups confirmed',
  'Conversion (%)',
  'Left',
  'Growth',
  'Messages sent to members',
  'Messages per member per week',
  'Most messages to one member per week',
] as const

const one = (v: number) => v.toLocaleString('en-GB', { maximumFractionDigits: 1 })

/**
 * Measures by area: members, reach against population, growth, sign-up conversion and how
 * many messages members get a week (so overload is visible), for each area in the user's
 * grants, with charts beside the table and a CSV export.
 */
export function areaReportController({ services }: RouteOptions) {
  const VIEW = 'modules/messaging/web/staff/area-report/view.njk'
  const rowsFor = async (request: FastifyRequest, choice: Extract<PeriodChoice, { ok: true }>) =>
    services.messaging.stats.areaReports(viewerFor(requireStaff(request, REPORT_ROLES), REPORT_ROLES), choice.period)

  return {
    show: async (request: FastifyRequest, reply: FastifyReply) => {
      requireStaff(request, REPORT_ROLES)
      const choice = readPeriod(request.query, services.messaging.stats.now())
      const base = { title: 'Measures by area', ...periodForm(choice), minStarts: MIN_STARTS_FOR_CONVERSION }
      if (!choice.ok) return reply.page(VIEW, { ...base, errors: choice.errors, rows: [], periodQuery: 'days=28' }, 400)
      const rows = await rowsFor(request, choice)
      // Charts compare like with like: the narrowest kind of area shown.
      const kind = rows.some(r => r.kind === 'neighbourhood') ? 'neighbourhood' : rows.some(r => r.kind === 'district') ? 'district' : 'force'
      const leaves = rows.filter(r => r.kind === kind)
      const kindPlural = kind === 'neighbourhood' ? 'neighbourhoods' : kind === 'district' ? 'districts' : 'forces'
      return reply.page(VIEW, {
        ...base,
        rows,
        periodCaption: choice.caption,
        periodQuery: choice.query,
        reachChart: barChart({
          id: 'reach-chart',
          title: `Members per 1,000 population, by ${kind}`,
          description: `Members of the alerts service for every 1,000 residents in each of your ${kindPlural}.`,
          data: leaves.map(r => ({ label: r.name, value: r.perThousand })),
          format: one,
        }),
        frequencyChart: barChart({
          id: 'frequency-chart',
          title: `Messages per member per week, by ${kind}`,
          description: `Average messages each member received a week in ${choice.label}.`,
          data: leaves.map(r => ({ label: r.name, value: r.perMemberPerWeek })),
          format: one,
        }),
      })
    },

    csv: async (request: FastifyRequest, reply: FastifyReply) => {
      requireStaff(request, REPORT_ROLES)
      const choice = csvPeriod(readPeriod(request.query, services.messaging.stats.now()))
      const rows = await rowsFor(request, choice)
      const csv = toCsv(
        COLUMNS,
        rows.map(r => [r.name, r.kind, r.members, r.population, r.perThousand, r.started, r.confirmed, r.conversion, r.left, r.growth, r.deliveries, r.perMemberPerWeek, r.mostPerWeek]),
      )
      return sendCsv(request, reply, services, `areas-${choice.fileLabel}.csv`, csv, `area measures for ${choice.label}`)
    },
  }
}
