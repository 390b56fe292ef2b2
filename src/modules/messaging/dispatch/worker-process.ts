/**
 * A stand-alone dispatch worker process for the kill test and the benchmark: it sends the
 * queued deliveries of a PostgreSQL database to an SMTP relay until told to stop (SIGTERM,
 * graceful) or killed (SIGKILL, the point of the test).
 *
 * Settings come from the environment: DATABASE_URL, SMTP_URL, and optionally
 * DISPATCH_WORKERS, DISPATCH_CONCURRENCY, DISPATCH_BATCH, DISPATCH_LEASE_MS,
 * DISPATCH_RATE (emails and texts a minute), DISPATCH_SMTP_CONNECTIONS.
 * It prints "ready" once its loops run, and its RSS in MB every second ("rss N").
 */
import { loadConfig } from '../../../config.ts'
import { createDatabase } from '../../../platform/db/client.ts'
import { createAuditService } from '../../../platform/audit/service.ts'
import { createReceipts } from '../../../platform/channels/receipts.ts'
import { createOutboxChannel } from '../../../platform/channels/outbox.ts'
import { createSmtpChannel } from '../../../platform/channels/smtp.ts'
import { createJobs } from '../../../platform/jobs/index.ts'
import { createAreasService } from '../../areas/service.ts'
import { createDispatchService } from './dispatch.service.ts'

const env = process.env
const num = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback)
if (!env.DATABASE_URL || !env.SMTP_URL) {
  console.error('DATABASE_URL and SMTP_URL are required')
  process.exit(78)
}

const config = loadConfig({ ...env, NODE_ENV: 'development', LOG_LEVEL: 'silent', SEED_DEMO: 'false', DATA_DIR: '/tmp/beacon-dispatch-worker' })
const db = await createDatabase({ databaseUrl: env.DATABASE_URL, poolMax: num('DISPATCH_POOL', 12) })
const smtp = createSmtpChannel({ url: env.SMTP_URL, from: 'Beacon <alerts@beacon.test>', maxConnections: num('DISPATCH_SMTP_CONNECTIONS', 8) })
const outbox = createOutboxChannel(db)
const channels = { email: smtp, sms: outbox, receipts: createReceipts(db), close: () => smtp.close() }
const rate = num('DISPATCH_RATE', 3000)
const dispatch = createDispatchService(
  { config, db, audit: createAuditService(db), channels, jobs: createJobs({ config, db }), areas: await createAreasService(db) },
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
const rss = setInterval(() => console.log(`rss ${Math.round(process.memoryUsage().rss / 1048576)}`), 1000)

process.on('SIGTERM', async () => {
  clearInterval(rss)
  await dispatch.stop()
  await smtp.close()
  await db.close()
  process.exit(0)
})
