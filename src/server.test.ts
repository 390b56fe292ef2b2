import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { testPostgresUrl, usingPostgres } from '../test/helpers.ts'
import { testConfig } from './config.ts'
import { createDatabase, type Database } from './platform/db/client.ts'
import { createJobs } from './platform/jobs/index.ts'
import { enqueueEmail, sendEmailJob } from './platform/jobs/send-email.ts'
import { createChannels } from './platform/channels/index.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

interface Running {
  child: ChildProcessWithoutNullStreams
  lines: Record<string, unknown>[]
  stderr: string[]
  exited: Promise<number | null>
  /** resolves with the first log line for which `match` answers true */
  waitForLog(match: (line: Record<string, unknown>) => boolean, ms?: number): Promise<Record<string, unknown>>
}

/** Starts `node <entry>` with Beacon settings, collecting its JSON log lines. */
function run(entry: string, env: Record<string, string>): Running {
  // process.execPath: the Node 24 the tests run under, which strips types itself.
  const child = spawn(process.execPath, [entry], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', SEED_DEMO: 'false', ...env },
  })
  const lines: Record<string, unknown>[] = []
  const stderr: string[] = []
  const waiters: { match: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }[] = []
  let buffer = ''
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString()
    let i
    while ((i = buffer.indexOf('\n')) >= 0) {
      const text = buffer.slice(0, i)
      buffer = buffer.slice(i + 1)
      let line: Record<string, unknown>
      try {
        line = JSON.parse(text) as Record<string, unknown>
      } catch {
        line = { msg: text }
      }
      lines.push(line)
      for (const w of [...waiters]) if (w.match(line)) w.resolve(line)
    }
  })
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()))
  const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)))
  return {
    child,
    lines,
    stderr,
    exited,
    waitForLog(match, ms = 30_000) {
      const found = lines.find(match)
      if (found) return Promise.resolve(found)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching log line; stderr: ${stderr.join('')}`)), ms)
        waiters.push({
          match,
          resolve: line => {
            clearTimeout(timer)
            resolve(line)
          },
        })
        exited.then(code => reject(new Error(`exited with ${code}; stderr: ${stderr.join('')}`)))
      })
    },
  }
}

describe('the web process', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'beacon-server-test-'))
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

  it('serves /health, then on SIGTERM logs "closing", finishes and exits 0', async () => {
    const server = run('src/server.ts', { NODE_ENV: 'development', DATA_DIR: dataDir })
    try {
      const listening = await server.waitForLog(l => l.msg === 'Beacon is listening')
      expect(listening).toMatchObject({ database: 'pglite', workers: true })
      const address = String(listening.address)
      const health = await fetch(`${address}/health`)
      expect(health.status).toBe(200)
      expect(await health.json()).toEqual({ status: 'ok' })

      server.child.kill('SIGTERM')
      expect(await server.exited).toBe(0)
      expect(server.lines.some(l => l.msg === 'closing' && l.signal === 'SIGTERM')).toBe(true)
      expect(server.lines.some(l => l.msg === 'closed')).toBe(true)
      expect(server.stderr.join('')).toBe('')
      // Closed means closed: nothing answers on the address any more.
      await expect(fetch(`${address}/health`)).rejects.toThrow()
    } finally {
      server.child.kill('SIGKILL')
    }
  })

  it('refuses to start with a clear message when a setting is wrong', async () => {
    const server = run('src/server.ts', { NODE_ENV: 'production', DATA_DIR: dataDir })
    expect(await server.exited).toBe(78)
    expect(server.stderr.join('')).toContain('SESSION_SECRET: required in production')
  })
})

describe('the worker process', () => {
  it('refuses to run on PGlite, saying why', async () => {
    const worker = run('src/worker.ts', { NODE_ENV: 'test', DATA_DIR: '/tmp/beacon-worker-unused' })
    expect(await worker.exited).toBe(78)
    expect(worker.stderr.join('')).toContain('PGlite allows one process; the web process runs the workers')
  })

  it.runIf(usingPostgres())('claims and runs jobs queued by another process, and stops on SIGTERM', async () => {
    const name = `beacon_test_${randomBytes(6).toString('hex')}`
    const admin = new pg.Client({ connectionString: testPostgresUrl() })
    await admin.connect()
    await admin.query(`create database ${name}`)
    const url = new URL(testPostgresUrl())
    url.pathname = `/${name}`
    const worker = run('src/worker.ts', { NODE_ENV: 'test', DATABASE_URL: url.toString() })
    let db: Database | undefined
    try {
      await worker.waitForLog(l => l.msg === 'Beacon worker started')
      // The web side: queues only.
      db = await createDatabase({ databaseUrl: url.toString(), poolMax: 2 })
      const config = testConfig({ DATABASE_URL: url.toString(), RUN_WORKER: 'false' })
      const jobs = createJobs({ db, config })
      jobs.register(sendEmailJob(createChannels(config, db)))
      await enqueueEmail(jobs, { to: 'resident@example.org', subject: 'From the web process', text: 'Hello' })
      const until = Date.now() + 20_000
      let rows: unknown[] = []
      while (Date.now() < until && rows.length === 0) {
        rows = await db.query(`select subject from outbox_messages where recipient = 'resident@example.org'`)
        if (!rows.length) await new Promise(r => setTimeout(r, 100))
      }
      expect(rows).toEqual([{ subject: 'From the web process' }])
      await jobs.stop()
      worker.child.kill('SIGTERM')
      expect(await worker.exited).toBe(0)
      expect(worker.lines.some(l => l.msg === 'closing')).toBe(true)
    } finally {
      worker.child.kill('SIGKILL')
      await db?.close()
      await admin.query(`drop database if exists ${name} with (force)`)
      await admin.end()
    }
  })
})
