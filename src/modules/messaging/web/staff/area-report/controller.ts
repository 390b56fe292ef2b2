import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { requireStaff } from '../../../../../platform/auth/access.ts'
import { barChart } from '../../../charts.ts'
import { viewerFor } from '../../../inbox.service.ts'
import { MIN_STARTS_FOR_CONVERSION, periodEnding, toCsv } from '../../../stats.service.ts'
import { REPORT_ROLES, sendCsv } from '../reports/controller.ts'
import { areaReportQuerySchema, periodItems } from './schema.ts'

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
  const load = async (request: FastifyRequest) => {
    const staff = requireStaff(request, REPORT_ROLES)
    const q = areaReportQuerySchema.parse(request.query ?? {})
    const period = periodEnding(services.messaging.stats.now(), q.days)
    const rows = await services.messaging.stats.areaReports(viewerFor(staff, REPORT_ROLES), period)
    return { q, period, rows }
  }

  return {
    show: async (request: FastifyRequest, reply: FastifyReply) => {
      const { q, period, rows } = await load(request)
      // Charts compare like with like: the narrowest kind of area shown.
      const kind = rows.some(r => r.kind === 'neighbourhood') ? 'neighbourhood' : rows.some(r => r.kind === 'district') ? 'district' : 'force'
      const leaves = rows.filter(r => r.kind === kind)
      const kindPlural = kind === 'neighbourhood' ? 'neighbourhoods' : kind === 'district' ? 'districts' : 'forces'
      return reply.page('modules/messaging/web/staff/area-report/view.njk', {
        title: 'Measures by area',
        rows,
        days: q.days,
        period,
        periodItems: periodItems(q.days),
        minStarts: MIN_STARTS_FOR_CONVERSION,
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
          description: `Average messages each member received a week over the last ${q.days} days.`,
          data: leaves.map(r => ({ label: r.name, value: r.perMemberPerWeek })),
          format: one,
        }),
      })
    },

    csv: async (request: FastifyRequest, reply: FastifyReply) => {
      const { q, rows } = await load(request)
      const csv = toCsv(
        COLUMNS,
        rows.map(r => [r.name, r.kind, r.members, r.population, r.perThousand, r.started, r.confirmed, r.conversion, r.left, r.growth, r.deliveries, r.perMemberPerWeek, r.mostPerWeek]),
      )
      return sendCsv(request, reply, services, `areas-last-${q.days}-days.csv`, csv, `area measures for the last ${q.days} days`)
    },
  }
}
