import type { Page } from 'playwright-core'
import { expect } from 'vitest'
import { verifyOnPage } from '../support/browser.ts'

/**
 * The staff compose page (/staff/messages/new). Areas are chosen through the area picker:
 * "Find a neighbourhood" (live with JavaScript; the Find button without), ticking a match adds
 * it to "Areas chosen", each chosen area has a Remove button.
 */
export class ComposePage {
  readonly page: Page
  constructor(page: Page) {
    this.page = page
  }

  static async open(page: Page): Promise<ComposePage> {
    await page.goto('/staff/messages/new')
    await verifyOnPage(page, 'Compose a message')
    return new ComposePage(page)
  }

  /** After following the "Compose a message" button from the messages list. */
  static async arrived(page: Page): Promise<ComposePage> {
    await verifyOnPage(page, 'Compose a message')
    return new ComposePage(page)
  }

  /** The English fields go by id: the translation fieldsets have their own Title and Message. */
  async write(o: { title: string; body: string; sms?: string; category: string; priority?: 'Normal' | 'High' | 'Emergency' }) {
    await this.page.locator('#title').fill(o.title)
    await this.page.locator('#bodyMarkdown').fill(o.body)
    if (o.sms) await this.page.getByLabel('Text message (SMS)').fill(o.sms)
    await this.page.getByLabel('Category').selectOption({ label: o.category })
    if (o.priority) await this.page.getByLabel(o.priority, { exact: true }).check()
  }

  private get results() {
    return this.page.locator('#search-results')
  }

  /** The names in "Areas chosen", in order. */
  async chosen(): Promise<string[]> {
    return this.page.locator('#chosen-areas .govuk-summary-list__key').allInnerTexts().then(names => names.map(n => n.trim()))
  }

  /**
   * Finds a neighbourhood by name and ticks it. With JavaScript the matches appear as you
   * type and the area joins "Areas chosen" at once; without, Find sends the form back (and
   * the area joins the list when the form is next sent).
   */
  async findAndTick(name: string, opts: { javaScript?: boolean } = {}) {
    await this.page.getByLabel('Find a neighbourhood').fill(name)
    if (opts.javaScript === false) {
      await this.page.getByRole('button', { name: 'Find', exact: true }).click()
      await verifyOnPage(this.page, /Compose a message|^Change/)
    }
    await expect.poll(() => this.results.innerText()).toMatch(/match/)
    await this.results.getByLabel(name, { exact: true }).check()
    if (opts.javaScript !== false) await expect.poll(() => this.chosen()).toContain(name)
  }

  async remove(name: string, opts: { javaScript?: boolean } = {}) {
    await this.page.getByRole('button', { name: `Remove ${name}` }).click()
    if (opts.javaScript === false) await verifyOnPage(this.page, /Compose a message|^Change/)
    await expect.poll(() => this.chosen()).not.toContain(name)
  }

  /** The live count beside the form (JavaScript only). */
  async liveCount(): Promise<string> {
    return (await this.page.locator('#recipient-count-live').innerText()).trim()
  }

  async saveDraft() {
    await this.page.getByRole('button', { name: 'Save draft' }).click()
  }
}
