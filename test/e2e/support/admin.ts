import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { Page } from 'playwright-core'
import * as OTPAuth from 'otpauth'
import { expect, inject } from 'vitest'
import { SignInPage } from '../pages/staff.ts'
import { verifyOnPage } from './browser.ts'

/**
 * Signs the demo administrator in, whichever journey gets there first: the first sets up
 * TOTP from the text key (as a person who cannot scan the QR code would) and keeps the key
 * in the run's data directory; later ones answer the code prompt with it. A code is never
 * used twice: Beacon refuses a reused code, so we wait for the next 30-second step.
 */
export async function signInAsAdmin(page: Page): Promise<void> {
  const keyFile = path.join(inject('dataDir'), 'e2e-admin-totp.json')
  const signIn = await SignInPage.open(page)
  await signIn.signIn('admin@demo.beacon.example', inject('demoPassword'))
  await page.waitForLoadState('domcontentloaded')
  const heading = (await page.locator('h1').first().innerText()).trim()
  if (heading === 'Set up two-factor authentication') {
    await verifyOnPage(page, heading)
    expect(await page.locator('.beacon-qr svg').count(), 'a QR code to scan').toBe(1)
    await page.getByText('I cannot scan the QR code').click()
    const key = (await page.locator('#setup-key').innerText()).replace(/\s/g, '')
    await page.getByLabel('6-digit code').fill(await freshCode(key, keyFile))
    await page.getByRole('button', { name: 'Confirm and continue' }).click()
  } else {
    await verifyOnPage(page, /authentication code/i)
    const { key } = JSON.parse(readFileSync(keyFile, 'utf8')) as { key: string }
    await page.getByLabel('Enter your authentication code').fill(await freshCode(key, keyFile))
    await page.getByRole('button', { name: 'Continue' }).click()
  }
  await verifyOnPage(page, 'Hello, Alex Admin')
}

async function freshCode(key: string, keyFile: string): Promise<string> {
  const lastStep = existsSync(keyFile) ? (JSON.parse(readFileSync(keyFile, 'utf8')) as { step?: number }).step ?? -1 : -1
  let step = Math.floor(Date.now() / 30_000)
  while (step <= lastStep) {
    await new Promise(r => setTimeout(r, 1000))
    step = Math.floor(Date.now() / 30_000)
  }
  writeFileSync(keyFile, JSON.stringify({ key, step }))
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(key), digits: 6, period: 30 }).generate({ timestamp: step * 30_000 + 1000 })
}

/** Opens the newest outbox message to `recipient` and answers its text (the admin must be signed in). */
export async function readLatestOutboxMessage(page: Page, recipient: string, subject?: RegExp): Promise<string> {
  await page.goto(`/staff/outbox?recipient=${encodeURIComponent(recipient)}`)
  await verifyOnPage(page, 'Outbox')
  const links = page.locator('main table a.govuk-link', subject ? { hasText: subject } : {})
  await links.first().click()
  await page.waitForLoadState('domcontentloaded')
  return page.locator('main').innerText()
}
