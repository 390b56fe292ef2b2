import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { TestProject } from 'vitest/node'

export const DEMO_PASSWORD = 'journey-password-2026'

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string
    dataDir: string
    demoPassword: string
  }
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
    s.on('error', reject)
  })

let server: ChildProcess | undefined
let dataDir = ''

/** Starts Beacon as a person would (`node src/server.ts`) on an empty PGlite, so first start seeds the demo. */
export async function setup(project: TestProject) {
  dataDir = mkdtempSync(path.join(tmpdir(), 'beacon-e2e-'))
  const port = await freePort()
  const baseURL = `http://127.0.0.1:${port}`
  server = spawn(process.execPath, ['src/server.ts'], {
    env: {
      ...process.env,
      NODE_ENV: 'development',
      PORT: String(port),
      HOST: '127.0.0.1',
      BASE_URL: baseURL,
      DATA_DIR: dataDir,
      DEMO_PASSWORD,
      SEED_DEMO: 'true',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  const deadline = Date.now() + 90_000
  for (;;) {
    if (server.exitCode !== null) throw new Error(`Beacon exited with ${server.exitCode} before it was ready`)
    try {
      const res = await fetch(`${baseURL}/health`)
      if (res.ok) break
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error('Beacon did not become healthy within 90 s')
    await new Promise(r => setTimeout(r, 300))
  }
  project.provide('baseURL', baseURL)
  project.provide('dataDir', dataDir)
  project.provide('demoPassword', DEMO_PASSWORD)
}

export async function teardown() {
  if (server && server.exitCode === null) {
    const exited = new Promise(r => server!.once('exit', r))
    server.kill('SIGTERM')
    await Promise.race([exited, new Promise(r => setTimeout(r, 10_000))])
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
}
