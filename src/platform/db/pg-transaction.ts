import type pg from 'pg'

type Query = <T = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<T[]>

/**
 * Runs `fn` in a transaction on one pooled connection, rolling back on any error. Kept
 * apart from client.ts so processes that need only `pg` (the dispatch worker) do not
 * load Drizzle to get it.
 */
export async function pgTransaction<T>(pool: pg.Pool, fn: (q: Query) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  try {
    await client.query('begin')
    const result = await fn(async <R,>(text: string, params: unknown[] = []) => (await client.query(text, params)).rows as R[])
    await client.query('commit')
    return result
  } catch (err) {
    await client.query('rollback').catch(() => {})
    throw err
  } finally {
    client.release()
  }
}
