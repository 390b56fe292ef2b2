import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../../test/helpers.ts'
import type { Database } from '../../platform/db/client.ts'
import { seedTestAreas } from '../../platform/auth/testing.ts'
import { addMessage, addReply, addStaff, addSubscriber, messagingDeps } from './fixtures.testing.ts'
import { createInboxService, replyClock, type Viewer } from './inbox.service.ts'

const HOUR = 3_600_000
const T0 = new Date('2026-03-02T09:00:00Z')

const actor = (userId: string) => ({ userId, email: null, ip: null })

describe('replyClock', () => {
  it('counts whole hours against 72 and flags the last twelve', () => {
    expect(replyClock({ receivedAt: T0 }, new Date(T0.getTime() + 5 * HOUR + 59 * 60_000))).toMatchObject({
      hours: 5,
      hoursLeft: 67,
      overdue: false,
      text: '5 hours (67 left)',
      tagClass: '',
    })
    expect(replyClock({ receivedAt: T0 }, new Date(T0.getTime() + 20 * 60_000)).text).toBe('Under an hour (72 left)')
    expect(replyClock({ receivedAt: T0 }, new Date(T0.getTime() + 61 * HOUR)).tagClass).toBe('govuk-tag--yellow')
    expect(replyClock({ receivedAt: T0 }, new Date(T0.getTime() + 72 * HOUR)).overdue).toBe(false)
  })

  it('says how overdue a reply is, and stops when answered', () => {
    expect(replyClock({ receivedAt: T0 }, new Date(T0.getTime() + 75 * HOUR))).toMatchObject({ overdue: true, text: 'Overdue by 3 hours', tagClass: 'govuk-tag--red' })
    expect(replyClock({ receivedAt: T0 }, new Date(T0.getTime() + 72 * HOUR + 60_000)).text).toBe('Overdue by under an hour')
    expect(replyClock({ receivedAt: T0 }, new Date(T0.getTime() + 73 * HOUR)).text).toBe('Overdue by 1 hour')
    const answered = replyClock({ receivedAt: T0, answeredAt: new Date(T0.getTime() + 4 * HOUR) }, new Date(T0.getTime() + 500 * HOUR))
    expect(answered).toMatchObject({ stopped: true, overdue: false, text: 'Answered in 4 hours', tagClass: 'govuk-tag--green' })
    const late = replyClock({ receivedAt: T0, answeredAt: new Date(T0.getTime() + 80 * HOUR) }, new Date(T0.getTime() + 500 * HOUR))
    expect(late).toMatchObject({ overdue: true, text: 'Answered in 80 hours (late)' })
  })
})

describe('inbox service', () => {
  let db: Database
  let clock = new Date(T0.getTime() + 5 * HOUR)
  let inbox: ReturnType<typeof createInboxService>
  let north: Viewer, south: Viewer, lead: Viewer
  let ids: { northReply: string; southReply: string; smsReply: string; goneReply: string }
  let people: { officerN: string; officerS: string; lead: string; partner: string }

  beforeAll(async () => {
    db = await createTestDatabase()
    await seedTestAreas(db)
    inbox = createInboxService(await messagingDeps(db, () => clock))
    people = {
      officerN: await addStaff(db, 'north@example.org', [['neighbourhood_officer', 'test-n01']]),
      officerS: await addStaff(db, 'south@example.org', [['neighbourhood_officer', 'test-s01']]),
      lead: await addStaff(db, 'lead@example.org', [['engagement_lead', 'test-force']]),
      partner: await addStaff(db, 'partner@example.org', [['partner', 'test-n01']]),
    }
    north = { userId: people.officerN, paths: ['/test-force/north/n01/'] }
    south = { userId: people.officerS, paths: ['/test-force/south/s01/'] }
    lead = { userId: people.lead, paths: ['/test-force/'] }
    const ann = await addSubscriber(db, { email: 'ann@example.com', phone: '+447700900001', places: ['ashbyNorth'] })
    const bob = await addSubscriber(db, { phone: '+447700900002', places: ['ashbyNorth'] })
    const cat = await addSubscriber(db, { email: 'cat@example.com', places: ['southTown'] })
    const mN = await addMessage(db, { title: 'Bike thefts in Ashby North', area: 'ashbyNorth' })
    const mS = await addMessage(db, { title: 'South Town road closure', area: 'southTown' })
    ids = {
      northReply: await addReply(db, { messageId: mN, subscriberId: ann, area: 'ashbyNorth', body: 'I saw a van\non Tuesday', receivedAt: T0 }),
      smsReply: await addReply(db, { messageId: mN, subscriberId: bob, area: 'ashbyNorth', body: 'Text me back', receivedAt: new Date(T0.getTime() + HOUR), answerChannel: 'sms' }),
      southReply: await addReply(db, { messageId: mS, subscriberId: cat, area: 'southTown', body: 'Which roads?', receivedAt: new Date(T0.getTime() - 80 * HOUR) }),
      goneReply: await addReply(db, { messageId: mN, subscriberId: null, area: 'ashbyNorth', body: 'From someone who left', receivedAt: new Date(T0.getTime() + 2 * HOUR) }),
    }
  })
  afterAll(async () => db.close())

  it('lists only the replies inside the viewer’s grants, newest first, with the 72-hour clock', async () => {
    const n = await inbox.listReplies(north)
    expect(n.rows.map(r => r.id)).toEqual([ids.goneReply, ids.smsReply, ids.northReply])
    expect(n.rows[2]).toMatchObject({ messageTitle: 'Bike thefts in Ashby North', status: 'new', clock: { text: '5 hours (67 left)' } })
    expect(n.counts).toEqual({ new: 3, assigned: 0, answered: 0, actioned: 0 })
    const s = await inbox.listReplies(south)
    expect(s.rows.map(r => r.id)).toEqual([ids.southReply])
    expect(s.rows[0]!.clock.text).toBe('Overdue by 13 hours')
    expect((await inbox.listReplies(lead)).total).toBe(4)
    expect((await inbox.listReplies({ userId: people.partner, paths: [] })).rows).toEqual([])
  })

  it('refuses another neighbourhood’s reply for every action, changing nothing', async () => {
    expect(await inbox.getReply(north, actor(north.userId), ids.southReply)).toBeNull()
    expect(await inbox.getReply(north, actor(north.userId), 'not-a-uuid')).toBeNull()
    await expect(inbox.assign(north, actor(north.userId), ids.southReply, north.userId)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(inbox.respond(north, actor(north.userId), ids.southReply, 'Hello')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(inbox.markActioned(north, actor(north.userId), ids.southReply)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    const [r] = await db.query(`select status, answer, assigned_to from msg_replies where id = $1`, [ids.southReply])
    expect(r).toEqual({ status: 'new', answer: null, assigned_to: null })
  })

  it('audits opening a reply as a view of the resident’s contact', async () => {
    const detail = await inbox.getReply(north, actor(north.userId), ids.northReply)
    expect(detail).toMatchObject({ residentExists: true, contact: { channel: 'email', address: 'ann@example.com' } })
    const [entry] = await db.query<{ action: string; entity_type: string; entity_id: string; actor_user_id: string }>(
      `select action, entity_type, entity_id, actor_user_id from audit_log order by id desc limit 1`,
    )
    expect(entry).toEqual({ action: 'view', entity_type: 'msg_reply', entity_id: ids.northReply, actor_user_id: north.userId })
  })

  it('assigns only to staff whose messaging grants cover the area', async () => {
    expect((await inbox.assignees('/test-force/north/n01/')).map(a => a.email)).toEqual(['lead@example.org', 'north@example.org'])
    await expect(inbox.assign(north, actor(north.userId), ids.northReply, people.officerS)).rejects.toMatchObject({ code: 'INVALID' })
    await expect(inbox.assign(north, actor(north.userId), ids.northReply, people.partner)).rejects.toMatchObject({ code: 'INVALID' })
    await inbox.assign(lead, actor(lead.userId), ids.northReply, people.officerN)
    const mine = await inbox.listReplies(north, { mine: true })
    expect(mine.rows.map(r => r.id)).toEqual([ids.northReply])
    expect(mine.rows[0]).toMatchObject({ status: 'assigned', assigneeName: 'north' })
    expect((await inbox.listReplies(north, { status: 'assigned' })).total).toBe(1)
  })

  it('answers by email, quoting the reply and the message title, and stops the clock', async () => {
    clock = new Date(T0.getTime() + 6 * HOUR)
    await expect(inbox.respond(north, actor(north.userId), ids.northReply, '   ')).rejects.toMatchObject({ code: 'INVALID', fieldErrors: { answer: 'Enter your answer' } })
    await expect(inbox.respond(north, actor(north.userId), ids.northReply, 'x'.repeat(5001))).rejects.toMatchObject({ code: 'INVALID' })
    expect(await inbox.respond(north, actor(north.userId), ids.northReply, 'Thank you, we have passed this on.')).toEqual({ ok: true, channel: 'email', to: 'ann@example.com' })
    const [mail] = await db.query<{ recipient: string; subject: string; body_text: string; channel: string }>(
      `select channel, recipient, subject, body_text from outbox_messages order by created_at desc limit 1`,
    )
    expect(mail).toMatchObject({ channel: 'email', recipient: 'ann@example.com', subject: 'Re: Bike thefts in Ashby North' })
    expect(mail!.body_text).toContain('Thank you, we have passed this on.')
    expect(mail!.body_text).toContain('> I saw a van\n> on Tuesday')
    const row = (await inbox.listReplies(north, { status: 'answered' })).rows[0]!
    expect(row).toMatchObject({ id: ids.northReply, clock: { text: 'Answered in 6 hours' } })
    // A second answer (another officer, a double click) is refused rather than sent twice.
    expect(await inbox.respond(lead, actor(lead.userId), ids.northReply, 'Again')).toEqual({ ok: false, reason: 'already-answered' })
    expect((await db.query(`select 1 from outbox_messages where recipient = 'ann@example.com'`)).length).toBe(1)
  })

  it('answers by SMS when the resident chose it, held to four text parts', async () => {
    await expect(inbox.respond(north, actor(north.userId), ids.smsReply, 'y'.repeat(613))).rejects.toMatchObject({ code: 'INVALID' })
    expect(await inbox.respond(north, actor(north.userId), ids.smsReply, 'We will call round.')).toEqual({ ok: true, channel: 'sms', to: '+447700900002' })
    const [sms] = await db.query<{ channel: string; recipient: string; body_text: string }>(
      `select channel, recipient, body_text from outbox_messages where channel = 'sms'`,
    )
    expect(sms).toEqual({ channel: 'sms', recipient: '+447700900002', body_text: 'Demo Shire Police: We will call round.' })
  })

  it('says so, and sends nothing, when the resident has deleted their account', async () => {
    const before = (await db.query(`select 1 from outbox_messages`)).length
    expect(await inbox.respond(north, actor(north.userId), ids.goneReply, 'Hello')).toEqual({ ok: false, reason: 'deleted' })
    expect((await db.query(`select 1 from outbox_messages`)).length).toBe(before)
    expect((await db.query<{ status: string }>(`select status from msg_replies where id = $1`, [ids.goneReply]))[0]!.status).toBe('new')
  })

  it('marks a reply actioned, audited', async () => {
    await inbox.markActioned(south, actor(south.userId), ids.southReply)
    const [r] = await db.query<{ status: string; actioned_at: Date }>(`select status, actioned_at from msg_replies where id = $1`, [ids.southReply])
    expect(r!.status).toBe('actioned')
    expect(new Date(r!.actioned_at).getTime()).toBe(clock.getTime())
    const audited = await db.query(`select summary from audit_log where entity_id = $1 and action = 'update'`, [ids.southReply])
    expect(audited).toEqual([{ summary: 'Marked a reply to "South Town road closure" as actioned' }])
  })

  it('answers a resident who chose Welsh with Beacon’s own words in Welsh', async () => {
    const [cat] = await db.query<{ id: string }>(`select id from msg_subscribers where email = 'cat@example.com'`)
    await db.query(`update msg_subscribers set language = 'cy' where id = $1`, [cat!.id])
    expect(await inbox.respond(lead, actor(lead.userId), ids.southReply, 'Diolch, byddwn yn edrych.')).toMatchObject({ ok: true, channel: 'email' })
    const [mail] = await db.query<{ subject: string; body_text: string }>(
      `select subject, body_text from outbox_messages where recipient = 'cat@example.com' order by created_at desc limit 1`,
    )
    expect(mail!.subject).toBe('Ateb: South Town road closure')
    expect(mail!.body_text).toContain('Fe wnaethoch ymateb i’n neges "South Town road closure"')
    expect(mail!.body_text).toContain('> Which roads?')
  })
})
