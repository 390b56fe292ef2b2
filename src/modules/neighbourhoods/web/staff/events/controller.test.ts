import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Browser, createTestApp, type TestApp } from '../../../../../../test/helpers.ts'
import { seedTestAreas, TEST_AREAS } from '../../../../../platform/auth/testing.ts'
import { EVENT_MESSAGES } from '../../../events.service.ts'
import { londonParts } from '../../../recurrence.ts'
import { FORM_MESSAGES } from './schema.ts'
import { addEvent, DAY, errorSummary, staffBrowser } from './testing.ts'

const north = TEST_AREAS.ashbyNorth.id
const listUrl = `/staff/neighbourhoods/${north}/events`
const newUrl = `${listUrl}/new`

/** A complete, valid form for a one-off in-person meeting on 14 April 2027, 7pm to 8:30pm. */
const form = (over: Record<string, string> = {}): Record<string, string> => ({
  type: 'pact',
  title: 'Ashby North PACT meeting',
  description: 'Step-free access. Hearing loop.',
  format: 'in_person',
  address: 'Ashby Library, Market Street',
  onlinePlatform: '',
  onlineUrl: '',
  'start-day': '14',
  'start-month': '4',
  'start-year': '2027',
  startTime: '7pm',
  endTime: '20:30',
  acceptsQuestions: 'yes',
  repeat: 'none',
  every: '1',
  ends: 'count',
  count: '',
  'until-day': '',
  'until-month': '',
  'until-year': '',
  ...over,
})

describe('staff events list and new event', () => {
  let t: TestApp
  let officer: Browser, other: Browser, district: Browser

  beforeAll(async () => {
    t = await createTestApp()
    await seedTestAreas(t.db)
    ;({ browser: officer } = await staffBrowser(t, 'north@example.org', [['neighbourhood_officer', north]]))
    ;({ browser: other } = await staffBrowser(t, 'south@example.org', [['neighbourhood_officer', TEST_AREAS.southTown.id]]))
    ;({ browser: district } = await staffBrowser(t, 'district@example.org', [['neighbourhood_officer', TEST_AREAS.north.id]]))
    await addEvent(t, north, 2 * DAY, { title: 'Street briefing, Mill Lane', type: 'street_briefing' })
    const [past] = await addEvent(t, north, -5 * DAY, { title: 'Last month’s PACT' })
    await t.db.query(`insert into nbh_event_questions (event_id, question) values ($1, 'Q')`, [past])
  })
  afterAll(async () => t.close())

  it('lists the neighbourhood’s events: coming up, and past ones with whether they are recorded', async () => {
    const res = await officer.get(listUrl)
    expect(res.statusCode).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.body).toContain('Street briefing, Mill Lane')
    expect(res.body).toContain('Last month’s PACT')
    expect(res.body).toContain('Not recorded')
    expect(res.body).toMatch(/href="\/staff\/events\/[0-9a-f-]{36}\/record">Record the meeting/)
    expect(res.body).toContain(`href="${newUrl}"`)
    expect((await district.get(listUrl)).statusCode).toBe(200)
  })

  it('answers 404 for another neighbourhood’s events, a district, or an unknown id, by GET and POST', async () => {
    expect((await other.get(listUrl)).statusCode).toBe(404)
    expect((await other.get(newUrl)).statusCode).toBe(404)
    const token = /name="_csrf" value="([^"]+)"/.exec((await other.get(`/staff/neighbourhoods/${TEST_AREAS.southTown.id}/events/new`)).body)![1]!
    const res = await other.post(newUrl, { ...form({ title: 'Tampered' }), _csrf: token })
    expect(res.statusCode).toBe(404)
    expect((await t.db.query(`select 1 from nbh_events where title = 'Tampered'`)).length).toBe(0)
    expect((await district.get(`/staff/neighbourhoods/${TEST_AREAS.north.id}/events`)).statusCode).toBe(404)
    expect((await officer.get('/staff/neighbourhoods/nowhere/events')).statusCode).toBe(404)
  })

  it('sends someone signed out to sign in', async () => {
    const res = await new Browser(t.app).get(listUrl)
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toMatch(/^\/staff\/sign-in/)
  })

  it('adds a one-off event at 7pm London time', async () => {
    const res = await officer.submit(newUrl, form())
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe(listUrl)
    expect((await officer.get(listUrl)).body).toContain('“Ashby North PACT meeting” has been added for Wednesday 14 April 2027')
    const [row] = await t.db.query<{ starts_at: Date; ends_at: Date; series_id: string | null; address: string; accepts_questions: boolean }>(
      `select starts_at, ends_at, series_id, address, accepts_questions from nbh_events where title = 'Ashby North PACT meeting'`,
    )
    expect(row!.starts_at.toISOString()).toBe('2027-04-14T18:00:00.000Z')
    expect(row!.ends_at.toISOString()).toBe('2027-04-14T19:30:00.000Z')
    expect(row).toMatchObject({ series_id: null, address: 'Ashby Library, Market Street', accepts_questions: true })
    const [log] = await t.db.query(`select action, entity_type, actor_email from audit_log where action = 'create' and entity_type = 'nbh_event' and actor_email = 'north@example.org'`)
    expect(log).toEqual({ action: 'create', entity_type: 'nbh_event', actor_email: 'north@example.org' })
  })

  it('adds a monthly online series from the form’s choices, never from typed rules', async () => {
    const res = await officer.submit(
      newUrl,
      form({
        title: 'Online PACT',
        type: 'online_meeting',
        format: 'online',
        address: '',
        onlinePlatform: 'Zoom',
        onlineUrl: 'https://zoom.us/j/123456',
        'start-day': '9',
        'start-month': '3',
        'start-year': '2027',
        startTime: '19:00',
        endTime: '20:00',
        repeat: 'monthly_nth',
        ends: 'until',
        'until-day': '31',
        'until-month': '7',
        'until-year': '2027',
      }),
    )
    expect(res.headers.location).toBe(listUrl)
    expect((await officer.get(listUrl)).body).toContain('“Online PACT” has been added: 5 dates from Tuesday 9 March 2027 to Tuesday 13 July 2027')
    const rows = await t.db.query<{ starts_at: Date; rule: string }>(
      `select e.starts_at, s.rule from nbh_events e join nbh_event_series s on s.id = e.series_id where e.title = 'Online PACT' order by e.starts_at`,
    )
    expect(rows.map(r => londonParts(r.starts_at))).toEqual(
      [9, 13, 11, 8, 13].map((day, i) => ({ date: { year: 2027, month: 3 + i, day }, time: { hour: 19, minute: 0 } })),
    )
    expect(rows[0]!.rule).toBe('FREQ=MONTHLY;BYDAY=2TU;UNTIL=20270731T225959Z')
  })

  it('refuses a meeting that ends before it starts, keeping everything typed', async () => {
    const res = await officer.submit(newUrl, form({ title: 'Backwards', startTime: '19:00', endTime: '18:00' }))
    expect(res.headers.location).toBe(newUrl)
    const page = await officer.get(newUrl)
    expect(errorSummary(page.body)).toContain(EVENT_MESSAGES.endsBeforeStart)
    expect(errorSummary(page.body)).toContain('href="#endTime"')
    for (const typed of ['value="Backwards"', 'value="19:00"', 'value="18:00"', 'Step-free access. Hearing loop.</textarea>', 'Ashby Library, Market Street</textarea>', 'value="14"', 'value="2027"'])
      expect(page.body).toContain(typed)
    expect(page.body).toMatch(/<title>Error: /)
  })

  it('refuses in person with no address, and online with no link, an http link or no platform', async () => {
    await officer.submit(newUrl, form({ address: '' }))
    expect(errorSummary((await officer.get(newUrl)).body)).toContain(EVENT_MESSAGES.noAddress)
    await officer.submit(newUrl, form({ format: 'online', onlineUrl: '', onlinePlatform: 'Zoom' }))
    expect(errorSummary((await officer.get(newUrl)).body)).toContain(EVENT_MESSAGES.noLink)
    await officer.submit(newUrl, form({ format: 'hybrid', onlineUrl: 'http://zoom.us/j/1', onlinePlatform: '' }))
    const page = await officer.get(newUrl)
    expect(errorSummary(page.body)).toContain(EVENT_MESSAGES.badLink)
    expect(errorSummary(page.body)).toContain(EVENT_MESSAGES.noPlatform)
    expect(page.body).toContain('value="http://zoom.us/j/1"')
  })

  it('refuses a repeat that never ends or goes on too long, and bad dates and times, all at once', async () => {
    await officer.submit(newUrl, form({ title: 'Forever', repeat: 'weekly', ends: '' }))
    let page = await officer.get(newUrl)
    expect(errorSummary(page.body)).toContain(FORM_MESSAGES.noEnds)
    expect(page.body).toContain('value="Forever"')

    await officer.submit(newUrl, form({ repeat: 'weekly', ends: 'count', count: '200' }))
    expect(errorSummary((await officer.get(newUrl)).body)).toContain('A repeating event can have at most 104 dates')

    await officer.submit(newUrl, form({ repeat: 'monthly_nth', ends: 'until', 'until-day': '1', 'until-month': '1', 'until-year': '2031' }))
    expect(errorSummary((await officer.get(newUrl)).body)).toContain('A repeating event must end within 2 years of its first date')

    await officer.submit(newUrl, form({ repeat: 'monthly_last', ends: 'count', count: '3' }))
    expect(errorSummary((await officer.get(newUrl)).body)).toContain('Wednesday 14 April 2027 is not the last Wednesday of its month')

    await officer.submit(newUrl, form({ 'start-day': '31', 'start-month': '2', startTime: '25:00', endTime: '', type: 'parade' }))
    page = await officer.get(newUrl)
    const summary = errorSummary(page.body)
    for (const m of [FORM_MESSAGES.badDate, FORM_MESSAGES.badStart, FORM_MESSAGES.noEnd, FORM_MESSAGES.noType]) expect(summary).toContain(m)
    expect(page.body).toContain('value="25:00"')
    expect((await t.db.query(`select 1 from nbh_events where title = 'Forever'`)).length).toBe(0)
  })

  it('offers the add-an-event form with sensible defaults', async () => {
    const page = await officer.get(newUrl)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('<h1 class="govuk-heading-l">Add an event</h1>')
    expect(page.body).toMatch(/name="type" type="radio" value="pact" checked/)
    expect(page.body).toMatch(/name="repeat" type="radio" value="none" checked/)
    expect(page.body).not.toContain('govuk-error-summary')
  })
})
