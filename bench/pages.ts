/**
 * Benchmark: the public neighbourhood page against nginx serving the same HTML as a static
 * file, and locate-neighbourhood, on PostgreSQL with the demo data.
 *   npm run bench:pages          (or: node bench/pages.ts)
 *
 * 1. Creates the database `beacon_bench_pages` on the PostgreSQL server (BENCH_DATABASE_URL,
 *    default postgres://postgres@127.0.0.1:5432/test) and drops it at the end.
 * 2. Starts Beacon as production does (`node src/server.ts`, NODE_ENV=production, web process
 *    only: RUN_WORKER=false), which loads the demo data at first start (SEED_DEMO=true).
 * 3. Fetches the demo neighbourhood page (Aldbridge, or BENCH_PAGE_PATH) and saves its HTML
 *    as a static file served by nginx (Debian's nginx-light, /usr/sbin/nginx or BENCH_NGINX),
 *    run unprivileged from a temporary prefix, `daemon off`, ONE worker process, access log off.
 * 4. Measures with wrk (Debian's `wrk`), the same connections and duration for every target:
 *      page_rps, page_p99_ms     GET of the page from Beacon
 *      static_rps                GET of the same bytes from nginx; ratio = page_rps / static_rps
 *      locate_p99_ms             /api/locate-neighbourhood?q=… over BENCH_POINTS points inside the force
 *      page_uncached_rps/p99_ms  the page with a query string, which the page cache never serves
 *                                (rendered every time), for comparison
 *
 * Placement (2 cores): Beacon and nginx are each pinned to core 0 (`taskset -c 0`) and run one
 * at a time; wrk runs pinned to core 1 with one thread. Both servers get the same single core
 * and the load generator never competes with them. nginx stays up (idle) while Beacon is measured
 * and the other way round. PostgreSQL is not pinned; it is barely
 * touched while the page and locate are measured (both answer from memory).
 *
 * nginx and Beacon are measured in alternating rounds (BENCH_ROUNDS, default 3) and each figure
 * is the median, so background load on a shared machine weighs on both alike.
 *
 * Settings: BENCH_CONNECTIONS (default 32), BENCH_SECONDS (default 10 per target),
 * BENCH_WARMUP_SECONDS (default 3), BENCH_POINTS (default 1000), BENCH_BEACON_DIR (a checkout
 * whose src/server.ts to run; default this one), BENCH_KEEP_DB=1 to leave the database.
 * Prints readable lines, then one JSON line.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import pg from 'pg'

const here = path.dirname(fileURLToPath(import.meta.url))
const beaconDir = path.resolve(process.env.BENCH_BEACON_DIR ?? path.join(here, '..'))
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const dbName = 'beacon_bench_pages'
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3)
const POINTS = Number(process.env.BENCH_POINTS ?? 1000)
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3))
const NGINX = process.env.BENCH_NGINX ?? '/usr/sbin/nginx'
const WRK = process.env.BENCH_WRK ?? 'wrk'
const SERVER_CORE = '0'
const LOAD_CORE = '1'

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms))
const log = (label: string, value: string) => console.log(`${label.padEnd(22)} ${value}`)
const fmt = (n: number) => Math.round(n).toLocaleString('en-GB')

function need(cmd: string, hint: string) {
  const found = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' })
  if (found.status !== 0) throw new Error(`${cmd} not found: ${hint}`)
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

async function admin(sql: string) {
  const c = new pg.Client({ connectionString: adminUrl })
  await c.connect()
  try {
    await c.query(sql)
  } finally {
    await c.end()
  }
}

function databaseUrl(): string {
  const url = new URL(adminUrl)
  url.pathname = `/${dbName}`
  return url.toString()
}

/** Waits for a URL to answer 200, or for the process to die. */
async function healthy(url: string, child: ChildProcess, timeoutMs: number, what: string) {
  const end = Date.now() + timeoutMs
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode} before it was ready`)
    try {
      const res = await fetch(url)
      if (res.ok) return
    } catch {
      /* not listening yet */
    }
    if (Date.now() > end) throw new Error(`${what} did not answer ${url} within ${timeoutMs / 1000} s`)
    await sleep(200)
  }
}

async function stop(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM') {
  if (!child || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise(r => child.once('exit', r))
  child.kill(signal)
  await Promise.race([exited, sleep(15_000)])
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
}

// --- wrk ------------------------------------------------------------------------------------------

interface WrkResult {
  /** server CPU time (user + system) per request, in µs: unlike the rate, barely moved by other load */
  cpuUsPerRequest: number
  rps: number
  p50Ms: number
  p99Ms: number
  requests: number
  errors: number
  non2xx: number
}

/** A wrk script: cycles through `paths` and prints the figures as one JSON line at the end. */
function wrkScript(dir: string, name: string, paths: string[]): string {
  const file = path.join(dir, `${name}.lua`)
  const list = paths.map(p => `  ${JSON.stringify(p)},`).join('\n')
  writeFileSync(
    file,
    `local paths = {\n${list}\n}
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"errors":%d,"non2xx":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
`,
  )
  return file
}

function runWrk(baseUrl: string, script: string, seconds: number): WrkResult {
  const out = spawnSync(
    'taskset',
    ['-c', LOAD_CORE, WRK, '-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--timeout', '5s', '-s', script, baseUrl],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  )
  if (out.status !== 0) throw new Error(`wrk failed: ${out.stderr || out.stdout}`)
  const line = out.stdout.split('\n').find(l => l.startsWith('WRK_JSON '))
  if (!line) throw new Error(`wrk printed no figures:\n${out.stdout}`)
  const r = JSON.parse(line.slice('WRK_JSON '.length)) as { requests: number; duration_us: number; p50_us: number; p99_us: number; errors: number; non2xx: number }
  return {
    cpuUsPerRequest: 0,
    rps: r.requests / (r.duration_us / 1e6),
    p50Ms: r.p50_us / 1000,
    p99Ms: r.p99_us / 1000,
    requests: r.requests,
    errors: r.errors,
    non2xx: r.non2xx,
  }
}

/**
 * When wrk stops, a slow server may still be working through requests it had accepted; the
 * next measurement must not inherit that backlog. Waits until a cheap request answers quickly.
 */
async function settle(baseUrl: string, probe: string) {
  const end = Date.now() + 60_000
  let quick = 0
  while (quick < 3 && Date.now() < end) {
    const t0 = performance.now()
    await (await fetch(`${baseUrl}${probe}`)).arrayBuffer()
    quick = performance.now() - t0 < 20 ? quick + 1 : 0
    await sleep(100)
  }
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100

/** CPU time used so far by these processes and their children (nginx's workers), in µs. */
function cpuUs(pids: number[]): number {
  const all = new Set(pids)
  for (const pid of pids) for (const c of spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout.split('\n')) if (c.trim()) all.add(Number(c))
  let ticks = 0
  for (const pid of all) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
      ticks += Number(fields[11]) + Number(fields[12]) // utime, stime
    } catch {
      /* gone */
    }
  }
  return (ticks * 1e6) / CLOCK_TICKS
}

async function measure(label: string, baseUrl: string, script: string, probe: string, server: ChildProcess): Promise<WrkResult> {
  await settle(baseUrl, probe)
  if (WARMUP_SECONDS > 0) runWrk(baseUrl, script, WARMUP_SECONDS)
  await settle(baseUrl, probe)
  const cpuBefore = cpuUs([server.pid!])
  const r = runWrk(baseUrl, script, SECONDS)
  r.cpuUsPerRequest = (cpuUs([server.pid!]) - cpuBefore) / Math.max(1, r.requests)
  log(
    label,
    `${fmt(r.rps)} req/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ${r.cpuUsPerRequest.toFixed(1)} µs CPU/request (${fmt(r.requests)} requests${r.errors || r.non2xx ? `, ${r.errors} errors, ${r.non2xx} not 2xx` : ''})`,
  )
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${label}: ${r.errors} socket errors and ${r.non2xx} non-2xx answers`)
  return r
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

/** Each figure's median over several runs of one target. */
const medianOf = (runs: WrkResult[]): WrkResult => ({
  cpuUsPerRequest: median(runs.map(r => r.cpuUsPerRequest)),
  rps: median(runs.map(r => r.rps)),
  p50Ms: median(runs.map(r => r.p50Ms)),
  p99Ms: median(runs.map(r => r.p99Ms)),
  requests: runs.reduce((n, r) => n + r.requests, 0),
  errors: runs.reduce((n, r) => n + r.errors, 0),
  non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
})

// --- points inside the force -------------------------------------------------------------------------

/** Deterministic pseudo-random numbers (mulberry32), so every run asks for the same points. */
function random(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Points spread over the force, each checked (once, before timing) to lie in a neighbourhood. */
async function pointsInside(beacon: string, force: string, neighbourhoods: { id: string }[], count: number): Promise<string[]> {
  let minLat = Infinity
  let maxLat = -Infinity
  let minLng = Infinity
  let maxLng = -Infinity
  for (const n of neighbourhoods) {
    const boundary = (await (await fetch(`${beacon}/api/${force}/${encodeURIComponent(n.id)}/boundary`)).json()) as { latitude: string; longitude: string }[]
    for (const p of boundary) {
      const lat = Number(p.latitude)
      const lng = Number(p.longitude)
      minLat = Math.min(minLat, lat)
      maxLat = Math.max(maxLat, lat)
      minLng = Math.min(minLng, lng)
      maxLng = Math.max(maxLng, lng)
    }
  }
  if (!Number.isFinite(minLat)) throw new Error('the demo neighbourhoods have no boundaries')
  const rnd = random(7)
  const found: string[] = []
  for (let tries = 0; found.length < count && tries < count * 20; tries++) {
    const q = `${(minLat + rnd() * (maxLat - minLat)).toFixed(5)},${(minLng + rnd() * (maxLng - minLng)).toFixed(5)}`
    const res = await fetch(`${beacon}/api/locate-neighbourhood?q=${q}`)
    await res.arrayBuffer()
    if (res.status === 200) found.push(`/api/locate-neighbourhood?q=${q}`)
  }
  if (found.length === 0) throw new Error('no point of the force area located to a neighbourhood')
  return found
}

// --- main --------------------------------------------------------------------------------------------

const work = mkdtempSync(path.join(tmpdir(), 'beacon-bench-pages-'))
let beacon: ChildProcess | undefined
let nginx: ChildProcess | undefined
let dbCreated = false

async function cleanUp() {
  await stop(nginx, 'SIGQUIT')
  await stop(beacon)
  if (dbCreated && !process.env.BENCH_KEEP_DB) await admin(`drop database if exists ${dbName} with (force)`).catch(() => {})
  rmSync(work, { recursive: true, force: true })
}
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    cleanUp().finally(() => process.exit(130))
  })

async function main() {
  need(WRK, 'install it with `apt-get install -y wrk`')
  need('taskset', 'it comes with util-linux')
  need(NGINX, 'install nginx-light (`apt-get install -y nginx-light`) or set BENCH_NGINX')

  // 1. database
  await admin(`drop database if exists ${dbName} with (force)`)
  await admin(`create database ${dbName}`)
  dbCreated = true

  // 2. Beacon, web process only, pinned to the server core
  const port = await freePort()
  const beaconUrl = `http://127.0.0.1:${port}`
  const startedAt = Date.now()
  const beaconChild = (beacon = spawn('taskset', ['-c', SERVER_CORE, process.execPath, 'src/server.ts'], {
    cwd: beaconDir,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl(),
      SESSION_SECRET: 'bench-pages-session-secret-0123456789abcdef',
      BASE_URL: beaconUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: path.join(work, 'data'),
      SEED_DEMO: 'true',
      DEMO_PASSWORD: 'bench-pages-demo-password',
      RUN_WORKER: 'false',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  }))
  await healthy(`${beaconUrl}/health`, beacon, 180_000, 'Beacon')
  log('beacon', `ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s (demo data loaded) at ${beaconUrl}, pid ${beacon.pid}`)

  // 3. the page, found through the API so nothing here depends on its content
  const [force] = (await (await fetch(`${beaconUrl}/api/forces`)).json()) as { id: string }[]
  if (!force) throw new Error('no force in the demo data')
  const neighbourhoods = (await (await fetch(`${beaconUrl}/api/${force.id}/neighbourhoods`)).json()) as { id: string; name: string }[]
  const chosen = neighbourhoods.find(n => n.name === 'Aldbridge') ?? neighbourhoods[0]
  const pagePath = process.env.BENCH_PAGE_PATH ?? `/neighbourhoods/${encodeURIComponent(chosen!.id)}`
  const first = await fetch(`${beaconUrl}${pagePath}`)
  if (first.status !== 200) throw new Error(`${pagePath} answered ${first.status}`)
  const html = await first.text()
  const second = await (await fetch(`${beaconUrl}${pagePath}`)).text()
  const pageCached = second === html // a fresh render has a fresh CSP nonce
  log('page', `${pagePath}: ${fmt(Buffer.byteLength(html))} bytes, ${pageCached ? 'served from the page cache' : 'NOT cached (rendered per request)'}`)

  // 4. nginx with the same bytes
  const root = path.join(work, 'www')
  const nginxPort = await freePort()
  spawnSync('mkdir', ['-p', root, path.join(work, 'nginx', 'logs'), path.join(work, 'nginx', 'tmp')])
  writeFileSync(path.join(root, 'page.html'), html)
  writeFileSync(
    path.join(work, 'nginx', 'nginx.conf'),
    `daemon off;
worker_processes 1;
pid ${work}/nginx/nginx.pid;
error_log ${work}/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  client_body_temp_path ${work}/nginx/tmp;
  types { text/html html; }
  default_type text/html;
  server {
    listen 127.0.0.1:${nginxPort};
    root ${root};
    location / { }
  }
}
`,
  )
  // As root, nginx's worker drops to "nobody", which must be able to read the file.
  if (process.getuid?.() === 0) for (const p of [work, root, path.join(root, 'page.html')]) chmodSync(p, p.endsWith('.html') ? 0o644 : 0o755)
  const nginxChild = (nginx = spawn('taskset', ['-c', SERVER_CORE, NGINX, '-p', path.join(work, 'nginx'), '-e', path.join(work, 'nginx', 'logs', 'error.log'), '-c', path.join(work, 'nginx', 'nginx.conf')], {
    stdio: ['ignore', 'inherit', 'inherit'],
  }))
  const staticUrl = `http://127.0.0.1:${nginxPort}`
  await healthy(`${staticUrl}/page.html`, nginx, 10_000, 'nginx')
  const staticBytes = Buffer.from(await (await fetch(`${staticUrl}/page.html`)).arrayBuffer())
  if (!staticBytes.equals(Buffer.from(html))) throw new Error('nginx does not serve the same bytes as Beacon')

  // 5. measure, one server busy at a time
  log('load', `wrk, 1 thread on core ${LOAD_CORE}, ${CONNECTIONS} connections, ${SECONDS} s per target after ${WARMUP_SECONDS} s warm-up; servers on core ${SERVER_CORE}`)
  // Rounds alternate nginx and Beacon so that whatever else the machine is doing weighs on
  // both alike; each figure is the median over the rounds.
  const staticScript = wrkScript(work, 'static', ['/page.html'])
  const pageScript = wrkScript(work, 'page', [pagePath])
  const staticRuns: WrkResult[] = []
  const pageRuns: WrkResult[] = []
  for (let round = 1; round <= ROUNDS; round++) {
    const suffix = ROUNDS > 1 ? ` #${round}` : ''
    staticRuns.push(await measure(`static (nginx)${suffix}`, staticUrl, staticScript, '/page.html', nginxChild))
    pageRuns.push(await measure(`page (Beacon)${suffix}`, beaconUrl, pageScript, '/health', beaconChild))
  }
  await stop(nginx, 'SIGQUIT')
  nginx = undefined
  const staticRun = medianOf(staticRuns)
  const pageRun = medianOf(pageRuns)
  const points = await pointsInside(beaconUrl, force.id, neighbourhoods, POINTS)
  const locateRun = await measure('locate', beaconUrl, wrkScript(work, 'locate', points), '/health', beaconChild)
  const separator = pagePath.includes('?') ? '&' : '?'
  const uncachedRun = await measure('page, uncached', beaconUrl, wrkScript(work, 'uncached', [`${pagePath}${separator}bench=uncached`]), '/health', beaconChild)

  const ratio = pageRun.rps / staticRun.rps
  const figures = {
    page_rps: Math.round(pageRun.rps),
    static_rps: Math.round(staticRun.rps),
    ratio: Math.round(ratio * 1000) / 1000,
    page_p99_ms: Math.round(pageRun.p99Ms * 100) / 100,
    page_cpu_us: Math.round(pageRun.cpuUsPerRequest * 10) / 10,
    static_cpu_us: Math.round(staticRun.cpuUsPerRequest * 10) / 10,
    cpu_ratio: Math.round((staticRun.cpuUsPerRequest / pageRun.cpuUsPerRequest) * 1000) / 1000,
    locate_p99_ms: Math.round(locateRun.p99Ms * 100) / 100,
    locate_rps: Math.round(locateRun.rps),
    page_uncached_rps: Math.round(uncachedRun.rps),
    page_uncached_p99_ms: Math.round(uncachedRun.p99Ms * 100) / 100,
    page_cached: pageCached,
    page_bytes: Buffer.byteLength(html),
    locate_points: points.length,
    rounds: ROUNDS,
    connections: CONNECTIONS,
    seconds: SECONDS,
    targets_met: ratio >= 0.5 && pageRun.p99Ms <= 50 && locateRun.p99Ms <= 20,
    node: process.version,
  }
  log('ratio', `${figures.ratio} (target ≥ 0.5); by CPU time per request ${figures.cpu_ratio}`)
  log('page p99', `${figures.page_p99_ms} ms (target ≤ 50)`)
  log('locate p99', `${figures.locate_p99_ms} ms (target ≤ 20)`)
  console.log(JSON.stringify(figures))
}

try {
  await main()
} finally {
  await cleanUp()
}
