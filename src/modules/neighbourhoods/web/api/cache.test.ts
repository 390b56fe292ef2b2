import { describe, expect, it } from 'vitest'
import { contentChanged } from '../../../../platform/http/page-cache.ts'
import { createJsonCache } from './cache.ts'

describe('API answer cache', () => {
  it('serialises once and reuses the bytes and ETag until the TTL runs out', async () => {
    let clock = 0
    let loads = 0
    const cache = createJsonCache({ ttlMs: 1000, maxEntries: 10, now: () => clock })
    const load = async () => ({ n: ++loads })
    const a = await cache.get('k', load)
    const b = await cache.get('k', load)
    expect(loads).toBe(1)
    expect(b!.body).toBe(a!.body)
    expect(a!.body.toString()).toBe('{"n":1}')
    expect(a!.etag).toMatch(/^"[\w-]+"$/)
    clock = 1001
    expect((await cache.get('k', load))!.body.toString()).toBe('{"n":2}')
  })

  it('forgets everything when content changes in this process', async () => {
    let loads = 0
    const cache = createJsonCache({ ttlMs: 60_000, maxEntries: 10 })
    await cache.get('k', async () => ++loads)
    contentChanged()
    await cache.get('k', async () => ++loads)
    expect(loads).toBe(2)
  })

  it('shares one load between concurrent misses, and keeps nothing for null', async () => {
    let loads = 0
    const cache = createJsonCache({ ttlMs: 60_000, maxEntries: 10 })
    const slow = async () => {
      loads++
      await new Promise(r => setTimeout(r, 10))
      return [1]
    }
    const [a, b] = await Promise.all([cache.get('k', slow), cache.get('k', slow)])
    expect(loads).toBe(1)
    expect(a!.body).toBe(b!.body)
    expect(await cache.get('missing', async () => null)).toBeNull()
    expect(cache.size()).toBe(1)
  })

  it('does not keep an answer loaded while content changed', async () => {
    const cache = createJsonCache({ ttlMs: 60_000, maxEntries: 10 })
    await cache.get('k', async () => {
      contentChanged()
      return 'old'
    })
    expect(cache.size()).toBe(0)
  })

  it('keeps at most maxEntries, dropping the oldest', async () => {
    const cache = createJsonCache({ ttlMs: 60_000, maxEntries: 2 })
    for (const k of ['a', 'b', 'c']) await cache.get(k, async () => k)
    expect(cache.size()).toBe(2)
    let reloaded = false
    await cache.get('a', async () => ((reloaded = true), 'a'))
    expect(reloaded).toBe(true)
  })
})
