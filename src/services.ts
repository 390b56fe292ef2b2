import type { Config } from './config.ts'
import type { Database } from './platform/db/client.ts'
import { createAuditService } from './platform/audit/service.ts'
import { createChannels } from './platform/channels/index.ts'
import { createAreasService } from './modules/areas/service.ts'
import { createAuthService } from './platform/auth/service.ts'
import type { Channels } from './platform/channels/types.ts'
import { createJobs, type Jobs } from './platform/jobs/index.ts'
import { SEND_EMAIL, sendEmailJob } from './platform/jobs/send-email.ts'
import { createMessagingService, type MessagingService } from './modules/messaging/service.ts'
import { createNeighbourhoodsService, type NeighbourhoodsService } from './modules/neighbourhoods/service.ts'

/**
 * The composition root: every service, wired by hand. Route plugins and jobs receive
 * this object; tests build it with an in-memory database and may swap any member.
 */
export async function createServices(config: Config, db: Database, overrides: Partial<Services> = {}) {
  const audit = overrides.audit ?? createAuditService(db)
  const channels: Channels = overrides.channels ?? createChannels(config, db)
  const jobs: Jobs = overrides.jobs ?? createJobs({ config, db })
  if (!jobs.definition(SEND_EMAIL)) jobs.register(sendEmailJob(channels))
  const areas = overrides.areas ?? (await createAreasService(db))
  const auth = overrides.auth ?? createAuthService({ config, db, audit, channels, areas })
  const messaging = overrides.messaging ?? createMessagingService({ config, db, audit, channels, jobs, areas })
  const neighbourhoods = overrides.neighbourhoods ?? createNeighbourhoodsService({ config, db, audit, channels, jobs, areas })
  return { config, db, audit, channels, jobs, areas, auth, messaging, neighbourhoods }
}

export type Services = {
  config: Config
  db: Database
  audit: ReturnType<typeof createAuditService>
  channels: Channels
  jobs: Jobs
  areas: Awaited<ReturnType<typeof createAreasService>>
  auth: ReturnType<typeof createAuthService>
  messaging: MessagingService
  neighbourhoods: NeighbourhoodsService
}
