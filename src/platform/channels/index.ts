import type { Config } from '../../config.ts'
import type { Database } from '../db/client.ts'
import type { Channels, EmailChannel, SmsChannel } from './types.ts'
import { createOutboxChannel } from './outbox.ts'
import { createSmtpChannel } from './smtp.ts'
import { createNotifyChannel, createNotifyClient, type NotifyClientLike } from './notify.ts'
import { createReceipts } from './receipts.ts'

export { ChannelError } from './types.ts'
export type { Channels, EmailChannel, EmailMessage, SmsChannel, SmsMessage, SendResult, DeliveryReceipt, ReceiptListener } from './types.ts'
export { onDeliveryReceipt } from './receipts.ts'

export interface ChannelOverrides {
  /** a Notify client to use instead of the real one (tests) */
  notifyClient?: NotifyClientLike
}

/**
 * Picks the email and SMS providers named in configuration (config.ts has already checked
 * that each chosen provider has its settings). One Notify client serves both channels.
 */
export function createChannels(config: Config, db: Database, overrides: ChannelOverrides = {}): Channels {
  const c = config.channels
  const outbox = createOutboxChannel(db)
  const closers: (() => Promise<void>)[] = []

  let notify: ReturnType<typeof createNotifyChannel> | undefined
  const notifyChannel = () => {
    if (!notify) {
      const client = overrides.notifyClient ?? createNotifyClient(c.notifyApiKey ?? '', c.notifyBaseUrl)
      notify = createNotifyChannel({ client, emailTemplateId: c.notifyEmailTemplateId, smsTemplateId: c.notifySmsTemplateId })
    }
    return notify
  }

  let email: EmailChannel
  if (c.emailProvider === 'smtp') {
    const smtp = createSmtpChannel({ url: c.smtpUrl ?? '', from: c.mailFrom })
    closers.push(() => smtp.close())
    email = smtp
  } else if (c.emailProvider === 'notify') email = notifyChannel()
  else email = outbox

  const sms: SmsChannel = c.smsProvider === 'notify' ? notifyChannel() : outbox

  return {
    email,
    sms,
    receipts: createReceipts(db),
    async close() {
      await Promise.all(closers.map(close => close()))
    },
  }
}
