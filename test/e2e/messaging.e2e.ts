import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { launchBrowser, newContext, verifyOnPage } from './support/browser.ts'
import { readLatestOutboxMessage, signInAsAdmin } from './support/admin.ts'
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
    await page.goto('/alerts/sign-up')
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
})
