import type { Config } from '../../config.ts'
import type { Database } from '../../platform/db/client.ts'
import type { AuditService } from '../../platform/audit/service.ts'
import type { Channels } from '../../platform/channels/types.ts'
import type { Jobs } from '../../platform/jobs/index.ts'
import type { createAreasService } from '../areas/service.ts'

/** What every messaging service is built from (passed by src/modules/messaging/service.ts). */
export interface MessagingDeps {
  config: Config
  db: Database
  audit: AuditService
  channels: Channels
  jobs: Jobs
  areas: Awaited<ReturnType<typeof createAreasService>>
  /** injectable clock for tests */
  now?: () => Date
}
