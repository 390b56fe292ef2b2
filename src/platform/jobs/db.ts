import type { PGlite } from '@electric-sql/pglite'
import type pg from 'pg'
import type { Database } from '../db/client.ts'

/** What pg-boss needs from a database: run SQL, answer rows. */
export interface BossDb {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: any[] }>
}

/**
 * pg-boss on PGlite. PGlite's `query` runs one statement with parameters (the extended
 * protocol); its `exec` runs a script of many statements without parameters (the simple
 * protocol). pg-boss sends both kinds: parameterised job queries, and parameterless scripts
 * such as its schema or `BEGIN; lock; …; COMMIT;`. A failing script would leave that one
 * shared connection inside an aborted transaction, so scripts run inside PGlite's own
 * transaction wrapper, which rolls back on error while still holding PGlite's lock. PGlite
 * runs one statement at a time, so concurrent callers simply queue.
 */
export function pgliteBossDb(pglite: PGlite): BossDb {
  return {
    async executeSql(text, values) {
      if (values && values.length > 0) {
        // pg turns undefined into NULL; PGlite's serialisers do not.
        return { rows: (await pglite.query(text, values.map(v => (v === undefined ? null : v)))).rows }
      }
      const results = await pglite.transaction(tx => tx.exec(text))
      return { rows: results.at(-1)?.rows ?? [] }
    },
  }
}

/**
 * pg-boss on the application's PostgreSQL pool, so jobs do not open a second pool. A
 * parameterless script that fails part-way leaves its connection in an aborted
 * transaction; it is rolled back before the connection goes back to the pool.
 */
export function poolBossDb(pool: pg.Pool): BossDb {
  return {
    async executeSql(text, values) {
      if (values && values.length > 0) return pool.query(text, values)
      const client = await pool.connect()
      try {
        // pg answers a script with one result per statement; answer like PGlite, the last.
        const result = (await client.query(text)) as pg.QueryResult | pg.QueryResult[]
        return Array.isArray(result) ? { rows: result.at(-1)?.rows ?? [] } : result
      } catch (err) {
        await client.query('rollback').catch(() => {})
        throw err
      } finally {
        client.release()
      }
    },
  }
}

/** The pg-boss adapter for whichever driver the database uses. */
export function bossDbFor(db: Database): BossDb {
  return 'pglite' in db.raw ? pgliteBossDb(db.raw.pglite) : poolBossDb(db.raw.pool)
}
