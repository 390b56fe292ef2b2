/**
 * Benchmark: the dispatch path alone (no member generation, no targeting), quick enough to
 * run while changing the SMTP channel or the dispatch loops.
 *   node bench/messaging-dispatch.ts [deliveries] [--seconds N] [--processes N] [--cpu-prof DIR]
 *
 * Queues `deliveries` (default 200,000) email deliveries of one message (a tenth of the
 * residents read Welsh and get its Welsh translation) in a throw-away PostgreSQL database
 * (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres), starts the
 * benchmark's SMTP sink (bench/messaging-sink.ts) and dispatch worker process(es)
 * (src/modules/messaging/dispatch/worker-process.ts, same settings as bench/messaging.ts)
 * and, after 3 s of warm-up, measures over the window (default 20 s):
 *   dispatch_per_s            emails accepted by the sink per second
 *   worker_cpu_ms_per_email   CPU time of the worker process(es) per accepted email
 *   sink_cpu_ms_per_email     the sink's
 *   pg_cpu_ms_per_email       the PostgreSQL backends serving this database (read from /proc,
 *                             so only when the server runs on this machine)
 * CPU per email does not depend on what else the machine is running; the three together are
 * what one email costs this machine, so 2,000 / s on 2 cores needs them to add up to < 1 ms.
 * Prints readable lines, then one JSON line.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import pg from 'pg'
import { startDispatchWorker, stopProcess } from './dispatch-worker.ts'
import { createDatabase, runMigrations } from '../src/platform/db/client.ts'
import { markFreshDeliveries } from '../src/modules/messaging/targeting.ts'

const here = path.dirname(fileURLToPath(import.meta.url))
const args = process.argv.slice(2)
const opt = (name: string) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const DELIVERIES = Number(args.find((a, i) => /^\d+$/.test(a) && !args[i - 1]?.startsWith('--')) ?? 200_000)
const WINDOW_S = Number(opt('--seconds') ?? 20)
const PROCESSES = Number(opt('--processes') ?? 1)
const PROFILE_DIR = opt('--cpu-prof')
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const dbName = 'beacon_bench_dispatch'
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms))

async function admin(sql: string) {
  const c = new pg.Client({ connectionString: adminUrl })
  await c.connect()
  try {
    await c.query(sql)
  } finally {
    await c.end()
  }
}

/** CPU time (ms) of a process from /proc (user + system, in clock ticks of 10 ms). */
function procCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 10
  } catch {
    return 0
  }
}

function startSink(): Promise<{ child: ChildProcess; port: number; stats: () => Promise<{ total: number; cpuMs: number; duplicates: number }> }> {
  const child = fork(path.join(here, 'messaging-sink.ts'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const waiting: ((m: unknown) => void)[] = []
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.on('message', (m: { port?: number; cmd?: string }) => {
      if (typeof m.port === 'number' && !m.cmd)
        resolve({
          child,
          port: m.port,
          stats: () =>
            new Promise(res => {
              waiting.push(res as (m: unknown) => void)
              child.send({ cmd: 'stats' })
            }),
        })
      else waiting.shift()?.(m)
    })
  })
}

await admin(`drop database if exists ${dbName} with (force)`)
await admin(`create database ${dbName}`)
const url = new URL(adminUrl)
url.pathname = `/${dbName}`
const databaseUrl = url.toString()
const db = await createDatabase({ databaseUrl, poolMax: 4 })
const children: ChildProcess[] = []
const result: Record<string, unknown> = { deliveries: DELIVERIES, processes: PROCESSES, window_s: WINDOW_S }
try {
  await runMigrations(db)
  await db.query(
    `insert into msg_subscribers (id, email, email_confirmed_at, status, language, email_frequency, sms_frequency)
     select md5('member' || i)::uuid, 'member' || i || '@bench.test', now(), 'active', case when i % 10 = 0 then 'cy' else 'en' end, 'immediate', 'immediate'
       from generate_series(1, $1::int) i`,
    [DELIVERIES],
  )
  const [m] = await db.query<{ id: string }>(
    `insert into msg_messages (title, body_markdown, sms_text, category, priority, status, area_id, area_path, allow_replies)
     values ('Monthly newsletter: what we did in your area',
             'Officers are asking for your help. **Please read** and share: [more](https://police.example/appeal).' || E'\n\n' ||
             'We made 12 arrests this month after reports from residents. Thank you — keep telling us what you see.',
             'Police appeal: please read.', 'appeals', 'normal', 'sending', 'bf', '/bf/', true) returning id`,
  )
  await db.query(
    `insert into msg_message_translations (message_id, language, title, body_markdown, sms_text)
     values ($1, 'cy', 'Cylchlythyr misol: beth wnaethom ni yn eich ardal',
             'Mae swyddogion yn gofyn am eich help. **Darllenwch** a rhannwch: [mwy](https://police.example/appeal).', 'Apêl yr heddlu')`,
    [m!.id],
  )
  await db.query(
    `insert into msg_deliveries (message_id, subscriber_id, channel, priority, status)
     select $1, id, 'email', 2, 'queued' from msg_subscribers order by id`,
    [m!.id],
  )
  await markFreshDeliveries(db, m!.id, 2)
  await db.query('analyze')
  console.log(`queued ${DELIVERIES.toLocaleString('en-GB')} deliveries`)

  const sink = await startSink()
  children.push(sink.child)
  const meters = Array.from({ length: PROCESSES }, () => ({ rss: 0, cpuMs: 0 }))
  const workers = await Promise.all(meters.map(meter => startDispatchWorker(databaseUrl, sink.port, meter, PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [])))
  children.push(...workers)
  await sleep(3_000)
  const backends = async () =>
    (await db.query<{ pid: number }>(`select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [dbName])).map(r => r.pid)
  const pgStart = new Map((await backends()).map(pid => [pid, procCpuMs(pid)]))
  const s0 = await sink.stats()
  const c0 = meters.reduce((n, x) => n + x.cpuMs, 0)
  const t0 = performance.now()
  await sleep(WINDOW_S * 1000)
  const s1 = await sink.stats()
  const seconds = (performance.now() - t0) / 1000
  const c1 = meters.reduce((n, x) => n + x.cpuMs, 0)
  let pgCpu = 0
  for (const pid of await backends()) pgCpu += procCpuMs(pid) - (pgStart.get(pid) ?? 0)
  const sent = s1.total - s0.total
  Object.assign(result, {
    dispatch_per_s: Math.round(sent / seconds),
    worker_cpu_ms_per_email: Math.round(((c1 - c0) / sent) * 1000) / 1000,
    sink_cpu_ms_per_email: Math.round(((s1.cpuMs - s0.cpuMs) / sent) * 1000) / 1000,
    pg_cpu_ms_per_email: Math.round((pgCpu / sent) * 1000) / 1000,
    worker_rss_mb: Math.max(...meters.map(x => x.rss)),
    duplicates: s1.duplicates,
    load_average: Math.round(os.loadavg()[0]! * 10) / 10,
  })
  console.log(`dispatch ${result.dispatch_per_s} emails/s over ${WINDOW_S} s; CPU per email: worker ${result.worker_cpu_ms_per_email} ms, sink ${result.sink_cpu_ms_per_email} ms, PostgreSQL ${result.pg_cpu_ms_per_email} ms`)
  await Promise.all(workers.map(w => stopProcess(w, 'SIGTERM')))
  sink.child.send({ cmd: 'close' })
} finally {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  await db.close()
  await admin(`drop database if exists ${dbName} with (force)`).catch(() => {})
}
console.log(JSON.stringify({ ...result, node: process.version }))
process.exit(0)
