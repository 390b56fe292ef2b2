import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../../platform/db/client.ts'
import { createTestDatabase } from '../../../../test/helpers.ts'
import { createRateLimiter, createSharedRateLimiter } from './rate-limiter.ts'

describe('rate limiter (token bucket)', () => {
  it('allows a one-second burst, then spaces sends at the configured rate', () => {
    let t = 0
    const limiter = createRateLimiter({ perMinute: 3000, now: () => t })
    // 3,000 a minute is 50 a second: the first 50 go at once.
    const waits = Array.from({ length: 60 }, () => limiter.reserve())
    expect(waits.slice(0, 50).every(w => w === 0)).toBe(true)
    // Then one every 20 ms, queued in order rather than all at the next token.
    expect(waits.slice(50)).toEqual([20, 40, 60, 80, 100, 120, 140, 160, 180, 200])
    t = 200
    expect(limiter.available()).toBe(0)
    t = 1200
    expect(limiter.available()).toBe(50)
  })

  it('never lets more than the limit (plus one burst) through in a minute', () => {
    let t = 0
    const limiter = createRateLimiter({ perMinute: 600, now: () => t })
    let sent = 0
    // Senders ask every millisecond for a minute and only count sends they may make now.
    for (t = 0; t < 60_000; t++) {
      if (limiter.available() > 0) {
        expect(limiter.reserve()).toBe(0)
        sent++
      }
    }
    expect(sent).toBeLessThanOrEqual(600 + 10)
    expect(sent).toBeGreaterThanOrEqual(600)
  })

  it('take() waits for the reserved slot', async () => {
    let t = 0
    const slept: number[] = []
    const limiter = createRateLimiter({ perMinute: 60, now: () => t, sleep: async ms => void slept.push(ms) })
    await limiter.take()
    await limiter.take()
    await limiter.take()
    expect(slept).toEqual([1000, 2000])
  })

  it('refuses a limit that is not positive', () => {
    expect(() => createRateLimiter({ perMinute: 0 })).toThrow(/positive/)
  })
})

describe('rate limiter shared through the database (several dispatch processes)', () => {
  let db: Database
  beforeAll(async () => {
    db = await createTestDatabase()
  })
  afterAll(async () => {
    await db.close()
  })

  it('holds one provider limit across two processes, queueing them in turn', async () => {
    let t = Date.parse('2026-01-05T09:00:00Z')
    const slept: number[] = []
    // Two limiters on one bucket stand for two worker processes: 600 a minute is 10 a
    // second, with a burst of 10, taken from the database 2 at a time.
    const process = () =>
      createSharedRateLimiter({ db, bucket: 'test:two-processes', perMinute: 600, chunk: 2, now: () => t, sleep: async ms => void slept.push(ms) })
    const a = process()
    const b = process()
    for (let i = 0; i < 15; i++) {
      await a.take()
      await b.take()
    }
    // 30 sends at one instant: the burst of 10 goes at once, the other 20 are spaced at the
    // limit between the two processes, as one process alone would be. (Each process drew an
    // 8th pair for its 15th send and holds the spare, hence the last at 2.2 s, not 2 s.)
    expect(slept).toHaveLength(20)
    expect([...slept].sort((x, y) => x - y)).toEqual([200, 200, 400, 400, 600, 600, 800, 800, 1000, 1000, 1200, 1200, 1400, 1400, 1600, 1600, 1800, 1800, 2000, 2200])

    // Three seconds later the 20 owed are repaid and the bucket is full again.
    t += 3000
    slept.length = 0
    for (let i = 0; i < 5; i++) await a.take()
    await b.take()
    expect(slept).toEqual([])
    const [row] = await db.query<{ tokens: number }>(`select tokens from msg_rate_buckets where bucket = 'test:two-processes'`)
    expect(Number(row!.tokens)).toBe(4)
  })
})
