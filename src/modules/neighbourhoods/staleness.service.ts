import type { NeighbourhoodsDeps } from './deps.ts'
import { inScope } from './contact.service.ts'
import { reviewDueCutoff } from './priorities.service.ts'
import { lateSql } from './response-clock.ts'
import type { EventType } from './schema.ts'

/** Event types that count as meeting the community (an open day or "other" does not). */
export const MEETING_TYPES = ['pact', 'panel', 'online_meeting', 'surgery', 'street_briefing'] as const satisfies readonly EventType[]

/** "The last quarter", in days: a meeting must have taken place within this many days. */
export const QUARTER_DAYS = 91

/** One neighbourhood in the staff member's grants, with every figure the checks use. */
export interface StalenessRow {
  areaId: string
  name: string
  districtName: string
  hasNamedContact: boolean
  /** open or in progress priorities last reviewed more than three months ago */
  reviewsDue: number
  /** the oldest such review, or null when none is due */
  oldestReview: Date | null
  /** the latest meeting (of a meeting type, not cancelled) that has started, ever */
  lastMeeting: Date | null
  /** a meeting took place in the last quarter */
  meetingInQuarter: boolean
  /** queries received in the last quarter */
  queries: number
  /** queries answered late: received in the last quarter, or still unanswered, past 72 hours */
  lateQueries: number
  /** of those, still waiting for a first reply */
  overdueOpen: number
}

export interface StalenessReport {
  at: Date
  /** start of the quarter the meeting and query checks look at */
  since: Date
  /** priorities last reviewed before this are due */
  reviewCutoff: Date
  /** every neighbourhood in the grants, by district then name */
  rows: StalenessRow[]
  noNamedContact: StalenessRow[]
  reviewsDue: StalenessRow[]
  noRecentMeeting: StalenessRow[]
  lateQueries: StalenessRow[]
}

type DbRow = Omit<StalenessRow, 'oldestReview' | 'lastMeeting' | 'meetingInQuarter'> & {
  oldestReview: Date | string | null
  lastMeeting: Date | string | null
}

/**
 * The engagement lead's view of where the Neighbourhood Policing Guarantee is slipping:
 * neighbourhoods with no named contact, priorities not reviewed for three months, no meeting in
 * the last quarter, and queries answered late. It reads the team, priorities, events and contact
 * tables directly, one set-based query over the neighbourhoods in the given subtrees.
 */
export function createStalenessService(deps: NeighbourhoodsDeps) {
  const { db } = deps
  const clock = () => deps.now?.() ?? new Date()

  return {
    /** Every check for the neighbourhoods inside `paths` (grant subtrees), at `at` (default now). */
    async report(paths: readonly string[], at: Date = clock()): Promise<StalenessReport> {
      const since = new Date(at.getTime() - QUARTER_DAYS * 86_400_000)
      const reviewCutoff = reviewDueCutoff(at)
      const empty: StalenessReport = { at, since, reviewCutoff, rows: [], noNamedContact: [], reviewsDue: [], noRecentMeeting: [], lateQueries: [] }
      if (!paths.length) return empty
      const rows = await db.query<DbRow>(
        `with nb as (
           select a.id, a.name, d.name as district_name, d.id as district_id
             from areas a join areas d on d.id = a.parent_id
            where a.kind = 'neighbourhood' and ${inScope('a.path', 1)}
         ),
         due as (
           select p.area_id, count(*)::int as n, min(p.last_reviewed_at) as oldest
             from nbh_priorities p join nb on nb.id = p.area_id
            where p.status <> 'resolved' and p.last_reviewed_at < $2
            group by p.area_id
         ),
         met as (
           select e.area_id, max(e.starts_at) as last
             from nbh_events e join nb on nb.id = e.area_id
            where e.type = any($3::text[]) and e.cancelled_at is null and e.starts_at <= $4
            group by e.area_id
         ),
         asked as (
           select q.area_id,
                  count(*) filter (where q.created_at >= $5)::int as n,
                  count(*) filter (where ${lateSql('q', 4)} and (q.created_at >= $5 or (q.first_reply_at is null and q.closed_at is null)))::int as late,
                  count(*) filter (where ${lateSql('q', 4)} and q.first_reply_at is null and q.closed_at is null)::int as overdue_open
             from nbh_contact_queries q join nb on nb.id = q.area_id
            where q.created_at <= $4
            group by q.area_id
         )
         select nb.id as "areaId", nb.name, nb.district_name as "districtName",
                exists (select 1 from nbh_team_members m where m.area_id = nb.id and m.is_named_contact) as "hasNamedContact",
                coalesce(due.n, 0) as "reviewsDue", due.oldest as "oldestReview",
                met.last as "lastMeeting",
                coalesce(asked.n, 0) as queries, coalesce(asked.late, 0) as "lateQueries", coalesce(asked.overdue_open, 0) as "overdueOpen"
           from nb
           left join due on due.area_id = nb.id
           left join met on met.area_id = nb.id
           left join asked on asked.area_id = nb.id
          order by nb.district_name, nb.district_id, nb.name, nb.id`,
        [paths, reviewCutoff, [...MEETING_TYPES], at, since],
      )
      const all: StalenessRow[] = rows.map(r => {
        const lastMeeting = r.lastMeeting ? new Date(r.lastMeeting) : null
        return {
          ...r,
          oldestReview: r.oldestReview ? new Date(r.oldestReview) : null,
          lastMeeting,
          meetingInQuarter: lastMeeting !== null && lastMeeting >= since,
        }
      })
      return {
        ...empty,
        rows: all,
        noNamedContact: all.filter(r => !r.hasNamedContact),
        reviewsDue: all.filter(r => r.reviewsDue > 0).sort((a, b) => a.oldestReview!.getTime() - b.oldestReview!.getTime()),
        noRecentMeeting: all.filter(r => !r.meetingInQuarter),
        lateQueries: all.filter(r => r.lateQueries > 0).sort((a, b) => b.lateQueries - a.lateQueries || a.name.localeCompare(b.name)),
      }
    },
  }
}

export type StalenessService = ReturnType<typeof createStalenessService>
