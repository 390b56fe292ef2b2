import { pgTable, text, timestamp, uuid, jsonb, index } from 'drizzle-orm/pg-core'

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
