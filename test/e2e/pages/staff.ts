import type { Page } from 'playwright-core'
import { verifyOnPage } from '../support/browser.ts'

/** Staff sign-in, including an administrator's first-time TOTP set-up. */
export class SignInPage {
  readonly page: Page
  constructor(page: Page) {
    this.page = page
  }
  static async open(page: Page): Promise<SignInPage> {
    await page.goto('/staff/sign-in')
    await verifyOnPage(page, 'Sign in')
    return new SignInPage(page)
  }
  async signIn(email: string, password: string) {
    await this.page.getByLabel('Email address').fill(email)
    await this.page.getByLabel('Password', { exact: true }).fill(password)
    await this.page.getByRole('button', { name: 'Sign in' }).click()
  }
}

export async function verifyStaffHome(page: Page, name: string): Promise<void> {
  await verifyOnPage(page, `Hello, ${name}`)
}
