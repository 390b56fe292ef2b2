import type { Database } from '../../../platform/db/client.ts'

/**
 * Token buckets per provider: `createRateLimiter` in one process (shared by its dispatch
 * loops), `createSharedRateLimiter` in the database (shared by every dispatch process).
 *
 * `reserve()` never refuses: it takes a token even when the bucket is empty (the balance
 * goes negative) and answers how long the caller must wait before sending. Concurrent
 * senders therefore queue up in order at exactly the configured rate instead of all
 * waking at once and racing for the next token.
 */
export interface RateLimiter {
  /** Takes one token and waits until it may be used. */
  take(): Promise<void>
  readonly perMinute: number
}

/** The in-process bucket, which can also answer without waiting. */
export interface LocalRateLimiter extends RateLimiter {
  /** Takes one token; answers the milliseconds to wait before using it (0 = send now). */
  reserve(): number
  /** Tokens that could be taken right now without waiting (rounded down, never negative). */
  available(): number
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
export function createRateLimiter(opts: RateLimiterOptions): LocalRateLimiter {
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

  const limiter: LocalRateLimiter = {
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

export interface SharedRateLimiterOptions extends RateLimiterOptions {
  db: Pick<Database, 'query'>
  /** the bucket's name, one per provider account (e.g. "notify", "email:smtp") */
  bucket: string
  /** tokens taken from the database at a time; default a fifth of a second's worth */
  chunk?: number
}

/**
 * A token bucket kept in the database (`msg_rate_buckets`, one row per provider), shared by
 * every dispatch process: the provider's limit holds however many workers run, instead of
 * each process being given a share of it.
 *
 * A process takes tokens a few at a time (`chunk`) with one UPDATE … RETURNING, which
 * refills the bucket for the time since its last use, takes the chunk and answers the
 * balance. As with the in-process bucket the balance may go negative: the chunk is then
 * usable only once the refill has caught up (−balance ÷ rate), so processes queue in the
 * order they asked rather than racing. Times come from the dispatcher's clock. A process
 * that stops with tokens in hand wastes them: the limit is never exceeded, only
 * under-used for a moment.
 */
export function createSharedRateLimiter(opts: SharedRateLimiterOptions): RateLimiter {
  if (!(opts.perMinute > 0)) throw new Error('A rate limit must be a positive number per minute')
  const now = opts.now ?? Date.now
  const sleep = opts.sleep ?? realSleep
  const perSecond = opts.perMinute / 60
  const capacity = Math.max(1, Math.floor(perSecond * (opts.burstSeconds ?? 1)))
  const chunk = Math.max(1, Math.min(capacity, Math.floor(opts.chunk ?? Math.ceil(perSecond / 5))))
  let held = 0
  let usableAt = 0
  let fetching: Promise<void> | null = null

  async function fetchChunk(): Promise<void> {
    const at = now()
    const [row] = await opts.db.query<{ tokens: number }>(
      `insert into msg_rate_buckets as b (bucket, tokens, updated_at)
       values ($1, $2::float8 - $4::float8, $5)
       on conflict (bucket) do update
          set tokens = least($2::float8, b.tokens + greatest(0, extract(epoch from ($5::timestamptz - b.updated_at))) * $3::float8) - $4::float8,
              updated_at = greatest(b.updated_at, $5::timestamptz)
       returning tokens`,
      [opts.bucket, capacity, perSecond, chunk, new Date(at)],
    )
    const balance = Number(row?.tokens ?? 0)
    held += chunk
    usableAt = Math.max(usableAt, at + (balance < 0 ? Math.ceil((-balance / perSecond) * 1000) : 0))
  }

  return {
    perMinute: opts.perMinute,
    async take() {
      while (held <= 0) {
        fetching ??= fetchChunk().finally(() => {
          fetching = null
        })
        await fetching
      }
      held--
      const wait = usableAt - now()
      if (wait > 0) await sleep(wait)
    },
  }
}
