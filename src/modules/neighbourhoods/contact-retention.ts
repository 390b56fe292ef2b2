import { z } from 'zod'
import { defineJob } from '../../platform/jobs/index.ts'
import type { NeighbourhoodsDeps } from './deps.ts'

/** The daily job that erases contact queries past their retention period. */
export const CONTACT_RETENTION_JOB = 'neighbourhoods.contact-retention'

/**
 * Storage limitation (UK GDPR Art. 5(1)(e)): a "contact your team" query holds the
 * resident's name, email or phone and what they wrote. Once it has been closed for
 * `NEIGHBOURHOODS_CONTACT_RETENTION_DAYS` it is deleted with its replies and notes; only
 * the count of what was erased is kept, in the audit log. Open queries are never erased,
 * however old: someone still owes the resident an answer. Reopening a query restarts the
 * wait, because the retention clock runs from `closed_at`.
 */
export function createContactRetention(deps: NeighbourhoodsDeps) {
  const { db, audit, jobs, config } = deps
  const now = () => deps.now?.() ?? new Date()
  const days = config.neighbourhoods.contactRetentionDays

  /** Deletes queries closed more than the retention period before `at`; answers how many. */
  async function eraseExpired(at: Date = now()): Promise<number> {
    const cutoff = new Date(at.getTime() - days * 86_400_000)
    const erased = await db.query<{ id: string }>(
      `delete from nbh_contact_queries where status = 'closed' and closed_at < $1 returning id`,
      [cutoff],
    )
    if (erased.length > 0)
      await audit.record(
        { userId: null, email: null, ip: null },
        {
          action: 'delete',
          entityType: 'nbh_contact_query',
          entityId: null,
          summary: `Erased ${erased.length} contact ${erased.length === 1 ? 'query' : 'queries'} closed more than ${days} days ago (retention policy)`,
          details: { count: erased.length, closedBefore: cutoff.toISOString(), retentionDays: days },
        },
      )
    return erased.length
  }

  // Registered once per job queue (tests may build several services on one) and run daily
  // at 03:20 London time outside tests.
  if (!jobs.definition(CONTACT_RETENTION_JOB)) {
    jobs.register(
      defineJob({
        id: CONTACT_RETENTION_JOB,
        schema: z.object({}).passthrough(),
        retryLimit: 2,
        expireInSeconds: 10 * 60,
        handler: async () => ({ erased: await eraseExpired() }),
      }),
    )
    if (config.env !== 'test') jobs.schedule(CONTACT_RETENTION_JOB, '20 3 * * *').catch(() => {})
  }

  return { eraseExpired, retentionDays: days }
}
