/**
 * A token bucket per provider, shared by every dispatch worker in one process.
 *
 * `reserve()` never refuses: it takes a token even when the bucket is empty (the balance
 * goes negative) and answers how long the caller must wait before sending. Concurrent
 * senders therefore queue up in order at exactly the configured rate instead of all
 * waking at once and racing for the next token.
 */
export interface RateLimiter {
  /** Takes one token; answers the milliseconds to wait before using it (0 = send now). */
  reserve(): number
  /** Takes one token and waits until it may be used. */
  take(): Promise<void>
  /** Tokens that could be taken right now without waiting (rounded down, never negative). */
  available(): number
  readonly perMinute: number
}

export interface RateLimiterOptions {
  perMinute: number
  /** how many seconds' worth of tokens may be spent in a burst; default 1 s (at least one token) */
  burstSeconds?: number
  /** injectable clock for tests */
  now?: () => number
  /** injectable wait for tests */
  sleep?: (ms: number) => Promise<void>
}

const realSleep = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms))

/** Creates a token bucket refilling at `perMinute / 60` tokens a second. */
export function createRateLimiter(opts: RateLimiterOptions): RateLimiter {
  if (!(opts.perMinute > 0)) throw new Error('A rate limit must be a positive number per minute')
  const now = opts.now ?? Date.now
  const sleep = opts.sleep ?? realSleep
  const perMs = opts.perMinute / 60_000
  // A burst of one second's worth keeps a provider's per-second smoothing happy (Notify
  // counts per minute, but a relay may throttle spikes) while letting a batch start at once.
  const capacity = Math.max(1, Math.floor((opts.perMinute / 60) * (opts.burstSeconds ?? 1)))
  let tokens = capacity
  let last = now()

  function refill() {
    const t = now()
    if (t > last) {
      tokens = Math.min(capacity, tokens + (t - last) * perMs)
      last = t
    }
  }

  const limiter: RateLimiter = {
    perMinute: opts.perMinute,
    reserve() {
      refill()
      tokens -= 1
      return tokens >= 0 ? 0 : Math.ceil(-tokens / perMs)
    },
    async take() {
      const wait = limiter.reserve()
      if (wait > 0) await sleep(wait)
    },
    available() {
      refill()
      return Math.max(0, Math.floor(tokens))
    },
  }
  return limiter
}
