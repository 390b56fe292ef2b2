import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../../test/helpers.ts'
import { testConfig } from '../../config.ts'
import type { StaffContext } from '../../platform/auth/access.ts'
import type { Role } from '../../platform/auth/schema.ts'
import { lastEmailTo, seedTestAreas, TEST_AREAS } from '../../platform/auth/testing.ts'
import type { Database } from '../../platform/db/client.ts'
import { AppError } from '../../platform/errors.ts'
import { createServices, type Services } from '../../services.ts'
import { commonAncestor, createMessagesService, type MessageInput } from './messages.service.ts'
import { fixtureId, insertFixtureSubscribers, type FixtureSubscriber } from './targeting.test-fixtures.ts'

let n = 0
/** A staff member as the auth plugin would attach them, without going through sign-in. */
function staff(email: string, grants: [Role, keyof typeof TEST_AREAS][]): StaffContext {
  n++
  return {
    userId: `11111111-0000-4000-8000-${String(n).padStart(12, '0')}`,
    email,
    name: email,
    grants: grants.map(([role, key]) => ({ role, areaId: TEST_AREAS[key].id, areaPath: TEST_AREAS[key].path })),
  }
}

const input = (over: Partial<MessageInput> = {}): MessageInput => ({
  title: 'Sheds broken into',
  bodyMarkdown: 'Please **lock** your sheds.',
  smsText: 'Sheds broken into: please lock up.',
  category: 'crime-alerts',
  priority: 'normal',
  organisation: 'force',
  allowReplies: true,
  isPublic: false,
  targets: { areaIds: [TEST_AREAS.ashbyNorth.id], interestIds: [], groupIds: [] },
  translations: [],
  ...over,
})

async function rejects(p: Promise<unknown>): Promise<AppError> {
  try {
    await p
  } catch (err) {
    if (err instanceof AppError) return err
    throw err
  }
  throw new Error('expected an AppError')
}

describe('messages service', () => {
  let db: Database
  let services: Services
  const officer = staff('officer@example.org', [['neighbourhood_officer', 'ashbyNorth']])
  const northOfficer = staff('north@example.org', [['neighbourhood_officer', 'north']])
  const southOfficer = staff('south@example.org', [['neighbourhood_officer', 'southTown']])
  const lead = staff('lead@example.org', [['engagement_lead', 'force']])
  const lead2 = staff('lead2@example.org', [['engagement_lead', 'force']])
  const opcc = staff('opcc@example.org', [['opcc_officer', 'force']])

  beforeAll(async () => {
    db = await createTestDatabase()
    services = await createServices(testConfig({ MESSAGING_APPROVAL_THRESHOLD: '25' }), db)
    await seedTestAreas(db)
    // 20 in Ashby North, 20 in Ashby South, 20 in South Town; all consent to both organisations.
    const areas = [TEST_AREAS.ashbyNorth.id, TEST_AREAS.ashbySouth.id, TEST_AREAS.southTown.id]
    const people: FixtureSubscriber[] = Array.from({ length: 60 }, (_, i) => ({
      id: fixtureId(i + 1),
      email: `r${i}@example.org`,
      phone: i % 3 === 0 ? `+4477009000${String(i).padStart(2, '0')}` : null,
      homeAreaId: areas[i % 3]!,
      places: [areas[i % 3]!],
      interests: i % 2 ? ['appeals'] : ['crime-alerts'],
      consents: { force: [true], opcc: [true] },
    }))
    await insertFixtureSubscribers(db, people)
  })
  afterAll(async () => {
    await services.jobs.stop()
    await db.close()
  })

  const m = () => services.messaging.messages

  it('finds the narrowest area covering the targets', () => {
    expect(commonAncestor(['/f/n/a/', '/f/n/b/'])).toBe('/f/n/')
    expect(commonAncestor(['/f/n/a/', '/f/s/c/'])).toBe('/f/')
    expect(commonAncestor(['/f/n/a/'])).toBe('/f/n/a/')
    expect(commonAncestor(['/f/n/ab/', '/f/n/a/'])).toBe('/f/n/')
  })

  it('saves a draft with targets and translations, owned by the common area, audited', async () => {
    const draft = await m().createDraft(
      northOfficer,
      input({
        targets: { areaIds: [TEST_AREAS.ashbyNorth.id, TEST_AREAS.ashbySouth.id], interestIds: ['appeals'], groupIds: [] },
        translations: [{ language: 'cy', title: 'Siediau', bodyMarkdown: 'Cloiwch.', smsText: 'Cloiwch.' }],
      }),
    )
    expect(draft).toMatchObject({ status: 'draft', areaId: TEST_AREAS.north.id, areaPath: TEST_AREAS.north.path, createdBy: northOfficer.userId })
    expect(draft.targets).toEqual({ areaIds: [TEST_AREAS.ashbyNorth.id, TEST_AREAS.ashbySouth.id], interestIds: ['appeals'], groupIds: [] })
    expect(draft.translations).toEqual([{ language: 'cy', title: 'Siediau', bodyMarkdown: 'Cloiwch.', smsText: 'Cloiwch.' }])
    const [entry] = await db.query<{ action: string; actor_email: string }>(`select action, actor_email from audit_log where entity_id = $1`, [draft.id])
    expect(entry).toEqual({ action: 'create', actor_email: 'north@example.org' })
  })

  it('explains what is wrong: HTML, a long SMS, no targets, a sender the role may not use', async () => {
    const html = await rejects(m().createDraft(officer, input({ bodyMarkdown: '<script>alert(1)</script>' })))
    expect(html.fieldErrors?.bodyMarkdown).toBe('Remove the script from the message: use the formatting shown')
    const long = await rejects(m().createDraft(officer, input({ smsText: 'x'.repeat(460) })))
    expect(long.fieldErrors?.smsText).toBe('Text message must be 459 characters or fewer (it is 460)')
    const none = await rejects(m().createDraft(officer, input({ targets: { areaIds: [], interestIds: ['appeals'], groupIds: [] } })))
    expect(none.fieldErrors?.areas).toBe('Choose at least one area or group to send to')
    const org = await rejects(m().createDraft(officer, input({ organisation: 'opcc' })))
    expect(org.fieldErrors?.organisation).toBe('Choose who the message is from')
    const welsh = await rejects(m().createDraft(officer, input({ translations: [{ language: 'cy', title: '', bodyMarkdown: '', smsText: null }] })))
    expect(welsh.fieldErrors?.translations).toBe('Enter the title and message of the cy translation')
  })

  it('refuses areas outside the grants, and hides other areas’ messages', async () => {
    const outside = await rejects(m().createDraft(officer, input({ targets: { areaIds: [TEST_AREAS.southTown.id], interestIds: [], groupIds: [] } })))
    expect(outside.code).toBe('FORBIDDEN')
    const wider = await rejects(m().createDraft(officer, input({ targets: { areaIds: [TEST_AREAS.north.id], interestIds: [], groupIds: [] } })))
    expect(wider.code).toBe('FORBIDDEN')
    const south = await m().createDraft(southOfficer, input({ targets: { areaIds: [TEST_AREAS.southTown.id], interestIds: [], groupIds: [] } }))
    expect((await rejects(m().getMessageFor(officer, south.id))).code).toBe('NOT_FOUND')
    expect((await rejects(m().submit(officer, south.id))).code).toBe('NOT_FOUND')
    expect((await rejects(m().cancel(officer, south.id))).code).toBe('NOT_FOUND')
    const mine = await m().listMessages([TEST_AREAS.ashbyNorth.path])
    expect(mine.rows.map(r => r.id)).not.toContain(south.id)
    const all = await m().listMessages([TEST_AREAS.force.path])
    expect(all.rows.map(r => r.id)).toContain(south.id)
  })

  it('sends a small message at once, writing its deliveries, and only once', async () => {
    const draft = await m().createDraft(officer, input())
    const count = await m().countRecipients({ ...draft.targets, organisation: 'force' })
    expect(count).toMatchObject({ total: 20, byChannel: { email: 20, sms: 20 } })
    const out = await m().submit(officer, draft.id)
    expect(out).toEqual({ outcome: 'sending', recipients: 20, deliveries: 40, emergency: false })
    expect(await m().getMessage(draft.id)).toMatchObject({ status: 'sending', recipientCount: 20, needsReview: false })
    expect((await rejects(m().submit(officer, draft.id))).code).toBe('CONFLICT')
    expect((await rejects(m().cancel(officer, draft.id))).code).toBe('CONFLICT')
    const [d] = await db.query<{ n: number }>(`select count(*)::int as n from msg_deliveries where message_id = $1`, [draft.id])
    expect(d!.n).toBe(40)
  })

  it('says clearly when a message has no recipients', async () => {
    const draft = await m().createDraft(officer, input({ targets: { areaIds: [TEST_AREAS.ashbyNorth.id], interestIds: ['rural-crime'], groupIds: [] } }))
    const err = await rejects(m().submit(officer, draft.id))
    expect(err.code).toBe('INVALID')
    expect(err.fieldErrors?.areas).toMatch(/^This message has no recipients/)
  })

  it('holds force-wide and large messages for a lead other than the author', async () => {
    const wide = await m().createDraft(opcc, input({ organisation: 'opcc', targets: { areaIds: [TEST_AREAS.force.id], interestIds: ['appeals'], groupIds: [] } }))
    expect(await m().submit(opcc, wide.id)).toEqual({ outcome: 'pending_approval', recipients: 30, reason: 'force-wide' })
    expect((await rejects(m().approve(officer, wide.id))).code).toBe('NOT_FOUND')
    expect((await rejects(m().approve(opcc, wide.id))).code).toBe('FORBIDDEN')
    expect(await m().approve(lead, wide.id)).toMatchObject({ outcome: 'sending', recipients: 30 })
    expect(await m().getMessage(wide.id)).toMatchObject({ status: 'sending', approvedBy: lead.userId })

    const big = await m().createDraft(lead, input({ targets: { areaIds: [TEST_AREAS.north.id], interestIds: [], groupIds: [] } }))
    expect(await m().submit(lead, big.id)).toEqual({ outcome: 'pending_approval', recipients: 40, reason: 'threshold' })
    expect((await rejects(m().approve(lead, big.id))).message).toBe('Someone other than the author must approve a message')
    await m().reject(lead2, big.id, 'Too broad: target the villages only')
    expect(await m().getMessage(big.id)).toMatchObject({ status: 'draft' })
    const [entry] = await db.query<{ summary: string }>(`select summary from audit_log where entity_id = $1 and action = 'reject'`, [big.id])
    expect(entry!.summary).toContain('Too broad')
  })

  it('sends an emergency at once from an officer, flagged for a lead to review', async () => {
    const draft = await m().createDraft(northOfficer, input({ priority: 'emergency', targets: { areaIds: [TEST_AREAS.north.id], interestIds: [], groupIds: [] } }))
    expect(await m().submit(northOfficer, draft.id)).toMatchObject({ outcome: 'sending', recipients: 40, emergency: true })
    const sent = await m().getMessage(draft.id)
    expect(sent).toMatchObject({ status: 'sending', needsReview: true })
    const [p] = await db.query<{ priority: number; status: string }>(`select distinct priority, status from msg_deliveries where message_id = $1`, [draft.id])
    expect(p).toEqual({ priority: 0, status: 'queued' })
    expect((await m().listMessages([TEST_AREAS.force.path], { needsReview: true })).rows.map(r => r.id)).toContain(draft.id)
    expect((await rejects(m().markReviewed(northOfficer, draft.id))).code).toBe('FORBIDDEN')
    await m().markReviewed(lead, draft.id)
    expect(await m().getMessage(draft.id)).toMatchObject({ needsReview: false, reviewedBy: lead.userId })
  })

  it('schedules for later, sends when due, and cancels before sending without writing deliveries', async () => {
    const draft = await m().createDraft(officer, input())
    const soon = new Date(Date.now() + 60 * 60 * 1000)
    expect((await rejects(m().schedule(officer, draft.id, new Date(Date.now() - 1000)))).fieldErrors?.scheduledFor).toBe('The time to send must be in the future')
    expect(await m().schedule(officer, draft.id, soon)).toMatchObject({ outcome: 'scheduled', recipients: 20 })
    // Nothing is due yet.
    expect(await m().sendDueScheduled()).toBe(0)
    const later = createMessagesService({ ...services, now: () => new Date(soon.getTime() + 1000) })
    expect(await later.sendDueScheduled()).toBe(1)
    expect(await m().getMessage(draft.id)).toMatchObject({ status: 'sending', recipientCount: 20 })

    const other = await m().createDraft(officer, input())
    await m().schedule(officer, other.id, soon)
    await m().cancel(officer, other.id)
    expect(await m().getMessage(other.id)).toMatchObject({ status: 'cancelled' })
    expect(await later.sendDueScheduled()).toBe(0)
    const [d] = await db.query<{ n: number }>(`select count(*)::int as n from msg_deliveries where message_id = $1`, [other.id])
    expect(d!.n).toBe(0)
  })

  it('previews the email and SMS in each language and sends a test to the author', async () => {
    const draft = await m().createDraft(officer, input({ translations: [{ language: 'cy', title: 'Siediau', bodyMarkdown: 'Cloiwch.', smsText: 'Cloiwch.' }] }))
    const { versions } = await m().preview(draft.id)
    expect(versions.map(v => v.language)).toEqual(['en', 'cy'])
    expect(versions[0]!.email.html).toContain('<strong>lock</strong>')
    expect(versions[1]!.sms!.text.startsWith('Cloiwch.\n')).toBe(true)
    await m().sendTest(officer, draft.id)
    const email = await lastEmailTo(db, 'officer@example.org')
    expect(email?.subject).toBe('[Test] Sheds broken into')
    expect(email?.body_text).toContain('Please lock your sheds.')
  })
})
