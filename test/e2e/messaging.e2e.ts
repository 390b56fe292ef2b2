import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { launchBrowser, newContext, verifyOnPage } from './support/browser.ts'
import { readLatestOutboxMessage, signInAsAdmin } from './support/admin.ts'
import { SignInPage, verifyStaffHome } from './pages/staff.ts'
import { ComposePage } from './pages/messaging.ts'
import { demoExamples } from '../../src/modules/areas/demo.ts'

const ex = demoExamples(2026)
// officer@ is granted the first neighbourhood of the first district (both by name), which
// is the neighbourhood of the first example postcode: the resident lives there.
const home = ex.postcodes[0]!
const RESIDENT = `resident.${Date.now()}@example.org`

/**
 * The whole loop: a resident signs up by postcode and confirms by the emailed link (read
 * from the outbox), an officer composes and sends a targeted alert, the resident receives
 * it and replies, and the officer answers from the inbox. axe runs on every page.
 */
describe('community messaging journey', () => {
  let browser: Browser
  let resident: BrowserContext
  let residentPage: Page
  let admin: BrowserContext
  let adminPage: Page
  beforeAll(async () => {
    browser = await launchBrowser()
    resident = await newContext(browser, inject('baseURL'), { mobile: true })
    residentPage = await resident.newPage()
    admin = await newContext(browser, inject('baseURL'))
    adminPage = await admin.newPage()
  })
  afterAll(async () => browser?.close())

  it('an administrator signs in to read the development outbox', async () => {
    await signInAsAdmin(adminPage)
  })

  it('a resident signs up by postcode and confirms by the emailed link', async () => {
    const page = residentPage
    await page.goto('/')
    // On a phone the menu is folded behind its button.
    await page.getByRole('button', { name: 'Menu' }).click()
    await page.getByRole('link', { name: 'Community alerts' }).click()
    await verifyOnPage(page, /Get community alerts/)
    // The sign-up page in Welsh, and back to English by its language link.
    await page.goto('/alerts/sign-up?lang=cy')
    await verifyOnPage(page, 'Cofrestru ar gyfer rhybuddion cymunedol')
    expect(await page.locator('html').getAttribute('lang')).toBe('cy')
    await page.getByRole('link', { name: 'English', exact: true }).click()
    await verifyOnPage(page, 'Sign up for community alerts')
    await page.getByLabel('Email address').fill(RESIDENT)
    await page.getByLabel('Your home postcode').fill(home.postcode)
    await page.getByLabel('Crime alerts').check()
    await page.getByLabel('Demo Shire Police', { exact: true }).check()
    await page.getByRole('button', { name: 'Sign up' }).click()
    await verifyOnPage(page, 'Confirm your contact details')
    expect(await page.locator('main').innerText()).toContain('Check your email')

    const email = await readLatestOutboxMessage(adminPage, RESIDENT)
    const link = /https?:\/\/\S+(\/alerts\/confirm\/\S+)/.exec(email)?.[1]
    expect(link, 'confirmation link in the email').toBeTruthy()
    await page.goto(link!)
    await verifyOnPage(page, 'Confirm your email address')
    await page.getByRole('button', { name: 'Confirm my email address' }).click()
    await verifyOnPage(page, 'Email address confirmed')
  })

  const TITLE = `Burglaries in ${home.neighbourhoodName}: lock your sheds`
  let officer: BrowserContext
  let officerPage: Page

  it('an officer composes a targeted alert and sends it', async () => {
    officer = await newContext(browser, inject('baseURL'))
    officerPage = await officer.newPage()
    const page = officerPage
    const signIn = await SignInPage.open(page)
    await signIn.signIn('officer@demo.beacon.example', inject('demoPassword'))
    await verifyStaffHome(page, 'PC Olu Officer')
    await page.getByRole('link', { name: 'Messages', exact: true }).click()
    await verifyOnPage(page, 'Messages')
    await page.getByRole('button', { name: 'Compose a message' }).click()
    const compose = await ComposePage.arrived(page)
    await compose.write({
      title: TITLE,
      body: 'Three sheds were broken into this week.\n\n**Please** lock sheds and mark your tools.',
      sms: `Police: 3 shed break-ins in ${home.neighbourhoodName} this week. Please lock sheds.`,
      category: 'Crime alerts',
      priority: 'High',
    })
    // The area picker: found by name as you type, chosen at once, and the live count follows.
    await compose.findAndTick(home.neighbourhoodName)
    await expect.poll(() => compose.liveCount()).toMatch(/^(About )?[\d,]+ (person|people): /)
    await compose.saveDraft()
    await verifyOnPage(page, TITLE)
    await expect.poll(() => page.locator('main').innerText()).toMatch(/\b1\b.*(person|people|recipient)/i)

    await page.getByRole('link', { name: /Preview the email/ }).click()
    await verifyOnPage(page, TITLE)
    expect(page.url()).toMatch(/\/preview$/)
    expect(await page.locator('main').innerText()).toContain('Three sheds were broken into this week.')
    await page.goBack()
    await page.getByRole('button', { name: 'Send or ask for approval' }).click()
    await verifyOnPage(page, TITLE)
    await expect.poll(() => page.locator('main').innerText()).toMatch(/sending|sent/i)
  })

  it('a lead picks areas without JavaScript: find, tick, remove, keeping what was typed', async () => {
    const context = await newContext(browser, inject('baseURL'), { javaScriptEnabled: false })
    const page = await context.newPage()
    const signIn = await SignInPage.open(page)
    await signIn.signIn('lead@demo.beacon.example', inject('demoPassword'))
    await verifyStaffHome(page, 'Lee Engagement')
    const compose = await ComposePage.open(page)
    await compose.write({ title: 'Kept while picking areas', body: 'Draft text.', category: 'Events and meetings' })
    await compose.findAndTick(home.neighbourhoodName, { javaScript: false })
    // Find again (a second place): the first tick joins "Areas chosen", and the title is kept.
    await compose.findAndTick(ex.postcodes[1]!.neighbourhoodName, { javaScript: false })
    await page.getByRole('button', { name: 'Find', exact: true }).click()
    await verifyOnPage(page, 'Compose a message')
    expect(await compose.chosen()).toEqual([home.neighbourhoodName, ex.postcodes[1]!.neighbourhoodName])
    expect(await page.locator('#title').inputValue()).toBe('Kept while picking areas')
    await compose.remove(home.neighbourhoodName, { javaScript: false })
    expect(await compose.chosen()).toEqual([ex.postcodes[1]!.neighbourhoodName])
    await context.close()
  })

  let replyLink = ''
  it('the resident receives it by email, with links to reply and manage', async () => {
    let email = ''
    await expect
      .poll(async () => (email = await readLatestOutboxMessage(adminPage, RESIDENT, new RegExp(TITLE.slice(0, 20)))), { timeout: 30_000, interval: 1_000 })
      .toContain('Three sheds were broken into this week.')
    replyLink = /https?:\/\/\S+(\/alerts\/reply\/\S+)/.exec(email)?.[1] ?? ''
    expect(replyLink, 'reply link').not.toBe('')
    expect(email).toMatch(/\/alerts\/manage\//)
    expect(email).toMatch(/List-Unsubscribe/i)
  })

  it('the resident replies from the link in the message', async () => {
    const page = residentPage
    await page.goto(replyLink)
    await verifyOnPage(page, 'Reply to this message')
    await page.getByLabel('Your reply').fill('My neighbour saw a white van at 2am on Tuesday.')
    await page.getByLabel('By email').check()
    await page.getByRole('button', { name: 'Send reply' }).click()
    await verifyOnPage(page, 'Reply sent')
  })

  it('the officer answers from the inbox and the resident gets the answer', async () => {
    const page = officerPage
    await page.goto('/staff/messages/inbox')
    await verifyOnPage(page, 'Replies')
    await page.getByRole('link', { name: /white van/ }).click()
    await verifyOnPage(page, `To “${TITLE}”`)
    await page.getByLabel('Your answer to the resident').fill('Thank you. Please call 101 with the time and any registration.')
    await page.getByRole('button', { name: 'Send answer' }).click()
    await verifyOnPage(page, `To “${TITLE}”`)
    await expect.poll(() => page.locator('main').innerText()).toMatch(/answered/i)
    await expect
      .poll(async () => readLatestOutboxMessage(adminPage, RESIDENT), { timeout: 15_000, interval: 1_000 })
      .toContain('Please call 101 with the time and any registration.')
    await officer.close()
  })
})
