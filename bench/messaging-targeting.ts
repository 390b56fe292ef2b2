/**
 * Benchmark: set-based targeting for community messaging. Generates 1,000,000 members over
 * 5,000 neighbourhoods (50 districts), 30 interests and both channels, then measures
 *   targeting_ms  resolving and writing the deliveries of a message reaching about 40% of members
 *   preview_ms    the live recipient count for the same message while composing (median of 5)
 *   preview_neighbourhood_ms  the live count for a one-neighbourhood message (median of 5)
 * on PostgreSQL (DATABASE_URL, or postgres://postgres@127.0.0.1:5432/test; a throw-away
 * database is created and dropped) and on PGlite (in memory).
 *   node bench/messaging-targeting.ts [members] [--pg-only | --pglite-only] [--keep]
 * Prints readable lines, then one JSON line last.
 */
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import pg from 'pg'
import { createDatabase, runMigrations, type Database } from '../src/platform/db/client.ts'
import { withBackendCpu } from './backend-cpu.ts'
import { countRecipients, liveCount, prepareTargetingTransaction, writeDeliveries, type TargetSpec } from '../src/modules/messaging/targeting.ts'

const args = process.argv.slice(2)
const members = Number(args.find(a => /^\d+$/.test(a)) ?? 1_000_000)
const NEIGHBOURHOODS = 5000
const DISTRICTS = 50
const PER_DISTRICT = NEIGHBOURHOODS / DISTRICTS

const ms = (t0: number) => Math.round((performance.now() - t0) * 10) / 10
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** Everything generated in the database with generate_series: no rows cross the wire. */
async function generate(db: Database): Promise<void> {
  const interests = Array.from({ length: 20 }, (_, i) => `bench-${String(i + 1).padStart(2, '0')}`)
  await db.query(`insert into msg_interests (id, name, sort_order) select id, 'Bench interest ' || id, 500 from unnest($1::text[]) as id`, [interests])
  const all = (await db.query<{ id: string }>(`select id from msg_interests order by id`)).map(r => r.id)
  if (all.length !== 30) throw new Error(`expected 30 interests, found ${all.length}`)

  await db.query(`insert into areas (id, kind, parent_id, path, name) values ('bf', 'force', null, '/bf/', 'Bench Force')`)
  await db.query(
    `insert into areas (id, kind, parent_id, path, name)
     select 'bf-d' || d, 'district', 'bf', '/bf/d' || d || '/', 'District ' || d from generate_series(1, ${DISTRICTS}) d`,
  )
  await db.query(
    `insert into areas (id, kind, parent_id, path, name)
     select 'bf-n' || n, 'neighbourhood', 'bf-d' || ((n - 1) / ${PER_DISTRICT} + 1), '/bf/d' || ((n - 1) / ${PER_DISTRICT} + 1) || '/n' || n || '/', 'Neighbourhood ' || n
       from generate_series(1, ${NEIGHBOURHOODS}) n`,
  )
  // Member g lives in neighbourhood (g × 7919) mod 5000 + 1, so neighbours are spread through
  // the table as real sign-ups are (people join in time order, not area order). 85% have an
  // email address, 40% a mobile.
  await db.query(
    `insert into msg_subscribers (id, email, email_confirmed_at, email_failing, phone, phone_confirmed_at, sms_failing,
                                  email_frequency, sms_frequency, home_area_id, status)
     select md5('s' || g)::uuid,
            case when g % 100 < 85 then 'm' || g || '@example.org' end,
            case when g % 100 < 85 and g % 37 <> 0 then now() end,
            g % 211 = 0,
            case when g % 100 >= 60 then '+447' || lpad(g::text, 9, '0') end,
            case when g % 100 >= 60 and g % 41 <> 0 then now() end,
            g % 307 = 0,
            (array['immediate','immediate','immediate','immediate','immediate','immediate','immediate','daily','daily','weekly'])[g % 10 + 1],
            (array['immediate','immediate','immediate','daily'])[g % 4 + 1],
            'bf-n' || ((g::bigint * 7919) % ${NEIGHBOURHOODS} + 1), 'active'
       from generate_series(1, $1::int) g`,
    [members],
  )
  const nbh = (expr: string) => `'/bf/d' || ((${expr} - 1) / ${PER_DISTRICT} + 1) || '/n' || ${expr} || '/'`
  await db.query(
    `insert into msg_subscriber_places (subscriber_id, area_id, area_path, label)
     select md5('s' || g)::uuid, 'bf-n' || ((g::bigint * 7919) % ${NEIGHBOURHOODS} + 1), ${nbh(`((g::bigint * 7919) % ${NEIGHBOURHOODS} + 1)`)}, 'home'
       from generate_series(1, $1::int) g`,
    [members],
  )
  // One in five follows a second neighbourhood (work, family); one in fifty a whole district.
  await db.query(
    `insert into msg_subscriber_places (subscriber_id, area_id, area_path, label)
     select md5('s' || g)::uuid, 'bf-n' || ((g * 7) % ${NEIGHBOURHOODS} + 1), ${nbh(`((g * 7) % ${NEIGHBOURHOODS} + 1)`)}, 'work'
       from generate_series(1, $1::int) g where g % 5 = 0
     on conflict do nothing`,
    [members],
  )
  await db.query(
    `insert into msg_subscriber_places (subscriber_id, area_id, area_path, label)
     select md5('s' || g)::uuid, 'bf-d' || (g % ${DISTRICTS} + 1), '/bf/d' || (g % ${DISTRICTS} + 1) || '/', 'other'
       from generate_series(1, $1::int) g where g % 50 = 3`,
    [members],
  )
  // Three interests each (of 30).
  for (const expr of ['g % 30', '(g / 30) % 30', '(g * 13 + 7) % 30'])
    await db.query(
      `insert into msg_subscriber_interests (subscriber_id, interest_id)
       select md5('s' || g)::uuid, ($2::text[])[${expr} + 1] from generate_series(1, $1::int) g on conflict do nothing`,
      [members, all],
    )
  const wording = async (org: string) =>
    (await db.query<{ id: string }>(`select id from msg_consent_wordings where organisation = $1 and purpose = 'alerts' and version = 1`, [org]))[0]!.id
  const force = await wording('force')
  const opcc = await wording('opcc')
  // 99% consent to the force (2% of those withdrew later), half to the PCC's office.
  await db.query(
    `insert into msg_consents (subscriber_id, organisation, purpose, wording_id, given, at, source)
     select md5('s' || g)::uuid, 'force', 'alerts', $2, true, now() - interval '30 days', 'signup' from generate_series(1, $1::int) g where g % 100 <> 99`,
    [members, force],
  )
  await db.query(
    `insert into msg_consents (subscriber_id, organisation, purpose, wording_id, given, at, source)
     select md5('s' || g)::uuid, 'force', 'alerts', $2, false, now() - interval '1 day', 'manage' from generate_series(1, $1::int) g where g % 50 = 7`,
    [members, force],
  )
  await db.query(
    `insert into msg_consents (subscriber_id, organisation, purpose, wording_id, given, at, source)
     select md5('s' || g)::uuid, 'opcc', 'alerts', $2, true, now() - interval '30 days', 'signup' from generate_series(1, $1::int) g where g % 2 = 0`,
    [members, opcc],
  )
  // VACUUM as well as ANALYZE: a live database's autovacuum has long since set the
  // visibility map of tables filled over months (which lets index-only scans skip the
  // table); a table bulk-loaded a second ago has none, and this server runs with autovacuum
  // off. (Set BENCH_NO_VACUUM=1 to measure without.)
  // The consents just inserted made their trigger update every resident's row at once
  // (migration 0008), leaving each row in the table twice. A live table takes consent changes
  // a few at a time and autovacuum reuses the space, so it stays compact: compact this one
  // to match, or every scan and look-up of residents pays for a table twice its real size.
  if (!process.env.BENCH_NO_VACUUM) await db.query(`vacuum full msg_subscribers`)
  await db.query(process.env.BENCH_NO_VACUUM ? `analyze` : `vacuum analyze`)
}

async function newMessage(db: Database, spec: TargetSpec): Promise<string> {
  const [m] = await db.query<{ id: string }>(
    `insert into msg_messages (title, body_markdown, category, priority, organisation, status, area_id, area_path)
     values ('Bench', 'Bench', 'crime-alerts', 'normal', $1, 'sending', 'bf', '/bf/') returning id`,
    [spec.organisation],
  )
  const kinds = [...spec.areaIds.map(a => ['area', a]), ...spec.interestIds.map(i => ['interest', i])]
  await db.query(`insert into msg_message_targets (message_id, kind, ref_id) select $1, k, r from unnest($2::text[], $3::text[]) as t(k, r)`, [
    m!.id,
    kinds.map(k => k[0]),
    kinds.map(k => k[1]),
  ])
  return m!.id
}

async function measure(label: string, db: Database) {
  const t0 = performance.now()
  await generate(db)
  const generateMs = ms(t0)
  console.log(`${label}: generated ${members.toLocaleString('en-GB')} members in ${(generateMs / 1000).toFixed(1)} s`)

  // 20 of 50 districts: about 40% of members (less those without consent or a usable channel).
  const wide: TargetSpec = { areaIds: Array.from({ length: 20 }, (_, i) => `bf-d${i * 2 + 1}`), interestIds: [], groupIds: [], organisation: 'force' }
  const small: TargetSpec = { areaIds: ['bf-n17'], interestIds: ['crime-alerts', 'appeals'], groupIds: [], organisation: 'force' }

  await liveCount(db, wide) // warm the cache once, as a composing officer's first count would
  const previews: number[] = []
  let live = { total: 0, estimated: false }
  for (let i = 0; i < 5; i++) {
    const t = performance.now()
    live = await liveCount(db, wide)
    previews.push(ms(t))
  }
  const smallPreviews: number[] = []
  for (let i = 0; i < 5; i++) {
    const t = performance.now()
    await liveCount(db, small)
    smallPreviews.push(ms(t))
  }
  const tc = performance.now()
  const count = await countRecipients(db, wide)
  const exactMs = ms(tc)
  const id = await newMessage(db, wide)
  // As the service sends: in a transaction with room to hash the audience in memory.
  const t1 = performance.now()
  const { result: written, cpuMs: targetingCpuMs } = await withBackendCpu(db, async q => {
    await prepareTargetingTransaction(q)
    return writeDeliveries({ query: q }, id)
  })
  const targetingMs = ms(t1)
  const t2 = performance.now()
  const again = await writeDeliveries(db, id)
  const repeatMs = ms(t2)
  if (again.deliveries !== 0) throw new Error('writeDeliveries wrote deliveries twice')
  if (written.people !== count.total) throw new Error(`count ${count.total} and deliveries ${written.people} disagree`)

  const share = count.total / members
  console.log(`${label}: message reaches ${count.total.toLocaleString('en-GB')} members (${(share * 100).toFixed(1)}%), ${written.deliveries.toLocaleString('en-GB')} deliveries`)
  const estimateError = Math.round(((live.total - count.total) / count.total) * 1000) / 1000
  console.log(`${label}: targeting ${targetingMs} ms${targetingCpuMs === null ? '' : ` (backend CPU ${targetingCpuMs} ms)`}; repeat (writes nothing) ${repeatMs} ms; exact count ${exactMs} ms`)
  console.log(`${label}: live count ${median(previews)} ms (median; ${live.estimated ? `estimated, ${(estimateError * 100).toFixed(1)}% off` : 'exact'}); one neighbourhood ${median(smallPreviews)} ms (exact)`)
  return {
    generate_s: Math.round(generateMs / 100) / 10,
    recipients: count.total,
    reach_share: Math.round(share * 1000) / 1000,
    deliveries: written.deliveries,
    targeting_ms: targetingMs,
    targeting_backend_cpu_ms: targetingCpuMs,
    targeting_repeat_ms: repeatMs,
    preview_ms: median(previews),
    preview_estimated: live.estimated,
    preview_estimate_error: estimateError,
    count_exact_ms: exactMs,
    preview_neighbourhood_ms: median(smallPreviews),
  }
}

async function onPostgres() {
  const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
  const name = `beacon_bench_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  const db = await createDatabase({ databaseUrl: url.toString(), poolMax: 4 })
  try {
    await runMigrations(db)
    const [v] = await db.query<{ v: string }>(`select current_setting('server_version') as v`)
    return { server_version: v!.v, ...(await measure('PostgreSQL', db)) }
  } finally {
    await db.close()
    // --keep leaves the generated database for EXPLAIN ANALYZE sessions.
    if (args.includes('--keep')) console.log(`kept database ${name}`)
    else {
      const a = new pg.Client({ connectionString: adminUrl })
      await a.connect()
      await a.query(`drop database if exists ${name} with (force)`)
      await a.end()
    }
  }
}

async function onPglite() {
  const db = await createDatabase({})
  try {
    await runMigrations(db)
    return await measure('PGlite', db)
  } finally {
    await db.close()
  }
}

const result: Record<string, unknown> = { members, neighbourhoods: NEIGHBOURHOODS, interests: 30, node: process.version }
if (!args.includes('--pglite-only')) result.postgres = await onPostgres()
if (!args.includes('--pg-only')) result.pglite = await onPglite()
const pgr = result.postgres as { targeting_ms: number; preview_ms: number } | undefined
if (pgr) {
  result.targeting_ms = pgr.targeting_ms
  result.preview_ms = pgr.preview_ms
}
console.log(JSON.stringify(result))
