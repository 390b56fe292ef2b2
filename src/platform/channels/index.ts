import type { Config } from '../../config.ts'
import type { Database } from '../db/client.ts'
import type { Channels } from './types.ts'
import { createOutboxChannel } from './outbox.ts'

/** Picks the email and SMS providers named in configuration. */
export function createChannels(_config: Config, db: Database): Channels {
  // TODO(helper C): smtp and notify providers
  const outbox = createOutboxChannel(db)
  return { email: outbox, sms: outbox, close: async () => {} }
}
