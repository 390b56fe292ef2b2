import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { launchBrowser, newContext, verifyOnPage } from './support/browser.ts'

describe('site pages', () => {
  let browser: Browser
  let context: BrowserContext
  let page: Page
  beforeAll(async () => {
    browser = await launchBrowser()
    context = await newContext(browser, inject('baseURL'))
    page = await context.newPage()
  })
  afterAll(async () => browser?.close())

  it('shows the accessibility statement and privacy notice from the footer', async () => {
    await page.goto('/accessibility')
    await verifyOnPage(page, 'Accessibility statement')
    await page.getByRole('link', { name: 'Privacy notice' }).click()
    await verifyOnPage(page, 'Privacy notice')
  })

  it('shows a plain 404 page for an unknown address', async () => {
    const res = await page.goto('/no-such-page')
    expect(res?.status()).toBe(404)
    await verifyOnPage(page, 'Page not found')
  })
})
