import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { testConfig } from '../../config.ts'
import { createTestDatabase, usingPostgres } from '../../../test/helpers.ts'
import type { Database } from '../db/client.ts'
import { createChannels } from '../channels/index.ts'
import { ChannelError, type Channels } from '../channels/types.ts'
import { createJobs, defineJob, JOBS_SCHEMA, PermanentJobError, type Jobs } from './index.ts'
import { jobsRegistry } from './metrics.ts'
import { enqueueEmail, sendEmailJob, SEND_EMAIL } from './send-email.ts'

const config = testConfig()

/** Resolves when `check` answers true, polling; fails the test after `ms`. */
async function waitFor(check: () => Promise<boolean> | boolean, ms = 15_000): Promise<void> {
  const until = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting')
    await new Promise(r => setTimeout(r, 50))
  }
}

async function jobRow(db: Database, id: string) {
  const [row] = await db.query<{ state: string; retry_count: number; output: Record<string, unknown> | null }>(
    `select state, retry_count, output from ${JOBS_SCHEMA}.job where id = $1`,
    [id],
  )
  return row
}

describe(`jobs on ${usingPostgres() ? 'PostgreSQL' : 'PGlite'}`, () => {
  let db: Database
  let jobs: Jobs
  const seen: { data: unknown; attempt: number }[] = []
  let failuresLeft = 0

  const echo = defineJob({
    id: 'test-echo',
    schema: z.object({ n: z.number().int() }),
    pollingIntervalSeconds: 0.5,
    retryDelaySeconds: 1,
    async handler(data, ctx) {
      seen.push({ data, attempt: ctx.attempt })
      if (failuresLeft > 0) {
        failuresLeft--
        throw new Error('flaky provider')
      }
      return { doubled: data.n * 2 }
    },
  })
  const doomed = defineJob({
    id: 'test-doomed',
    schema: z.object({ n: z.number() }),
    pollingIntervalSeconds: 0.5,
    retryDelaySeconds: 1,
    async handler(data) {
      seen.push({ data, attempt: -1 })
      throw new PermanentJobError('that record has gone')
    },
  })

  beforeAll(async () => {
    db = await createTestDatabase()
    jobs = createJobs({ db, config, runWorkers: true })
    jobs.register(echo)
    jobs.register(doomed)
    await jobs.start()
  })
  afterEach(() => {
    seen.length = 0
    failuresLeft = 0
  })
  afterAll(async () => {
    await jobs.stop()
    await db.close()
  })

  it('runs a job sent to an in-process worker', async () => {
    expect(jobs.runningWorkers).toBe(true)
    const id = await jobs.send(echo, { n: 21 })
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    await waitFor(async () => (await jobRow(db, id!))?.state === 'completed')
    expect(seen).toEqual([{ data: { n: 21 }, attempt: 1 }])
    expect((await jobRow(db, id!))?.output).toEqual({ doubled: 42 })
  })

  it('retries a failing job with backoff until it succeeds', async () => {
    failuresLeft = 1
    const id = await jobs.send('test-echo', { n: 1 })
    await waitFor(async () => (await jobRow(db, id!))?.state === 'completed')
    expect(seen.map(s => s.attempt)).toEqual([1, 2])
    expect((await jobRow(db, id!))?.retry_count).toBe(1)
  })

  it('does not retry a permanent failure', async () => {
    const id = await jobs.send(doomed, { n: 1 })
    await waitFor(async () => (await jobRow(db, id!))?.state === 'failed')
    // Another poll or two: still one attempt.
    await new Promise(r => setTimeout(r, 1500))
    expect(seen).toHaveLength(1)
    const row = await jobRow(db, id!)
    expect(row?.retry_count).toBe(0)
    expect(JSON.stringify(row?.output)).toContain('that record has gone')
  })

  it('refuses a payload that does not match the job, before queueing it', async () => {
    await expect(jobs.send(echo, { n: 'twelve' } as unknown as { n: number })).rejects.toThrow()
    await expect(jobs.send('no-such-job', {})).rejects.toThrow(/No job named no-such-job/)
    const [count] = await db.query<{ n: number }>(`select count(*)::int as n from ${JOBS_SCHEMA}.job where name = 'test-echo' and data->>'n' = 'twelve'`)
    expect(count!.n).toBe(0)
  })

  it('fails without retrying a queued payload that no longer matches its job', async () => {
    // As if queued by an older release: inserted straight into pg-boss's table.
    const [row] = await db.query<{ id: string }>(
      `insert into ${JOBS_SCHEMA}.job (name, data, retry_limit, retry_delay, retry_backoff, policy) values ('test-echo', '{"n":"old"}', 3, 1, false, 'standard') returning id`,
    )
    await waitFor(async () => (await jobRow(db, row!.id))?.state === 'failed')
    expect(seen).toHaveLength(0)
    expect((await jobRow(db, row!.id))?.retry_count).toBe(0)
  })

  it('counts jobs in the Prometheus metrics', async () => {
    const id = await jobs.send(echo, { n: 5 })
    await waitFor(async () => (await jobRow(db, id!))?.state === 'completed')
    const text = await jobsRegistry.metrics()
    expect(text).toMatch(/beacon_jobs_sent_total\{queue="test-echo"\} [1-9]/)
    expect(text).toMatch(/beacon_jobs_finished_total\{queue="test-echo",outcome="completed"\} [1-9]/)
    expect(text).toMatch(/beacon_jobs_finished_total\{queue="test-doomed",outcome="permanent"\} [1-9]/)
  })

  it('keeps a schedule in the database', async () => {
    await jobs.schedule('test-echo', '0 3 * * *', { n: 3 })
    const rows = await db.query<{ name: string; cron: string; timezone: string }>(`select name, cron, timezone from ${JOBS_SCHEMA}.schedule`)
    expect(rows).toEqual([{ name: 'test-echo', cron: '0 3 * * *', timezone: 'Europe/London' }])
    await expect(jobs.schedule('no-such-job', '* * * * *')).rejects.toThrow()
  })

  it('lets several sends at once all arrive', async () => {
    const ids = await Promise.all(Array.from({ length: 10 }, (_, n) => jobs.send(echo, { n })))
    await waitFor(async () => {
      const [r] = await db.query<{ n: number }>(
        `select count(*)::int as n from ${JOBS_SCHEMA}.job where id = any($1::uuid[]) and state = 'completed'`,
        [ids],
      )
      return r!.n === 10
    })
    expect(seen.map(s => (s.data as { n: number }).n).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  })
})

describe('jobs without workers in the process', () => {
  let db: Database
  let channels: Channels
  afterAll(async () => db?.close())

  it('queues on send and runs what is due on drain (tests, the command line)', async () => {
    db = await createTestDatabase()
    channels = createChannels(config, db)
    const jobs = createJobs({ db, config, runWorkers: false })
    jobs.register(sendEmailJob(channels))
    await jobs.start()
    expect(jobs.runningWorkers).toBe(false)
    const id = await enqueueEmail(jobs, {
      to: 'officer@police.example',
      subject: 'Reset your password',
      text: 'Use this link: https://beacon.example/staff/reset-password/abc',
      headers: { 'X-Test': 'yes' },
    })
    expect(id).toBeTruthy()
    await new Promise(r => setTimeout(r, 300))
    const before = await db.query('select 1 from outbox_messages')
    expect(before).toHaveLength(0)

    expect(await jobs.drain(SEND_EMAIL)).toBe(1)
    const rows = await db.query<{ recipient: string; subject: string; headers: Record<string, string> }>(
      'select recipient, subject, headers from outbox_messages',
    )
    expect(rows).toEqual([{ recipient: 'officer@police.example', subject: 'Reset your password', headers: { 'X-Test': 'yes' } }])
    expect((await jobRow(db, id!))?.state).toBe('completed')
    expect(await jobs.drain()).toBe(0)
    await jobs.stop()
    await expect(jobs.send(SEND_EMAIL, { to: 'a@b.example', subject: 's', text: 't' })).rejects.toThrow(/stopped/)
  })

  it('sends without start() and ends a bad address permanently while retrying an outage', async () => {
    const db2 = await createTestDatabase()
    const calls: string[] = []
    const fakeChannels: Channels = {
      ...createChannels(config, db2),
      email: {
        name: 'smtp',
        async sendEmail(m) {
          calls.push(m.to)
          if (m.to.startsWith('gone')) throw new ChannelError('550 no such user', true, '550')
          throw new ChannelError('connection refused', false, 'ECONNECTION')
        },
      },
    }
    const jobs = createJobs({ db: db2, config, runWorkers: false })
    jobs.register(sendEmailJob(fakeChannels))
    const gone = await enqueueEmail(jobs, { to: 'gone@example.org', subject: 's', text: 't' })
    const later = await enqueueEmail(jobs, { to: 'later@example.org', subject: 's', text: 't' })
    expect(await jobs.drain()).toBe(2)
    expect(calls.sort()).toEqual(['gone@example.org', 'later@example.org'])
    expect(await jobRow(db2, gone!)).toMatchObject({ state: 'failed', retry_count: 0 })
    // Retried later, after the backoff (30 s by default), so not run again by this drain.
    expect(await jobRow(db2, later!)).toMatchObject({ state: 'retry' })
    expect(await jobs.drain()).toBe(0)
    await jobs.stop()
    await db2.close()
  })
})

describe('stopping', () => {
  it('waits for a running job to finish before answering', async () => {
    const db = await createTestDatabase()
    const jobs = createJobs({ db, config, runWorkers: true })
    let finished = false
    let started = false
    jobs.register(
      defineJob({
        id: 'test-slow',
        schema: z.object({}),
        pollingIntervalSeconds: 0.5,
        async handler() {
          started = true
          await new Promise(r => setTimeout(r, 1500))
          finished = true
        },
      }),
    )
    await jobs.start()
    const id = await jobs.send('test-slow', {})
    await waitFor(() => started)
    await jobs.stop({ timeoutMs: 10_000 })
    expect(finished).toBe(true)
    expect((await jobRow(db, id!))?.state).toBe('completed')
    await db.close()
  })
})
