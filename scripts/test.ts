/**
 * The whole test suite, as `npm test` runs it:
 *   1. type check;
 *   2. unit and integration tests on embedded PGlite;
 *   3. the same again on PostgreSQL, when a server answers (TEST_DATABASE_URL, default the local one);
 *   4. browser journeys (Playwright + axe) against a real server process on PGlite.
 * Each step's output is shown as it runs; the exit code is non-zero if any step failed.
 */
import { spawnSync } from 'node:child_process'
import pg from 'pg'

const steps: { name: string; ok: boolean; skipped?: string }[] = []
const run = (name: string, cmd: string, args: string[], env: Record<string, string> = {}) => {
  console.log(`\n=== ${name} ===`)
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } })
  steps.push({ name, ok: r.status === 0 })
  return r.status === 0
}

const only = process.argv[2] // optional: typecheck | unit | postgres | e2e
const want = (step: string) => !only || only === step

async function postgresReachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    await client.query('select 1')
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => {})
  }
}

const bin = (name: string) => `node_modules/.bin/${name}`
if (want('typecheck')) run('Type check', bin('tsc'), ['--noEmit'])
if (want('unit')) run('Unit and integration tests on PGlite', bin('vitest'), ['run'], { BEACON_TEST_DB: 'pglite' })
if (want('postgres')) {
  const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
  if (await postgresReachable(url)) {
    run('Unit and integration tests on PostgreSQL', bin('vitest'), ['run'], { BEACON_TEST_DB: 'postgres', TEST_DATABASE_URL: url })
  } else {
    console.log(`\n=== PostgreSQL not reachable at ${url.replace(/\/\/[^@]*@/, '//')}: that pass is skipped ===`)
    steps.push({ name: 'Unit and integration tests on PostgreSQL', ok: true, skipped: 'no server' })
  }
}
if (want('e2e')) run('Browser journeys with axe', bin('vitest'), ['run', '--config', 'vitest.e2e.config.ts'])

console.log('\n=== Summary ===')
for (const s of steps) console.log(`${s.ok ? (s.skipped ? 'skipped' : 'passed ') : 'FAILED '}  ${s.name}${s.skipped ? ` (${s.skipped})` : ''}`)
const failed = steps.filter(s => !s.ok).length
console.log(`${steps.length - failed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
