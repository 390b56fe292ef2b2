import { pgTable, text, bigint, timestamp, uuid, jsonb, index } from 'drizzle-orm/pg-core'

/** Append-only record of every staff change to a record and every view of personal data. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorUserId: uuid('actor_user_id'),
    /** email at the time, so the entry stays readable if the user is later removed */
    actorEmail: text('actor_email'),
    /** e.g. create, update, delete, view, sign-in, sign-in-failed, import */
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id'),
    areaId: text('area_id'),
    summary: text('summary'),
    details: jsonb('details').$type<Record<string, unknown>>(),
    ip: text('ip'),
  },
  t => [
    index('audit_at_idx').on(t.at),
    index('audit_actor_idx').on(t.actorUserId),
    index('audit_entity_idx').on(t.entityType, t.entityId),
  ],
)
