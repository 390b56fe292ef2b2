import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type Browser, type TestApp } from '../../../../../../test/helpers.ts'
import { seedTestAreas, TEST_AREAS } from '../../../../../platform/auth/testing.ts'
import { EVENT_MESSAGES } from '../../../events.service.ts'
import { londonParts } from '../../../recurrence.ts'
import { addEvent, DAY, errorSummary, staffBrowser } from '../events/testing.ts'
import { formValuesFor } from '../events/schema.ts'

const north = TEST_AREAS.ashbyNorth.id

describe('staff event page (change, cancel)', () => {
  let t: TestApp
  let officer: Browser, other: Browser

  beforeAll(async () => {
    t = await createTestApp()
    await seedTestAreas(t.db)
    ;({ browser: officer } = await staffBrowser(t, 'north@example.org', [['neighbourhood_officer', north]]))
    ;({ browser: other } = await staffBrowser(t, 'south@example.org', [['neighbourhood_officer', TEST_AREAS.southTown.id]]))
  })
  afterAll(async () => t.close())

  /** A weekly series of four, the first a week from now at 7pm London time. */
  async function weekly(title: string) {
    const first = londonParts(new Date(Date.now() + 7 * DAY)).date
    const startsAt = new Date(Date.UTC(first.year, first.month - 1, first.day, 19))
    return addEvent(t, north, startsAt.getTime() - Date.now(), { title }, { freq: 'WEEKLY', interval: 1, byDay: [], count: 4 })
  }
  const valuesOf = async (id: string) => {
    const e = (await t.services.neighbourhoods.events.get(id))!
    return formValuesFor(e)
  }
  const rows = (ids: string[]) =>
    t.db.query<{ title: string; sequence: number; cancelled: boolean; starts_at: Date }>(
      `select title, sequence, cancelled_at is not null as cancelled, starts_at from nbh_events where id = any($1::uuid[]) order by starts_at`,
      [ids],
    )

  it('shows the event, its series, and forms to change and cancel it', async () => {
    const ids = await weekly('Weekly surgery')
    const res = await officer.get(`/staff/events/${ids[1]}`)
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('<h1 class="govuk-heading-l">Weekly surgery</h1>')
    expect(res.body).toMatch(/Every week, 4 times \(4 dates, 2 after this one\)/)
    expect(res.body).toContain('This date and the 2 later dates in the series')
    expect(res.body).toContain('value="Weekly surgery"')
    expect(res.body).toContain(`href="/events/${ids[1]}"`)
    expect(res.body).toContain('Cancel the event')
  })

  it('changes only this date, or this and the later dates, bumping their sequence', async () => {
    const ids = await weekly('Street briefing')
    const url = `/staff/events/${ids[1]}`
    const values = await valuesOf(ids[1]!)
    let res = await officer.submit(url, { ...values, title: 'Street briefing (moved)', scope: 'one' })
    expect(res.headers.location).toBe(url)
    expect((await officer.get(url)).body).toContain('“Street briefing (moved)” has been changed')
    expect((await rows(ids)).map(r => [r.title, r.sequence])).toEqual([
      ['Street briefing', 0],
      ['Street briefing (moved)', 1],
      ['Street briefing', 0],
      ['Street briefing', 0],
    ])
    res = await officer.submit(url, { ...values, title: 'Street briefing, new time', startTime: '18:30', endTime: '19:15', scope: 'following' })
    expect((await officer.get(url)).body).toContain('has been changed on this date and 2 later dates')
    const after = await rows(ids)
    expect(after.map(r => [r.title, r.sequence])).toEqual([
      ['Street briefing', 0],
      ['Street briefing, new time', 2],
      ['Street briefing, new time', 1],
      ['Street briefing, new time', 1],
    ])
    expect(after.slice(1).map(r => londonParts(r.starts_at).time)).toEqual(Array(3).fill({ hour: 18, minute: 30 }))
  })

  it('refuses bad changes, keeping what was typed', async () => {
    const [id] = await addEvent(t, north, 3 * DAY, { title: 'Open day' })
    const url = `/staff/events/${id}`
    await officer.submit(url, { ...(await valuesOf(id!)), title: 'Open day, typed', startTime: '14:00', endTime: '13:00', format: 'online', onlineUrl: 'ftp://x.org' })
    const page = await officer.get(url)
    expect(errorSummary(page.body)).toContain(EVENT_MESSAGES.endsBeforeStart)
    expect(errorSummary(page.body)).toContain(EVENT_MESSAGES.badLink)
    expect(errorSummary(page.body)).toContain(EVENT_MESSAGES.noPlatform)
    expect(page.body).toContain('value="Open day, typed"')
    expect(page.body).toContain('value="ftp://x.org"')
    expect((await rows([id!]))[0]!.title).toBe('Open day')
  })

  it('cancels one date or the rest of a series, then puts one back on', async () => {
    const ids = await weekly('Panel')
    await officer.submit(`/staff/events/${ids[2]}`, { cancelScope: 'following' }, `/staff/events/${ids[2]}/cancel`)
    expect((await officer.get(`/staff/events/${ids[2]}`)).body).toContain('2 dates have been cancelled')
    expect((await rows(ids)).map(r => r.cancelled)).toEqual([false, false, true, true])
    await officer.submit(`/staff/events/${ids[0]}`, { cancelScope: 'one' }, `/staff/events/${ids[0]}/cancel`)
    expect((await rows(ids)).map(r => r.cancelled)).toEqual([true, false, true, true])
    await officer.submit(`/staff/events/${ids[3]}`, {}, `/staff/events/${ids[3]}/reinstate`)
    expect((await officer.get(`/staff/events/${ids[3]}`)).body).toContain('The event is on again')
    expect((await rows(ids)).map(r => r.cancelled)).toEqual([true, false, true, false])
    const public_ = await officer.get(`/events/${ids[0]}`)
    expect(public_.body).toContain('This event has been cancelled.')
  })

  it('will not cancel a past event', async () => {
    const [id] = await addEvent(t, north, -2 * DAY, { title: 'Past' })
    const page = await officer.get(`/staff/events/${id}`)
    expect(page.body).not.toContain('Cancel the event')
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!
    await officer.post(`/staff/events/${id}/cancel`, { cancelScope: 'one', _csrf: token })
    expect(errorSummary((await officer.get(`/staff/events/${id}`)).body)).toContain(EVENT_MESSAGES.cancelStarted)
  })

  it('answers 404 to staff of another neighbourhood, by GET and every POST, and changes nothing', async () => {
    const [id] = await addEvent(t, north, 4 * DAY, { title: 'Ours' })
    const token = /name="_csrf" value="([^"]+)"/.exec((await other.get(`/staff/neighbourhoods/${TEST_AREAS.southTown.id}/events/new`)).body)![1]!
    expect((await other.get(`/staff/events/${id}`)).statusCode).toBe(404)
    expect((await other.get(`/staff/events/${id}/record`)).statusCode).toBe(404)
    for (const path of ['', '/cancel', '/reinstate', '/record']) {
      const res = await other.post(`/staff/events/${id}${path}`, { ...(await valuesOf(id!)), title: 'Tampered', cancelScope: 'one', attendanceInPerson: '1', attendanceOnline: '0', _csrf: token })
      expect(res.statusCode, path).toBe(404)
    }
    expect((await other.get('/staff/events/not-a-uuid')).statusCode).toBe(404)
    expect(await rows([id!])).toMatchObject([{ title: 'Ours', sequence: 0, cancelled: false }])
  })
})
