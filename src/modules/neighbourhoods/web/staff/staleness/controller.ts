import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { grantedPaths, requireStaff } from '../../../../../platform/auth/access.ts'
import { actorFrom } from '../../../../../platform/audit/service.ts'
import { toCsv } from '../../../../messaging/stats.service.ts'
import { londonDay } from '../../../priorities.service.ts'
import { RESPONSE_TARGET_HOURS } from '../../../response-clock.ts'
import { STALENESS_ROLES } from '../../../roles.ts'
import { QUARTER_DAYS, type StalenessReport } from '../../../staleness.service.ts'

const VIEW = 'modules/neighbourhoods/web/staff/staleness/view.njk'

/** Columns of the CSV export, one row per neighbourhood in the user's grants. */
export const STALENESS_CSV_HEADER = [
  'neighbourhood_id',
  'neighbourhood',
  'district',
  'named_contact',
  'priorities_not_reviewed_3_months',
  'oldest_review',
  'last_meeting',
  'meeting_in_last_quarter',
  'queries_last_quarter',
  'queries_answered_late',
  'queries_overdue_unanswered',
] as const

export function stalenessCsv(report: StalenessReport): string {
  const day = (d: Date | null) => (d ? londonDay(d) : null)
  return toCsv(
    STALENESS_CSV_HEADER,
    report.rows.map(r => [
      r.areaId,
      r.name,
      r.districtName,
      r.hasNamedContact ? 'yes' : 'no',
      r.reviewsDue,
      day(r.oldestReview),
      day(r.lastMeeting),
      r.meetingInQuarter ? 'yes' : 'no',
      r.queries,
      r.lateQueries,
      r.overdueOpen,
    ]),
  )
}

/**
 * Where the Neighbourhood Policing Guarantee is slipping, for engagement leads: a summary count
 * per check, then a table per check (each row linking to the neighbourhood's staff hub), and a
 * CSV of every neighbourhood in the user's grants with every figure.
 */
export function stalenessController({ services }: RouteOptions) {
  async function report(request: FastifyRequest) {
    const staff = requireStaff(request, STALENESS_ROLES)
    return services.neighbourhoods.staleness.report(grantedPaths(staff, STALENESS_ROLES))
  }

  return {
    show: async (request: FastifyRequest, reply: FastifyReply) => {
      const r = await report(request)
      return reply.page(VIEW, {
        title: 'Staleness',
        report: r,
        quarterDays: QUARTER_DAYS,
        targetHours: RESPONSE_TARGET_HOURS,
      })
    },

    csv: async (request: FastifyRequest, reply: FastifyReply) => {
      const r = await report(request)
      await services.audit.record(actorFrom(request), {
        action: 'export',
        entityType: 'nbh_staleness',
        summary: `Downloaded the staleness view as CSV (${r.rows.length} neighbourhoods)`,
      })
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="neighbourhood-staleness-${londonDay(r.at)}.csv"`)
        .header('x-content-type-options', 'nosniff')
        .send(stalenessCsv(r))
    },
  }
}
