import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { Config } from '../config.ts'
import { buildApp } from '../app.ts'
import { createServices, type Services } from '../services.ts'
import { createDatabase, runMigrations, type Database } from './db/client.ts'
import { createJobs } from './jobs/index.ts'
import { seedDemo } from '../demo.ts'

export interface Beacon {
  app: FastifyInstance
  db: Database
  services: Services
  /** Stops taking requests, lets work in hand finish, then closes the database. */
  close(): Promise<void>
}

/**
 * Opens the database, applies migrations, builds the services and the app, and starts the
 * job queue: with its workers in this process when configured (always on PGlite, which
 * allows one process), otherwise only for sending to separate worker processes.
 */
export async function startBeacon(config: Config, logger: Logger): Promise<Beacon> {
  const db = await createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolMax: config.databasePoolMax })
  await runMigrations(db)
  const jobs = createJobs({ db, config, logger })
  const services = await createServices(config, db, { jobs })
  if (config.demo.seedOnEmpty) await seedDemoIfEmpty(services, config, logger)
  const app = await buildApp({ config, db, services, logger })
  await services.jobs.start()
  // Message delivery runs wherever job workers run: in this process on PGlite, or when RUN_WORKER is on.
  if (config.runWorkerInProcess) await services.messaging.dispatch.start()
  // A wrong SMTP URL or password shows in the log at start rather than at the first email.
  // Not fatal: the relay may be down for a while, and mail waits in the queue meanwhile.
  const email = services.channels.email as { verify?: () => Promise<void> }
  if (typeof email.verify === 'function')
    email.verify().then(
      () => logger.info('SMTP relay reachable'),
      err => logger.warn({ err }, 'SMTP relay not reachable; email will be retried'),
    )

  // Fastify's close waits for every connection to end, and a keep-alive connection whose
  // request was in flight would otherwise stay open until its idle timeout (over a minute),
  // past the grace period. Responses sent while closing tell the client to hang up, and
  // connections that have gone idle since are closed as they appear.
  let shuttingDown = false
  app.addHook('onSend', async (_request, reply) => {
    if (shuttingDown) reply.header('connection', 'close')
  })
  const closeApp = async () => {
    shuttingDown = true
    const reaper = setInterval(() => app.server.closeIdleConnections(), 100)
    try {
      await app.close()
    } finally {
      clearInterval(reaper)
    }
  }

  // Each process keeps its own spatial index; on PostgreSQL another process may import
  // boundaries, so check for changes now and then (one cheap query when nothing changed).
  const indexRefresh =
    db.kind === 'postgres'
      ? setInterval(() => {
          services.areas.refreshIndexIfChanged().catch(err => logger.warn({ err }, 'spatial index refresh failed'))
        }, 60_000).unref()
      : undefined

  let closing: Promise<void> | undefined
  return {
    app,
    db,
    services,
    close() {
      // Requests first (they may queue jobs), then jobs (they use channels and the
      // database), then the providers' connections, and the database last.
      closing ??= (async () => {
        try {
          clearInterval(indexRefresh)
          await closeApp()
          await services.messaging.dispatch.stop()
          await services.jobs.stop()
          await services.channels.close()
        } finally {
          await db.close()
        }
      })()
      return closing
    },
  }
}

/**
 * First start on an empty database: load the demo force area and staff accounts. A
 * generated password is printed once to the terminal (not to the log, which is kept).
 */
async function seedDemoIfEmpty(services: Services, config: Config, logger: Logger): Promise<void> {
  const result = await seedDemo(services, { seed: config.demo.seed, password: config.demo.password })
  if (!result.seeded) return
  logger.info({ accounts: result.accounts.length }, 'demo data loaded')
  const lines = [
    '',
    'Beacon demo data loaded. Staff accounts (see README):',
    ...result.accounts.map(a => `  ${a.email}  (${a.role.replace('_', ' ')})`),
    result.generatedPassword
      ? `Their password, shown only this once: ${result.generatedPassword}`
      : 'Their password is the DEMO_PASSWORD you set.',
    'Administrators set up an authenticator app (TOTP) at first sign-in.',
    '',
  ]
  process.stdout.write(lines.join('\n') + '\n')
}
