import type { Page } from 'playwright-core'
import { verifyOnPage } from '../support/browser.ts'

/** The public neighbourhood page: team, contact, priorities, events, map and stations. */
export class NeighbourhoodTeamPage {
  readonly page: Page
  constructor(page: Page) {
    this.page = page
  }
  static async verifyOnPage(page: Page, name: string): Promise<NeighbourhoodTeamPage> {
    await verifyOnPage(page, name)
    return new NeighbourhoodTeamPage(page)
  }
  namedContactText() {
    return this.page.locator('main .govuk-inset-text').first().innerText()
  }
  /** The name beside the "Named contact" tag in the team list. */
  namedContactCard() {
    return this.page.locator('ul.beacon-team > li', { has: this.page.locator('.govuk-tag', { hasText: 'Named contact' }) })
  }
  teamNames() {
    return this.page.locator('ul.beacon-team > li h3').allInnerTexts()
  }
  priorityIssues() {
    return this.page.locator('#priorities ~ div h3').allInnerTexts()
  }
  stationNames() {
    return this.page.locator('#stations ~ h3').allInnerTexts()
  }
  openingHours(station: string) {
    return this.page.locator('table', { has: this.page.locator('caption', { hasText: `Opening hours at ${station}` }) }).innerText()
  }
  directionsLink(station: string) {
    return this.page.getByRole('link', { name: `Google Maps directions to ${station}` })
  }
  async openAllPriorities() {
    await this.page.getByRole('link', { name: /^All priorities and what has been done/ }).click()
  }
}

/** Public: current and past priorities with every action. */
export class PrioritiesPage {
  readonly page: Page
  constructor(page: Page) {
    this.page = page
  }
  static async verifyOnPage(page: Page): Promise<PrioritiesPage> {
    await verifyOnPage(page, 'Neighbourhood priorities')
    return new PrioritiesPage(page)
  }
  /** The issues under the "Current priorities" or "Past priorities" heading. */
  issues(section: 'current' | 'past') {
    return this.page.locator('main').evaluate((main, id) => {
      let inSection = false
      const out: string[] = []
      for (const el of Array.from(main.querySelectorAll('h2, h3'))) {
        if (el.tagName === 'H2') inSection = el.id === id
        else if (inSection) out.push(el.textContent!.trim())
      }
      return out
    }, section)
  }
  text() {
    return this.page.locator('main').innerText()
  }
}

/** Staff: one priority with its updates and the forms to update, review and resolve it. */
export class StaffPriorityPage {
  readonly page: Page
  constructor(page: Page) {
    this.page = page
  }
  static async verifyOnPage(page: Page, issue: string): Promise<StaffPriorityPage> {
    await verifyOnPage(page, issue)
    return new StaffPriorityPage(page)
  }
  async addAction(text: string, status: 'Open' | 'In progress' | 'Resolved') {
    await this.page.getByLabel('What has been done').fill(text)
    await this.page.getByRole('group', { name: 'Status after this action' }).getByLabel(status, { exact: true }).check()
    await this.page.getByRole('button', { name: 'Add action' }).click()
  }
  notice() {
    return this.page.locator('.govuk-notification-banner').innerText()
  }
  updates() {
    return this.page.locator('main table tbody').innerText()
  }
}
