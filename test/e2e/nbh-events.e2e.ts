import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { launchBrowser, newContext, verifyOnPage } from './support/browser.ts'
import { SignInPage, verifyStaffHome } from './pages/staff.ts'
import { EventPage, RecordPage, StaffEventsPage } from './pages/nbh-events.ts'
import { demoExamples } from '../../src/modules/areas/demo.ts'

const ex = demoExamples(2026)
// officer@ is granted the first neighbourhood of the first district: Aldbridge, where the
// first example postcode (DS13 1AG) is. The demo gives it an upcoming in-person PACT meeting
// that takes questions, and the previous one held but not yet recorded.
const home = ex.postcodes[0]!
const MEETING = `${home.neighbourhoodName} PACT meeting`
const QUESTION = `Could the team look at speeding on the main road? (${Date.now()})`

/**
 * A resident goes from the neighbourhood page to the next PACT meeting, downloads it to
 * their calendar and asks a question before it; an officer records the last meeting
 * (attendance, answers) and the resident reads the record. axe runs on every page.
 */
describe('neighbourhood events journey', () => {
  let browser: Browser
  let resident: BrowserContext
  let residentPage: Page
  let officer: BrowserContext
  let officerPage: Page
  let pastMeetingUrl = ''

  beforeAll(async () => {
    browser = await launchBrowser()
    resident = await newContext(browser, inject('baseURL'), { mobile: true })
    residentPage = await resident.newPage()
    officer = await newContext(browser, inject('baseURL'))
    officerPage = await officer.newPage()
  })
  afterAll(async () => browser?.close())

  it('a resident finds the next meeting from the neighbourhood page and downloads it to their calendar', async () => {
    const page = residentPage
    await page.goto(`/neighbourhoods/${home.neighbourhoodId}`)
    await verifyOnPage(page, home.neighbourhoodName)
    await page.locator('#events ~ ul').getByRole('link', { name: MEETING }).first().click()
    const event = await EventPage.verifyOnPage(page, MEETING)
    const main = await event.main()
    expect(main).toContain(`PACT meeting in ${home.neighbourhoodName}`)
    expect(main).toContain('DS13 1AG')
    expect(main).toMatch(/(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) \d{1,2} \w+ \d{4}, \d{1,2}(:\d\d)?(am|pm) to \d{1,2}(:\d\d)?(am|pm)/)
    const eventId = new URL(page.url()).pathname.split('/').pop()!

    const file = await event.addToCalendar()
    expect(file.name).toMatch(/^aldbridge-pact-meeting-\d{4}-\d{2}-\d{2}\.ics$/)
    const lines = file.text.replace(/\r\n[ \t]/g, '').split('\r\n')
    expect(lines[0]).toBe('BEGIN:VCALENDAR')
    expect(lines).toContain('METHOD:PUBLISH')
    expect(lines).toContain(`SUMMARY:${MEETING}`)
    expect(lines.some(l => l.startsWith(`UID:${eventId}@`))).toBe(true)
    expect(lines.find(l => l.startsWith('DTSTART:'))).toMatch(/^DTSTART:\d{8}T\d{6}Z$/)
    expect(lines.find(l => l.startsWith('LOCATION:'))).toContain('DS13 1AG')
    expect(lines).toContain('STATUS:CONFIRMED')
    expect(file.text.endsWith('END:VCALENDAR\r\n')).toBe(true)

    // The neighbourhood's feed, for "Subscribe to this neighbourhood's calendar".
    const subscribe = page.getByRole('link', { name: 'Subscribe to this neighbourhood’s calendar' })
    expect(await subscribe.getAttribute('href')).toMatch(new RegExp(`^webcal://.+/neighbourhoods/${home.neighbourhoodId}/events\\.ics$`))
    const feed = await page.request.get(`/neighbourhoods/${home.neighbourhoodId}/events.ics`)
    expect(feed.headers()['content-type']).toBe('text/calendar; charset=utf-8')
    expect(feed.headers().etag).toBeTruthy()
    expect(await feed.text()).toContain(`UID:${eventId}@`)
  })

  it('the resident asks a question before the meeting (a mistake first, kept as typed)', async () => {
    const event = new EventPage(residentPage)
    await event.askQuestion({ question: '', name: 'Robin', email: 'robin-at-example' })
    await EventPage.verifyOnPage(residentPage, MEETING)
    expect(await event.errorSummary()).toContain('Enter your question')
    expect(await event.errorSummary()).toContain('Enter an email address in the correct format')
    expect(await residentPage.getByLabel('Your name (optional)').inputValue()).toBe('Robin')
    await event.askQuestion({ question: QUESTION, name: 'Robin', email: 'robin@example.com' })
    await EventPage.verifyOnPage(residentPage, MEETING)
    expect(await event.notice()).toContain(`Your question has been sent to the ${home.neighbourhoodName} team`)
  })

  it('an officer sees the question on the coming meeting and records the last one, answering the question sent before it', async () => {
    const page = officerPage
    const signIn = await SignInPage.open(page)
    await signIn.signIn('officer@demo.beacon.example', inject('demoPassword'))
    await verifyStaffHome(page, 'PC Olu Officer')
    const events = await StaffEventsPage.open(page, home.neighbourhoodId)
    const coming = await page.locator('table', { has: page.locator('caption', { hasText: 'Events coming up' }) }).innerText()
    expect(coming).toContain(MEETING)

    const record = await events.recordMeeting(MEETING)
    pastMeetingUrl = page.url().replace(/\/staff(\/events\/[^/]+)\/record$/, '$1')
    const main = await page.locator('main').innerText()
    expect(main).toContain('Cars are parking on the pavement outside the school')
    expect(main).toContain('Priya Shah')

    // A negative number is refused and everything typed is kept.
    await record.attendance('-4', '0')
    await record.answer(0, 'We have spoken to the school and will be there at drop-off on weekdays.')
    await record.save()
    await RecordPage.verifyOnPage(page)
    expect(await page.locator('.govuk-error-summary').innerText()).toContain('Enter the number of people as a whole number, 0 or more')
    expect(await page.getByLabel('People who came in person').inputValue()).toBe('-4')
    expect(await page.locator('#answer-0').inputValue()).toBe('We have spoken to the school and will be there at drop-off on weekdays.')

    await record.attendance('27', '0')
    await record.answer(1, 'One arrest has been made; patrols continue.')
    await record.raised(0, 'Can we have a speed camera on the main road?', 'That is for the council; we will pass it on.')
    const firstPriority = page.locator('input[name="priorities"]').first()
    if (await firstPriority.count()) await firstPriority.check()
    await record.save()
    await RecordPage.verifyOnPage(page)
    expect(await page.locator('.govuk-notification-banner').innerText()).toContain('The record has been saved and published')
  })

  it('the resident reads the record of the last meeting, without anyone’s name', async () => {
    const page = residentPage
    await page.goto(pastMeetingUrl)
    const event = await EventPage.verifyOnPage(page, MEETING)
    const main = await event.main()
    expect(main).toContain('What happened at the meeting')
    expect(main).toMatch(/People who came in person\s+27/)
    expect(main).toContain('We have spoken to the school and will be there at drop-off on weekdays.')
    expect(main).toContain('Can we have a speed camera on the main road?')
    expect(main).not.toContain('Priya Shah')
    expect(main).not.toContain('priya.shah@example.com')
    await page.getByRole('link', { name: /See all of .*’s priorities/ }).click()
    await verifyOnPage(page, /priorities/i)
  })

  it('the officer adds a street briefing (a meeting that ends before it starts is refused first) and opens it', async () => {
    const page = officerPage
    await StaffEventsPage.open(page, home.neighbourhoodId)
    await page.getByRole('button', { name: 'Add an event' }).click()
    await verifyOnPage(page, 'Add an event')
    const day = new Date(Date.now() + 30 * 86_400_000)
    await page.getByLabel('Street briefing', { exact: true }).check()
    await page.getByLabel('Title', { exact: true }).fill('Street briefing: Mill Lane')
    await page.getByLabel('In person', { exact: true }).check()
    await page.getByLabel('Address', { exact: true }).fill('Corner of Mill Lane, Aldbridge')
    await page.locator('#startDate-day').fill(String(day.getUTCDate()))
    await page.locator('#startDate-month').fill(String(day.getUTCMonth() + 1))
    await page.locator('#startDate-year').fill(String(day.getUTCFullYear()))
    await page.getByLabel('Start time').fill('18:00')
    await page.getByLabel('End time').fill('17:00')
    await page.getByRole('button', { name: 'Add event' }).click()
    await verifyOnPage(page, 'Add an event')
    expect(await page.locator('.govuk-error-summary').innerText()).toContain('The meeting must end after it starts')
    expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe('Street briefing: Mill Lane')
    await page.getByLabel('End time').fill('7pm')
    await page.getByRole('button', { name: 'Add event' }).click()
    await verifyOnPage(page, 'Events and meetings')
    expect(await page.locator('.govuk-notification-banner').innerText()).toContain('“Street briefing: Mill Lane” has been added')
    await page.getByRole('link', { name: 'Street briefing: Mill Lane' }).first().click()
    await verifyOnPage(page, 'Street briefing: Mill Lane')
  })

  it('the events list shows what is coming up and the recorded meeting', async () => {
    const page = residentPage
    await page.goto(`/neighbourhoods/${home.neighbourhoodId}/events`)
    await verifyOnPage(page, 'Events and meetings')
    const main = await page.locator('main').innerText()
    expect(main).toContain('Coming up')
    expect(main).toMatch(/Record published: 27 in person/)
  })
})
