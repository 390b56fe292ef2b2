/**
 * A small seeded pseudo-random generator (mulberry32): the same seed always gives the same
 * sequence, so demo data and benchmarks are reproducible. Not for anything secret.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** An integer from min to max inclusive. */
export const randomInt = (random: () => number, min: number, max: number) => min + Math.floor(random() * (max - min + 1))

/** One element of a non-empty list. */
export function pick<T>(random: () => number, list: readonly T[]): T {
  if (list.length === 0) throw new Error('pick from an empty list')
  return list[Math.floor(random() * list.length)]!
}

/** A shuffled copy (Fisher–Yates). */
export function shuffled<T>(random: () => number, list: readonly T[]): T[] {
  const out = [...list]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}
