import type { Config } from './config.ts'
import type { Database } from './platform/db/client.ts'
import { createAuditService } from './platform/audit/service.ts'
import { createChannels } from './platform/channels/index.ts'
import { createAreasService } from './modules/areas/service.ts'
import { createAuthService } from './platform/auth/service.ts'
import type { Channels } from './platform/channels/types.ts'

/**
 * The composition root: every service, wired by hand. Route plugins and jobs receive
 * this object; tests build it with an in-memory database and may swap any member.
 */
export async function createServices(config: Config, db: Database, overrides: Partial<Services> = {}) {
  const audit = overrides.audit ?? createAuditService(db)
  const channels: Channels = overrides.channels ?? createChannels(config, db)
  const areas = overrides.areas ?? (await createAreasService(db))
  const auth = overrides.auth ?? createAuthService({ config, db, audit, channels, areas })
  return { config, db, audit, channels, areas, auth }
}

export type Services = {
  config: Config
  db: Database
  audit: ReturnType<typeof createAuditService>
  channels: Channels
  areas: Awaited<ReturnType<typeof createAreasService>>
  auth: ReturnType<typeof createAuthService>
}
