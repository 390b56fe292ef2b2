import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { Config } from '../config.ts'
import { buildApp } from '../app.ts'
import { createServices, type Services } from '../services.ts'
import { createDatabase, runMigrations, type Database } from './db/client.ts'

export interface Beacon {
  app: FastifyInstance
  db: Database
  services: Services
  /** Stops taking requests, lets work in hand finish, then closes the database. */
  close(): Promise<void>
}

/**
 * Opens the database, applies migrations, loads demo data into an empty database,
 * builds the services and the app, and starts in-process workers when configured.
 */
export async function startBeacon(config: Config, logger: Logger): Promise<Beacon> {
  const db = await createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolMax: config.databasePoolMax })
  await runMigrations(db)
  const services = await createServices(config, db)
  const app = await buildApp({ config, db, services, logger })
  return {
    app,
    db,
    services,
    async close() {
      await app.close()
      await services.channels.close()
      await db.close()
    },
  }
}
