import type { Page } from 'playwright-core'
import { verifyOnPage } from '../support/browser.ts'

/** Public: "Contact your team", the form. */
export class ContactFormPage {
  readonly page: Page
  constructor(page: Page) {
    this.page = page
  }
  static async verifyOnPage(page: Page): Promise<ContactFormPage> {
    await verifyOnPage(page, 'Contact your team')
    return new ContactFormPage(page)
  }
  warning() {
    return this.page.locator('main').innerText()
  }
  async fill(f: { topic: string; message: string; name?: string; replyBy?: 'By email' | 'By phone'; email?: string; phone?: string }) {
    await this.page.getByRole('group', { name: 'What is your message about?' }).getByLabel(f.topic, { exact: true }).check()
    await this.page.getByLabel('Your message').fill(f.message)
    if (f.name !== undefined) await this.page.getByLabel('Your name (optional)').fill(f.name)
    if (f.replyBy) await this.page.getByRole('group', { name: 'How would you like us to reply?' }).getByLabel(f.replyBy, { exact: true }).check()
    if (f.email !== undefined) await this.page.getByLabel('Email address').fill(f.email)
    if (f.phone !== undefined) await this.page.getByLabel('UK phone number').fill(f.phone)
  }
  async send() {
    await this.page.getByRole('button', { name: 'Send message' }).click()
  }
  errorSummary() {
    return this.page.locator('.govuk-error-summary').innerText()
  }
  typedMessage() {
    return this.page.getByLabel('Your message').inputValue()
  }
}

/** Public: the confirmation with the reference. */
export class ContactSentPage {
  readonly page: Page
  constructor(page: Page) {
    this.page = page
  }
  static async verifyOnPage(page: Page): Promise<ContactSentPage> {
    await verifyOnPage(page, 'Message sent')
    return new ContactSentPage(page)
  }
  async reference(): Promise<string> {
    return (await this.page.locator('#reference').innerText()).trim()
  }
  main() {
    return this.page.locator('main').innerText()
  }
}

/** Public: "Have your say on priorities". */
export class HaveYourSayPage {
  readonly page: Page
  constructor(page: Page) {
    this.page = page
  }
  static async verifyOnPage(page: Page): Promise<HaveYourSayPage> {
    await verifyOnPage(page, 'Have your say on priorities')
    return new HaveYourSayPage(page)
  }
  async propose(issue: string, details = '') {
    await this.page.getByLabel('What issue should the team work on?').fill(issue)
    await this.page.getByLabel('Details (optional)').fill(details)
    await this.page.getByRole('button', { name: 'Propose this issue' }).click()
  }
  async support(issue: string) {
    await this.page.getByRole('button', { name: `Support “${issue}”` }).click()
  }
  notice() {
    return this.page.locator('.govuk-notification-banner').innerText()
  }
  /** An open proposal's list item. */
  proposal(issue: string) {
    return this.page.locator('#open + ol > li', { has: this.page.locator('h3', { hasText: issue }) })
  }
  decided() {
    return this.page.locator('main').innerText()
  }
}

/** Staff: the contact inbox. */
export class ContactInboxPage {
  readonly page: Page
  constructor(page: Page) {
    this.page = page
  }
  static async verifyOnPage(page: Page): Promise<ContactInboxPage> {
    await verifyOnPage(page, 'Contact inbox')
    return new ContactInboxPage(page)
  }
  async findReference(reference: string) {
    await this.page.getByLabel('Reference', { exact: true }).fill(reference)
    await this.page.getByRole('button', { name: 'Show queries' }).click()
  }
  row(reference: string) {
    return this.page.locator('main tbody tr', { has: this.page.getByRole('link', { name: reference, exact: true }) })
  }
  async open(reference: string) {
    await this.page.getByRole('link', { name: reference, exact: true }).click()
  }
}

/** Staff: one query. */
export class ContactQueryPage {
  readonly page: Page
  constructor(page: Page) {
    this.page = page
  }
  static async verifyOnPage(page: Page, reference: string): Promise<ContactQueryPage> {
    await verifyOnPage(page, `Query ${reference}`)
    return new ContactQueryPage(page)
  }
  summary() {
    return this.page.locator('.govuk-summary-list').innerText()
  }
  async reply(text: string) {
    await this.page.getByLabel('Your reply to the resident').fill(text)
    await this.page.getByRole('button', { name: 'Send reply' }).click()
  }
  async assignToMe() {
    await this.page.getByRole('button', { name: 'Assign to me' }).click()
  }
  notice() {
    return this.page.locator('.govuk-notification-banner').innerText()
  }
  thread() {
    return this.page.locator('main').innerText()
  }
}

/** Staff: residents' proposals for one neighbourhood. */
export class StaffProposalsPage {
  readonly page: Page
  constructor(page: Page) {
    this.page = page
  }
  static async verifyOnPage(page: Page): Promise<StaffProposalsPage> {
    await verifyOnPage(page, 'Residents’ proposals')
    return new StaffProposalsPage(page)
  }
  row(issue: string) {
    return this.page.locator('main tbody tr', { has: this.page.locator('th', { hasText: issue }) })
  }
  setAsPriorityLink(issue: string) {
    return this.page.getByRole('link', { name: `Set as a priority “${issue}”` })
  }
}
