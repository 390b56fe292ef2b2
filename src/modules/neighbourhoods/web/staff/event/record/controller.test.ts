import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Browser, createTestApp, type TestApp } from '../../../../../../../test/helpers.ts'
import { seedTestAreas, TEST_AREAS } from '../../../../../../platform/auth/testing.ts'
import { EVENT_MESSAGES } from '../../../../events.service.ts'
import { addEvent, addOne, DAY, errorSummary, HOUR, staffBrowser } from '../../events/testing.ts'
import { RECORD_MESSAGES } from './schema.ts'

const north = TEST_AREAS.ashbyNorth.id

describe('recording a meeting', () => {
  let t: TestApp
  let officer: Browser, other: Browser
  let past: string, future: string
  let q1: string, q2: string
  let p1: string, p2: string, elsewhere: string

  beforeAll(async () => {
    t = await createTestApp()
    await seedTestAreas(t.db)
    ;({ browser: officer } = await staffBrowser(t, 'north@example.org', [['neighbourhood_officer', north]]))
    ;({ browser: other } = await staffBrowser(t, 'south@example.org', [['neighbourhood_officer', TEST_AREAS.southTown.id]]))
    future = await addOne(t, north, 2 * DAY, { title: 'Next PACT' })
    past = await addOne(t, north, 2 * DAY, { title: 'Last PACT', format: 'hybrid', onlinePlatform: 'Zoom', onlineUrl: 'https://zoom.us/j/1' })
    const events = t.services.neighbourhoods.events
    ;({ id: q1 } = await events.askQuestion(past!, { question: 'Can you patrol the park?', name: 'Ann Asker', email: 'ann@example.com' }))
    ;({ id: q2 } = await events.askQuestion(past!, { question: 'Something abusive' }))
    // The meeting happened two hours ago.
    await t.db.query(`update nbh_events set starts_at = now() - interval '3 hours', ends_at = now() - interval '90 minutes' where id = $1`, [past])
    const ps = await t.db.query<{ id: string }>(
      `insert into nbh_priorities (area_id, issue, issue_date, status) values ($1, 'Speeding on the High Street', '2026-01-05', 'open'),
         ($1, 'Litter in the precinct', '2026-01-06', 'in_progress'), ($1, 'An old resolved one', '2025-01-01', 'resolved'),
         ($2, 'South Town parking', '2026-01-01', 'open') returning id`,
      [north, TEST_AREAS.southTown.id],
    )
    ;[p1, p2, , elsewhere] = ps.map(p => p.id) as [string, string, string, string]
  })
  afterAll(async () => t.close())

  const url = () => `/staff/events/${past}/record`

  it('is not offered before the meeting starts, and a POST is refused', async () => {
    const page = await officer.get(`/staff/events/${future}/record`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('You can record the meeting once it has started')
    expect(page.body).not.toContain('name="attendanceInPerson"')
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!
    await officer.post(`/staff/events/${future}/record`, { attendanceInPerson: '3', attendanceOnline: '0', _csrf: token })
    expect(errorSummary((await officer.get(`/staff/events/${future}/record`)).body)).toContain(EVENT_MESSAGES.recordTooEarly)
    expect(await t.services.neighbourhoods.events.record(future!)).toBeNull()
  })

  it('shows the questions sent before with who asked (staff only), audits that, and links to a new priority', async () => {
    const page = await officer.get(url())
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Can you patrol the park?')
    expect(page.body).toContain('by Ann Asker')
    expect(page.body).toContain('ann@example.com')
    expect(page.body).toContain('anonymously')
    expect(page.body).toContain('Speeding on the High Street')
    expect(page.body).toContain('Litter in the precinct')
    expect(page.body).not.toContain('An old resolved one')
    expect(page.body).not.toContain('South Town parking')
    expect(page.body).toContain(`href="/staff/neighbourhoods/${north}/priorities/new?event=${past}"`)
    const [entry] = await t.db.query(`select action, entity_type, actor_email, summary from audit_log where entity_id = $1 and action = 'view'`, [past])
    expect(entry).toEqual({ action: 'view', entity_type: 'nbh_event_questions', actor_email: 'north@example.org', summary: 'Viewed who asked 1 question before “Last PACT”' })
  })

  it('refuses negative or non-numeric attendance and a raised answer with no question, keeping everything typed', async () => {
    await officer.submit(url(), {
      attendanceInPerson: '-3',
      attendanceOnline: 'lots',
      summary: 'Typed summary',
      'questionId-0': q1,
      'answer-0': 'Typed answer',
      'questionId-1': q2,
      'hide-1': 'yes',
      'raisedQuestion-0': '',
      'raisedAnswer-0': 'An answer without a question',
      priorities: p1,
    })
    const page = await officer.get(url())
    const summary = errorSummary(page.body)
    expect(summary).toContain(RECORD_MESSAGES.badNumber)
    expect(summary).toContain('href="#attendanceInPerson"')
    expect(summary).toContain('href="#attendanceOnline"')
    expect(summary).toContain(RECORD_MESSAGES.raisedNeedsQuestion)
    for (const typed of ['value="-3"', 'value="lots"', 'Typed summary</textarea>', 'Typed answer</textarea>', 'An answer without a question</textarea>'])
      expect(page.body).toContain(typed)
    expect(page.body).toMatch(new RegExp(`name="priorities" type="checkbox" value="${p1}" checked`))
    expect(page.body).toMatch(/name="hide-1" type="checkbox" value="yes" checked/)
    expect(await t.services.neighbourhoods.events.record(past!)).toBeNull()
  })

  it('refuses a priority of another neighbourhood posted by hand', async () => {
    await officer.submit(url(), { attendanceInPerson: '1', attendanceOnline: '0', priorities: elsewhere })
    expect(errorSummary((await officer.get(url())).body)).toContain(EVENT_MESSAGES.unknownPriority)
  })

  it('saves the record, emails the answer to the asker, and publishes it without who asked', async () => {
    const res = await officer.submit(url(), {
      attendanceInPerson: '23',
      attendanceOnline: '1,140',
      summary: 'We talked about the park and speeding.',
      'questionId-0': q1,
      'answer-0': 'Yes: extra patrols on Friday nights.',
      'questionId-1': q2,
      'answer-1': '',
      'hide-1': 'yes',
      'raisedQuestion-0': 'What about the bins?',
      'raisedAnswer-0': 'Reported to the council.',
      'raisedQuestion-1': '',
      'raisedAnswer-1': '',
      priorities: [p1, p2],
    })
    expect(res.headers.location).toBe(url())
    const page = await officer.get(url())
    expect(page.body).toContain('The record has been saved and published on the event’s page. 1 answer has been emailed to the residents who asked')
    expect(page.body).toContain('value="23"')
    expect(page.body).toContain('What about the bins?</textarea>')

    await t.services.jobs.drain()
    const [mail] = await t.db.query<{ subject: string; body_text: string }>(`select subject, body_text from outbox_messages where recipient = 'ann@example.com'`)
    expect(mail!.subject).toBe('Your question to Last PACT: the answer')
    expect(mail!.body_text).toContain('Hello Ann Asker,')

    const pub = await new Browser(t.app).get(`/events/${past}`)
    expect(pub.body).toContain('What happened at the meeting')
    expect(pub.body).toMatch(/People who joined online\s*<\/dt>\s*<dd class="govuk-summary-list__value">\s*1,140/)
    expect(pub.body).toContain('Yes: extra patrols on Friday nights.')
    expect(pub.body).toContain('Reported to the council.')
    expect(pub.body).toContain('Speeding on the High Street')
    expect(pub.body).toContain('Litter in the precinct')
    for (const secret of ['Ann Asker', 'ann@example.com', 'Something abusive']) expect(pub.body).not.toContain(secret)

    const [log] = await t.db.query<{ summary: string }>(`select summary from audit_log where entity_type = 'nbh_meeting_record' and entity_id = $1`, [past])
    expect(log!.summary).toBe('Recorded the meeting “Last PACT” (23 in person, 1140 online)')
    const list = await officer.get(`/staff/neighbourhoods/${north}/events`)
    expect(list.body).toContain('Recorded')
  })

  it('answers 404 to staff of another neighbourhood', async () => {
    expect((await other.get(url())).statusCode).toBe(404)
    const token = /name="_csrf" value="([^"]+)"/.exec((await other.get(`/staff/neighbourhoods/${TEST_AREAS.southTown.id}/events`)).body)
    // The list page has no form, so borrow a token from the new-event form.
    const t2 = token?.[1] ?? /name="_csrf" value="([^"]+)"/.exec((await other.get(`/staff/neighbourhoods/${TEST_AREAS.southTown.id}/events/new`)).body)![1]!
    const res = await other.post(url(), { attendanceInPerson: '999', attendanceOnline: '0', _csrf: t2 })
    expect(res.statusCode).toBe(404)
    expect((await t.services.neighbourhoods.events.record(past!))!.attendanceInPerson).toBe(23)
  })

  it('keeps an hour-long meeting recordable while it is on', async () => {
    const [now] = await addEvent(t, north, -HOUR / 2)
    const page = await officer.get(`/staff/events/${now}/record`)
    expect(page.body).toContain('name="attendanceInPerson"')
  })
})
