import { randomBytes } from 'node:crypto'
import pg from 'pg'
import type { FastifyInstance } from 'fastify'
import { testConfig, type Config } from '../src/config.ts'
import { createDatabase, runMigrations, type Database } from '../src/platform/db/client.ts'
import { buildApp } from '../src/app.ts'
import { createServices, type Services } from '../src/services.ts'
import { loadPgliteTemplate } from './pglite-template.ts'

/** The server the PostgreSQL pass of the suite uses (see scripts/test.ts). */
export const testPostgresUrl = () => process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
export const usingPostgres = () => process.env.BEACON_TEST_DB === 'postgres'

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or a new
 * throw-away database on the PostgreSQL server when the suite runs its PostgreSQL pass.
 */
export async function createTestDatabase(): Promise<Database> {
  if (!usingPostgres()) {
    const dump = loadPgliteTemplate()
    const db = await createDatabase({ pgliteDump: dump })
    // A template is already migrated; this then only checks (and stays right if it is not).
    await runMigrations(db)
    return db
  }
  const adminUrl = testPostgresUrl()
  const name = `beacon_test_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  const db = await createDatabase({ databaseUrl: url.toString(), poolMax: 4 })
  await runMigrations(db)
  const close = db.close
  db.close = async () => {
    await close()
    const a = new pg.Client({ connectionString: adminUrl })
    await a.connect()
    await a.query(`drop database if exists ${name} with (force)`)
    await a.end()
  }
  return db
}

export interface TestApp {
  app: FastifyInstance
  db: Database
  services: Services
  config: Config
  close(): Promise<void>
}

/** The real app on a fresh database, with any services swapped. */
export async function createTestApp(opts: { env?: Record<string, string>; services?: Partial<Services> } = {}): Promise<TestApp> {
  const config = testConfig(opts.env)
  const db = await createTestDatabase()
  const services = await createServices(config, db, opts.services)
  const app = await buildApp({ config, db, services })
  await app.ready()
  return {
    app,
    db,
    services,
    config,
    async close() {
      await app.close()
      await db.close()
    },
  }
}

/** A tiny cookie jar and CSRF-aware form poster for route tests with `app.inject`. */
export class Browser {
  cookies = new Map<string, string>()
  readonly app: FastifyInstance
  constructor(app: FastifyInstance) {
    this.app = app
  }

  private cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  }

  private keep(setCookie: string | string[] | undefined) {
    for (const c of [setCookie ?? []].flat()) {
      const [pair] = c.split(';')
      const i = pair!.indexOf('=')
      const name = pair!.slice(0, i)
      const value = pair!.slice(i + 1)
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(c) || /max-age=0/i.test(c)) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
  }

  async get(url: string) {
    const res = await this.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader() } })
    this.keep(res.headers['set-cookie'])
    return res
  }

  /** GETs `formUrl` for its CSRF token, then posts `fields` to `action` (default: the same URL). */
  async submit(formUrl: string, fields: Record<string, string | string[]>, action = formUrl) {
    const page = await this.get(formUrl)
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1]
    if (!token) throw new Error(`no CSRF token on ${formUrl} (status ${page.statusCode})`)
    return this.post(action, { ...fields, _csrf: token })
  }

  async post(url: string, fields: Record<string, string | string[]>) {
    const body = new URLSearchParams()
    for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one)
    const res = await this.app.inject({
      method: 'POST',
      url,
      headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: body.toString(),
    })
    this.keep(res.headers['set-cookie'])
    return res
  }
}
