import { contentGeneration, etagFor } from '../../../../platform/http/page-cache.ts'

/** One serialised API answer: the exact bytes sent and their strong ETag. */
export interface CachedJson {
  body: Buffer
  etag: string
}

export interface JsonCacheOptions {
  /** how long an answer is reused, in ms */
  ttlMs: number
  /** answers kept at once; the oldest goes first */
  maxEntries: number
  now?: () => number
}

interface Entry extends CachedJson {
  expires: number
  generation: number
}

export const serialise = (value: unknown): CachedJson => {
  const body = Buffer.from(JSON.stringify(value))
  return { body, etag: etagFor(body) }
}

/**
 * The open data API's per-path answers, serialised once and reused for a short TTL. An
 * answer is stale when the TTL runs out or when the process-wide content generation moves on
 * (the page cache bumps it after every successful non-GET request, so a staff edit in this
 * process shows at once; another process's edit shows within the TTL). Concurrent misses on
 * one key share a single load. A load answering null (unknown force or neighbourhood) is
 * not kept, so made-up paths cannot fill the cache.
 */
export function createJsonCache(opts: JsonCacheOptions) {
  const now = opts.now ?? Date.now
  const entries = new Map<string, Entry>()
  const loading = new Map<string, Promise<CachedJson | null>>()

  return {
    async get(key: string, load: () => Promise<unknown>): Promise<CachedJson | null> {
      const generation = contentGeneration()
      const hit = entries.get(key)
      if (hit && hit.generation === generation && hit.expires > now()) return hit
      const pending = loading.get(key)
      if (pending) return pending
      const run = (async () => {
        try {
          const value = await load()
          if (value === null || value === undefined) return null
          const answer = serialise(value)
          // Written while this was loading: what it read may be old, so it is not kept.
          if (contentGeneration() === generation) {
            entries.delete(key)
            while (entries.size >= opts.maxEntries) entries.delete(entries.keys().next().value!)
            entries.set(key, { ...answer, expires: now() + opts.ttlMs, generation })
          }
          return answer
        } finally {
          loading.delete(key)
        }
      })()
      loading.set(key, run)
      return run
    },
    clear: () => entries.clear(),
    size: () => entries.size,
  }
}

export type JsonCache = ReturnType<typeof createJsonCache>
