import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { Config } from '../config.ts'
import { buildApp } from '../app.ts'
import { createServices, type Services } from '../services.ts'
import { createDatabase, runMigrations, type Database } from './db/client.ts'
import { createJobs } from './jobs/index.ts'

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
  const app = await buildApp({ config, db, services, logger })
  await services.jobs.start()
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
          await app.close()
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
