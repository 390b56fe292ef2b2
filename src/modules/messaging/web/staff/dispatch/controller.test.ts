import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Browser, createTestApp, type TestApp } from '../../../../../../test/helpers.ts'
import { createTestStaff, seedTestAreas, signInAs } from '../../../../../platform/auth/testing.ts'
import { createSendingMessage, queueDeliveries, seedSubscribers } from '../../../dispatch/testing.ts'

const cell = (html: string, rowHeader: string) =>
  [...(new RegExp(`<th scope="row" class="govuk-table__header">${rowHeader}</th>([\\s\\S]*?)</tr>`).exec(html)?.[1] ?? '').matchAll(/>([\d,]+)</g)].map(m => m[1])

describe('staff dispatch page', () => {
  let t: TestApp
  const as: Record<string, Browser> = {}
  beforeAll(async () => {
    t = await createTestApp()
    const areas = await seedTestAreas(t.db)
    const grants: Record<string, Parameters<typeof createTestStaff>[2]> = {
      lead: [['engagement_lead', areas.force.id]],
      officer: [['neighbourhood_officer', areas.force.id]],
    }
    for (const [who, g] of Object.entries(grants)) {
      as[who] = new Browser(t.app)
      await signInAs(as[who]!, t.services, await createTestStaff(t.services, `${who}@example.org`, g))
    }
    const people = await seedSubscribers(t.db, 12)
    const urgent = await createSendingMessage(t.db, { priority: 'emergency' })
    await queueDeliveries(t.db, urgent, people.slice(0, 3), { priority: 'emergency' })
    const routine = await createSendingMessage(t.db)
    await queueDeliveries(t.db, routine, people)
    await queueDeliveries(t.db, routine, people.slice(0, 5), { channel: 'sms', status: 'digest' })
    await t.db.query(`update msg_subscribers set email_failing = true where id = any($1::uuid[])`, [people.slice(0, 2)])
  })
  afterAll(async () => t.close())

  it('shows the queue by priority, the limits and failing contacts to an engagement lead', async () => {
    const page = await as.lead!.get('/staff/messaging/dispatch')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('<h1 class="govuk-heading-l">Message delivery</h1>')
    expect(cell(page.body, 'Emergency')).toEqual(['3', '0', '0'])
    expect(cell(page.body, 'Normal')).toEqual(['12', '0', '5'])
    expect(page.body).toMatch(/Email addresses marked failing[\s\S]*?2\s*</)
    expect(page.body).toContain('3,000 a minute per worker process')
  })

  it('is not shown to a neighbourhood officer', async () => {
    const page = await as.officer!.get('/staff/messaging/dispatch')
    expect(page.statusCode).toBe(403)
  })

  it('takes back stranded deliveries on request and records it in the audit log', async () => {
    const [row] = await t.db.query<{ message_id: string; subscriber_id: string; channel: string }>(
      `select message_id, subscriber_id, channel from msg_deliveries where status = 'queued' limit 1`,
    )
    const key = [row!.message_id, row!.subscriber_id, row!.channel]
    await t.db.query(
      `update msg_deliveries set status = 'sending', claimed_at = now() - interval '1 hour', claimed_by = 'gone' where message_id = $1 and subscriber_id = $2 and channel = $3`,
      key,
    )
    const res = await as.lead!.submit('/staff/messaging/dispatch', { action: 'recover' })
    expect(res.statusCode).toBe(303)
    const page = await as.lead!.get('/staff/messaging/dispatch')
    expect(page.body).toContain('1 stranded delivery will be sent again')
    const [after] = await t.db.query<{ status: string }>(`select status from msg_deliveries where message_id = $1 and subscriber_id = $2 and channel = $3`, key)
    expect(after!.status).toBe('queued')
    const [audit] = await t.db.query<{ summary: string }>(`select summary from audit_log where entity_type = 'messaging_dispatch'`)
    expect(audit!.summary).toBe('Took back 1 stranded delivery for sending')
  })

  it('answers a forged action with an error, not a stack trace', async () => {
    const res = await as.lead!.submit('/staff/messaging/dispatch', { action: 'drop-table' })
    expect(res.statusCode).toBe(303)
    const page = await as.lead!.get('/staff/messaging/dispatch')
    expect(page.body).toContain('There is a problem')
  })
})
