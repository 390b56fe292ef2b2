import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { launchBrowser, newContext, verifyOnPage } from './support/browser.ts'
import { SignInPage, verifyStaffHome } from './pages/staff.ts'
import { signInAsAdmin } from './support/admin.ts'
import { demoExamples } from '../../src/modules/areas/demo.ts'

const ex = demoExamples(2026)

describe('staff journeys', () => {
  let browser: Browser
  beforeAll(async () => {
    browser = await launchBrowser()
  })
  afterAll(async () => browser?.close())

  describe('an administrator', () => {
    let context: BrowserContext
    let page: Page
    beforeAll(async () => {
      context = await newContext(browser, inject('baseURL'))
      page = await context.newPage()
    })
    afterAll(async () => context.close())

    it('signs in with TOTP (set up at first sign-in with a QR code and a text key)', async () => {
      // The set-up page shows a QR code; whichever journey signs the admin in first sets it up.
      await signInAsAdmin(page)
      await verifyStaffHome(page, 'Alex Admin')
    })

    it('grants a role on an area to a member of staff', async () => {
      await page.getByRole('link', { name: 'Users', exact: true }).click()
      await verifyOnPage(page, 'Staff users')
      await page.getByRole('link', { name: 'PCSO Sam Second' }).click()
      await verifyOnPage(page, 'PCSO Sam Second')
      const target = ex.postcodes[2]!
      await page.getByLabel('Role').selectOption({ label: 'Engagement lead' })
      await page.getByLabel('Area').selectOption(target.neighbourhoodId)
      await page.getByRole('button', { name: 'Add role' }).click()
      await verifyOnPage(page, 'PCSO Sam Second')
      const grants = page.locator('table', { has: page.locator('caption', { hasText: 'Roles held by' }) })
      await expect.poll(() => grants.innerText()).toMatch(new RegExp(`Engagement lead\\s+${target.neighbourhoodName}`))

      await page.getByRole('link', { name: 'Audit log' }).click()
      await verifyOnPage(page, 'Audit log')
      await expect.poll(() => page.locator('main table').innerText()).toMatch(/Granted engagement lead on/i)
    })

    it('has a bad boundary file rejected with a report, and nothing imported', async () => {
      const file = path.join(tmpdir(), `beacon-bad-${Date.now()}.geojson`)
      writeFileSync(
        file,
        JSON.stringify({
          type: 'FeatureCollection',
          features: [
            {
              type: 'Feature',
              properties: { id: 'new-n1', name: 'Newtown', type: 'neighbourhood', parent: ex.postcodes[0]!.neighbourhoodId },
              // unclosed ring, and latitude/longitude swapped
              geometry: { type: 'Polygon', coordinates: [[[53.9, -2.6], [53.95, -2.6], [53.95, -2.55], [53.9, -2.55]]] },
            },
          ],
        }),
      )
      await page.goto('/staff/imports/boundaries')
      await verifyOnPage(page, 'Import boundaries')
      await page.getByLabel('Boundary file').setInputFiles(file)
      await page.getByRole('button', { name: 'Import boundaries' }).click()
      await verifyOnPage(page, 'Import boundaries')
      const report = await page.locator('main').innerText()
      expect(report).toContain('Nothing was imported')
      expect(report).toMatch(/feature 1 \(id new-n1\)/)
      expect(report).toMatch(/ring 1 is not closed/)
      expect(await page.locator('.govuk-error-summary').count()).toBe(1)

      const res = await page.goto('/neighbourhoods/new-n1')
      expect(res?.status()).toBe(404)
    })

    it('reads the development outbox', async () => {
      await page.goto('/staff/outbox')
      await verifyOnPage(page, 'Outbox')
    })
  })

  describe('a neighbourhood officer', () => {
    it('sees their own neighbourhood but not another by changing the URL', async () => {
      const context = await newContext(browser, inject('baseURL'))
      const page = await context.newPage()
      const signIn = await SignInPage.open(page)
      await signIn.signIn('officer@demo.beacon.example', inject('demoPassword'))
      await verifyStaffHome(page, 'PC Olu Officer')
      await page.getByRole('link', { name: 'Areas' }).first().click()
      await verifyOnPage(page, 'Areas')
      const own = page.locator('main a[href^="/staff/areas/"]')
      expect(await own.count()).toBe(1)
      const ownHref = (await own.getAttribute('href'))!
      await own.click()
      await expect.poll(() => page.url()).toContain(ownHref)

      const other = ex.postcodes[2]!.neighbourhoodId
      const res = await page.goto(`/staff/areas/${other}`)
      expect(res?.status()).toBe(404)
      await verifyOnPage(page, 'Page not found')
      await context.close()
    })
  })
})
