import { readFileSync } from 'node:fs'
import type { Page } from 'playwright-core'
import { verifyOnPage } from '../support/browser.ts'

/** An event's public page: details, "Add to calendar", the question form before it, the record after. */
export class EventPage {
  readonly page: Page
  constructor(page: Page) {
    this.page = page
  }
  static async verifyOnPage(page: Page, title: string): Promise<EventPage> {
    await verifyOnPage(page, title)
    return new EventPage(page)
  }
  /** Clicks "Add to calendar" and answers the downloaded file's name and text. */
  async addToCalendar(): Promise<{ name: string; text: string }> {
    const [download] = await Promise.all([this.page.waitForEvent('download'), this.page.getByRole('link', { name: /^Add to calendar/ }).click()])
    const path = await download.path()
    return { name: download.suggestedFilename(), text: readFileSync(path, 'utf8') }
  }
  async askQuestion(fields: { question: string; name?: string; email?: string }) {
    await this.page.getByLabel('Your question').fill(fields.question)
    if (fields.name !== undefined) await this.page.getByLabel('Your name (optional)').fill(fields.name)
    if (fields.email !== undefined) await this.page.getByLabel('Your email address (optional)').fill(fields.email)
    await this.page.getByRole('button', { name: 'Send question' }).click()
  }
  errorSummary() {
    return this.page.locator('.govuk-error-summary').innerText()
  }
  notice() {
    return this.page.locator('.govuk-notification-banner').innerText()
  }
  main() {
    return this.page.locator('main').innerText()
  }
}

/** A neighbourhood's staff list of events. */
export class StaffEventsPage {
  readonly page: Page
  constructor(page: Page) {
    this.page = page
  }
  static async open(page: Page, areaId: string): Promise<StaffEventsPage> {
    await page.goto(`/staff/neighbourhoods/${encodeURIComponent(areaId)}/events`)
    await verifyOnPage(page, 'Events and meetings')
    return new StaffEventsPage(page)
  }
  /** Follows "Record the meeting" for the newest past event whose title matches. */
  async recordMeeting(title: string): Promise<RecordPage> {
    await this.page.getByRole('link', { name: new RegExp(`^Record the meeting\\W+${title}`) }).first().click()
    return RecordPage.verifyOnPage(this.page)
  }
}

/** The record of a meeting, for staff. */
export class RecordPage {
  readonly page: Page
  constructor(page: Page) {
    this.page = page
  }
  static async verifyOnPage(page: Page): Promise<RecordPage> {
    await verifyOnPage(page, 'Record the meeting')
    return new RecordPage(page)
  }
  async attendance(inPerson: string, online: string) {
    await this.page.getByLabel('People who came in person').fill(inPerson)
    await this.page.getByLabel('People who joined online').fill(online)
  }
  /** The answer to the nth question sent before (0 first). */
  answer(index: number, text: string) {
    return this.page.locator(`#answer-${index}`).fill(text)
  }
  async raised(index: number, question: string, answer: string) {
    await this.page.locator(`#raisedQuestion-${index}`).fill(question)
    await this.page.locator(`#raisedAnswer-${index}`).fill(answer)
  }
  save() {
    return this.page.getByRole('button', { name: 'Save and publish the record' }).click()
  }
}
