import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { launchBrowser, newContext, verifyOnPage } from './support/browser.ts'
import { readLatestOutboxMessage, signInAsAdmin } from './support/admin.ts'
import { FindPage } from './pages/public.ts'
import { SignInPage, verifyStaffHome } from './pages/staff.ts'
import { ContactFormPage, ContactInboxPage, ContactQueryPage, ContactSentPage, HaveYourSayPage, StaffProposalsPage } from './pages/nbh-contact.ts'
import { demoExamples } from '../../src/modules/areas/demo.ts'

const ex = demoExamples(2026)
// officer@ is granted the first neighbourhood of the first district: Aldbridge, where the
// first example postcode (DS13 1AG) is.
const home = ex.postcodes[0]!
const RUN = Date.now()
const EMAIL = `resident-${RUN}@example.com`
const MESSAGE = `Someone has been dumping tyres in the lay-by on the Kelmoor road every weekend (${RUN}).`
const ISSUE = `Fly-tipped tyres in the Kelmoor road lay-by (${RUN})`
const REPLY = `Thank you. We have asked the council to clear them and will check the lay-by on our weekend patrols (${RUN}).`

/**
 * A resident contacts the Aldbridge team from their neighbourhood page on a phone without
 * JavaScript, gets a reference and an acknowledgement email, and proposes an issue on
 * "Have your say"; the officer answers the query from the contact inbox and sets the
 * proposal as a priority. axe runs on every page.
 */
describe('contact your team and have your say journey', () => {
  let browser: Browser
  let resident: BrowserContext
  let residentPage: Page
  let officer: BrowserContext
  let officerPage: Page
  let reference = ''

  beforeAll(async () => {
    browser = await launchBrowser()
    resident = await newContext(browser, inject('baseURL'), { mobile: true, javaScriptEnabled: false })
    residentPage = await resident.newPage()
    officer = await newContext(browser, inject('baseURL'))
    officerPage = await officer.newPage()
  })
  afterAll(async () => browser?.close())

  it('a resident contacts the team (a form with no way to reply first) and gets a reference', async () => {
    const page = residentPage
    const find = await FindPage.open(page)
    await find.search(home.postcode)
    await verifyOnPage(page, home.neighbourhoodName)
    await page.getByRole('link', { name: `Send a message to the ${home.neighbourhoodName} team` }).click()

    const form = await ContactFormPage.verifyOnPage(page)
    expect(new URL(page.url()).pathname).toBe(`/neighbourhoods/${home.neighbourhoodId}/contact`)
    const intro = await form.warning()
    expect(intro).toContain('not for emergencies or for reporting a crime')
    expect(intro).toContain('call 999')
    expect(intro).toContain('call 101')

    await form.fill({ topic: 'A local problem', message: MESSAGE, name: 'Robin Resident' })
    await form.send()
    await ContactFormPage.verifyOnPage(page)
    expect(await form.errorSummary()).toContain('Select how you would like us to reply')
    expect(await form.typedMessage()).toBe(MESSAGE)

    await form.fill({ topic: 'A local problem', message: MESSAGE, replyBy: 'By email', email: EMAIL })
    await form.send()
    const sent = await ContactSentPage.verifyOnPage(page)
    reference = await sent.reference()
    expect(reference).toMatch(/^NQ-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}$/)
    const main = await sent.main()
    expect(main).toContain('What happens next')
    expect(main).toContain('within 72 hours')
  })

  it('the resident proposes an issue on “Have your say”, and their support is counted', async () => {
    const page = residentPage
    await page.getByRole('link', { name: 'Have your say on the team’s priorities' }).click()
    const say = await HaveYourSayPage.verifyOnPage(page)
    await say.propose(ISSUE, 'Six or seven tyres at a time, left on the verge.')
    await HaveYourSayPage.verifyOnPage(page)
    expect(await say.notice()).toContain('Your proposal has been added')
    const item = say.proposal(ISSUE)
    expect(await item.innerText()).toContain('1 resident supports this')
    expect(await item.innerText()).toContain('You support this')
    await resident.close()
  })

  it('the acknowledgement email, quoting the reference, is in the outbox', async () => {
    const page = await (await newContext(browser, inject('baseURL'))).newPage()
    await signInAsAdmin(page)
    // The worker sends it moments after the query is saved.
    await expect
      .poll(
        async () => {
          await page.goto(`/staff/outbox?recipient=${encodeURIComponent(EMAIL)}`)
          return page.locator('main table a.govuk-link', { hasText: /We have your message/ }).count()
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBeGreaterThan(0)
    const text = await readLatestOutboxMessage(page, EMAIL, /We have your message/)
    expect(text).toContain(reference)
    expect(text).toContain(`Your reference is ${reference}`)
    await page.context().close()
  })

  it('the officer answers the query from the inbox, and it shows as replied', async () => {
    const page = officerPage
    const signIn = await SignInPage.open(page)
    await signIn.signIn('officer@demo.beacon.example', inject('demoPassword'))
    await verifyStaffHome(page, 'PC Olu Officer')
    await page.getByRole('link', { name: 'Contact inbox', exact: true }).click()
    const inbox = await ContactInboxPage.verifyOnPage(page)
    expect(await inbox.row(reference).innerText()).toContain('New')
    await inbox.open(reference)

    const query = await ContactQueryPage.verifyOnPage(page, reference)
    expect(await query.summary()).toContain(EMAIL)
    await query.assignToMe()
    await ContactQueryPage.verifyOnPage(page, reference)
    expect(await query.notice()).toContain('The query is assigned to you')
    await query.reply(REPLY)
    await ContactQueryPage.verifyOnPage(page, reference)
    expect(await query.notice()).toContain('Your reply has been sent by email')
    expect(await query.summary()).toMatch(/Status\s+Replied/)
    expect(await query.summary()).toMatch(/Replied in (under an hour|\d+ hours?)/)
    expect(await query.thread()).toContain(REPLY)

    await page.goto('/staff/contact?status=replied')
    const replied = await ContactInboxPage.verifyOnPage(page)
    expect(await replied.row(reference).innerText()).toContain('Replied')
  })

  it('the officer opens residents’ proposals and sets one as a priority', async () => {
    const page = officerPage
    await page.goto('/staff/neighbourhoods')
    await verifyOnPage(page, 'Neighbourhoods')
    await page.getByRole('link', { name: home.neighbourhoodName, exact: true }).click()
    await verifyOnPage(page, home.neighbourhoodName)
    await page.getByRole('link', { name: 'Residents’ proposals' }).click()
    let proposals = await StaffProposalsPage.verifyOnPage(page)
    // A demo proposal's own page, and a decline sent without a response (kept on the page).
    const DEMO_ISSUE = 'Speeding through the village at night'
    await page.getByRole('link', { name: `Decline or remove “${DEMO_ISSUE}”` }).click()
    await verifyOnPage(page, DEMO_ISSUE)
    await page.getByRole('button', { name: 'Decline proposal' }).click()
    await verifyOnPage(page, DEMO_ISSUE)
    expect(await page.locator('.govuk-error-summary').innerText()).toContain('Enter the response residents will see')
    await page.getByRole('link', { name: 'Residents’ proposals' }).click()
    proposals = await StaffProposalsPage.verifyOnPage(page)
    expect((await proposals.row(ISSUE).locator('td').first().innerText()).trim()).toBe('1')
    const link = proposals.setAsPriorityLink(ISSUE)
    expect(await link.getAttribute('href')).toMatch(new RegExp(`^/staff/neighbourhoods/${home.neighbourhoodId}/priorities/new\\?proposal=[0-9a-f-]{36}$`))
    await link.click()

    // Helper A's priority form: prefilled from the proposal, adopting it on save.
    await verifyOnPage(page, 'Set a priority')
    expect(await page.getByLabel('The issue').inputValue()).toBe(ISSUE)
    await page.getByRole('button', { name: 'Set priority' }).click()
    await verifyOnPage(page, ISSUE)

    await page.goto(`/staff/neighbourhoods/${home.neighbourhoodId}/proposals`)
    await StaffProposalsPage.verifyOnPage(page)
    expect(await page.locator('main table').last().innerText()).toContain(ISSUE)
    await page.goto(`/neighbourhoods/${home.neighbourhoodId}/have-your-say`)
    const pub = await HaveYourSayPage.verifyOnPage(page)
    expect(await pub.proposal(ISSUE).count()).toBe(0)
    expect(await pub.decided()).toContain(ISSUE)
  })

  it('another neighbourhood’s proposals are not found for the officer', async () => {
    const page = officerPage
    const other = ex.postcodes[2]!.neighbourhoodId
    const res = await page.goto(`/staff/neighbourhoods/${other}/proposals`)
    expect(res?.status()).toBe(404)
    await verifyOnPage(page, 'Page not found')
  })

  it('the staleness view and its CSV work for the engagement lead', async () => {
    const context = await newContext(browser, inject('baseURL'))
    const page = await context.newPage()
    const signIn = await SignInPage.open(page)
    await signIn.signIn('lead@demo.beacon.example', inject('demoPassword'))
    await verifyStaffHome(page, 'Lee Engagement')
    await page.getByRole('link', { name: 'Staleness', exact: true }).click()
    await verifyOnPage(page, 'Staleness')
    expect(await page.locator('main table caption').count()).toBeGreaterThanOrEqual(3)
    const csv = await page.request.get('/staff/staleness.csv')
    expect(csv.headers()['content-type']).toBe('text/csv; charset=utf-8')
    expect((await csv.text()).split('\r\n')[0]).toContain('neighbourhood_id,neighbourhood,district,named_contact')
    await context.close()
  })
})
