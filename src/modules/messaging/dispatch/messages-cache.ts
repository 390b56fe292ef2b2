import type { Database } from '../../../platform/db/client.ts'
import type { messages, messageTranslations } from '../schema.ts'

export type MessageRow = typeof messages.$inferSelect
export type TranslationRow = typeof messageTranslations.$inferSelect
export interface CachedMessage {
  message: MessageRow
  translations: TranslationRow[]
}

const MESSAGE_COLUMNS = `id, ref::float8 as ref, title, body_markdown as "bodyMarkdown", sms_text as "smsText", category, priority, organisation,
  status, allow_replies as "allowReplies", is_public as "isPublic", area_id as "areaId", area_path as "areaPath",
  created_by as "createdBy", approved_by as "approvedBy", approved_at as "approvedAt", needs_review as "needsReview",
  reviewed_by as "reviewedBy", reviewed_at as "reviewedAt", scheduled_for as "scheduledFor", sent_at as "sentAt",
  cancelled_at as "cancelledAt", recipient_count as "recipientCount", created_at as "createdAt", updated_at as "updatedAt"`

/**
 * Messages (with their translations) as the dispatcher renders them. A million deliveries
 * share a handful of messages, so each is read once and kept for a few seconds: long enough
 * to save a query per batch, short enough that a cancellation is seen promptly.
 */
export function createMessagesCache(db: Database, ttlMs = 5_000, now: () => number = Date.now) {
  const cache = new Map<string, { value: CachedMessage | null; at: number }>()

  /** The messages with these ids (null for one that no longer exists), one query for those not cached. */
  async function load(ids: string[]): Promise<Map<string, CachedMessage | null>> {
    const t = now()
    const out = new Map<string, CachedMessage | null>()
    const missing: string[] = []
    for (const id of new Set(ids)) {
      const hit = cache.get(id)
      if (hit && t - hit.at < ttlMs) out.set(id, hit.value)
      else missing.push(id)
    }
    if (missing.length > 0) {
      const [rows, translations] = await Promise.all([
        db.query<MessageRow>(`select ${MESSAGE_COLUMNS} from msg_messages where id = any($1::uuid[])`, [missing]),
        db.query<TranslationRow>(
          `select message_id as "messageId", language, title, body_markdown as "bodyMarkdown", sms_text as "smsText"
             from msg_message_translations where message_id = any($1::uuid[])`,
          [missing],
        ),
      ])
      for (const id of missing) {
        const message = rows.find(r => r.id === id)
        const value = message ? { message, translations: translations.filter(tr => tr.messageId === id) } : null
        cache.set(id, { value, at: t })
        out.set(id, value)
      }
      // Bounded: old entries go once the cache grows past a size no real send reaches.
      if (cache.size > 1_000) for (const [id, entry] of cache) if (t - entry.at >= ttlMs) cache.delete(id)
    }
    return out
  }

  return { load, clear: () => cache.clear() }
}
