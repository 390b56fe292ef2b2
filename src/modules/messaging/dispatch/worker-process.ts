/**
 * A stand-alone dispatch worker process for the kill test and the benchmark: it sends the
 * queued deliveries of a PostgreSQL database to an SMTP relay until told to stop (SIGTERM,
 * graceful) or killed (SIGKILL, the point of the test).
 *
 * Settings come from the environment: DATABASE_URL, SMTP_URL, and optionally
 * DISPATCH_WORKERS, DISPATCH_CONCURRENCY, DISPATCH_BATCH, DISPATCH_LEASE_MS,
 * DISPATCH_RATE (emails and texts a minute), DISPATCH_SMTP_CONNECTIONS.
 * It prints "ready" once its loops run, and every second its memory in MB and the CPU time
 * it has used in ms ("rss N heap U/T external E cpu C").
 *
 * It opens PostgreSQL itself rather than through platform/db/client.ts, because that module
 * imports PGlite statically and PGlite's WebAssembly adds about 150 MB to the resident set of
 * a process that never uses it (see docs/messaging-delivery.md).
 */
import pg from 'pg'
import { loadConfig } from '../../../config.ts'
import type { Database } from '../../../platform/db/client.ts'
import { pgTransaction } from '../../../platform/db/pg-transaction.ts'
import { createAuditService } from '../../../platform/audit/service.ts'
import { createReceipts } from '../../../platform/channels/receipts.ts'
import { createOutboxChannel } from '../../../platform/channels/outbox.ts'
import { createSmtpChannel } from '../../../platform/channels/smtp.ts'
import type { JobDefinition, Jobs } from '../../../platform/jobs/index.ts'
import { createAreasService } from '../../areas/service.ts'
import { createDispatchService } from './dispatch.service.ts'

const env = process.env
const num = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback)
if (!env.DATABASE_URL || !env.SMTP_URL) {
  console.error('DATABASE_URL and SMTP_URL are required')
  process.exit(78)
}

// Only the settings this process uses: a parent's unrelated variables (a test runner's) must not stop it.
// (Vite, under Vitest, sets BASE_URL to "/": only an absolute URL is Beacon's.)
const wanted = Object.fromEntries(
  Object.entries(env).filter(([k, v]) => k.startsWith('MESSAGING_') || k === 'SESSION_SECRET' || (k === 'BASE_URL' && /^https?:\/\//.test(v ?? ''))),
)
const config = loadConfig({ ...wanted, NODE_ENV: 'development', LOG_LEVEL: 'silent', SEED_DEMO: 'false', DATA_DIR: '/tmp/beacon-dispatch-worker' })
const db = postgresOnly(env.DATABASE_URL, num('DISPATCH_POOL', 12))
const smtp = createSmtpChannel({ url: env.SMTP_URL, from: 'Beacon <alerts@beacon.test>', maxConnections: num('DISPATCH_SMTP_CONNECTIONS', 8) })
const outbox = createOutboxChannel(db)
const channels = { email: smtp, sms: outbox, receipts: createReceipts(db), close: () => smtp.close() }
const rate = num('DISPATCH_RATE', 3000)
const dispatch = createDispatchService(
  { config, db, audit: createAuditService(db), channels, jobs: noJobs(), areas: await createAreasService(db) },
  {
    workerId: `worker-process:${process.pid}`,
    workers: num('DISPATCH_WORKERS', 2),
    concurrency: num('DISPATCH_CONCURRENCY', 8),
    batchSize: num('DISPATCH_BATCH', 500),
    leaseMs: num('DISPATCH_LEASE_MS', 120_000),
    pollMs: 100,
    scheduleDigests: false,
    emailPerMinute: rate,
    smsPerMinute: rate,
  },
)
await dispatch.start().catch(err => {
  console.error(err)
  process.exit(1)
})
console.log('ready')
const mb = (n: number) => Math.round(n / 1048576)
const rss = setInterval(() => {
  const m = process.memoryUsage()
  const cpu = process.cpuUsage()
  console.log(`rss ${mb(m.rss)} heap ${mb(m.heapUsed)}/${mb(m.heapTotal)} external ${mb(m.external)} cpu ${Math.round((cpu.user + cpu.system) / 1000)}`)
}, 1000)

process.on('SIGTERM', async () => {
  clearInterval(rss)
  await dispatch.stop()
  await smtp.close()
  await db.close()
  process.exit(0)
})

/** The Database interface on a pg pool alone (what client.ts builds for PostgreSQL, minus PGlite). */
function postgresOnly(url: string, max: number): Database {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 5000 })
  pool.on('error', () => {})
  const query = async <T,>(text: string, params: unknown[] = []) => (await pool.query(text, params)).rows as T[]
  return {
    kind: 'postgres',
    // Nothing on the dispatch path uses Drizzle; loading it would add ~130 MB of RSS here.
    get orm(): never {
      throw new Error('The dispatch worker process has no ORM')
    },
    query,
    transaction: fn => pgTransaction(pool, fn),
    ping: () => pool.query('select 1').then(() => true, () => false),
    close: () => pool.end(),
    raw: { pool },
  }
}

/**
 * This process runs no pg-boss jobs (the web or worker process does): job definitions are
 * kept so the dispatcher can register its own, and anything else is refused.
 */
function noJobs(): Jobs {
  const defs = new Map<string, JobDefinition<any>>()
  const refuse = async (): Promise<never> => {
    throw new Error('The dispatch worker process runs no job queue')
  }
  return {
    register: def => void defs.set(def.id, def),
    definition: id => defs.get(id),
    start: async () => {},
    stop: async () => {},
    send: refuse,
    work: refuse,
    schedule: refuse,
    drain: async () => 0,
    runningWorkers: false,
  }
}
