import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { testConfig, type Config } from '../../../config.ts'
import type { Database } from '../../../platform/db/client.ts'
import { ChannelError } from '../../../platform/channels/types.ts'
import { createJobs } from '../../../platform/jobs/index.ts'
import { createAuditService } from '../../../platform/audit/service.ts'
import { createAreasService } from '../../areas/service.ts'
import { createTestDatabase, usingPostgres } from '../../../../test/helpers.ts'
import { announceEmergencyTargeting } from '../targeting.ts'
import type { MessagingDeps } from '../deps.ts'
import { createDispatchService, DISPATCH_JOB, type DispatchOptions } from './dispatch.service.ts'
import { createSendingMessage, manualClock, queueDeliveries, recordingChannels, seedSubscribers } from './testing.ts'
import { formatDeliveryRef } from '../delivery-ref.ts'

let db: Database
let config: Config
let base: Omit<MessagingDeps, 'channels' | 'now'>

beforeAll(async () => {
  db = await createTestDatabase()
  config = testConfig({ MESSAGING_MAX_ATTEMPTS: '3', MESSAGING_FAILURES_BEFORE_FAILING: '2', MESSAGING_BATCH_SIZE: '50' })
  base = { config, db, audit: createAuditService(db), jobs: createJobs({ config, db }), areas: await createAreasService(db) }
})
afterAll(async () => {
  await db.close()
})
beforeEach(async () => {
  for (const table of ['msg_deliveries', 'msg_digests', 'msg_messages', 'msg_subscribers']) await db.query(`delete from ${table}`)
})

/** A dispatcher on a recording channel with a hand-moved clock and instant rate-limit waits. */
function setup(opts: DispatchOptions = {}) {
  const rec = recordingChannels(db)
  const clock = manualClock()
  const jobs = createJobs({ config, db })
  const dispatch = createDispatchService(
    { ...base, jobs, channels: rec.channels, now: clock.now },
    { emailPerMinute: 1_000_000, smsPerMinute: 1_000_000, sleep: async () => {}, ...opts },
  )
  return { rec, clock, dispatch, jobs }
}

const statusCounts = async (messageId: string) =>
  Object.fromEntries(
    (await db.query<{ status: string; n: number }>(`select status, count(*)::int as n from msg_deliveries where message_id = $1 group by status`, [messageId])).map(
      r => [r.status, r.n],
    ),
  )

describe('claiming', () => {
  it('sends emergency deliveries before an older routine backlog', async () => {
    const { rec, dispatch } = setup({ concurrency: 1 })
    const people = await seedSubscribers(db, 30)
    const routine = await createSendingMessage(db, { title: 'Newsletter' })
    await queueDeliveries(db, routine, people, { nextAttemptAt: new Date(Date.now() - 60_000) })
    const urgent = await createSendingMessage(db, { title: 'Missing child', priority: 'emergency' })
    await queueDeliveries(db, urgent, people.slice(0, 10), { priority: 'emergency' })

    const first = await dispatch.runOnce({ limit: 10 })
    expect(first.sent).toBe(10)
    // render.ts marks emergency subjects: "Emergency message: Missing child".
    expect(rec.sent.map(s => s.subject)).toEqual(Array(10).fill('Emergency message: Missing child'))
    await dispatch.drain()
    expect(rec.sent).toHaveLength(40)
    expect(rec.sent.slice(10).every(s => s.subject === 'Newsletter')).toBe(true)
  })

  it('serves messages of the same priority first come, first served (message ids are time-ordered)', async () => {
    const { rec, dispatch } = setup({ concurrency: 1 })
    const people = await seedSubscribers(db, 10)
    const older = await createSendingMessage(db, { title: 'Older appeal' })
    await new Promise(r => setTimeout(r, 5))
    const newer = await createSendingMessage(db, { title: 'Newer appeal' })
    // The newer message's rows were queued first and are due earlier: the older message still goes first.
    await queueDeliveries(db, newer, people, { nextAttemptAt: new Date(Date.now() - 60_000) })
    await queueDeliveries(db, older, people)
    const [{ v7 }] = (await db.query<{ v7: boolean }>(
      `select bool_and(substr(id::text, 15, 1) = '7') and $1::uuid < $2::uuid as v7 from msg_messages where id in ($1, $2)`,
      [older, newer],
    )) as [{ v7: boolean }]
    expect(v7).toBe(true)

    await dispatch.runOnce({ limit: 10 })
    expect(rec.sent.map(s => s.subject)).toEqual(Array(10).fill('Older appeal'))
    await dispatch.drain()
    expect(rec.sent.slice(10).map(s => s.subject)).toEqual(Array(10).fill('Newer appeal'))
  })

  it('sends each delivery once with its reference, records the provider id and completes the message', async () => {
    const { rec, dispatch } = setup()
    const people = await seedSubscribers(db, 120)
    const id = await createSendingMessage(db)
    await queueDeliveries(db, id, people, { channel: 'email' })
    await queueDeliveries(db, id, people.slice(0, 20), { channel: 'sms' })
    const r = await dispatch.drain()
    expect(r.sent).toBe(140)
    const refs = rec.sent.map(s => s.reference)
    expect(new Set(refs).size).toBe(140)
    // Each names its delivery: the message's short number, the resident, the channel.
    const [{ ref: messageRef }] = (await db.query<{ ref: string }>(`select ref::text from msg_messages where id = $1`, [id])) as [{ ref: string }]
    const expected = [
      ...people.map(p => `delivery-${formatDeliveryRef({ messageRef, subscriberId: p, channel: 'email' })}`),
      ...people.slice(0, 20).map(p => `delivery-${formatDeliveryRef({ messageRef, subscriberId: p, channel: 'sms' })}`),
    ]
    expect([...refs].sort()).toEqual(expected.sort())
    expect(await statusCounts(id)).toEqual({ sent: 140 })
    const [row] = await db.query<{ missing: number }>(
      `select count(*)::int as missing from msg_deliveries where message_id = $1 and (provider_id is null or sent_at is null)`,
      [id],
    )
    expect(row!.missing).toBe(0)
    const [msg] = await db.query<{ status: string; sent_at: Date | null }>(`select status, sent_at from msg_messages where id = $1`, [id])
    expect(msg!.status).toBe('sent')
    expect(msg!.sent_at).not.toBeNull()
    // Email carries the unsubscribe headers from the renderer.
    expect(rec.sent.find(s => s.channel === 'email')!.headers!['List-Unsubscribe']).toMatch(/^<.+\/alerts\/unsubscribe\//)
  })

  it('leaves a message sending while a delivery still waits for a retry', async () => {
    const { rec, dispatch } = setup()
    const people = await seedSubscribers(db, 2)
    const id = await createSendingMessage(db)
    await queueDeliveries(db, id, people)
    rec.fail(`${(await db.query<{ email: string }>(`select email from msg_subscribers where id = $1`, [people[0]]))[0]!.email}`, new ChannelError('busy', false, '451'))
    await dispatch.drain()
    expect((await db.query<{ status: string }>(`select status from msg_messages where id = $1`, [id]))[0]!.status).toBe('sending')
  })

  it('skips deliveries of a cancelled message and of a subscriber without that contact', async () => {
    const { rec, dispatch } = setup()
    const people = await seedSubscribers(db, 3)
    await db.query(`update msg_subscribers set phone = null where id = $1`, [people[0]])
    const id = await createSendingMessage(db)
    await queueDeliveries(db, id, people, { channel: 'sms' })
    const cancelled = await createSendingMessage(db, { status: 'cancelled' })
    await queueDeliveries(db, cancelled, people)
    const r = await dispatch.drain()
    expect(r.sent).toBe(2)
    expect(r.skipped).toBe(4)
    expect(rec.sent).toHaveLength(2)
  })

  it('takes a new send in resident order from its cursor, and still finds rows added behind the cursor later', async () => {
    const { rec, dispatch } = setup({ concurrency: 1 })
    const people = (await seedSubscribers(db, 12)).sort()
    const id = await createSendingMessage(db)
    await queueDeliveries(db, id, people.slice(6))
    expect((await dispatch.runOnce({ limit: 4 })).sent).toBe(4)
    // Not in the queue index: claimed from the unique key, in resident order.
    expect(rec.sent.map(s => (s as { to: string }).to)).toHaveLength(4)
    const [cursor] = await db.query<{ claim_cursor: string; fresh_rank: number | null }>(`select claim_cursor, fresh_rank from msg_messages where id = $1`, [id])
    expect(cursor).toEqual({ claim_cursor: people[9], fresh_rank: 2 })
    // A retried write adds residents who sort before the cursor (as writeDeliveries does, it starts the cursor again).
    await queueDeliveries(db, id, people.slice(0, 6))
    await dispatch.drain()
    expect(rec.sent).toHaveLength(12)
    expect(new Set(rec.sent.map(s => s.reference)).size).toBe(12)
    expect(await statusCounts(id)).toEqual({ sent: 12 })
    const [after] = await db.query<{ status: string; fresh_rank: number | null }>(`select status, fresh_rank from msg_messages where id = $1`, [id])
    expect(after).toEqual({ status: 'sent', fresh_rank: null })
  })

  it('skips a waiting row whose resident has gone (no key to name it by), and still completes the message', async () => {
    const { rec, dispatch } = setup()
    const people = await seedSubscribers(db, 2)
    const id = await createSendingMessage(db)
    await queueDeliveries(db, id, people)
    // As a row written before erasure skipped waiting rows itself would be.
    await db.query(`update msg_deliveries set subscriber_id = null where message_id = $1 and subscriber_id = $2`, [id, people[0]])
    await dispatch.drain()
    expect(rec.sent.map(s => (s as { to: string }).to)).toHaveLength(1)
    expect(await statusCounts(id)).toEqual({ sent: 1, skipped: 1 })
    const [msg] = await db.query<{ status: string }>(`select status from msg_messages where id = $1`, [id])
    expect(msg!.status).toBe('sent')
  })
})

describe('the messaging.dispatch job', () => {
  it('sends the queued deliveries itself where no dispatch loop runs in the process', { timeout: 60_000 }, async () => {
    const { rec, jobs } = setup()
    const people = await seedSubscribers(db, 5)
    const id = await createSendingMessage(db)
    await queueDeliveries(db, id, people)
    try {
      expect(await jobs.send(DISPATCH_JOB, {})).not.toBeNull()
      expect(await jobs.drain(DISPATCH_JOB)).toBe(1)
    } finally {
      await jobs.stop()
    }
    expect(rec.sent).toHaveLength(5)
    expect(await statusCounts(id)).toEqual({ sent: 5 })
  })
})

describe('failures', () => {
  it('retries a temporary failure with exponential backoff, then gives up after the maximum attempts', async () => {
    const { rec, clock, dispatch } = setup()
    const [person] = await seedSubscribers(db, 1)
    const [{ email }] = (await db.query<{ email: string }>(`select email from msg_subscribers where id = $1`, [person])) as [{ email: string }]
    const id = await createSendingMessage(db)
    await queueDeliveries(db, id, [person!])
    rec.fail(email, new ChannelError('Mail server asked to try later', false, '451'))

    const delays: number[] = []
    for (let attempt = 1; attempt <= 2; attempt++) {
      const r = await dispatch.runOnce()
      expect(r.retried).toBe(1)
      const [row] = await db.query<{ status: string; attempts: number; next: Date; error: string }>(
        `select status, attempts, next_attempt_at as next, error from msg_deliveries where message_id = $1`,
        [id],
      )
      expect(row).toMatchObject({ status: 'queued', attempts: attempt })
      expect(row!.error).toContain('try later')
      delays.push(new Date(row!.next).getTime() - clock.now().getTime())
      // Not due yet: nothing is claimed until the clock passes next_attempt_at.
      expect((await dispatch.runOnce()).claimed).toBe(0)
      clock.advance(delays[delays.length - 1]! + 1)
    }
    // 30 s then 60 s, each within ±20% jitter.
    expect(delays[0]).toBeGreaterThanOrEqual(24_000)
    expect(delays[0]).toBeLessThanOrEqual(36_000)
    expect(delays[1]).toBeGreaterThanOrEqual(48_000)
    expect(delays[1]).toBeLessThanOrEqual(72_000)

    const last = await dispatch.runOnce()
    expect(last.failed).toBe(1)
    expect(await statusCounts(id)).toEqual({ failed: 1 })
    // Temporary failures say nothing about the address: the contact is not counted against.
    const [sub] = await db.query<{ email_failures: number }>(`select email_failures from msg_subscribers where id = $1`, [person])
    expect(sub!.email_failures).toBe(0)
    expect(rec.sent).toHaveLength(0)
  })

  it('marks a contact failing after the configured number of permanent failures; a success resets the count', async () => {
    const { rec, dispatch } = setup()
    const [person] = await seedSubscribers(db, 1)
    const [{ email }] = (await db.query<{ email: string }>(`select email from msg_subscribers where id = $1`, [person])) as [{ email: string }]
    const failuresOf = async () =>
      (await db.query<{ email_failures: number; email_failing: boolean }>(`select email_failures, email_failing from msg_subscribers where id = $1`, [person]))[0]!

    rec.fail(email, new ChannelError('No such user', true, '550'))
    const first = await createSendingMessage(db)
    await queueDeliveries(db, first, [person!])
    expect((await dispatch.drain()).failed).toBe(1)
    expect(await failuresOf()).toEqual({ email_failures: 1, email_failing: false })
    expect(await statusCounts(first)).toEqual({ failed: 1 })

    rec.heal(email)
    const second = await createSendingMessage(db)
    await queueDeliveries(db, second, [person!])
    await dispatch.drain()
    expect(await failuresOf()).toEqual({ email_failures: 0, email_failing: false })

    rec.fail(email, new ChannelError('No such user', true, '550'))
    for (let i = 0; i < 2; i++) {
      const msg = await createSendingMessage(db)
      await queueDeliveries(db, msg, [person!])
      await dispatch.drain()
    }
    expect(await failuresOf()).toEqual({ email_failures: 2, email_failing: true })
  })
})

describe('exactly once after a crash (simulated in process)', () => {
  it('a worker stopped mid-batch leaves its rows to lease recovery; a new worker sends each remaining one once', async () => {
    const people = await seedSubscribers(db, 40)
    const id = await createSendingMessage(db)
    await queueDeliveries(db, id, people)

    // Worker A: the provider accepts 15 messages, then every further send hangs for ever,
    // as if the process had been killed before the provider took them.
    const a = setup({ workerId: 'worker-a', concurrency: 4, batchSize: 40 })
    let accepted = 0
    a.rec.state.gate = () => (++accepted > 15 ? new Promise<void>(() => {}) : Promise.resolve())
    void a.dispatch.runOnce()
    for (let i = 0; i < 200 && a.rec.sent.length < 15; i++) await new Promise(r => setTimeout(r, 5))
    expect(a.rec.sent).toHaveLength(15)
    // Let the 15 results land (each is written as soon as the provider answers).
    for (let i = 0; i < 200; i++) {
      if ((await statusCounts(id)).sent === 15) break
      await new Promise(r => setTimeout(r, 5))
    }
    expect(await statusCounts(id)).toEqual({ sent: 15, sending: 25 })

    // Worker B, two minutes later: the lease has expired.
    const b = setup({ workerId: 'worker-b', leaseMs: 60_000 })
    b.clock.advance(2 * 60_000)
    expect(await b.dispatch.recoverExpiredLeases()).toBe(25)
    await b.dispatch.drain()

    const refs = [...a.rec.sent, ...b.rec.sent].map(s => s.reference)
    expect(refs).toHaveLength(40)
    expect(new Set(refs).size).toBe(40)
    expect(await statusCounts(id)).toEqual({ sent: 40 })
  })

  it('does not take back rows whose lease has not expired', async () => {
    const people = await seedSubscribers(db, 5)
    const id = await createSendingMessage(db)
    await queueDeliveries(db, id, people)
    const a = setup({ workerId: 'a' })
    await a.dispatch.claim(5)
    const b = setup({ workerId: 'b', leaseMs: 60_000 })
    b.clock.advance(30_000)
    expect(await b.dispatch.recoverExpiredLeases()).toBe(0)
    expect((await b.dispatch.runOnce()).claimed).toBe(0)
  })

  it('hands routine rows back unsent when it stops, without counting an attempt', async () => {
    const people = await seedSubscribers(db, 10)
    const id = await createSendingMessage(db)
    await queueDeliveries(db, id, people)
    const a = setup({ workerId: 'a' })
    const rows = await a.dispatch.claim(10)
    expect(await a.dispatch.release(rows)).toBe(10)
    expect(await statusCounts(id)).toEqual({ queued: 10 })
    const [{ attempts }] = (await db.query<{ attempts: number }>(`select max(attempts)::int as attempts from msg_deliveries`)) as [{ attempts: number }]
    expect(attempts).toBe(0)
    // Behind the cursor now, back in the queue index: the next worker sends every one.
    const b = setup({ workerId: 'b' })
    expect((await b.dispatch.drain()).sent).toBe(10)
    expect(await statusCounts(id)).toEqual({ sent: 10 })
  })
})

describe('receipts', () => {
  it('moves a delivery to delivered, or to failed with a count against the contact', async () => {
    const { rec, dispatch } = setup()
    const people = await seedSubscribers(db, 2)
    const id = await createSendingMessage(db)
    await queueDeliveries(db, id, people)
    await dispatch.drain()
    const rows = await db.query<{ ref: string; provider_id: string; subscriber_id: string }>(
      `select m.ref::text as ref, d.provider_id, d.subscriber_id from msg_deliveries d join msg_messages m on m.id = d.message_id
        where d.message_id = $1 order by d.subscriber_id`,
      [id],
    )
    const reference = `delivery-${formatDeliveryRef({ messageRef: rows[0]!.ref, subscriberId: rows[0]!.subscriber_id, channel: 'email' })}`
    const base = { provider: 'notify' as const, channel: 'email' as const, occurredAt: new Date('2026-01-01T10:00:00Z') }
    await rec.channels.receipts.record({ ...base, providerId: rows[0]!.provider_id, reference, status: 'delivered', providerStatus: 'delivered' })
    // A repeat of the same receipt changes nothing.
    await rec.channels.receipts.record({ ...base, providerId: rows[0]!.provider_id, reference, status: 'delivered', providerStatus: 'delivered' })
    // Found by provider id alone as well.
    await rec.channels.receipts.record({ ...base, providerId: rows[1]!.provider_id, reference: null, status: 'permanent-failure', providerStatus: 'permanent-failure' })
    const after = await db.query<{ status: string; delivered_at: Date | null; email_failures: number }>(
      `select d.status, d.delivered_at, s.email_failures from msg_deliveries d join msg_subscribers s on s.id = d.subscriber_id
        where d.message_id = $1 order by d.subscriber_id`,
      [id],
    )
    expect(after[0]).toMatchObject({ status: 'delivered', email_failures: 0 })
    expect(new Date(after[0]!.delivered_at!).toISOString()).toBe('2026-01-01T10:00:00.000Z')
    expect(after[1]).toMatchObject({ status: 'failed', email_failures: 1 })
    dispatch.dispose()
  })
})

describe('emergency pre-emption', () => {
  it('a loop draining a routine send yields to an emergency message that arrives meanwhile', async () => {
    const { rec, dispatch } = setup({ workers: 1, concurrency: 2, batchSize: 200, emergencyCheckMs: 20, pollMs: 20 })
    const people = await seedSubscribers(db, 300)
    const routine = await createSendingMessage(db, { title: 'Newsletter' })
    await queueDeliveries(db, routine, people)
    // Each send takes a little while, as a real provider's does.
    rec.state.gate = () => new Promise(r => setTimeout(r, 10))
    await dispatch.start()
    try {
      for (let i = 0; i < 500 && rec.sent.length < 20; i++) await new Promise(r => setTimeout(r, 5))
      const urgent = await createSendingMessage(db, { title: 'Missing child', priority: 'emergency' })
      await queueDeliveries(db, urgent, people.slice(0, 5), { priority: 'emergency' })
      for (let i = 0; i < 1000 && rec.sent.filter(s => s.subject === 'Emergency message: Missing child').length < 5; i++) await new Promise(r => setTimeout(r, 5))
    } finally {
      await dispatch.stop()
    }
    const firstUrgent = rec.sent.findIndex(s => s.subject === 'Emergency message: Missing child')
    expect(firstUrgent).toBeGreaterThan(0)
    // Well before the routine batch of 200 (and the 300-row backlog) would have finished.
    expect(firstUrgent).toBeLessThan(150)
    // Stopping handed the unsent part of the routine batch back; nothing was sent twice.
    expect(new Set(rec.sent.map(s => s.reference)).size).toBe(rec.sent.length)
    expect((await statusCounts(routine)).sending ?? 0).toBe(0)
  })
})

describe.skipIf(!usingPostgres())('an emergency being targeted (PostgreSQL: the targeting runs on another connection)', () => {
  it('routine sending pauses while an emergency message’s deliveries are being written, and resumes after', async () => {
    const { rec, dispatch } = setup({ workers: 1, concurrency: 2, batchSize: 20, emergencyCheckMs: 20, pollMs: 20 })
    const people = await seedSubscribers(db, 400)
    const routine = await createSendingMessage(db, { title: 'Newsletter' })
    await queueDeliveries(db, routine, people)
    rec.state.gate = () => new Promise(r => setTimeout(r, 5))
    const pool = (db.raw as { pool: import('pg').Pool }).pool
    const targeting = await pool.connect()
    await dispatch.start()
    try {
      for (let i = 0; i < 500 && rec.sent.length < 10; i++) await new Promise(r => setTimeout(r, 5))
      // What writeDeliveries does for an emergency message, held open as a slow targeting would be.
      await targeting.query('begin')
      await announceEmergencyTargeting((text, params) => targeting.query(text, params).then(r => r.rows))
      await new Promise(r => setTimeout(r, 150)) // the loop notices and hands its batch back
      const paused = rec.sent.length
      await new Promise(r => setTimeout(r, 300))
      expect(rec.sent.length).toBe(paused)
      await targeting.query('commit')
      for (let i = 0; i < 500 && rec.sent.length <= paused; i++) await new Promise(r => setTimeout(r, 5))
      expect(rec.sent.length).toBeGreaterThan(paused)
    } finally {
      targeting.release()
      await dispatch.stop()
    }
    expect(new Set(rec.sent.map(s => s.reference)).size).toBe(rec.sent.length)
  })
})

describe.skipIf(!usingPostgres())('two workers on PostgreSQL', () => {
  it('never take the same row (FOR UPDATE SKIP LOCKED)', async () => {
    const people = await seedSubscribers(db, 600)
    const id = await createSendingMessage(db)
    await queueDeliveries(db, id, people)
    const a = setup({ workerId: 'a', batchSize: 25 })
    const b = setup({ workerId: 'b', batchSize: 25 })
    const [ra, rb] = await Promise.all([a.dispatch.drain(), b.dispatch.drain()])
    expect(ra.sent + rb.sent).toBe(600)
    // Both did part of the work, and the union has every reference exactly once.
    expect(ra.sent).toBeGreaterThan(0)
    expect(rb.sent).toBeGreaterThan(0)
    const refs = [...a.rec.sent, ...b.rec.sent].map(s => s.reference)
    expect(new Set(refs).size).toBe(600)
    expect(refs).toHaveLength(600)
  })
})
