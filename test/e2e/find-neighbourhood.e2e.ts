import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { launchBrowser, newContext, verifyOnPage } from './support/browser.ts'
import { FindPage, NeighbourhoodPage } from './pages/public.ts'
import { demoExamples } from '../../src/modules/areas/demo.ts'

// The server seeds the demo with the default DEMO_SEED, so the examples match.
const ex = demoExamples(2026)

describe('a resident finds their neighbourhood', () => {
  let browser: Browser
  beforeAll(async () => {
    browser = await launchBrowser()
  })
  afterAll(async () => browser?.close())

  it('by postcode, on a phone', async () => {
    const context = await newContext(browser, inject('baseURL'), { mobile: true })
    const page = await context.newPage()
    const find = await FindPage.open(page)
    const { postcode, neighbourhoodName, districtName } = ex.postcodes[0]!
    await find.search(postcode.toLowerCase())
    const nbh = await NeighbourhoodPage.verifyOnPage(page, neighbourhoodName)
    expect(await nbh.mapTitle()).toBe(`Map of the ${neighbourhoodName} neighbourhood boundary`)
    expect(await nbh.mapDescription()).toContain(`in the ${districtName} district`)
    await expect.poll(() => page.locator('main').innerText()).toMatch(/Population\s+[\d,]+/)
    await context.close()
  })

  it('by place name', async () => {
    const context = await newContext(browser, inject('baseURL'))
    const page = await context.newPage()
    const find = await FindPage.open(page)
    const { name, neighbourhoodName } = ex.places[0]!
    await find.search(name)
    await NeighbourhoodPage.verifyOnPage(page, neighbourhoodName)
    await context.close()
  })

  it('from the list, without JavaScript, by select and by the full list', async () => {
    const context = await newContext(browser, inject('baseURL'), { javaScriptEnabled: false })
    const page = await context.newPage()
    const find = await FindPage.open(page)
    const { neighbourhoodName, districtName } = ex.postcodes[1]!
    await find.choose(`${neighbourhoodName} (${districtName})`)
    await NeighbourhoodPage.verifyOnPage(page, neighbourhoodName)

    await page.getByRole('link', { name: 'All neighbourhoods' }).click()
    await verifyOnPage(page, 'All neighbourhoods')
    const other = ex.postcodes[2]!
    await page.getByRole('link', { name: other.neighbourhoodName, exact: true }).click()
    await NeighbourhoodPage.verifyOnPage(page, other.neighbourhoodName)
    await context.close()
  })

  it('gets a clear error that keeps what was typed', async () => {
    const context = await newContext(browser, inject('baseURL'))
    const page = await context.newPage()
    let find = await FindPage.open(page)

    await find.search('DS1 1A')
    find = await FindPage.verifyOnPage(page)
    expect(await find.errorSummary()).toContain('Enter a full UK postcode, like DS1 1AA')
    expect(await find.typedValue()).toBe('DS1 1A')
    // The error summary link moves focus to the field, as GOV.UK's pattern does.
    await page.locator('.govuk-error-summary a').click()
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('q')

    await find.search(ex.unknownPostcode)
    find = await FindPage.verifyOnPage(page)
    expect(await find.errorSummary()).toContain(`We could not find the postcode ${ex.unknownPostcode}`)

    const outside = ex.outsidePostcodes[0]!
    await find.search(outside)
    find = await FindPage.verifyOnPage(page)
    expect(await find.errorSummary()).toContain(`${outside} is outside the Demo Shire Police area`)
    expect(await find.typedValue()).toBe(outside)
    await context.close()
  })
})
