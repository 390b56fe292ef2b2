import type { Config } from '../../config.ts'
import type { Database } from '../db/client.ts'
import type { AuditService } from '../audit/service.ts'
import type { Channels } from '../channels/types.ts'

export interface AuthDeps {
  config: Config
  db: Database
  audit: AuditService
  channels: Channels
  areas: unknown
}

/** Staff accounts, sign-in, TOTP, password reset and grants. TODO(helper B). */
export function createAuthService(_deps: AuthDeps) {
  return {}
}
