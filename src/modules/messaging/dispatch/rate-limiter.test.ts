import { describe, expect, it } from 'vitest'
import { createRateLimiter } from './rate-limiter.ts'

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
