/**
 * Rows for the inbox, measures and groups tests, written straight into the messaging tables
 * so those tests do not depend on the sign-up, compose or dispatch services.
 */
import { testConfig } from '../../config.ts'
import type { Database } from '../../platform/db/client.ts'
import { createAuditService } from '../../platform/audit/service.ts'
import { createChannels } from '../../platform/channels/index.ts'
import type { Jobs } from '../../platform/jobs/index.ts'
import { createTestStaff, seedTestAreas, signInAs, TEST_AREAS } from '../../platform/auth/testing.ts'
import type { Role } from '../../platform/auth/schema.ts'
import { Browser, type TestApp } from '../../../test/helpers.ts'
import { createAreasService } from '../areas/service.ts'
import type { MessagingDeps } from './deps.ts'
import type { DeliveryRef } from './delivery-ref.ts'

type AreaKey = keyof typeof TEST_AREAS
const area = (k: AreaKey) => TEST_AREAS[k]

export async function addSubscriber(
  db: Database,
  s: { email?: string; phone?: string; status?: 'pending' | 'active'; confirmed?: boolean; places?: AreaKey[]; answerBy?: 'email' | 'sms' },
): Promise<string> {
  const confirmed = s.confirmed ?? true
  const [row] = await db.query<{ id: string }>(
    `insert into msg_subscribers (email, email_confirmed_at, phone, phone_confirmed_at, status, home_area_id)
     values ($1, $2, $3, $4, $5, $6) returning id`,
    [
      s.email ?? null,
      s.email && confirmed ? new Date('2026-01-01T00:00:00Z') : null,
      s.phone ?? null,
      s.phone && confirmed ? new Date('2026-01-01T00:00:00Z') : null,
      s.status ?? 'active',
      s.places?.[0] ? area(s.places[0]).id : null,
    ],
  )
  for (const p of s.places ?? [])
    await db.query(`insert into msg_subscriber_places (subscriber_id, area_id, area_path) values ($1, $2, $3)`, [row!.id, area(p).id, area(p).path])
  return row!.id
}

export async function addMessage(
  db: Database,
  m: { title: string; area: AreaKey; allowReplies?: boolean; sentAt?: Date | null; status?: string },
): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    `insert into msg_messages (title, body_markdown, category, area_id, area_path, allow_replies, status, sent_at)
     values ($1, 'Body', 'crime-alerts', $2, $3, $4, $5, $6) returning id`,
    [m.title, area(m.area).id, area(m.area).path, m.allowReplies ?? true, m.status ?? 'sent', m.sentAt === undefined ? new Date('2026-03-01T10:00:00Z') : m.sentAt],
  )
  return row!.id
}

export async function addDelivery(
  db: Database,
  d: {
    messageId: string
    subscriberId: string | null
    channel: 'email' | 'sms'
    status: string
    area?: AreaKey
    sentAt?: Date | null
    deliveredAt?: Date | null
    openedAt?: Date | null
    clickedAt?: Date | null
  },
): Promise<DeliveryRef> {
  const [row] = await db.query<{ ref: string }>(
    `insert into msg_deliveries (message_id, subscriber_id, channel, priority, area_id, status, sent_at, delivered_at, opened_at, clicked_at, failed_at)
     values ($1, $2, $3, 2, $4, $5, $6, $7, $8, $9, case when $5 = 'failed' then now() end)
     returning (select ref::text from msg_messages where id = message_id) as ref`,
    [
      d.messageId,
      d.subscriberId,
      d.channel,
      d.area ? area(d.area).id : null,
      d.status,
      d.sentAt ?? null,
      d.deliveredAt ?? null,
      d.openedAt ?? null,
      d.clickedAt ?? null,
    ],
  )
  // How dispatch and the links name it (delivery-ref.ts).
  return { messageRef: row!.ref, subscriberId: d.subscriberId ?? '', channel: d.channel }
}

export async function addReply(
  db: Database,
  r: { messageId: string; subscriberId: string | null; area: AreaKey; body: string; receivedAt: Date; answerChannel?: 'email' | 'sms'; via?: 'web' | 'email' },
): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    `insert into msg_replies (message_id, subscriber_id, via, body, answer_channel, area_path, received_at)
     values ($1, $2, $3, $4, $5, $6, $7) returning id`,
    [r.messageId, r.subscriberId, r.via ?? 'web', r.body, r.answerChannel ?? 'email', area(r.area).path, r.receivedAt],
  )
  return row!.id
}

export async function addEvent(db: Database, e: { area: AreaKey | null; event: string; at: Date; channel?: string; messageId?: string }): Promise<void> {
  await db.query(`insert into msg_membership_events (area_id, event, channel, message_id, at) values ($1, $2, $3, $4, $5)`, [
    e.area ? area(e.area).id : null,
    e.event,
    e.channel ?? null,
    e.messageId ?? null,
    e.at,
  ])
}

/** Dependencies for one messaging service on a test database, with a clock the test controls. */
export async function messagingDeps(db: Database, now: () => Date): Promise<MessagingDeps> {
  const config = testConfig()
  return {
    config,
    db,
    audit: createAuditService(db),
    channels: createChannels(config, db),
    jobs: {} as Jobs,
    areas: await createAreasService(db),
    now,
  }
}

/** A staff account with grants, written directly (no password: these tests do not sign in). */
export async function addStaff(db: Database, email: string, grants: [string, string][]): Promise<string> {
  const [u] = await db.query<{ id: string }>(`insert into staff_users (email, name) values ($1, $2) returning id`, [email, email.split('@')[0]])
  for (const [role, areaId] of grants) await db.query(`insert into role_grants (user_id, role, area_id) values ($1, $2, $3)`, [u!.id, role, areaId])
  return u!.id
}


/** The moment the stats fixture is measured at. */
export const STATS_NOW = new Date('2026-03-10T00:00:00Z')
const SENT = new Date('2026-03-01T10:00:00Z')
const later = (hours: number) => new Date(SENT.getTime() + hours * 3_600_000)

/**
 * A hand-built fixture where every figure is known (stats.service.test.ts works each one out):
 * five residents, two sent messages and a draft, deliveries in every state, feedback, replies,
 * unsubscribes inside and outside the 7-day window, and sign-up events for the 28 days to 10 March 2026.
 */
export async function buildStatsFixture(db: Database) {
  await seedTestAreas(db)
  await db.query(`update areas set population = case id when 'test-n01' then 2000 when 'test-s01' then 500 when 'test-north' then 4000 end`)
  const A = await addSubscriber(db, { email: 'a@example.com', phone: '+447700900010', places: ['ashbyNorth'] })
  const B = await addSubscriber(db, { email: 'b@example.com', phone: '+447700900011', places: ['ashbyNorth', 'ashbySouth'] })
  const C = await addSubscriber(db, { email: 'c@example.com', places: ['southTown'] })
  await addSubscriber(db, { email: 'd@example.com', status: 'pending', confirmed: false, places: ['ashbyNorth'] })
  await addSubscriber(db, { email: 'e@example.com', places: ['north'] })
  const m1 = await addMessage(db, { title: 'Burglary appeal', area: 'ashbyNorth', sentAt: SENT })
  const m2 = await addMessage(db, { title: '=HYPERLINK("evil")', area: 'southTown', sentAt: new Date('2026-03-05T10:00:00Z') })
  await addMessage(db, { title: 'Draft', area: 'ashbyNorth', sentAt: null, status: 'draft' })
  await addDelivery(db, { messageId: m1, subscriberId: A, channel: 'email', status: 'delivered', sentAt: later(0.1), deliveredAt: later(0.2), openedAt: later(1), clickedAt: later(1) })
  await addDelivery(db, { messageId: m1, subscriberId: A, channel: 'sms', status: 'sent', sentAt: later(0.1) })
  await addDelivery(db, { messageId: m1, subscriberId: B, channel: 'email', status: 'failed' })
  await addDelivery(db, { messageId: m1, subscriberId: B, channel: 'sms', status: 'delivered', sentAt: later(0.1), deliveredAt: later(0.2) })
  await addDelivery(db, { messageId: m1, subscriberId: null, channel: 'email', status: 'sent', sentAt: later(0.1), openedAt: later(2) })
  await addDelivery(db, { messageId: m1, subscriberId: C, channel: 'email', status: 'queued' })
  await addDelivery(db, { messageId: m2, subscriberId: C, channel: 'email', status: 'sent', sentAt: new Date('2026-03-05T10:01:00Z') })
  for (const [sub, useful] of [[A, true], [B, false], [C, true]] as const)
    await db.query(`insert into msg_feedback (message_id, subscriber_id, useful) values ($1, $2, $3)`, [m1, sub, useful])
  await addReply(db, { messageId: m1, subscriberId: A, area: 'ashbyNorth', body: 'one', receivedAt: later(3) })
  await addReply(db, { messageId: m1, subscriberId: B, area: 'ashbyNorth', body: 'two', receivedAt: later(4) })
  await addEvent(db, { area: 'ashbyNorth', event: 'unsubscribed', channel: 'email', messageId: m1, at: later(24) })
  await addEvent(db, { area: 'ashbyNorth', event: 'unsubscribed', channel: 'sms', messageId: m1, at: later(7 * 24 - 1) })
  await addEvent(db, { area: 'ashbyNorth', event: 'unsubscribed', channel: 'email', messageId: m1, at: later(8 * 24) })
  await addEvent(db, { area: 'southTown', event: 'unsubscribed', channel: 'email', messageId: m2, at: new Date('2026-03-06T00:00:00Z') })
  const inPeriod = new Date('2026-03-02T12:00:00Z')
  const events: [Parameters<typeof addEvent>[1]['area'], string, number][] = [
    ['ashbyNorth', 'started', 12],
    ['ashbyNorth', 'confirmed', 9],
    ['ashbyNorth', 'left', 2],
    ['ashbySouth', 'started', 3],
    ['ashbySouth', 'confirmed', 3],
    ['southTown', 'started', 1],
    ['southTown', 'confirmed', 1],
    ['southTown', 'left', 1],
  ]
  for (const [a, event, count] of events) for (let i = 0; i < count; i++) await addEvent(db, { area: a, event, at: inPeriod })
  // Before the period: not counted.
  for (let i = 0; i < 5; i++) await addEvent(db, { area: 'ashbyNorth', event: 'started', at: new Date('2026-01-01T00:00:00Z') })
  return { m1, m2 }
}


/** A signed-in browser for a new staff member with these grants (route tests). */
export async function staffBrowser(t: TestApp, email: string, grants: [Role, string][]): Promise<{ browser: Browser; id: string }> {
  const id = await createTestStaff(t.services, email, grants)
  const browser = new Browser(t.app)
  await signInAs(browser, t.services, id)
  return { browser, id }
}
