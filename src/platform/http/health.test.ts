import Fastify from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../../test/helpers.ts'
import type { Database } from '../db/client.ts'
import { registerHealth } from './health.ts'

async function appWith(db: Database) {
  const app = Fastify()
  registerHealth(app, db)
  await app.ready()
  return app
}

describe('/health', () => {
  let db: Database
  beforeAll(async () => {
    db = await createTestDatabase()
  })
  afterAll(async () => db.close())

  it('answers 200 {"status":"ok"} while the database answers, never cached', async () => {
    const app = await appWith(db)
    const res = await app.inject('/health')
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ status: 'ok' })
    expect(res.headers['cache-control']).toBe('no-store')
    await app.close()
  })

  it('answers 503 once the database is gone', async () => {
    const gone = await createTestDatabase()
    const app = await appWith(gone)
    await gone.close()
    const res = await app.inject('/health')
    expect(res.statusCode).toBe(503)
    expect(res.json()).toEqual({ status: 'unavailable', database: 'down' })
    await app.close()
  })

  it('answers 503 within its time limit when the database hangs', async () => {
    const hanging = { ping: () => new Promise<boolean>(() => {}) } as unknown as Database
    const app = await appWith(hanging)
    const started = Date.now()
    const res = await app.inject('/health')
    expect(res.statusCode).toBe(503)
    expect(Date.now() - started).toBeLessThan(4000)
    await app.close()
  })
})
