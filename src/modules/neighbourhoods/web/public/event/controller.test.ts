import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Browser, createTestApp, type TestApp } from '../../../../../../test/helpers.ts'
import { seedTestAreas, TEST_AREAS } from '../../../../../platform/auth/testing.ts'
import { EVENT_MESSAGES } from '../../../events.service.ts'
import { unescapeText, unfold } from '../../../ics.ts'
import { addOne, DAY, errorSummary, HOUR } from '../../staff/events/testing.ts'

const area = TEST_AREAS.ashbyNorth.id

describe('public event pages', () => {
  let t: TestApp
  let resident: Browser
  const ids: Record<string, string> = {}

  beforeAll(async () => {
    t = await createTestApp({ env: { BASE_URL: 'https://beacon.example.org' } })
    await seedTestAreas(t.db)
    resident = new Browser(t.app)
    ids.next = await addOne(t, area, 3 * DAY)
    ids.online = await addOne(t, area, 5 * DAY, {
      type: 'online_meeting',
      title: 'Online PACT, evening',
      format: 'online',
      address: null,
      onlinePlatform: 'Microsoft Teams',
      onlineUrl: 'https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc',
    })
    ids.closed = await addOne(t, area, 4 * DAY, { title: 'Open day at the station', type: 'open_day', acceptsQuestions: false })
    ids.cancelled = await addOne(t, area, 6 * DAY, { title: 'Street briefing, Mill Lane', type: 'street_briefing' })
    await t.services.neighbourhoods.events.cancel({ userId: null, email: null, ip: null }, ids.cancelled!, 'one')
    ids.past = await addOne(t, area, -10 * DAY, { title: 'January PACT meeting' })
    ids.unrecorded = await addOne(t, area, -3 * DAY, { title: 'February PACT meeting' })
    ids.elsewhere = await addOne(t, TEST_AREAS.southTown.id, 2 * DAY, { title: 'South Town surgery', type: 'surgery' })

    // The past meeting's record: a question sent before (one hidden), one raised, a priority agreed.
    await t.db.query(
      `insert into nbh_event_questions (event_id, source, question, asker_name, asker_email, answer, answered_at, hidden)
       values ($1, 'before', 'Can you patrol the park?', 'Ann Asker', 'ann@example.com', 'Yes, on Friday nights.', now(), false),
              ($1, 'before', 'An abusive question', 'Bob', null, null, null, true),
              ($1, 'at_meeting', 'What about the bins?', null, null, 'Reported to the council.', now(), false)`,
      [ids.past],
    )
    const [p] = await t.db.query<{ id: string }>(`insert into nbh_priorities (area_id, issue, issue_date) values ($1, 'Antisocial behaviour in the park', '2026-01-10') returning id`, [area])
    await t.db.query(`insert into nbh_meeting_priorities (event_id, priority_id) values ($1, $2)`, [ids.past, p!.id])
    await t.db.query(`insert into nbh_meeting_records (event_id, attendance_in_person, attendance_online, summary) values ($1, 23, 140, 'A lively meeting about the park.')`, [ids.past])
  })
  afterAll(async () => t.close())

  describe('the list and the feed', () => {
    it('lists what is coming up and recent meetings with their records', async () => {
      const res = await resident.get(`/neighbourhoods/${area}/events`)
      expect(res.statusCode).toBe(200)
      expect(res.body).toContain('<h1 class="govuk-heading-l">Events and meetings</h1>')
      const coming = res.body.slice(res.body.indexOf('Coming up'), res.body.indexOf('Recent meetings'))
      expect(coming.indexOf('Ashby North PACT meeting')).toBeLessThan(coming.indexOf('Open day at the station'))
      expect(coming).toContain('Cancelled')
      expect(coming).not.toContain('South Town surgery')
      const recent = res.body.slice(res.body.indexOf('Recent meetings'))
      expect(recent).toContain('Record published: 23 in person, 140 online')
      expect(recent).toContain('Record to follow')
      expect(res.body).toContain('webcal://beacon.example.org/neighbourhoods/test-n01/events.ics')
    })

    it('answers 404 for an unknown neighbourhood or a district', async () => {
      expect((await resident.get('/neighbourhoods/nowhere/events')).statusCode).toBe(404)
      expect((await resident.get(`/neighbourhoods/${TEST_AREAS.north.id}/events`)).statusCode).toBe(404)
      expect((await resident.get('/neighbourhoods/nowhere/events.ics')).statusCode).toBe(404)
    })

    it('serves the feed as text/calendar with an ETag, cancelled events marked, and 304 when unchanged', async () => {
      const res = await resident.get(`/neighbourhoods/${area}/events.ics`)
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8')
      expect(res.headers['cache-control']).toBe('public, max-age=900')
      const etag = String(res.headers.etag)
      expect(etag).toMatch(/^"[\w-]{32}"$/)
      const lines = unfold(res.body)
      expect(lines.slice(0, 6)).toEqual([
        'BEGIN:VCALENDAR',
        'PRODID:-//Beacon//Neighbourhood events//EN',
        'VERSION:2.0',
        'CALSCALE:GREGORIAN',
        'METHOD:PUBLISH',
        'X-WR-CALNAME:Ashby North: police events and meetings',
      ])
      expect(lines.filter(l => l === 'BEGIN:VEVENT')).toHaveLength(6)
      expect(lines).toContain(`UID:${ids.cancelled}@beacon.example.org`)
      expect(lines).toContain('STATUS:CANCELLED')
      expect(lines).toContain('SUMMARY:Cancelled: Street briefing\\, Mill Lane')
      expect(res.body).not.toContain('South Town')
      const again = await t.app.inject({ url: `/neighbourhoods/${area}/events.ics`, headers: { 'if-none-match': etag } })
      expect(again.statusCode).toBe(304)
      expect(again.body).toBe('')
      const other = await t.app.inject({ url: `/neighbourhoods/${area}/events.ics`, headers: { 'if-none-match': '"something-else"' } })
      expect(other.statusCode).toBe(200)
    })
  })

  describe('an event’s page', () => {
    it('shows what, when and where, the calendar links and the question form', async () => {
      const res = await resident.get(`/events/${ids.next}`)
      expect(res.statusCode).toBe(200)
      expect(res.body).toContain('<h1 class="govuk-heading-l">Ashby North PACT meeting</h1>')
      expect(res.body).toContain('PACT meeting in Ashby North')
      expect(res.body).toContain('Ashby Library<br>Market Street<br>Ashby AB1 2CD')
      expect(res.body).toContain(`href="/events/${ids.next}/calendar.ics" download`)
      expect(res.body).toContain('Subscribe to this neighbourhood’s calendar')
      expect(res.body).toContain(`action="/events/${ids.next}/questions"`)
      expect(res.body).toMatch(/(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) \d{1,2} \w+ \d{4}, \d{1,2}(:\d\d)?(am|pm) to/)
    })

    it('shows the platform and the join link of an online meeting', async () => {
      const res = await resident.get(`/events/${ids.online}`)
      expect(res.body).toContain('Online (Microsoft Teams)')
      expect(res.body).toContain('href="https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc"')
      expect(res.body).toContain('Join the meeting on Microsoft Teams')
    })

    it('has no question form when the event takes no questions or is cancelled', async () => {
      const closed = await resident.get(`/events/${ids.closed}`)
      expect(closed.body).toContain('The team is not taking questions before this event')
      expect(closed.body).not.toContain('/questions"')
      const cancelled = await resident.get(`/events/${ids.cancelled}`)
      expect(cancelled.body).toContain('This event has been cancelled.')
      expect(cancelled.body).not.toContain('/questions"')
    })

    it('shows the record after the meeting, never who asked, without hidden questions', async () => {
      const res = await resident.get(`/events/${ids.past}`)
      expect(res.body).toContain('What happened at the meeting')
      expect(res.body).toMatch(/People who came in person\s*<\/dt>\s*<dd class="govuk-summary-list__value">\s*23/)
      expect(res.body).toMatch(/People who joined online\s*<\/dt>\s*<dd class="govuk-summary-list__value">\s*140/)
      expect(res.body).toContain('A lively meeting about the park.')
      expect(res.body).toContain('Can you patrol the park?')
      expect(res.body).toContain('Yes, on Friday nights.')
      expect(res.body).toContain('What about the bins?')
      expect(res.body).toContain('Reported to the council.')
      expect(res.body).toContain('Antisocial behaviour in the park')
      expect(res.body).toContain(`href="/neighbourhoods/${area}/priorities"`)
      for (const secret of ['Ann Asker', 'ann@example.com', 'An abusive question', 'Bob']) expect(res.body).not.toContain(secret)
      expect(res.body).not.toContain('/questions"')
    })

    it('says the record will follow for a past meeting without one', async () => {
      const res = await resident.get(`/events/${ids.unrecorded}`)
      expect(res.body).toContain('The record of this meeting (who came, the questions and answers, and the priorities agreed) will be published here.')
    })

    it('answers 404 for an unknown or malformed id', async () => {
      expect((await resident.get('/events/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404)
      expect((await resident.get('/events/not-an-id')).statusCode).toBe(404)
      expect((await resident.get('/events/not-an-id/calendar.ics')).statusCode).toBe(404)
    })
  })

  describe('“Add to calendar”', () => {
    it('downloads the one event as an .ics attachment', async () => {
      const res = await resident.get(`/events/${ids.online}/calendar.ics`)
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8')
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="online-pact-evening-\d{4}-\d{2}-\d{2}\.ics"$/)
      const lines = unfold(res.body)
      expect(lines.filter(l => l === 'BEGIN:VEVENT')).toHaveLength(1)
      expect(lines).toContain(`UID:${ids.online}@beacon.example.org`)
      expect(lines).toContain(`URL:https://beacon.example.org/events/${ids.online}`)
      expect(lines).toContain('LOCATION:Online: Microsoft Teams')
      expect(lines).toContain('STATUS:CONFIRMED')
      expect(lines.find(l => l.startsWith('DTSTART:'))).toMatch(/^DTSTART:\d{8}T\d{6}Z$/)
      const description = unescapeText(lines.find(l => l.startsWith('DESCRIPTION:'))!.slice('DESCRIPTION:'.length))
      expect(description).toContain('Join online (Microsoft Teams): https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc')
      expect(res.body.split('\r\n').every(l => Buffer.byteLength(l) <= 75)).toBe(true)
    })
  })

  describe('asking a question', () => {
    it('takes a question and confirms it', async () => {
      const url = `/events/${ids.next}`
      const res = await resident.submit(url, { question: 'Could you look at speeding on Mill Lane?', name: 'Cat', email: 'cat@example.com' }, `${url}/questions`)
      expect(res.statusCode).toBe(303)
      expect(res.headers.location).toBe(url)
      const page = await resident.get(url)
      expect(page.body).toContain('Your question has been sent to the Ashby North team. Answers are published on this page after the meeting, and we will email you the answer.')
      const rows = await t.db.query(`select question, asker_name, asker_email, source from nbh_event_questions where event_id = $1`, [ids.next])
      expect(rows).toEqual([{ question: 'Could you look at speeding on Mill Lane?', asker_name: 'Cat', asker_email: 'cat@example.com', source: 'before' }])
    })

    it('keeps what was typed when the question is missing or the email is wrong', async () => {
      const url = `/events/${ids.next}`
      await resident.submit(url, { question: '', name: 'Dee', email: 'dee-at-example' }, `${url}/questions`)
      const page = await resident.get(url)
      const summary = errorSummary(page.body)
      expect(summary).toContain(EVENT_MESSAGES.noQuestion)
      expect(summary).toContain('href="#question"')
      expect(summary).toContain(EVENT_MESSAGES.badEmail)
      expect(page.body).toContain('value="Dee"')
      expect(page.body).toContain('value="dee-at-example"')
      const long = 'Why? '.repeat(250)
      await resident.submit(url, { question: long }, `${url}/questions`)
      const again = await resident.get(url)
      expect(errorSummary(again.body)).toContain(EVENT_MESSAGES.longQuestion)
      expect(again.body).toContain(`${long}</textarea>`)
    })

    it('refuses a question once the meeting has started, or for a cancelled event, with a clear message', async () => {
      const url = `/events/${ids.next}`
      const page = await resident.get(url)
      const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!
      const started = await resident.post(`/events/${ids.unrecorded}/questions`, { question: 'Too late?', _csrf: token })
      expect(started.headers.location).toBe(`/events/${ids.unrecorded}`)
      const after = await resident.get(`/events/${ids.unrecorded}`)
      expect(errorSummary(after.body)).toContain(EVENT_MESSAGES.started)
      expect(errorSummary(after.body)).toContain('href="#ask"')
      const token2 = /name="_csrf" value="([^"]+)"/.exec((await resident.get(url)).body)![1]!
      await resident.post(`/events/${ids.cancelled}/questions`, { question: 'Still on?', _csrf: token2 })
      expect(errorSummary((await resident.get(`/events/${ids.cancelled}`)).body)).toContain(EVENT_MESSAGES.cancelled)
      expect((await t.db.query(`select 1 from nbh_event_questions where event_id = any($1::uuid[])`, [[ids.unrecorded, ids.cancelled]])).length).toBe(0)
    })

    it('refuses a question without the CSRF token', async () => {
      const res = await new Browser(t.app).post(`/events/${ids.next}/questions`, { question: 'No token' })
      expect(res.statusCode).toBe(403)
    })

    it('limits questions from one address', async () => {
      const other = `/events/${ids.online}`
      let last = 0
      for (let i = 0; i < 8; i++) last = (await resident.submit(other, { question: `Question ${i}` }, `${other}/questions`)).statusCode
      expect(last).toBe(429)
    })
  })

  it('keeps the start time at the same London time in the feed across the clock change', async () => {
    const start = new Date(Date.UTC(2027, 2, 9, 19, 0)) // 9 March 2027, 7pm GMT
    const rule = { freq: 'WEEKLY' as const, interval: 1, byDay: [], count: 4 }
    const { ids: series } = await t.services.neighbourhoods.events.create({ userId: null, email: null, ip: null }, area, {
      type: 'panel', title: 'Panel', description: null, format: 'in_person', address: 'Hall', onlineUrl: null, onlinePlatform: null,
      startsAt: start, endsAt: new Date(start.getTime() + HOUR), acceptsQuestions: true,
    }, rule)
    const feed = unfold((await resident.get(`/neighbourhoods/${area}/events.ics`)).body)
    const starts = series.map(id => {
      const at = feed.indexOf(`UID:${id}@beacon.example.org`)
      return feed.slice(at).find(l => l.startsWith('DTSTART:'))
    })
    expect(starts).toEqual(['DTSTART:20270309T190000Z', 'DTSTART:20270316T190000Z', 'DTSTART:20270323T190000Z', 'DTSTART:20270330T180000Z'])
  })
})
