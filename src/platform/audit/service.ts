import type { FastifyRequest } from 'fastify'
import type { Database } from '../db/client.ts'

export interface AuditEntry {
  /** create, update, delete, view, sign-in, sign-in-failed, sign-out, import, export, grant, revoke … */
  action: string
  /** e.g. staff_user, role_grant, area, postcode_import */
  entityType: string
  entityId?: string | null
  areaId?: string | null
  /** one line a person can read in the audit view */
  summary?: string
  details?: Record<string, unknown>
}

export interface AuditActor {
  userId: string | null
  email: string | null
  ip: string | null
}

export interface AuditSearch {
  text?: string | undefined
  action?: string | undefined
  entityType?: string | undefined
  actor?: string | undefined
  from?: Date | undefined
  to?: Date | undefined
  limit?: number
  offset?: number
}

export interface AuditRow {
  id: number
  at: Date
  actor_email: string | null
  action: string
  entity_type: string
  entity_id: string | null
  area_id: string | null
  summary: string | null
  details: Record<string, unknown> | null
  ip: string | null
}

export const actorFrom = (request: FastifyRequest): AuditActor => ({
  userId: request.staff?.userId ?? null,
  email: request.staff?.email ?? null,
  ip: request.ip ?? null,
})

/** Writes and searches the audit log. Entries are never updated or deleted by the application. */
export function createAuditService(db: Database) {
  return {
    /** Records one entry; call it in the same request that made the change or showed the data. */
    async record(actor: AuditActor, entry: AuditEntry): Promise<void> {
      await db.query(
        `insert into audit_log (actor_user_id, actor_email, action, entity_type, entity_id, area_id, summary, details, ip)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          actor.userId,
          actor.email,
          entry.action,
          entry.entityType,
          entry.entityId ?? null,
          entry.areaId ?? null,
          entry.summary ?? null,
          entry.details ? JSON.stringify(entry.details) : null,
          actor.ip,
        ],
      )
    },

    /** Newest first; `text` matches the summary, record id or actor email. */
    async search(q: AuditSearch): Promise<{ rows: AuditRow[]; total: number }> {
      const where: string[] = []
      const params: unknown[] = []
      const add = (clause: string, value: unknown) => {
        params.push(value)
        where.push(clause.replaceAll('?', `$${params.length}`))
      }
      if (q.text) add(`(summary ilike ? or entity_id ilike ? or actor_email ilike ?)`, `%${q.text}%`)
      if (q.action) add('action = ?', q.action)
      if (q.entityType) add('entity_type = ?', q.entityType)
      if (q.actor) add('actor_email ilike ?', `%${q.actor}%`)
      if (q.from) add('at >= ?', q.from)
      if (q.to) add('at < ?', q.to)
      const whereSql = where.length ? `where ${where.join(' and ')}` : ''
      const [count] = await db.query<{ n: number }>(`select count(*)::int as n from audit_log ${whereSql}`, params)
      const rows = await db.query<AuditRow>(
        `select id, at, actor_email, action, entity_type, entity_id, area_id, summary, details, ip
           from audit_log ${whereSql} order by at desc, id desc limit ${Number(q.limit ?? 50)} offset ${Number(q.offset ?? 0)}`,
        params,
      )
      return { rows, total: count?.n ?? 0 }
    },
  }
}

export type AuditService = ReturnType<typeof createAuditService>
