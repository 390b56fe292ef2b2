import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../../platform/db/client.ts'
import { createTestDatabase, usingPostgres } from '../../../../test/helpers.ts'
import { startSmtpSink, sinkSummary, type SmtpSink } from './smtp-sink.ts'
import { createSendingMessage, queueDeliveries, seedSubscribers } from './testing.ts'
import { formatDeliveryRef } from '../delivery-ref.ts'

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'worker-process.ts')
const TOTAL = 400
const LEASE_MS = 1500

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms))

/** Waits (bounded) until `check` is true. */
async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    if (await check()) return
    await sleep(20)
  }
  throw new Error(`timed out waiting for ${what}`)
}

function startWorker(databaseUrl: string, smtpPort: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [WORKER], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      DISPATCH_LEASE_MS: String(LEASE_MS),
      DISPATCH_WORKERS: '2',
      DISPATCH_CONCURRENCY: '4',
      DISPATCH_BATCH: '40',
      DISPATCH_RATE: '600000',
      DISPATCH_POOL: '6',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let errors = ''
  child.stderr!.on('data', d => (errors += String(d)))
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', d => {
      if (String(d).includes('ready')) resolve(child)
    })
    child.once('exit', code => reject(new Error(`worker exited (${code}) before it was ready: ${errors}`)))
  })
}

/**
 * The test: a worker PROCESS is killed (SIGKILL) in the middle of a send and a new
 * one started; every delivery must reach the relay exactly once. Runs on PostgreSQL only:
 * PGlite allows one process, so a second process cannot share its database.
 */
describe.skipIf(!usingPostgres())('a dispatch worker process killed mid-send (PostgreSQL)', () => {
  let db: Database
  let sink: SmtpSink
  const children: ChildProcess[] = []

  beforeAll(async () => {
    db = await createTestDatabase()
    sink = await startSmtpSink()
  })
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
    await sink.close()
    await db.close()
  })

  it('sends every delivery exactly once after kill -9 and a restart', { timeout: 90_000 }, async () => {
    const databaseUrl = String(((db.raw as { pool: pg.Pool }).pool.options as { connectionString: string }).connectionString)
    const people = await seedSubscribers(db, TOTAL, { prefix: 'kill' })
    const message = await createSendingMessage(db, { title: 'Vehicle crime in your area' })
    await queueDeliveries(db, message, people)
    const counts = async () =>
      Object.fromEntries(
        (await db.query<{ status: string; n: number }>(`select status, count(*)::int n from msg_deliveries where message_id = $1 group by 1`, [message])).map(r => [
          r.status,
          r.n,
        ]),
      ) as Record<string, number>

    const first = await startWorker(databaseUrl, sink.port)
    children.push(first)
    await until(() => sink.total >= TOTAL / 4, 30_000, 'the first quarter to be sent')
    // From now on the relay takes in messages without answering them: the worker's SMTP
    // connections are all mid-transaction when it dies.
    sink.hold(true)
    await until(() => sink.held >= 2, 10_000, 'sends to be in flight')
    await sleep(300)
    first.kill('SIGKILL')
    await new Promise(r => first.once('exit', r))

    const afterKill = await counts()
    const acceptedBeforeKill = sink.total
    expect(afterKill.sending ?? 0).toBeGreaterThan(0) // the worker really died mid-batch
    expect(afterKill.sent).toBe(acceptedBeforeKill) // every accepted message was recorded
    expect(acceptedBeforeKill).toBeLessThan(TOTAL)

    sink.hold(false)
    const second = await startWorker(databaseUrl, sink.port)
    children.push(second)
    await until(async () => (await counts()).sent === TOTAL, 60_000, 'every delivery to be sent')
    second.kill('SIGTERM')
    await new Promise(r => second.once('exit', r))

    const { distinct, duplicates } = sinkSummary(sink)
    expect(duplicates).toBe(0)
    expect(distinct).toBe(TOTAL)
    const [row] = await db.query<{ refs: number }>(
      `select count(*)::int as refs from msg_deliveries where message_id = $1 and status = 'sent' and provider_id is not null`,
      [message],
    )
    expect(row!.refs).toBe(TOTAL)
    const rows = await db.query<{ ref: string; subscriber_id: string }>(
      `select m.ref::text as ref, d.subscriber_id from msg_deliveries d join msg_messages m on m.id = d.message_id where d.message_id = $1`,
      [message],
    )
    expect(rows.length).toBe(TOTAL)
    for (const r of rows) expect(sink.received.get(`delivery-${formatDeliveryRef({ messageRef: r.ref, subscriberId: r.subscriber_id, channel: 'email' })}`)).toBe(1)
    const [msg] = await db.query<{ status: string }>(`select status from msg_messages where id = $1`, [message])
    expect(msg!.status).toBe('sent')
  })
})
