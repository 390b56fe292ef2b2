import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testPostgresUrl, usingPostgres } from '../../test/helpers.ts'
import { testConfig } from '../config.ts'
import { createLogger } from './logger.ts'
import { startBeacon, type Beacon } from './boot.ts'
import { enqueueEmail } from './jobs/send-email.ts'

describe(`startBeacon on ${usingPostgres() ? 'PostgreSQL' : 'PGlite'}`, () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'beacon-boot-test-'))
  const dbName = `beacon_test_${randomBytes(6).toString('hex')}`
  let env: Record<string, string>

  beforeAll(async () => {
    env = { DATA_DIR: dataDir }
    if (usingPostgres()) {
      const admin = new pg.Client({ connectionString: testPostgresUrl() })
      await admin.connect()
      await admin.query(`create database ${dbName}`)
      await admin.end()
      const url = new URL(testPostgresUrl())
      url.pathname = `/${dbName}`
      env.DATABASE_URL = url.toString()
    }
  })
  afterAll(async () => {
    rmSync(dataDir, { recursive: true, force: true })
    if (usingPostgres()) {
      const admin = new pg.Client({ connectionString: testPostgresUrl() })
      await admin.connect()
      await admin.query(`drop database if exists ${dbName} with (force)`)
      await admin.end()
    }
  })

  it('runs queued email through in-process workers, and on close lets a slow request finish before closing the database', async () => {
    const beacon: Beacon = await startBeacon(testConfig(env), createLogger({ level: 'silent' }))
    try {
      expect(beacon.services.jobs.runningWorkers).toBe(true)

      await enqueueEmail(beacon.services.jobs, { to: 'officer@police.example', subject: 'Queued at boot', text: 'Hello' })
      const until = Date.now() + 15_000
      let rows: { subject: string }[] = []
      while (!rows.length && Date.now() < until) {
        rows = await beacon.db.query<{ subject: string }>(`select subject from outbox_messages where recipient = 'officer@police.example'`)
        if (!rows.length) await new Promise(r => setTimeout(r, 50))
      }
      expect(rows).toEqual([{ subject: 'Queued at boot' }])

      let requestFinished = false
      beacon.app.get('/slow-for-test', async () => {
        await new Promise(r => setTimeout(r, 800))
        // Still able to use the database: it is closed only after requests finish.
        const [row] = await beacon.db.query<{ one: number }>('select 1 as one')
        requestFinished = true
        return { one: row!.one }
      })
      const address = await beacon.app.listen({ port: 0, host: '127.0.0.1' })
      const inFlight = fetch(`${address}/slow-for-test`)
      await new Promise(r => setTimeout(r, 150))
      const closing = beacon.close()
      const res = await inFlight
      expect(res.status).toBe(200)
      // Told to hang up, so its keep-alive connection does not hold the close open.
      expect(res.headers.get('connection')).toBe('close')
      expect(await res.json()).toEqual({ one: 1 })
      await closing
      expect(requestFinished).toBe(true)
      expect(beacon.services.jobs.runningWorkers).toBe(false)
      expect(await beacon.db.ping()).toBe(false)
      // Closing twice is harmless (a second signal, a test's afterAll).
      await beacon.close()
    } finally {
      await beacon.close()
    }
  })
})
