import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { AxeBuilder } from '@axe-core/playwright'
import { existsSync } from 'node:fs'
import { expect } from 'vitest'

const executablePath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(p => existsSync(p))

/** Debian's Chromium, started the way this machine allows (no background networking, no sandbox as root). */
export async function launchBrowser(): Promise<Browser> {
  if (!executablePath) throw new Error('Chromium is not installed: apt-get install chromium')
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}

/** Contexts with JavaScript off: axe cannot run inside their pages (see `axeViolations`). */
const noScriptContexts = new WeakSet<BrowserContext>()

export async function newContext(browser: Browser, baseURL: string, opts: { javaScriptEnabled?: boolean; mobile?: boolean } = {}): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL,
    timezoneId: 'Europe/London',
    locale: 'en-GB',
    javaScriptEnabled: opts.javaScriptEnabled ?? true,
    ...(opts.mobile ? { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true } : {}),
  })
  if (opts.javaScriptEnabled === false) noScriptContexts.add(context)
  // Fail a step in seconds with Playwright's own message, well before the test's timeout.
  context.setDefaultTimeout(15_000)
  return context
}

/**
 * Every page object checks on arrival that it is the page it expects and that axe finds
 * no WCAG 2.2 A/AA violations. Exceptions, if ever needed, must carry a reason here.
 */
export async function verifyOnPage(page: Page, heading: string | RegExp): Promise<void> {
  const pattern = typeof heading === 'string' ? new RegExp(`^${escapeRegExp(heading)}$`) : heading
  await expect.poll(async () => (await page.locator('h1').first().textContent())?.trim() ?? '').toMatch(pattern)
  expect(await axeViolations(page), `axe violations on ${page.url()}`).toEqual([])
}

async function axeViolations(page: Page): Promise<string[]> {
  let target = page
  let helper: BrowserContext | undefined
  if (noScriptContexts.has(page.context())) {
    // axe is JavaScript, so a page seen without JavaScript is checked as served: the same
    // HTML, scripts removed, loaded at the same URL in a scripted helper context.
    const html = (await page.content()).replace(/<script\b[\s\S]*?<\/script>/gi, '')
    const url = page.url()
    helper = await page.context().browser()!.newContext({ baseURL: new URL(url).origin })
    target = await helper.newPage()
    await target.route(url, route => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }))
    await target.goto(url)
  }
  try {
    const results = await new AxeBuilder({ page: target }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze()
    return results.violations.map(v => `${v.impact} ${v.id}: ${v.help}\n    ${v.nodes.map(n => n.target.join(' ')).join('\n    ')}`)
  } finally {
    await helper?.close()
  }
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
