import closeWithGrace from 'close-with-grace'
import { loadConfigOrExit } from './config.ts'
import { createLogger } from './platform/logger.ts'
import { createDatabase, runMigrations } from './platform/db/client.ts'
import { createJobs } from './platform/jobs/index.ts'
import { createServices } from './services.ts'

const CLOSE_GRACE_MS = 25_000

/** Why a separate worker cannot run on the embedded database. */
const PGLITE_REFUSAL =
  'PGlite allows one process; the web process runs the workers. Set DATABASE_URL to a PostgreSQL server to run separate workers.'

/**
 * Process entry for job workers (`npm run worker`), for deployments on PostgreSQL where web
 * and worker processes scale separately. Run as many as needed: each claims jobs with
 * FOR UPDATE SKIP LOCKED, so no job runs twice at once. Set RUN_WORKER=false on the web
 * processes so they only queue jobs.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit()
  if (!config.databaseUrl) {
    console.error(PGLITE_REFUSAL)
    process.exit(78)
  }
  const logger = createLogger({ level: config.logLevel }).child({ process: 'worker' })
  const db = await createDatabase({ databaseUrl: config.databaseUrl, poolMax: config.databasePoolMax })
  // Idempotent; a worker that starts before the web process still finds its tables.
  await runMigrations(db)
  const jobs = createJobs({ db, config, logger, runWorkers: true })
  const services = await createServices(config, db, { jobs })
  await jobs.start()
  await services.messaging.dispatch.start()
  logger.info({ database: db.kind }, 'Beacon worker started')

  closeWithGrace({ delay: CLOSE_GRACE_MS }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'closing after an error')
    else logger.info({ signal }, 'closing')
    try {
      await services.messaging.dispatch.stop()
      await jobs.stop()
      await services.channels.close()
    } finally {
      await db.close()
    }
    logger.info('closed')
  })
}

await main()
