import { pgTable, text, timestamp, uuid, jsonb, index, uniqueIndex } from 'drizzle-orm/pg-core'

/** The development outbox: messages "sent" by the outbox provider, readable at /staff/outbox. */
export const outboxMessages = pgTable(
  'outbox_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    channel: text('channel', { enum: ['email', 'sms'] }).notNull(),
    recipient: text('recipient').notNull(),
    subject: text('subject'),
    bodyText: text('body_text').notNull(),
    bodyHtml: text('body_html'),
    headers: jsonb('headers').$type<Record<string, string>>(),
    reference: text('reference'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  t => [index('outbox_created_idx').on(t.createdAt), index('outbox_recipient_idx').on(t.recipient)],
)

/**
 * Delivery receipts reported by providers (GOV.UK Notify's callbacks), one row per message and
 * provider status, so a provider repeating a callback does not add a row. The messaging module
 * matches them to its deliveries by provider id or by our reference. No recipient is stored:
 * the delivery row already knows who it was for.
 */
export const channelReceipts = pgTable(
  'channel_receipts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    provider: text('provider', { enum: ['smtp', 'notify', 'outbox'] }).notNull(),
    providerId: text('provider_id').notNull(),
    reference: text('reference'),
    channel: text('channel', { enum: ['email', 'sms'] }),
    status: text('status', { enum: ['delivered', 'permanent-failure', 'temporary-failure', 'technical-failure', 'sent'] }).notNull(),
    providerStatus: text('provider_status').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  t => [
    uniqueIndex('channel_receipts_unique').on(t.provider, t.providerId, t.providerStatus),
    index('channel_receipts_reference_idx').on(t.reference),
  ],
)
