import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { testConfig } from '../../config.ts'
import { createServices, type Services } from '../../services.ts'
import type { Database } from '../../platform/db/client.ts'
import type { AuditActor } from '../../platform/audit/service.ts'
import { AppError } from '../../platform/errors.ts'
import { seedTestAreas, TEST_AREAS } from '../../platform/auth/testing.ts'
import { createTestDatabase } from '../../../test/helpers.ts'
import { createEventsService, EVENT_MESSAGES, isJoinLink, type EventFields } from './events.service.ts'
import { buildRule, londonParts, londonToUtc } from './recurrence.ts'

const actor: AuditActor = { userId: null, email: 'officer@example.org', ip: '127.0.0.1' }
const area = TEST_AREAS.ashbyNorth.id

/** Seven in the evening, London time, on a date. */
const at = (y: number, m: number, d: number, hour = 19, minute = 0) => londonToUtc({ year: y, month: m, day: d }, { hour, minute })

const fields = (over: Partial<EventFields> = {}): EventFields => ({
  type: 'pact',
  title: 'Ashby North PACT meeting',
  description: 'Tell us what matters.',
  format: 'in_person',
  address: 'Ashby Library, Market Street',
  onlineUrl: null,
  onlinePlatform: null,
  startsAt: at(2026, 3, 10),
  endsAt: at(2026, 3, 10, 20, 30),
  acceptsQuestions: true,
  ...over,
})

/** The field errors of an INVALID refusal. */
async function refusal(p: Promise<unknown>): Promise<Record<string, string>> {
  try {
    await p
  } catch (err) {
    if (err instanceof AppError && err.code === 'INVALID') return err.fieldErrors ?? { form: err.message }
    throw err
  }
  throw new Error('expected a refusal')
}

describe('events service', () => {
  let db: Database
  let services: Services
  let clock = new Date('2026-02-01T12:00:00Z')
  let events: ReturnType<typeof createEventsService>

  beforeAll(async () => {
    db = await createTestDatabase()
    await seedTestAreas(db)
    services = await createServices(testConfig(), db)
    events = createEventsService({ ...services, now: () => clock })
  })
  afterAll(async () => db.close())
  beforeEach(() => {
    clock = new Date('2026-02-01T12:00:00Z')
  })

  describe('checking what staff give', () => {
    it('refuses a meeting that ends before (or when) it starts', async () => {
      const errors = await refusal(events.create(actor, area, fields({ endsAt: at(2026, 3, 10, 18) }), null))
      expect(errors).toEqual({ endsAt: EVENT_MESSAGES.endsBeforeStart })
      expect(await refusal(events.create(actor, area, fields({ endsAt: at(2026, 3, 10) }), null))).toEqual({ endsAt: EVENT_MESSAGES.endsBeforeStart })
    })

    it('refuses in person with no address, online with no link or platform, and http links', async () => {
      expect(await refusal(events.create(actor, area, fields({ address: '  ' }), null))).toEqual({ address: EVENT_MESSAGES.noAddress })
      expect(await refusal(events.create(actor, area, fields({ format: 'online', address: null }), null))).toEqual({
        onlineUrl: EVENT_MESSAGES.noLink,
        onlinePlatform: EVENT_MESSAGES.noPlatform,
      })
      const http = fields({ format: 'hybrid', onlineUrl: 'http://zoom.us/j/1', onlinePlatform: 'Zoom' })
      expect(await refusal(events.create(actor, area, http, null))).toEqual({ onlineUrl: EVENT_MESSAGES.badLink })
      expect(await refusal(events.create(actor, area, fields({ type: 'online_meeting' }), null))).toEqual({ format: EVENT_MESSAGES.onlineTypeNeedsLink })
      expect(await refusal(events.create(actor, area, fields({ title: '' }), null))).toEqual({ title: EVENT_MESSAGES.noTitle })
      expect((await db.query('select 1 from nbh_events')).length).toBe(0)
    })

    it('knows a join link when it sees one', () => {
      expect(isJoinLink('https://teams.microsoft.com/l/meetup-join/19%3ameeting')).toBe(true)
      expect(isJoinLink('https://zoom.us/j/123?pwd=abc')).toBe(true)
      for (const bad of ['http://zoom.us/j/1', 'javascript:alert(1)', 'zoom.us/j/1', 'https://localhost/x', 'https://user:pw@zoom.us/', 'ftp://x.org', ''])
        expect(isJoinLink(bad), bad).toBe(false)
    })
  })

  describe('one-off and repeating events', () => {
    it('adds a one-off event, clearing the online fields of an in-person one', async () => {
      const { ids, seriesId } = await events.create(actor, area, fields({ onlineUrl: 'https://zoom.us/j/1', onlinePlatform: 'Zoom' }), null)
      expect(ids).toHaveLength(1)
      expect(seriesId).toBeNull()
      const e = (await events.get(ids[0]!))!
      expect(e).toMatchObject({ title: 'Ashby North PACT meeting', format: 'in_person', onlineUrl: null, onlinePlatform: null, sequence: 0, areaName: 'Ashby North' })
      const [log] = await db.query(`select action, entity_type, summary from audit_log where entity_id = $1`, [ids[0]])
      expect(log).toEqual({ action: 'create', entity_type: 'nbh_event', summary: 'Added “Ashby North PACT meeting”' })
    })

    it('adds a monthly series in one go, each date at 7pm London time across the clock change', async () => {
      const first = fields({ startsAt: at(2026, 3, 10), endsAt: at(2026, 3, 10, 20, 30), format: 'online', address: null, onlineUrl: 'https://teams.microsoft.com/l/x', onlinePlatform: 'Microsoft Teams' })
      const rule = buildRule({ repeat: 'monthly_nth', ends: 'count', count: 4 }, { year: 2026, month: 3, day: 10 })
      const { ids, seriesId, last } = await events.create(actor, area, first, rule)
      expect(ids).toHaveLength(4)
      const rows = await db.query<{ starts_at: Date; ends_at: Date; series_id: string }>(
        `select starts_at, ends_at, series_id from nbh_events where series_id = $1 order by starts_at`,
        [seriesId],
      )
      expect(rows.map(r => r.starts_at.toISOString())).toEqual([
        '2026-03-10T19:00:00.000Z',
        '2026-04-14T18:00:00.000Z',
        '2026-05-12T18:00:00.000Z',
        '2026-06-09T18:00:00.000Z',
      ])
      expect(rows.every(r => r.ends_at.getTime() - r.starts_at.getTime() === 90 * 60_000)).toBe(true)
      expect(last.toISOString()).toBe('2026-06-09T18:00:00.000Z')
      const [series] = await db.query<{ rule: string }>(`select rule from nbh_event_series where id = $1`, [seriesId])
      expect(series!.rule).toBe('FREQ=MONTHLY;BYDAY=2TU;COUNT=4')
    })

    it('refuses a rule that would go on too long, and adds nothing', async () => {
      const before = (await db.query('select 1 from nbh_events')).length
      const rule = buildRule({ repeat: 'weekly', every: 1, ends: 'until', until: { year: 2029, month: 1, day: 1 } }, { year: 2026, month: 3, day: 10 })
      const errors = await refusal(events.create(actor, area, fields(), rule))
      expect(errors.until).toMatch(/at most 104 dates/)
      expect((await db.query('select 1 from nbh_events')).length).toBe(before)
    })
  })

  describe('changing and cancelling', () => {
    async function weeklySeries() {
      const rule = buildRule({ repeat: 'weekly', every: 1, ends: 'count', count: 4 }, { year: 2026, month: 3, day: 3 })
      const { ids } = await events.create(actor, area, fields({ title: 'Street briefing', type: 'street_briefing', startsAt: at(2026, 3, 3), endsAt: at(2026, 3, 3, 20) }), rule)
      return ids
    }
    const load = (ids: string[]) =>
      db.query<{ id: string; title: string; starts_at: Date; ends_at: Date; sequence: number; cancelled_at: Date | null }>(
        `select id, title, starts_at, ends_at, sequence, cancelled_at from nbh_events where id = any($1::uuid[]) order by starts_at`,
        [ids],
      )

    it('changes one date only, bumping its sequence', async () => {
      const ids = await weeklySeries()
      await events.update(actor, ids[1]!, fields({ title: 'Street briefing (moved)', type: 'street_briefing', startsAt: at(2026, 3, 11, 18), endsAt: at(2026, 3, 11, 19) }), 'one')
      const rows = await load(ids)
      expect(rows.map(r => [r.title, r.sequence])).toEqual([
        ['Street briefing', 0],
        ['Street briefing (moved)', 1],
        ['Street briefing', 0],
        ['Street briefing', 0],
      ])
      expect(rows[1]!.starts_at.toISOString()).toBe('2026-03-11T18:00:00.000Z')
    })

    it('changes this and following: the new time on each date, moved by the same days, across the clock change', async () => {
      const ids = await weeklySeries() // 3, 10, 17, 24 March 2026 at 7pm; BST starts 29 March
      // From the 17th: a day later, 6:30pm to 8pm.
      await events.update(actor, ids[2]!, fields({ title: 'Street briefing', type: 'street_briefing', startsAt: at(2026, 3, 18, 18, 30), endsAt: at(2026, 3, 18, 20) }), 'following')
      const rows = await load(ids)
      expect(rows.map(r => r.sequence)).toEqual([0, 0, 1, 1])
      expect(rows.map(r => londonParts(r.starts_at))).toEqual([
        { date: { year: 2026, month: 3, day: 3 }, time: { hour: 19, minute: 0 } },
        { date: { year: 2026, month: 3, day: 10 }, time: { hour: 19, minute: 0 } },
        { date: { year: 2026, month: 3, day: 18 }, time: { hour: 18, minute: 30 } },
        { date: { year: 2026, month: 3, day: 25 }, time: { hour: 18, minute: 30 } },
      ])
      expect(rows.slice(2).every(r => r.ends_at.getTime() - r.starts_at.getTime() === 90 * 60_000)).toBe(true)
    })

    it('cancels one date or this and following, refuses past events, and reinstates', async () => {
      const ids = await weeklySeries()
      expect(await events.cancel(actor, ids[1]!, 'one')).toEqual({ cancelled: 1 })
      expect(await events.cancel(actor, ids[1]!, 'following')).toEqual({ cancelled: 2 })
      expect((await load(ids)).map(r => [r.cancelled_at !== null, r.sequence])).toEqual([
        [false, 0],
        [true, 1],
        [true, 1],
        [true, 1],
      ])
      expect(await refusal(events.cancel(actor, ids[3]!, 'one'))).toEqual({ scope: EVENT_MESSAGES.alreadyCancelled })
      await events.reinstate(actor, ids[3]!)
      expect((await load(ids))[3]).toMatchObject({ cancelled_at: null, sequence: 2 })
      clock = new Date('2026-03-04T12:00:00Z')
      expect(await refusal(events.cancel(actor, ids[0]!, 'one'))).toEqual({ scope: EVENT_MESSAGES.cancelStarted })
    })
  })

  describe('lists', () => {
    it('answers the upcoming events of an area (not yet ended), soonest first, cancelled ones marked', async () => {
      const other = TEST_AREAS.southTown.id
      const { ids: [a] } = await events.create(actor, other, fields({ title: 'A', startsAt: at(2026, 2, 10), endsAt: at(2026, 2, 10, 20) }), null)
      const { ids: [b] } = await events.create(actor, other, fields({ title: 'B', startsAt: at(2026, 2, 5), endsAt: at(2026, 2, 5, 20) }), null)
      const { ids: [c] } = await events.create(actor, other, fields({ title: 'C', startsAt: at(2026, 1, 5), endsAt: at(2026, 1, 5, 20) }), null)
      await events.cancel(actor, a!, 'one')
      const upcoming = await events.upcoming(other, 5)
      expect(upcoming.map(e => [e.title, e.cancelled])).toEqual([
        ['B', false],
        ['A', true],
      ])
      expect(Object.keys(upcoming[0]!).sort()).toEqual(['address', 'areaId', 'cancelled', 'endsAt', 'id', 'onlinePlatform', 'onlineUrl', 'startsAt', 'title', 'type'])
      expect(await events.upcoming(other, 1)).toHaveLength(1)
      const lists = await events.listForArea(other)
      expect(lists.upcoming.map(e => e.id)).toEqual([b, a])
      expect(lists.past.map(e => [e.id, e.hasRecord])).toEqual([[c, false]])
    })
  })

  describe('questions before a meeting', () => {
    it('takes a question with optional name and email, and refuses bad ones', async () => {
      const { ids: [id] } = await events.create(actor, area, fields({ startsAt: at(2026, 2, 20), endsAt: at(2026, 2, 20, 20) }), null)
      await events.askQuestion(id!, { question: '  What about parking on Mill Lane?  ' })
      await events.askQuestion(id!, { question: 'Speeding?', name: 'Ann', email: 'ann@example.com' })
      expect(await refusal(events.askQuestion(id!, { question: ' ' }))).toEqual({ question: EVENT_MESSAGES.noQuestion })
      expect(await refusal(events.askQuestion(id!, { question: 'x'.repeat(1001), email: 'not-an-email' }))).toEqual({
        question: EVENT_MESSAGES.longQuestion,
        email: EVENT_MESSAGES.badEmail,
      })
      const qs = await events.staffQuestions(id!)
      expect(qs.map(q => [q.question, q.askerName, q.askerEmail])).toEqual([
        ['What about parking on Mill Lane?', null, null],
        ['Speeding?', 'Ann', 'ann@example.com'],
      ])
    })

    it('refuses questions once started, when cancelled, or when not taking them', async () => {
      const { ids: [started] } = await events.create(actor, area, fields({ startsAt: at(2026, 2, 1, 11), endsAt: at(2026, 2, 1, 13) }), null)
      expect(await refusal(events.askQuestion(started!, { question: 'Late?' }))).toEqual({ question: EVENT_MESSAGES.started })
      const { ids: [closed] } = await events.create(actor, area, fields({ acceptsQuestions: false, startsAt: at(2026, 2, 20), endsAt: at(2026, 2, 20, 20) }), null)
      expect(await refusal(events.askQuestion(closed!, { question: 'Hello?' }))).toEqual({ question: EVENT_MESSAGES.noQuestions })
      await events.cancel(actor, closed!, 'one')
      expect(await refusal(events.askQuestion(closed!, { question: 'Hello?' }))).toEqual({ question: EVENT_MESSAGES.cancelled })
    })
  })

  describe('the record of a meeting', () => {
    it('is refused before the meeting starts, with bad numbers, and for another area’s priorities', async () => {
      const { ids: [id] } = await events.create(actor, area, fields({ startsAt: at(2026, 2, 20), endsAt: at(2026, 2, 20, 20) }), null)
      const input = { attendanceInPerson: 5, attendanceOnline: 0, summary: null, answers: [], raised: [], priorityIds: [] }
      expect(await refusal(events.recordMeeting(actor, id!, input))).toEqual({ attendanceInPerson: EVENT_MESSAGES.recordTooEarly })
      clock = new Date('2026-02-20T19:30:00Z')
      expect(await refusal(events.recordMeeting(actor, id!, { ...input, attendanceInPerson: -1, attendanceOnline: 1.5 }))).toEqual({
        attendanceInPerson: EVENT_MESSAGES.badAttendance,
        attendanceOnline: EVENT_MESSAGES.badAttendance,
      })
      const [elsewhere] = await db.query<{ id: string }>(
        `insert into nbh_priorities (area_id, issue, issue_date) values ($1, 'Not ours', '2026-01-01') returning id`,
        [TEST_AREAS.southTown.id],
      )
      expect(await refusal(events.recordMeeting(actor, id!, { ...input, priorityIds: [elsewhere!.id] }))).toEqual({ priorities: EVENT_MESSAGES.unknownPriority })
      expect(await events.record(id!)).toBeNull()
    })

    it('saves attendance, answers (emailing askers once), questions raised and priorities agreed; the public record hides askers and hidden questions', async () => {
      const { ids: [id] } = await events.create(actor, area, fields({ startsAt: at(2026, 2, 20), endsAt: at(2026, 2, 20, 20) }), null)
      const { id: q1 } = await events.askQuestion(id!, { question: 'Parking on Mill Lane?', name: 'Ann', email: 'ann@example.com' })
      const { id: q2 } = await events.askQuestion(id!, { question: 'Something rude' })
      const [p1, p2] = await db.query<{ id: string }>(
        `insert into nbh_priorities (area_id, issue, issue_date) values ($1, 'Speeding on the High Street', '2026-01-01'), ($1, 'Litter', '2026-01-02') returning id`,
        [area],
      )
      clock = new Date('2026-02-20T21:00:00Z')
      const result = await events.recordMeeting(actor, id!, {
        attendanceInPerson: 23,
        attendanceOnline: 140,
        summary: 'A lively meeting.',
        answers: [
          { id: q1.toString(), answer: 'We will patrol it weekly.', hidden: false },
          { id: q2, answer: null, hidden: true },
        ],
        raised: [
          { question: 'Street lights?', answer: 'Reported to the council.' },
          { question: '', answer: '' },
        ],
        priorityIds: [p1!.id],
      })
      expect(result).toEqual({ answersEmailed: 1 })
      await services.jobs.drain()
      const [mail] = await db.query<{ subject: string; body_text: string }>(`select subject, body_text from outbox_messages where recipient = 'ann@example.com'`)
      expect(mail!.subject).toBe('Your question to Ashby North PACT meeting: the answer')
      expect(mail!.body_text).toContain('> Parking on Mill Lane?')
      expect(mail!.body_text).toContain('We will patrol it weekly.')
      expect(mail!.body_text).toContain(`/events/${id}`)

      const pub = await events.publicRecord(id!)
      expect(pub.record).toMatchObject({ attendanceInPerson: 23, attendanceOnline: 140, summary: 'A lively meeting.' })
      expect(pub.questions.map(q => [q.source, q.question, q.answer])).toEqual([
        ['at_meeting', 'Street lights?', 'Reported to the council.'],
        ['before', 'Parking on Mill Lane?', 'We will patrol it weekly.'],
      ])
      expect(JSON.stringify(pub)).not.toContain('ann@example.com')
      expect(pub.priorities.map(p => p.issue)).toEqual(['Speeding on the High Street'])
      expect((await events.priorityChoices(area, id!)).map(p => [p.issue, p.agreed])).toEqual([
        ['Litter', false],
        ['Speeding on the High Street', true],
      ])

      // Saving again: no second email, raised questions replaced, priorities changed.
      await events.recordMeeting(actor, id!, {
        attendanceInPerson: 24,
        attendanceOnline: 140,
        summary: 'A lively meeting.',
        answers: [{ id: q1, answer: 'We will patrol it weekly.', hidden: false }],
        raised: [{ question: 'Bins?', answer: null }],
        priorityIds: [p2!.id],
      })
      await services.jobs.drain()
      expect((await db.query(`select 1 from outbox_messages where recipient = 'ann@example.com'`)).length).toBe(1)
      const again = await events.publicRecord(id!)
      expect(again.questions.filter(q => q.source === 'at_meeting').map(q => q.question)).toEqual(['Bins?'])
      expect(again.priorities.map(p => p.issue)).toEqual(['Litter'])
      expect(again.record!.attendanceInPerson).toBe(24)
    })

    it('is refused for a cancelled meeting', async () => {
      const { ids: [id] } = await events.create(actor, area, fields({ startsAt: at(2026, 2, 20), endsAt: at(2026, 2, 20, 20) }), null)
      await events.cancel(actor, id!, 'one')
      clock = new Date('2026-02-21T12:00:00Z')
      const errors = await refusal(events.recordMeeting(actor, id!, { attendanceInPerson: 0, attendanceOnline: 0, summary: null, answers: [], raised: [], priorityIds: [] }))
      expect(errors).toEqual({ attendanceInPerson: EVENT_MESSAGES.recordCancelled })
    })
  })

  it('answers null for an id that is not a uuid, without asking the database', async () => {
    expect(await events.get('not-a-uuid')).toBeNull()
    expect(await events.get('00000000-0000-4000-8000-000000000000')).toBeNull()
  })
})
