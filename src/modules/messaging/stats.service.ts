import type { MessagingDeps } from './deps.ts'
import { inScope, isUuid, type Viewer } from './inbox.service.ts'
import type { MessagingChannel } from './schema.ts'

/**
 * The measures of issue 3: per message (reach, delivery, engagement, replies, unsubscribes)
 * and per area (members, members per 1,000 population, growth, sign-up conversion and
 * messages per member per week, which is where overload shows). Every query is one set-based
 * statement scoped by the viewer's granted area paths.
 */

/** Below this many sign-ups started, conversion is not shown: a percentage of three is noise. */
export const MIN_STARTS_FOR_CONVERSION = 10
/** Unsubscribes are attributed to a message for this long after it was sent. */
export const UNSUBSCRIBE_WINDOW_DAYS = 7
/** Periods offered on the reports pages, in days. */
export const PERIOD_DAYS = [7, 28, 91, 365] as const

/** Delivery statuses that mean the resident was sent the message (alone or in a digest). */
const SENT = `('sent', 'delivered', 'digested')`

export interface Period {
  from: Date
  to: Date
  days: number
}

/** The `days` before `now`. */
export function periodEnding(now: Date, days: number): Period {
  return { from: new Date(now.getTime() - days * 86_400_000), to: now, days }
}

/** From one instant to another (a period the user chose); `days` is its length, for per-week figures. */
export function periodBetween(from: Date, to: Date): Period {
  return { from, to, days: Math.max(to.getTime() - from.getTime(), 0) / 86_400_000 }
}

export interface DeliveryFigures {
  targeted: number
  sent: number
  delivered: number
  failed: number
  /**
   * null where opening is not tracked: always for text messages, and for email unless the
   * email provider reports opens (MESSAGING_PROVIDER_REPORTS_OPENS). Beacon adds no pixel.
   */
  opened: number | null
  clicked: number
}

export interface MessageFigures extends DeliveryFigures {
  id: string
  title: string
  areaId: string
  areaName: string | null
  priority: string
  status: string
  sentAt: Date | null
  usefulYes: number
  usefulNo: number
  replies: number
  unsubscribes: number
}

export interface ChannelFigures extends DeliveryFigures {
  channel: MessagingChannel
  unsubscribes: number
}

export interface AreaFigures {
  id: string
  name: string
  kind: 'force' | 'district' | 'neighbourhood'
  path: string
  depth: number
  population: number | null
  members: number
  /** null when the population is not known */
  perThousand: number | null
  started: number
  confirmed: number
  left: number
  /** confirmed minus left in the period */
  growth: number
  /** confirmed ÷ started, %; null when fewer than MIN_STARTS_FOR_CONVERSION started */
  conversion: number | null
  /** messages sent to today's members in the period */
  deliveries: number
  /** deliveries ÷ members ÷ weeks; null with no members */
  perMemberPerWeek: number | null
  /** the most any one member received per week: overload at the edge, not the average */
  mostPerWeek: number | null
}

type Num = number | string | null
const n = (v: Num) => (v == null ? 0 : Number(v))
const round1 = (v: number) => Math.round(v * 10) / 10

type MessageRow = {
  id: string
  title: string
  area_id: string
  area_name: string | null
  priority: string
  status: string
  sent_at: Date | string | null
  targeted: Num
  sent: Num
  delivered: Num
  failed: Num
  opened: Num
  email_targeted: Num
  clicked: Num
  useful_yes: Num
  useful_no: Num
  replies: Num
  unsubscribes: Num
}

/**
 * Per-message figures for the messages chosen by `filter` (a where clause on `m`). Each
 * figure is aggregated once per table and joined by message id, so a page of 50 messages is
 * five grouped scans, not 250 counts.
 */
const messageSql = (filter: string) => `
  with msgs as (
    select m.id, m.title, m.area_id, m.priority, m.status, m.sent_at from msg_messages m where ${filter}
  ),
  d as (
    select message_id, count(*) as targeted,
      count(*) filter (where sent_at is not null or status in ${SENT}) as sent,
      count(*) filter (where delivered_at is not null or status = 'delivered') as delivered,
      count(*) filter (where status = 'failed') as failed,
      count(*) filter (where channel = 'email' and opened_at is not null) as opened,
      count(*) filter (where channel = 'email') as email_targeted,
      count(*) filter (where clicked_at is not null) as clicked
    from msg_deliveries where message_id in (select id from msgs) group by message_id
  ),
  f as (
    select message_id, count(*) filter (where useful) as useful_yes, count(*) filter (where not useful) as useful_no
    from msg_feedback where message_id in (select id from msgs) group by message_id
  ),
  r as (select message_id, count(*) as replies from msg_replies where message_id in (select id from msgs) group by message_id),
  u as (
    select e.message_id, count(*) as unsubscribes
    from msg_membership_events e join msgs on msgs.id = e.message_id
    where e.event = 'unsubscribed' and e.at >= msgs.sent_at and e.at < msgs.sent_at + interval '${UNSUBSCRIBE_WINDOW_DAYS} days'
    group by e.message_id
  )
  select msgs.id, msgs.title, msgs.area_id, a.name as area_name, msgs.priority, msgs.status, msgs.sent_at,
    d.targeted, d.sent, d.delivered, d.failed, d.opened, d.email_targeted, d.clicked,
    f.useful_yes, f.useful_no, r.replies, u.unsubscribes
  from msgs
  left join areas a on a.id = msgs.area_id
  left join d on d.message_id = msgs.id
  left join f on f.message_id = msgs.id
  left join r on r.message_id = msgs.id
  left join u on u.message_id = msgs.id
  order by msgs.sent_at desc nulls last, msgs.id`

const toMessage = (r: MessageRow, opensTracked: boolean): MessageFigures => ({
  id: r.id,
  title: r.title,
  areaId: r.area_id,
  areaName: r.area_name,
  priority: r.priority,
  status: r.status,
  sentAt: r.sent_at ? new Date(r.sent_at) : null,
  targeted: n(r.targeted),
  sent: n(r.sent),
  delivered: n(r.delivered),
  failed: n(r.failed),
  opened: opensTracked && n(r.email_targeted) ? n(r.opened) : null,
  clicked: n(r.clicked),
  usefulYes: n(r.useful_yes),
  usefulNo: n(r.useful_no),
  replies: n(r.replies),
  unsubscribes: n(r.unsubscribes),
})

/** The measures service. */
export function createStatsService(deps: MessagingDeps) {
  const { db } = deps
  const now = () => deps.now?.() ?? new Date()
  // Opens are only known when the email provider reports them (Beacon adds no tracking pixel).
  const opensTracked = deps.config.messaging.providerReportsOpens

  return {
    now,
    /** Whether email opens are counted at all; when not, reports say "Not tracked" rather than 0. */
    opensTracked,

    /** Every message sent in the period within the viewer's grants, newest first, with its figures. */
    async messageReports(viewer: Viewer, period: Period): Promise<MessageFigures[]> {
      if (!viewer.paths.length) return []
      const rows = await db.query<MessageRow>(
        messageSql(`${inScope('m.area_path', 1)} and m.sent_at >= $2 and m.sent_at < $3`),
        [viewer.paths, period.from, period.to],
      )
      return rows.map(r => toMessage(r, opensTracked))
    },

    /** One message's figures, overall and by channel; null when outside the viewer's grants. */
    async messageReport(viewer: Viewer, messageId: string): Promise<{ message: MessageFigures; byChannel: ChannelFigures[] } | null> {
      if (!isUuid(messageId) || !viewer.paths.length) return null
      const [row] = await db.query<MessageRow>(messageSql(`m.id = $2 and ${inScope('m.area_path', 1)}`), [viewer.paths, messageId])
      if (!row) return null
      const channels = await db.query<{
        channel: MessagingChannel
        targeted: Num
        sent: Num
        delivered: Num
        failed: Num
        opened: Num
        clicked: Num
        unsubscribes: Num
      }>(
        `with c(channel) as (values ('email'), ('sms')),
         d as (
           select channel, count(*) as targeted,
             count(*) filter (where sent_at is not null or status in ${SENT}) as sent,
             count(*) filter (where delivered_at is not null or status = 'delivered') as delivered,
             count(*) filter (where status = 'failed') as failed,
             count(*) filter (where opened_at is not null) as opened,
             count(*) filter (where clicked_at is not null) as clicked
           from msg_deliveries where message_id = $1 group by channel
         ),
         u as (
           select e.channel, count(*) as unsubscribes from msg_membership_events e join msg_messages m on m.id = e.message_id
           where e.message_id = $1 and e.event = 'unsubscribed'
             and e.at >= m.sent_at and e.at < m.sent_at + interval '${UNSUBSCRIBE_WINDOW_DAYS} days'
           group by e.channel
         )
         select c.channel, d.targeted, d.sent, d.delivered, d.failed, d.opened, d.clicked, u.unsubscribes
         from c left join d on d.channel = c.channel left join u on u.channel = c.channel order by c.channel`,
        [messageId],
      )
      return {
        message: toMessage(row, opensTracked),
        byChannel: channels.map(c => ({
          channel: c.channel,
          targeted: n(c.targeted),
          sent: n(c.sent),
          delivered: n(c.delivered),
          failed: n(c.failed),
          // A text message cannot report an open; an email only when the provider reports opens.
          opened: c.channel === 'sms' || !opensTracked ? null : n(c.opened),
          clicked: n(c.clicked),
          unsubscribes: n(c.unsubscribes),
        })),
      }
    },

    /**
     * Figures for every area in the viewer's grants (force, districts, neighbourhoods), in tree
     * order. Members are today's active subscribers following a place inside the area; the
     * other figures cover the period. A resident following two neighbourhoods of a district
     * counts once for the district.
     */
    async areaReports(viewer: Viewer, period: Period): Promise<AreaFigures[]> {
      if (!viewer.paths.length) return []
      const weeks = Math.max(period.days, 1) / 7
      const rows = await db.query<{
        id: string
        name: string
        kind: AreaFigures['kind']
        path: string
        population: number | null
        members: Num
        deliveries: Num
        most: Num
        started: Num
        confirmed: Num
        left: Num
      }>(
        `with scope as (
           select a.id, a.name, a.kind, a.path, a.population from areas a where ${inScope('a.path', 1)}
         ),
         -- Each followed place counts towards its area and every area above it: the path's
         -- prefixes, so the roll-up is an equality join rather than a prefix scan per area.
         mem as (
           select distinct sc.id as area_id, p.subscriber_id
           from msg_subscriber_places p
           join msg_subscribers s on s.id = p.subscriber_id and s.status = 'active'
           cross join lateral (
             select left(p.area_path, i) as prefix from generate_series(1, length(p.area_path)) as i
             where substr(p.area_path, i, 1) = '/'
           ) pre
           join scope sc on sc.path = pre.prefix
         ),
         per_member as (
           select mem.area_id, mem.subscriber_id, count(d.message_id) as received
           from mem left join msg_deliveries d on d.subscriber_id = mem.subscriber_id and d.status in ${SENT}
             and coalesce(d.sent_at, d.created_at) >= $2 and coalesce(d.sent_at, d.created_at) < $3
           group by mem.area_id, mem.subscriber_id
         ),
         members as (
           select area_id, count(*) as members, sum(received) as deliveries, max(received) as most from per_member group by area_id
         ),
         ev as (
           select ea.path, e.event, count(*) as n
           from msg_membership_events e join areas ea on ea.id = e.area_id
           where e.at >= $2 and e.at < $3 and e.event in ('started', 'confirmed', 'left')
           group by ea.path, e.event
         ),
         evs as (
           select sc.id,
             sum(ev.n) filter (where ev.event = 'started') as started,
             sum(ev.n) filter (where ev.event = 'confirmed') as confirmed,
             sum(ev.n) filter (where ev.event = 'left') as "left"
           from scope sc join ev on left(ev.path, length(sc.path)) = sc.path
           group by sc.id
         )
         select sc.id, sc.name, sc.kind, sc.path, sc.population, m.members, m.deliveries, m.most, evs.started, evs.confirmed, evs."left"
         from scope sc left join members m on m.area_id = sc.id left join evs on evs.id = sc.id
         order by sc.path`,
        [viewer.paths, period.from, period.to],
      )
      const minDepth = Math.min(...rows.map(r => r.path.split('/').length))
      return rows.map(r => {
        const members = n(r.members)
        const started = n(r.started)
        const confirmed = n(r.confirmed)
        const left = n(r.left)
        const deliveries = n(r.deliveries)
        return {
          id: r.id,
          name: r.name,
          kind: r.kind,
          path: r.path,
          depth: r.path.split('/').length - minDepth,
          population: r.population,
          members,
          perThousand: r.population ? round1((members / r.population) * 1000) : null,
          started,
          confirmed,
          left,
          growth: confirmed - left,
          conversion: started >= MIN_STARTS_FOR_CONVERSION ? round1((confirmed / started) * 100) : null,
          deliveries,
          perMemberPerWeek: members ? round1(deliveries / members / weeks) : null,
          mostPerWeek: members ? round1(n(r.most) / weeks) : null,
        }
      })
    },
  }
}

export type StatsService = ReturnType<typeof createStatsService>

/** Cells that a spreadsheet would read as a formula start with one of these. */
const FORMULA_START = /^[=+\-@\t\r]/

/**
 * A CSV document (RFC 4180, CRLF line ends). Text cells that a spreadsheet would run as a
 * formula (=, +, -, @, tab, carriage return) get a leading apostrophe, so an area or message
 * title cannot become a formula in whoever opens the export (CSV injection). Numbers are
 * written as they are: a negative growth figure is a number, not a formula.
 */
export function toCsv(header: readonly string[], rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  const cell = (v: string | number | null | undefined) => {
    if (v == null) return ''
    if (typeof v === 'number') return Number.isFinite(v) ? String(v) : ''
    const safe = FORMULA_START.test(v) ? `'${v}` : v
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
  }
  return [header, ...rows].map(r => r.map(cell).join(',')).join('\r\n') + '\r\n'
}
