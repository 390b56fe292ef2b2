import type { Page } from 'playwright-core'
import * as OTPAuth from 'otpauth'
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

export class TwoFactorSetupPage {
  readonly page: Page
  constructor(page: Page) {
    this.page = page
  }
  static async verifyOnPage(page: Page): Promise<TwoFactorSetupPage> {
    await verifyOnPage(page, 'Set up two-factor authentication')
    return new TwoFactorSetupPage(page)
  }
  /** Reads the text key as a person who cannot scan the QR code would, and answers with the app's code. */
  async completeWithTextKey(): Promise<string> {
    await this.page.getByText('I cannot scan the QR code').click()
    const key = (await this.page.locator('#setup-key').innerText()).replace(/\s/g, '')
    const code = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(key), digits: 6, period: 30 }).generate()
    await this.page.getByLabel('6-digit code').fill(code)
    await this.page.getByRole('button', { name: 'Confirm and continue' }).click()
    return key
  }
  qrCodeShown() {
    return this.page.locator('.beacon-qr svg').count()
  }
}

export async function verifyStaffHome(page: Page, name: string): Promise<void> {
  await verifyOnPage(page, `Hello, ${name}`)
}
