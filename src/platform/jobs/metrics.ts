import { Counter, Histogram, Registry } from 'prom-client'

/**
 * Job metrics live in one registry per process (not per app like the HTTP metrics): a
 * process runs one set of workers, and prom-client refuses a second metric of the same
 * name in one registry. /metrics merges this registry with the app's.
 */
export const jobsRegistry = new Registry()

export const jobsSent = new Counter({
  name: 'beacon_jobs_sent_total',
  help: 'Jobs queued, by queue',
  labelNames: ['queue'],
  registers: [jobsRegistry],
})

export const jobsFinished = new Counter({
  name: 'beacon_jobs_finished_total',
  help: 'Job attempts finished, by queue and outcome (completed, retry, failed, permanent)',
  labelNames: ['queue', 'outcome'],
  registers: [jobsRegistry],
})

export const jobDuration = new Histogram({
  name: 'beacon_job_duration_seconds',
  help: 'Time a job handler took, by queue',
  labelNames: ['queue'],
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers: [jobsRegistry],
})
