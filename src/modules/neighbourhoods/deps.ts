import type { Config } from '../../config.ts'
import type { Database } from '../../platform/db/client.ts'
import type { AuditService } from '../../platform/audit/service.ts'
import type { Channels } from '../../platform/channels/types.ts'
import type { Jobs } from '../../platform/jobs/index.ts'
import type { AreasService } from '../areas/service.ts'

/** What every neighbourhoods service is built from (passed by src/modules/neighbourhoods/service.ts). */
export interface NeighbourhoodsDeps {
  config: Config
  db: Database
  audit: AuditService
  channels: Channels
  jobs: Jobs
  areas: AreasService
  /** injectable clock for tests */
  now?: () => Date
}
