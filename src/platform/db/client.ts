import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import type { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator'
import * as schema from './schema.ts'
import { pgTransaction } from './pg-transaction.ts'

export type Schema = typeof schema
export type DrizzleDb = ReturnType<typeof drizzlePglite<Schema>> | ReturnType<typeof drizzlePg<Schema>>

/**
 * One handle on the database whichever driver is behind it. Modules use `orm` (Drizzle)
 * for ordinary queries and `query` for hand-written set-based SQL; both speak the same
 * PostgreSQL dialect on PGlite and on a server.
 */
export interface Database {
  kind: 'pglite' | 'postgres'
  orm: DrizzleDb
  /** Parameterised SQL ($1, $2…); returns rows. */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>
  /** Runs `fn` inside a transaction; the callback gets a query function bound to it. */
  transaction<T>(fn: (q: Database['query']) => Promise<T>): Promise<T>
  /** Answers true when the database answers a trivial query. */
  ping(): Promise<boolean>
  close(): Promise<void>
  /** The underlying driver, for adapters (pg-boss) that need it. */
  raw: { pglite: PGlite } | { pool: pg.Pool }
}

export const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations')

export interface DatabaseOptions {
  /** postgres://… to use a server; otherwise PGlite */
  databaseUrl?: string | undefined
  /** PGlite data directory; omitted = in memory (tests) */
  dataDir?: string | undefined
  /** pool size for PostgreSQL */
  poolMax?: number
  /** an in-memory PGlite starts from this dump (PGlite's dumpDataDir) instead of an empty cluster: tests use a migrated one */
  pgliteDump?: Blob | undefined
}

export async function createDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.databaseUrl) return createPostgres(opts.databaseUrl, opts.poolMax ?? 10)
  return createPglite(opts.dataDir, opts.pgliteDump)
}

/**
 * PGlite (WebAssembly Postgres, ~150 MB once loaded) is imported only when used, so
 * processes on PostgreSQL, such as delivery workers, do not carry it.
 */
async function createPglite(dataDir: string | undefined, dump: Blob | undefined): Promise<Database> {
  const [{ PGlite }, { drizzle: drizzlePglite }] = await Promise.all([import('@electric-sql/pglite'), import('drizzle-orm/pglite')])
  if (dataDir) mkdirSync(dataDir, { recursive: true })
  const pglite = dataDir ? new PGlite(path.join(dataDir, 'pglite')) : dump ? new PGlite({ loadDataDir: dump }) : new PGlite()
  await pglite.waitReady
  const orm = drizzlePglite(pglite, { schema })
  let closed = false
  const query = async <T,>(text: string, params: unknown[] = []) =>
    (await pglite.query<T>(text, params)).rows
  return {
    kind: 'pglite',
    orm,
    query,
    transaction: fn =>
      pglite.transaction(async tx => fn(async <T,>(text: string, params: unknown[] = []) => (await tx.query<T>(text, params)).rows)),
    ping: () => (closed ? Promise.resolve(false) : answers(() => pglite.query('select 1'))),
    close: async () => {
      if (closed) return
      closed = true
      await pglite.close()
    },
    raw: { pglite },
  }
}

async function createPostgres(url: string, max: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 5000 })
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {})
  const orm = drizzlePg(pool, { schema })
  let closed = false
  const query = async <T,>(text: string, params: unknown[] = []) => (await pool.query(text, params)).rows as T[]
  return {
    kind: 'postgres',
    orm,
    query,
    transaction: fn => pgTransaction(pool, fn),
    ping: () => (closed ? Promise.resolve(false) : answers(() => pool.query('select 1'))),
    close: async () => {
      if (closed) return
      closed = true
      await pool.end()
    },
    raw: { pool },
  }
}

/** True when the query completes without error. */
const answers = (run: () => Promise<unknown>) =>
  run().then(
    () => true,
    () => false,
  )

/** Applies the committed migrations (idempotent). */
export async function runMigrations(db: Database): Promise<void> {
  if (db.kind === 'pglite') {
    const { migrate: migratePglite } = await import('drizzle-orm/pglite/migrator')
    return migratePglite(db.orm as ReturnType<typeof drizzlePglite<Schema>>, { migrationsFolder })
  }
  // Web and worker processes starting together must not race: a session-level advisory
  // lock, held on its own connection, lets one migrate while the others wait and then
  // find nothing to do.
  const pool = (db.raw as { pool: pg.Pool }).pool
  const lockClient = await pool.connect()
  try {
    await lockClient.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY])
    await migratePg(db.orm as ReturnType<typeof drizzlePg<Schema>>, { migrationsFolder })
  } finally {
    await lockClient.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {})
    lockClient.release()
  }
}

/** An arbitrary constant naming Beacon's migration lock ("beacon" in ASCII). */
const MIGRATION_LOCK_KEY = 0x626561636f6e
