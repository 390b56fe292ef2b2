import type { Database } from '../../platform/db/client.ts'
import { AppError } from '../../platform/errors.ts'
import { EMERGENCY_TARGETING_LOCK } from './dispatch/emergency-lock.ts'
import { PRIORITY_RANK, type Organisation, type Priority } from './schema.ts'
import { isUuid } from '../../platform/ids.ts'

/**
 * Who a message reaches, worked out in the database as one set-based query (never a loop over
 * residents in JavaScript), and the deliveries it writes in one INSERT … SELECT.
 *
 * The rule (agreed with the subscribers side, which writes these tables):
 *
 * * **Consent**: a resident is eligible for a message from organisation O only when their
 *   latest `msg_consents` row for (O, 'alerts') has `given = true` (a withdrawal recorded at
 *   the very same instant as a consent wins). Consent to the force does
 *   not cover the PCC's office, nor the other way round. A trigger on msg_consents
 *   (migration 0008) keeps that answer on the resident's row (`alerts_consent_force`,
 *   `alerts_consent_opcc`), so targeting reads it while scanning residents.
 * * **Channel**: email only if the address is set, confirmed (`email_confirmed_at`) and not
 *   failing; the same for SMS with `phone`, `phone_confirmed_at` and `sms_failing`.
 * * **Place**: a followed place (`msg_subscriber_places.area_path`) is inside a target area,
 *   or a target area is inside a followed place (someone following a district hears about
 *   each of its neighbourhoods; someone following the force hears about everything). The
 *   home place is matched through `msg_subscribers.home_area_id`, which a trigger keeps equal
 *   to it (migration 0011); a home area recorded without a home place counts as followed.
 * * **Interest**: when interests are targeted, the resident follows at least one of them;
 *   when none are, everyone in the areas.
 * * **Group**: a member of any targeted group (e.g. Watch coordinators) is included whatever
 *   their places and interests.
 *
 * So: (in any target area AND follows any target interest, if any) OR in any target group;
 * then consent for the sending organisation; then one delivery per usable channel.
 *
 * Place matching is an equality join on the stored path against the (small) set of area
 * paths inside or above the targets, so it uses the msg_places_path_idx btree whatever the
 * database's collation (a LIKE prefix would need text_pattern_ops).
 */

export interface Targets {
  areaIds: readonly string[]
  interestIds: readonly string[]
  groupIds: readonly string[]
}

export interface TargetSpec extends Targets {
  organisation: Organisation
}

export interface RecipientCount {
  /** people reached (each once, whatever their channels) */
  total: number
  /** deliveries per channel: someone with both channels counts in each */
  byChannel: { email: number; sms: number }
  /** people by their home neighbourhood, largest first; areaId null = no home area recorded */
  byArea: { areaId: string | null; name: string; count: number; email: number; sms: number }[]
}

type Query = Database['query']


/**
 * How the place rule is evaluated; both give exactly the same residents.
 * * `narrow` (a neighbourhood or a district): read only the residents whose home area or
 *   other places are in the targets, through the home-area index and the primary key. Cost
 *   grows with the audience: 15–25 ms for a neighbourhood, 130–350 ms for a district of
 *   22,000 at 1,000,000 members.
 * * `wide` (a large share of the force): scan every resident once, checking their home area
 *   against the set of area ids and only their other places against a hash. Cost is flat,
 *   0.4–0.9 s at 1,000,000 members; it would cost a one-neighbourhood message 0.7 s
 *   (ADR 0004; docs/performance.md, "Messaging targeting").
 */
export type AudienceForm = 'narrow' | 'wide'

/** Above this share of all areas overlapping the targets, the wide form is cheaper. */
export const WIDE_AREA_SHARE = 0.2

/** Which form suits these target areas: the share of all areas inside or above them. */
export async function audienceForm(db: { query: Query }, areaIds: readonly string[]): Promise<AudienceForm> {
  if (!areaIds.length) return 'narrow'
  const [row] = await db.query<{ share: number }>(
    `select (select count(*) from areas a
              where exists (select 1 from areas t where t.id = any($1::text[])
                               and (starts_with(a.path, t.path) or starts_with(t.path, a.path))))::float8
            / greatest((select count(*) from areas), 1) as share`,
    [[...areaIds]],
  )
  return (row?.share ?? 0) > WIDE_AREA_SHARE ? 'wide' : 'narrow'
}

/**
 * The SQL selecting one row per eligible resident: id, home_area_id, email_ok, sms_ok,
 * email_frequency, sms_frequency. Parameters $1–$4; callers may add more after them.
 */
export function recipientsSql(targets: Targets, organisation: Organisation, form: AudienceForm = 'narrow'): { text: string; params: unknown[] } {
  // A malformed group id can only come from a tampered form: it simply matches nobody.
  const groupIds = targets.groupIds.filter(isUuid)
  // Only the parts in use are written. The unused parameters are still referenced (in
  // target_areas) so the server can type every one.
  // A resident's home place is matched through their own row (home_area_id, kept equal to
  // it by a trigger, migration 0011), their other places through msg_subscriber_places.
  const places =
    form === 'wide'
      ? // Checking home_area_id against the small set of area ids costs a fraction of hashing
        // every home place in the targets; only the other places (one in five) are hashed.
        `(s.home_area_id in (select id from place_areas)
          or s.id in (select sp.subscriber_id from msg_subscriber_places sp
                       where sp.label <> 'home' and sp.area_path in (select path from place_paths)))`
      : // Both lists as arrays, so each side is an index condition (home_area_id and the
        // primary key) and the residents are read once, in table order (a BitmapOr).
        `(s.home_area_id = any(array(select id from place_areas))
          or s.id = any(array(select sp.subscriber_id from msg_subscriber_places sp
                               where sp.label <> 'home' and sp.area_path in (select path from place_paths))))`
  const byPlace = `(${places}
         and (cardinality($2::text[]) = 0
              or exists (select 1 from msg_subscriber_interests si where si.subscriber_id = s.id and si.interest_id = any($2::text[]))))`
  const byGroup = `s.id in (select gm.subscriber_id from msg_group_members gm where gm.group_id = any($3::uuid[]))`
  const who =
    targets.areaIds.length && groupIds.length ? `(${byPlace} or ${byGroup})` : groupIds.length ? byGroup : targets.areaIds.length ? byPlace : 'false'
  const text = `
    with target_areas as (
      select path from areas where id = any($1::text[]) and cardinality($2::text[]) >= 0 and cardinality($3::uuid[]) >= 0
    ),
    place_paths as (
      select a.path from areas a join target_areas t on starts_with(a.path, t.path)
      union
      select a.path from areas a join target_areas t on starts_with(t.path, a.path)
    ),
    place_areas as (select a.id from areas a where a.path in (select path from place_paths))
    select s.id, s.home_area_id, s.email_frequency, s.sms_frequency,
           (s.email is not null and s.email_confirmed_at is not null and not s.email_failing) as email_ok,
           (s.phone is not null and s.phone_confirmed_at is not null and not s.sms_failing) as sms_ok
      from msg_subscribers s
     where ((s.email is not null and s.email_confirmed_at is not null and not s.email_failing)
            or (s.phone is not null and s.phone_confirmed_at is not null and not s.sms_failing))
       and ${who}
       -- Consent: the current state the msg_consents trigger keeps on the resident's row.
       and (case $4::text when 'force' then s.alerts_consent_force when 'opcc' then s.alerts_consent_opcc else false end)`
  return { text, params: [[...targets.areaIds], [...targets.interestIds], groupIds, organisation] }
}

/** How many people (and deliveries per channel) a message with these targets would reach, by home area. */
export async function countRecipients(db: { query: Query }, spec: TargetSpec): Promise<RecipientCount> {
  const { text, params } = recipientsSql(spec, spec.organisation, await audienceForm(db, spec.areaIds))
  const rows = await db.query<{ areaId: string | null; name: string | null; count: number; email: number; sms: number }>(
    `with r as (${text})
     select r.home_area_id as "areaId", a.name, count(*)::int as count,
            count(*) filter (where r.email_ok)::int as email, count(*) filter (where r.sms_ok)::int as sms
       from r left join areas a on a.id = r.home_area_id
      group by r.home_area_id, a.name
      order by count(*) desc, a.name`,
    params,
  )
  let total = 0
  let email = 0
  let sms = 0
  for (const r of rows) {
    total += r.count
    email += r.email
    sms += r.sms
  }
  return {
    total,
    byChannel: { email, sms },
    byArea: rows.map(r => ({ areaId: r.areaId, name: r.name ?? 'No home area recorded', count: r.count, email: r.email, sms: r.sms })),
  }
}

export interface LiveCount extends RecipientCount {
  /** true when the figures are scaled up from a sample of residents (large audiences) */
  estimated: boolean
}

/** Residents looked at for an estimate: enough for about ±1.5% at any audience size. */
const SAMPLE_ROWS = 5000
/** Audiences estimated below this are counted exactly (cheap at that size). */
const EXACT_UP_TO = 20_000

/**
 * The count while composing, fast at any size. A sample of residents (whole pages of the
 * table, TABLESAMPLE SYSTEM, so only those pages are read) is checked against the same rule
 * and scaled up; when that says the audience is small, the exact count is run instead (it is
 * fast for small audiences). Large estimates carry `estimated: true` and no per-area figures,
 * which would be noise at that sample size. Sending always uses the exact rule.
 */
export async function liveCount(
  db: { query: Query },
  spec: TargetSpec,
  opts: { exactUpTo?: number; sampleRows?: number } = {},
): Promise<LiveCount> {
  const exactUpTo = opts.exactUpTo ?? EXACT_UP_TO
  const [size] = await db.query<{ n: number }>(
    `select greatest(reltuples, 0)::float8 as n from pg_class where oid = 'msg_subscribers'::regclass`,
  )
  let residents = size?.n ?? 0
  // Never analysed (a new or small database): count, which is cheap at that size.
  if (residents < 1) residents = (await db.query<{ n: number }>(`select count(*)::float8 as n from msg_subscribers`))[0]!.n
  const percent = Math.min(100, ((opts.sampleRows ?? SAMPLE_ROWS) / Math.max(residents, 1)) * 100)
  if (percent >= 100) return { ...(await countRecipients(db, spec)), estimated: false }
  const groupIds = spec.groupIds.filter(isUuid)
  // The paths inside or above the targets, fetched first (areas is small) so each sampled
  // resident's places are checked by an index probe on their id, not by hashing every place
  // in the target areas.
  const paths = (
    await db.query<{ path: string }>(
      `select distinct a.path from areas a join areas t on t.id = any($1::text[])
        where starts_with(a.path, t.path) or starts_with(t.path, a.path)`,
      [[...spec.areaIds]],
    )
  ).map(r => r.path)
  const [row] = await db.query<{ sampled: number; total: number; email: number; sms: number }>(
    `with sample as materialized (
       select s.id,
              (s.email is not null and s.email_confirmed_at is not null and not s.email_failing) as email_ok,
              (s.phone is not null and s.phone_confirmed_at is not null and not s.sms_failing) as sms_ok,
              (case $4::text when 'force' then s.alerts_consent_force when 'opcc' then s.alerts_consent_opcc else false end) as consent
         from msg_subscribers s tablesample system ($5::float8) repeatable (42)
     ),
     eligible as (
       select x.* from sample x
        where (x.email_ok or x.sms_ok)
          and ((exists (select 1 from msg_subscriber_places sp where sp.subscriber_id = x.id and sp.area_path = any($1::text[]))
                and (cardinality($2::text[]) = 0
                     or exists (select 1 from msg_subscriber_interests si where si.subscriber_id = x.id and si.interest_id = any($2::text[]))))
               or exists (select 1 from msg_group_members gm where gm.subscriber_id = x.id and gm.group_id = any($3::uuid[])))
          and x.consent
     )
     select (select count(*) from sample)::int as sampled, count(*)::int as total,
            count(*) filter (where email_ok)::int as email, count(*) filter (where sms_ok)::int as sms
       from eligible`,
    [paths, [...spec.interestIds], groupIds, spec.organisation, percent],
  )
  const sampled = row?.sampled ?? 0
  const scale = sampled ? residents / sampled : 0
  const estimate = (n: number) => Math.round((n * scale) / 10) * 10
  if (!row || estimate(row.total) < exactUpTo) return { ...(await countRecipients(db, spec)), estimated: false }
  return { total: estimate(row.total), byChannel: { email: estimate(row.email), sms: estimate(row.sms) }, byArea: [], estimated: true }
}

/** The targets stored for a message. */
export async function messageTargets(db: { query: Query }, messageId: string): Promise<Targets> {
  const rows = await db.query<{ kind: 'area' | 'interest' | 'group'; ref_id: string }>(
    `select kind, ref_id from msg_message_targets where message_id = $1 order by kind, ref_id`,
    [messageId],
  )
  const of = (kind: string) => rows.filter(r => r.kind === kind).map(r => r.ref_id)
  return { areaIds: of('area'), interestIds: of('interest'), groupIds: of('group') }
}

/** Held until the end of the calling transaction; see EMERGENCY_TARGETING_LOCK. */
export async function announceEmergencyTargeting(q: Query): Promise<void> {
  await q(`select pg_advisory_xact_lock_shared($1::int, $2::int)`, [EMERGENCY_TARGETING_LOCK.classid, EMERGENCY_TARGETING_LOCK.objid])
}

/**
 * Settings for the transaction that writes a big send's deliveries (call first inside it;
 * `set local` ends with the transaction): room to hash the audience in memory instead of
 * spilling to disk, and no JIT. At 1,000,000 members JIT compiling (~80 ms) and what it
 * saves cancel out; a larger audience would push the statement's estimated cost past
 * PostgreSQL's thresholds for inlining and optimising, whose compile time (often a second
 * or more) would be paid on every send (docs/performance.md, "Messaging targeting").
 */
export async function prepareTargetingTransaction(q: Query): Promise<void> {
  await q(`set local work_mem = '256MB'`)
  await q(`set local jit = off`)
}

/** Where writeDeliveries puts the audience it resolved (temporary: this transaction only). */
const AUDIENCE_TABLE = 'pg_temp.msg_audience'

/**
 * Resolves a message's recipients and writes all its deliveries, set-based and in one
 * transaction (a given Database gets one of its own): the audience is resolved into a
 * temporary table in subscriber order (one `CREATE TEMP TABLE … AS SELECT`), then every
 * delivery is written from it by one `INSERT … SELECT`: one row per resident and usable
 * channel, with the message's dispatch priority and the resident's home area. Emergency and
 * high-priority messages are 'queued' for everyone; normal ones go in a digest ('digest') on a
 * channel the resident set to daily or weekly. Running it again writes nothing new (the
 * unique key on message, subscriber and channel), so a retried send never doubles anything.
 * Adds the people newly reached to msg_messages.recipient_count; answers what was written.
 *
 * Why two statements and not one INSERT … SELECT with the audience in a CTE: on 1,000,000
 * members the CTE, read twice (rows and counts), is materialised and then sorted, and the
 * one statement took 0.4–0.8 s longer (docs/performance.md, "Messaging targeting").
 */
export async function writeDeliveries(db: { query: Query } | Database, messageId: string): Promise<{ deliveries: number; people: number }> {
  // The temporary table lives on one connection: a pool-wide handle gets a transaction.
  if ('transaction' in db) return db.transaction(q => writeDeliveries({ query: q }, messageId))
  const [message] = await db.query<{ priority: Priority; organisation: Organisation }>(
    `select priority, organisation from msg_messages where id = $1`,
    [messageId],
  )
  if (!message) throw new AppError('NOT_FOUND', 'Message not found')
  // An emergency: dispatch pauses routine work until this transaction ends.
  if (message.priority === 'emergency') await announceEmergencyTargeting((text, params) => db.query(text, params))
  const targets = await messageTargets(db, messageId)
  const { text, params } = recipientsSql(targets, message.organisation, await audienceForm(db, targets.areaIds))
  await db.query(`drop table if exists ${AUDIENCE_TABLE}`)
  // In subscriber order, so the unique key grows at its right edge instead of splitting pages
  // at random (measured: 1.2 s slower unsorted); the insert below reads it in that order.
  await db.query(`create temp table msg_audience on commit drop as ${text} order by id`, params)
  // A first write inserts every row it selects, so what it wrote is counted from the audience
  // itself (one row per person, one delivery per usable channel) rather than returned row by
  // row. A retry (deliveries exist already) may skip rows and counts what it did insert.
  const [{ started }] = (await db.query<{ started: boolean }>(
    'select exists (select 1 from msg_deliveries where message_id = $1) as started',
    [messageId],
  )) as [{ started: boolean }]
  const insertSql = (onConflict: string) =>
    `insert into msg_deliveries (message_id, subscriber_id, channel, priority, area_id, status)
     select $1::uuid, r.id, r.channel, $2::smallint, r.home_area_id,
            case when $3::boolean or (case r.channel when 'email' then r.email_frequency else r.sms_frequency end) = 'immediate'
                 then 'queued' else 'digest' end
       -- One row per usable channel, email before SMS, keeping the residents' order. A set-
       -- returning function in the select list costs a fraction of a LATERAL (VALUES …),
       -- whose expressions PostgreSQL prepares again for every resident.
       from (select a.*, unnest(case when a.email_ok and a.sms_ok then '{email,sms}'::text[]
                                     when a.email_ok then '{email}'::text[] else '{sms}'::text[] end) as channel
               from ${AUDIENCE_TABLE} a) r
     ${onConflict}`
  const values = [messageId, PRIORITY_RANK[message.priority], message.priority !== 'normal']
  // The first write for a message is a plain insert: ON CONFLICT's speculative insertion
  // costs as much again on half a million rows. The unique key still forbids duplicates;
  // if deliveries exist already, the idempotent form writes only what is missing. Senders
  // hold the message row (startSending's status update), so two writers do not race.
  let written: { deliveries: number; people: number }
  if (!started) {
    await db.query(insertSql(''), values)
    ;[written] = (await db.query<{ deliveries: number; people: number }>(
      `select coalesce(sum(email_ok::int + sms_ok::int), 0)::int as deliveries, count(*)::int as people from ${AUDIENCE_TABLE}`,
    )) as [{ deliveries: number; people: number }]
  } else {
    ;[written] = (await db.query<{ deliveries: number; people: number }>(
      `with ins as (${insertSql('on conflict do nothing returning subscriber_id')})
       select count(*)::int as deliveries, count(distinct subscriber_id)::int as people from ins`,
      values,
    )) as [{ deliveries: number; people: number }]
  }
  await db.query(`drop table ${AUDIENCE_TABLE}`)
  await db.query(`update msg_messages set recipient_count = coalesce(recipient_count, 0) + $2, updated_at = now() where id = $1`, [
    messageId,
    written.people,
  ])
  if (written.deliveries > 0) await markFreshDeliveries(db, messageId, PRIORITY_RANK[message.priority])
  return written
}

/**
 * Tells dispatch that a message has deliveries never claimed, of this priority rank:
 * claims find them through the message (`fresh_rank` and its cursor, dispatch.service.ts
 * `claim`, ADR 0005), not through a queue index. The cursor starts again, so rows added
 * behind it (a retried write) are reached too.
 */
export async function markFreshDeliveries(db: { query: Query }, messageId: string, rank: number): Promise<void> {
  await db.query(
    `update msg_messages set fresh_rank = least(coalesce(fresh_rank, $2), $2), claim_cursor = null, claim_cursor_channel = null where id = $1`,
    [messageId, rank],
  )
}
