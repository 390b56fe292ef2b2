import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))

/** What a worker reports on its stdout: its largest resident set (MB) and CPU time so far (ms). */
export interface WorkerMeter {
  rss: number
  cpuMs: number
}

/**
 * Starts a dispatch worker process (src/modules/messaging/dispatch/worker-process.ts) sending
 * to the SMTP sink on `smtpPort`, as the messaging benchmarks run it; resolves once it says
 * "ready". `meter` is kept up to date from the worker's reports.
 */
export function startDispatchWorker(databaseUrl: string, smtpPort: number, meter: WorkerMeter, extraFlags: string[] = []): Promise<ChildProcess> {
  // The heap flags are the ones docs/messaging-delivery.md recommends for dispatch workers:
  // without them V8 lets the heap grow to ~200 MB of mostly garbage at bulk rates.
  const heapFlags = (process.env.BENCH_WORKER_NODE_FLAGS ?? '--max-old-space-size=128 --max-semi-space-size=8').split(' ').filter(Boolean)
  const child = spawn(process.execPath, [...heapFlags, ...extraFlags, path.join(here, '../src/modules/messaging/dispatch/worker-process.ts')], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      // maxMessages: keep pooled connections open instead of reconnecting every 100 messages.
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}/?maxMessages=Infinity`,
      DISPATCH_WORKERS: process.env.BENCH_WORKERS ?? '4',
      DISPATCH_CONCURRENCY: process.env.BENCH_CONCURRENCY ?? '8',
      DISPATCH_SMTP_CONNECTIONS: process.env.BENCH_SMTP_CONNECTIONS ?? '24',
      DISPATCH_BATCH: '500',
      DISPATCH_POOL: '16',
      DISPATCH_LEASE_MS: '5000',
      // Raised for the benchmark: the figure is what the pipeline can do, not a provider's cap.
      DISPATCH_RATE: '10000000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return new Promise((resolve, reject) => {
    let ready = false
    child.stdout!.setEncoding('utf8')
    child.stdout!.on('data', (d: string) => {
      for (const line of d.split('\n')) {
        const m = /^rss (\d+).* cpu (\d+)/.exec(line)
        if (m) {
          meter.rss = Math.max(meter.rss, Number(m[1]))
          meter.cpuMs = Number(m[2])
        }
        if (line.trim() === 'ready' && !ready) {
          ready = true
          resolve(child)
        }
      }
    })
    child.once('exit', code => {
      if (!ready) reject(new Error(`worker exited (${code}) before it was ready`))
    })
  })
}

/** Sends `signal` and resolves when the process has exited (at once if it already has). */
export const stopProcess = (child: ChildProcess, signal: NodeJS.Signals) =>
  new Promise<void>(resolve => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill(signal)
  })
