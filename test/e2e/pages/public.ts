import type { Page } from 'playwright-core'
import { verifyOnPage } from '../support/browser.ts'

/** The home page: find a neighbourhood by postcode or place, or choose from the list. */
export class FindPage {
  readonly page: Page
  constructor(page: Page) {
    this.page = page
  }
  static async open(page: Page): Promise<FindPage> {
    await page.goto('/')
    return FindPage.verifyOnPage(page)
  }
  static async verifyOnPage(page: Page): Promise<FindPage> {
    await verifyOnPage(page, 'Find your local policing team')
    return new FindPage(page)
  }
  async search(text: string) {
    await this.page.getByLabel('Postcode or place name').fill(text)
    await this.page.getByRole('button', { name: 'Find my neighbourhood' }).click()
  }
  async choose(neighbourhoodLabel: string) {
    await this.page.getByLabel('Neighbourhood', { exact: true }).selectOption({ label: neighbourhoodLabel })
    await this.page.getByRole('button', { name: 'Go to neighbourhood' }).click()
  }
  errorSummary() {
    return this.page.locator('.govuk-error-summary').innerText()
  }
  typedValue() {
    return this.page.getByLabel('Postcode or place name').inputValue()
  }
}

export class NeighbourhoodPage {
  readonly page: Page
  constructor(page: Page) {
    this.page = page
  }
  static async verifyOnPage(page: Page, name: string): Promise<NeighbourhoodPage> {
    await verifyOnPage(page, name)
    return new NeighbourhoodPage(page)
  }
  mapDescription() {
    return this.page.locator('figcaption').innerText()
  }
  mapTitle() {
    return this.page.locator('svg.beacon-map title').textContent()
  }
}
