import closeWithGrace from 'close-with-grace'
import { loadConfigOrExit } from './config.ts'
import { createLogger } from './platform/logger.ts'
import { startBeacon } from './platform/boot.ts'

/**
 * How long a signalled process has to finish requests and running jobs before it is cut
 * off; inside the 30 seconds most orchestrators wait before killing a container.
 */
const CLOSE_GRACE_MS = 25_000

/** Process entry: boot, listen, and close gracefully on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const config = loadConfigOrExit()
  const logger = createLogger({ level: config.logLevel })
  const beacon = await startBeacon(config, logger)
  const address = await beacon.app.listen({ port: config.port, host: config.host })
  logger.info(
    { address, url: config.baseUrl, database: beacon.db.kind, workers: beacon.services.jobs.runningWorkers },
    'Beacon is listening',
  )

  closeWithGrace({ delay: CLOSE_GRACE_MS }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'closing after an error')
    else logger.info({ signal }, 'closing')
    await beacon.close()
    logger.info('closed')
  })
}

await main()
