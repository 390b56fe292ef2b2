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

export async function newContext(browser: Browser, baseURL: string, opts: { javaScriptEnabled?: boolean; mobile?: boolean } = {}): Promise<BrowserContext> {
  return browser.newContext({
    baseURL,
    timezoneId: 'Europe/London',
    locale: 'en-GB',
    javaScriptEnabled: opts.javaScriptEnabled ?? true,
    ...(opts.mobile ? { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true } : {}),
  })
}

/**
 * Every page object checks on arrival that it is the page it expects and that axe finds
 * no WCAG 2.2 A/AA violations. Exceptions, if ever needed, must carry a reason here.
 */
export async function verifyOnPage(page: Page, heading: string | RegExp): Promise<void> {
  const pattern = typeof heading === 'string' ? new RegExp(`^${escapeRegExp(heading)}$`) : heading
  await expect.poll(async () => (await page.locator('h1').first().textContent())?.trim() ?? '').toMatch(pattern)
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze()
  const report = results.violations.map(v => `${v.impact} ${v.id}: ${v.help}\n    ${v.nodes.map(n => n.target.join(' ')).join('\n    ')}`)
  expect(report, `axe violations on ${page.url()}`).toEqual([])
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
