import PgBoss from 'pg-boss'
import type { Logger } from 'pino'
import { z } from 'zod'
import type { Config } from '../../config.ts'
import type { Database } from '../db/client.ts'
import { createLogger } from '../logger.ts'
import { bossDbFor, type BossDb } from './db.ts'
import { jobDuration, jobsFinished, jobsSent } from './metrics.ts'

/** pg-boss keeps its tables in this schema, apart from Beacon's own. */
export const JOBS_SCHEMA = 'pgboss'

/** What a handler learns about the job it is running. */
export interface JobContext {
  jobId: string
  /** 1 for the first try, 2 for the first retry… */
  attempt: number
  /** how many retries the job has in all */
  retryLimit: number
  logger: Logger
}

/**
 * A kind of job: a queue name, the shape of its payload (checked when sending and again
 * when running, since payloads outlive deployments) and its handler. Retry settings
 * default to five retries with exponential backoff from 30 seconds (about 30 s, 1, 2, 4
 * and 8 minutes, with jitter so a recovering provider is not hit by every job at once).
 */
export interface JobDefinition<T = unknown> {
  id: string
  schema: z.ZodType<T>
  handler: (data: T, ctx: JobContext) => Promise<unknown> | unknown
  retryLimit?: number
  retryDelaySeconds?: number
  retryBackoff?: boolean
  /** a running job taking longer than this is failed (and retried) */
  expireInSeconds?: number
  /** how many of these jobs one process runs at once (fetched together, run side by side) */
  concurrency?: number
  /** how often an idle worker looks for work; sends from the same process wake it at once */
  pollingIntervalSeconds?: number
}

/** Declares a job; the payload type follows from the schema. */
export function defineJob<T>(def: JobDefinition<T>): JobDefinition<T> {
  return def
}

/** Settings a job definition gets unless it says otherwise. */
export const JOB_DEFAULTS = {
  retryLimit: 5,
  retryDelaySeconds: 30,
  retryBackoff: true,
  expireInSeconds: 15 * 60,
  concurrency: 1,
  pollingIntervalSeconds: 2,
} as const

/**
 * Thrown by a handler when trying again cannot help (the payload is wrong, the record has
 * gone). Any error with `permanent: true`, such as a ChannelError for a bad address, is
 * treated the same way.
 */
export class PermanentJobError extends Error {
  readonly permanent = true
  constructor(message: string) {
    super(message)
    this.name = 'PermanentJobError'
  }
}

/** True for an error that says retrying cannot help (`permanent: true`). */
export const isPermanent = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { permanent?: unknown }).permanent === true

export interface SendOptions {
  /** run no earlier than this time, or this many seconds from now */
  startAfter?: Date | number
  /** while a job with this key is queued or running, another send with it is dropped (answers null) */
  singletonKey?: string
  /** higher runs first */
  priority?: number
  retryLimit?: number
  expireInSeconds?: number
}

export interface Jobs {
  /** Adds a job definition; it gets a queue and, where workers run, workers. */
  register<T>(def: JobDefinition<T>): void
  /** The definition registered under `id`, if any. */
  definition(id: string): JobDefinition | undefined
  /**
   * Connects pg-boss (creating its tables on first use) and, when this process runs
   * workers, starts a worker per registered job plus pg-boss's maintenance and schedules.
   */
  start(): Promise<void>
  /** Stops taking jobs, waits up to `timeoutMs` for running ones, then fails the rest so they retry. */
  stop(opts?: { timeoutMs?: number }): Promise<void>
  /** Queues a job after checking its payload; answers the job id (null when dropped as a singleton). */
  send<T>(job: JobDefinition<T> | string, data: T, options?: SendOptions): Promise<string | null>
  /**
   * Starts workers for one queue now. For a registered job `handler` may be omitted; for
   * any other queue it is required and the payload is not checked.
   */
  work<T = unknown>(name: string, handler?: JobDefinition<T>['handler'], options?: { concurrency?: number }): Promise<void>
  /** Sends `name` on a cron schedule (Europe/London), fired by whichever worker process gets there first. */
  schedule(name: string, cron: string, data?: Record<string, unknown>): Promise<void>
  /**
   * Runs every job that is due now in this process and answers how many ran. For tests,
   * the command line, and processes without workers. Failures are retried as usual.
   */
  drain(name?: string): Promise<number>
  /** true once workers are running in this process */
  readonly runningWorkers: boolean
}

export interface JobsDeps {
  db: Database
  config: Config
  logger?: Logger
  /** run workers in this process; default config.runWorkerInProcess (the worker entry passes true) */
  runWorkers?: boolean
}

type Boss = InstanceType<typeof PgBoss>

/** The job queue on the application database (pg-boss; PGlite through an adapter). */
export function createJobs(deps: JobsDeps): Jobs {
  const { db } = deps
  const logger = (deps.logger ?? createLogger({ level: deps.config.logLevel })).child({ component: 'jobs' })
  const runWorkers = deps.runWorkers ?? deps.config.runWorkerInProcess
  // Counts queries in flight so stop() can wait for the last one before the database closes.
  let inflight = 0
  const underlying = bossDbFor(db)
  const bossDb: BossDb = {
    async executeSql(text, values) {
      inflight++
      try {
        return await underlying.executeSql(text, values)
      } finally {
        inflight--
      }
    },
  }
  const definitions = new Map<string, JobDefinition<any>>()
  const queues = new Map<string, Promise<void>>()
  const localWorkers = new Map<string, string[]>()

  let boss: Boss | null = null
  let bossHasWorkers = false
  let opening: Promise<Boss> | null = null
  let stopped = false

  // One pg-boss at a time. Sending alone needs no timers; a process that runs workers
  // also runs maintenance and the cron clock. A sender opened first (a test, a request
  // before start) is replaced when workers start.
  function open(withWorkers: boolean): Promise<Boss> {
    const previous = opening ?? Promise.resolve(null)
    opening = previous
      .catch(() => null)
      .then(async () => {
        if (stopped) throw new Error('The job queue has been stopped')
        if (boss && (bossHasWorkers || !withWorkers)) return boss
        if (boss) {
          await boss.stop({ graceful: false, close: false, wait: true })
          queues.clear()
        }
        const next = new PgBoss({
          db: bossDb as PgBoss.Db,
          schema: JOBS_SCHEMA,
          migrate: true,
          supervise: withWorkers,
          schedule: withWorkers,
          // Payloads hold message text and links: finished jobs move to the archive after an
          // hour and leave it after a week; failures stay in view for a week first.
          archiveCompletedAfterSeconds: 60 * 60,
          archiveFailedAfterSeconds: 7 * 24 * 60 * 60,
          deleteAfterDays: 7,
        })
        next.on('error', err => logger.warn({ err }, 'job queue error'))
        await next.start()
        boss = next
        bossHasWorkers = withWorkers
        return next
      })
    return opening
  }

  function ensureQueue(b: Boss, name: string): Promise<void> {
    let ready = queues.get(name)
    if (!ready) {
      const def = definitions.get(name)
      const options = {
        retryLimit: def?.retryLimit ?? JOB_DEFAULTS.retryLimit,
        retryDelay: def?.retryDelaySeconds ?? JOB_DEFAULTS.retryDelaySeconds,
        retryBackoff: def?.retryBackoff ?? JOB_DEFAULTS.retryBackoff,
        expireInSeconds: def?.expireInSeconds ?? JOB_DEFAULTS.expireInSeconds,
      }
      // createQueue leaves an existing queue alone; updateQueue applies changed defaults.
      ready = b
        .createQueue(name, { name, ...options })
        .then(() => b.updateQueue(name, { name, ...options }))
      ready.catch(() => queues.delete(name))
      queues.set(name, ready)
    }
    return ready
  }

  // A permanent failure must not be retried; pg-boss retries while retry_count < retry_limit,
  // so the limit is lowered to the count before the failure is reported.
  async function noMoreRetries(name: string, id: string): Promise<void> {
    await bossDb.executeSql(`update ${JOBS_SCHEMA}.job set retry_limit = retry_count where name = $1 and id = $2`, [name, id])
  }

  async function execute(def: JobDefinition<any>, job: PgBoss.JobWithMetadata<unknown>): Promise<unknown> {
    const queue = def.id
    const log = logger.child({ queue, jobId: job.id, attempt: job.retryCount + 1 })
    const endTimer = jobDuration.startTimer({ queue })
    const parsed = def.schema.safeParse(job.data)
    try {
      // A fetch that was already on its way when stop() began: give the job back for later.
      if (stopped) throw new Error('job queue stopping; the job will run again')
      if (!parsed.success) throw new PermanentJobError(`payload does not match the ${queue} job: ${z.prettifyError(parsed.error)}`)
      const result = await def.handler(parsed.data, { jobId: job.id, attempt: job.retryCount + 1, retryLimit: job.retryLimit, logger: log })
      jobsFinished.inc({ queue, outcome: 'completed' })
      log.debug('job completed')
      return result ?? null
    } catch (err) {
      const permanent = isPermanent(err)
      if (permanent) await noMoreRetries(queue, job.id)
      const outcome = permanent ? 'permanent' : job.retryCount < job.retryLimit ? 'retry' : 'failed'
      jobsFinished.inc({ queue, outcome })
      if (outcome === 'retry') log.warn({ err }, 'job failed; it will be retried')
      else log.error({ err }, permanent ? 'job failed permanently' : 'job failed after its last retry')
      throw err
    } finally {
      endTimer()
    }
  }

  /**
   * Runs one fetched job and records its outcome itself, so the jobs of one batch succeed
   * or fail independently. Never throws: a failure is the job's, not the batch's.
   */
  async function runOne(b: Boss, def: JobDefinition<any>, job: PgBoss.JobWithMetadata<unknown>): Promise<void> {
    try {
      const output = await execute(def, job)
      await b.complete(def.id, job.id, toOutput(output))
    } catch (err) {
      await b.fail(def.id, job.id, toOutput(errorOutput(err))).catch(failErr =>
        logger.error({ err: failErr, queue: def.id, jobId: job.id }, 'could not record a job failure'),
      )
    }
  }

  // One pg-boss worker per queue fetches up to `concurrency` jobs at a time and runs them
  // side by side. A full batch suggests more is waiting, so the worker polls again at once
  // instead of sleeping out its interval.
  async function startWorkers(b: Boss, def: JobDefinition<any>, concurrency: number): Promise<void> {
    await ensureQueue(b, def.id)
    let workerId = ''
    workerId = await b.work<unknown>(
      def.id,
      {
        includeMetadata: true,
        batchSize: concurrency,
        pollingIntervalSeconds: def.pollingIntervalSeconds ?? JOB_DEFAULTS.pollingIntervalSeconds,
      },
      async batch => {
        await Promise.all(batch.map(job => runOne(b, def, job)))
        if (batch.length >= concurrency && workerId && !stopped) b.notifyWorker(workerId)
        // Every job is already completed or failed; pg-boss's own completion finds none active.
        return null
      },
    )
    localWorkers.set(def.id, [...(localWorkers.get(def.id) ?? []), workerId])
  }

  const jobs: Jobs = {
    register(def) {
      if (definitions.has(def.id)) throw new Error(`A job named ${def.id} is already registered`)
      definitions.set(def.id, def as JobDefinition<any>)
      // Registered after workers started (a module loaded late): give it workers too.
      if (boss && bossHasWorkers && !stopped) {
        startWorkers(boss, def as JobDefinition<any>, def.concurrency ?? JOB_DEFAULTS.concurrency).catch(err =>
          logger.error({ err, queue: def.id }, 'could not start workers'),
        )
      }
    },

    definition: id => definitions.get(id),

    async start() {
      const b = await open(runWorkers)
      for (const def of definitions.values()) await ensureQueue(b, def.id)
      if (!runWorkers) return
      for (const def of definitions.values()) {
        if (!localWorkers.has(def.id)) await startWorkers(b, def, def.concurrency ?? JOB_DEFAULTS.concurrency)
      }
      logger.info({ queues: [...localWorkers.keys()] }, 'job workers started')
    },

    async stop(opts = {}) {
      if (stopped) return
      stopped = true
      const b = await opening?.catch(() => null)
      if (!b) return
      await b.stop({ graceful: true, close: false, wait: true, timeout: opts.timeoutMs ?? 15_000 })
      // pg-boss stops its loops without waiting for a fetch already sent; let it land.
      for (let i = 0; i < 250 && inflight > 0; i++) await new Promise(r => setTimeout(r, 20))
      localWorkers.clear()
      boss = null
    },

    async send(job, data, options = {}) {
      const name = typeof job === 'string' ? job : job.id
      const def = definitions.get(name)
      if (!def) throw new Error(`No job named ${name} is registered`)
      // Checked here so a mistake fails the request that made it, not a worker hours later.
      const payload = def.schema.parse(data)
      const b = boss ?? (await open(false))
      await ensureQueue(b, name)
      const { startAfter, ...rest } = options
      const id = await b.send(name, payload as object, {
        ...rest,
        ...(startAfter === undefined ? {} : { startAfter: startAfter instanceof Date ? startAfter : Math.round(startAfter) }),
      })
      if (id) {
        jobsSent.inc({ queue: name })
        // Wake this process's idle workers instead of waiting for their next poll.
        if (startAfter === undefined) for (const workerId of localWorkers.get(name) ?? []) b.notifyWorker(workerId)
      }
      return id
    },

    async work(name, handler, options = {}) {
      const registered = definitions.get(name)
      const def: JobDefinition<any> = registered
        ? handler
          ? { ...registered, handler }
          : registered
        : { id: name, schema: z.unknown(), handler: handler ?? missingHandler(name) }
      if (!registered) definitions.set(name, def)
      const b = boss && bossHasWorkers ? boss : await open(true)
      await startWorkers(b, def, options.concurrency ?? def.concurrency ?? JOB_DEFAULTS.concurrency)
    },

    async schedule(name, cron, data = {}) {
      if (!definitions.has(name)) throw new Error(`No job named ${name} is registered`)
      const b = boss ?? (await open(false))
      await ensureQueue(b, name)
      await b.schedule(name, cron, data, { tz: 'Europe/London' })
    },

    async drain(name) {
      const names = name ? [name] : [...definitions.keys()]
      const b = boss ?? (await open(false))
      let ran = 0
      // Bounded, in case a handler keeps queueing work that is due at once.
      for (let round = 0; round < 100; round++) {
        let ranThisRound = 0
        for (const queue of names) {
          const def = definitions.get(queue)
          if (!def) throw new Error(`No job named ${queue} is registered`)
          await ensureQueue(b, queue)
          const batch = await b.fetch<unknown>(queue, { batchSize: 20, includeMetadata: true })
          for (const job of batch) {
            ranThisRound++
            await runOne(b, def, job)
          }
        }
        ran += ranThisRound
        if (ranThisRound === 0) break
      }
      return ran
    },

    get runningWorkers() {
      return localWorkers.size > 0 && !stopped
    },
  }
  return jobs
}

function missingHandler(name: string): never {
  throw new Error(`work(${name}) needs a handler: no job of that name is registered`)
}

const toOutput = (value: unknown): object =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? value : { value: value ?? null }

// What pg-boss stores for a failed job when it runs the worker itself: enough to diagnose.
const errorOutput = (err: unknown) =>
  err instanceof Error ? { name: err.name, message: err.message, permanent: isPermanent(err) } : { message: String(err) }
