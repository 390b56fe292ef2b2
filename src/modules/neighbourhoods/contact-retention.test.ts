import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../../test/helpers.ts'
import { loadConfig, testConfig } from '../../config.ts'
import { createServices, type Services } from '../../services.ts'
import { createTestStaff, seedTestAreas } from '../../platform/auth/testing.ts'
import type { Viewer } from './contact.service.ts'

const DAY = 86_400_000

describe('contact query retention', () => {
  let services: Services
  let officer: string
  let north: Viewer
  const actor = () => ({ userId: officer, email: null, ip: null })

  beforeAll(async () => {
    const db = await createTestDatabase()
    await seedTestAreas(db)
    services = await createServices(testConfig({ NEIGHBOURHOODS_CONTACT_RETENTION_DAYS: '90' }), db)
    officer = await createTestStaff(services, 'officer@example.org', [['neighbourhood_officer', 'test-n01']])
    north = { userId: officer, paths: ['/test-force/north/n01/'] }
  })
  afterAll(async () => services.db.close())

  /** A query submitted, replied to and (optionally) closed, with its closing date moved back. */
  async function query(message: string, closedDaysAgo: number | null) {
    const c = services.neighbourhoods.contact
    const saved = await c.submit('test-n01', { topic: 'question', message, replyBy: 'email', email: 'ann@example.com', name: 'Ann' })
    const [row] = await services.db.query<{ id: string }>(`select id from nbh_contact_queries where reference = $1`, [saved.reference])
    await c.reply(north, actor(), row!.id, 'Thanks, we will look into it.')
    if (closedDaysAgo !== null) {
      await c.close(north, actor(), row!.id)
      await services.db.query(`update nbh_contact_queries set closed_at = $2 where id = $1`, [row!.id, new Date(Date.now() - closedDaysAgo * DAY)])
    }
    return row!.id
  }

  it('erases queries closed longer ago than the retention period, with their replies, and keeps the rest', async () => {
    const old = await query('Closed long ago', 91)
    const recent = await query('Closed last month', 30)
    const open = await query('Still open, from before anyone remembers', null)
    await services.db.query(`update nbh_contact_queries set created_at = $2 where id = $1`, [open, new Date(Date.now() - 800 * DAY)])

    expect(await services.neighbourhoods.contactRetention.eraseExpired()).toBe(1)

    const left = await services.db.query<{ id: string }>(`select id from nbh_contact_queries order by created_at`)
    expect(left.map(r => r.id).sort()).toEqual([recent, open].sort())
    const replies = await services.db.query<{ n: number }>(`select count(*)::int as n from nbh_contact_replies where query_id = $1`, [old])
    expect(replies[0]!.n).toBe(0)
    // Only the count is kept, in the audit log, with no personal data.
    const [entry] = await services.db.query<{ summary: string; details: { count: number } }>(
      `select summary, details from audit_log where entity_type = 'nbh_contact_query' and action = 'delete'`,
    )
    expect(entry!.summary).toContain('Erased 1 contact query closed more than 90 days ago')
    expect(JSON.stringify(entry)).not.toContain('ann@example.com')
    // Nothing more to erase on a second run, and no empty audit entry for it.
    expect(await services.neighbourhoods.contactRetention.eraseExpired()).toBe(0)
    const entries = await services.db.query(`select 1 from audit_log where entity_type = 'nbh_contact_query' and action = 'delete'`)
    expect(entries).toHaveLength(1)
  })

  it('has a sensible default and refuses a period too short to answer a resident in', () => {
    expect(testConfig().neighbourhoods.contactRetentionDays).toBe(365)
    expect(() => loadConfig({ NODE_ENV: 'test', NEIGHBOURHOODS_CONTACT_RETENTION_DAYS: '7' })).toThrow(/NEIGHBOURHOODS_CONTACT_RETENTION_DAYS/)
  })
})
