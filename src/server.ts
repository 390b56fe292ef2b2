import closeWithGrace from 'close-with-grace'
import { loadConfig, ConfigError } from './config.ts'
import { createLogger } from './platform/logger.ts'
import { startBeacon } from './platform/boot.ts'

/** Process entry: boot, listen, and close gracefully on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config
  try {
    config = loadConfig()
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message)
      process.exit(78) // EX_CONFIG
    }
    throw err
  }
  const logger = createLogger({ level: config.logLevel })
  const beacon = await startBeacon(config, logger)
  await beacon.app.listen({ port: config.port, host: config.host })
  logger.info({ url: config.baseUrl, database: beacon.db.kind }, 'Beacon is listening')

  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'closing after an error')
    else logger.info({ signal }, 'closing')
    await beacon.close()
  })
}

await main()
