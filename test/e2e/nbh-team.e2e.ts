import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { launchBrowser, newContext, verifyOnPage } from './support/browser.ts'
import { FindPage } from './pages/public.ts'
import { SignInPage, verifyStaffHome } from './pages/staff.ts'
import { NeighbourhoodTeamPage, PrioritiesPage, StaffPriorityPage } from './pages/nbh-team.ts'
import { demoExamples } from '../../src/modules/areas/demo.ts'

const ex = demoExamples(2026)

// The demo officer's neighbourhood: the first of the first district, complete in the demo data.
const POSTCODE = 'DS13 1AG'
const NEIGHBOURHOOD = 'Aldbridge'

describe('neighbourhood team pages', () => {
  let browser: Browser
  beforeAll(async () => {
    browser = await launchBrowser()
  })
  afterAll(async () => browser?.close())

  it('a resident finds their team by postcode, on a phone without JavaScript, and reads priorities and stations', async () => {
    const context = await newContext(browser, inject('baseURL'), { mobile: true, javaScriptEnabled: false })
    const page = await context.newPage()
    const find = await FindPage.open(page)
    await find.search(POSTCODE)
    const nbh = await NeighbourhoodTeamPage.verifyOnPage(page, NEIGHBOURHOOD)

    const team = await nbh.teamNames()
    expect(team.length).toBeGreaterThanOrEqual(2)
    const named = (await nbh.namedContactCard().locator('h3').innerText()).trim()
    expect(team).toContain(named)
    expect(await nbh.namedContactText()).toContain(`Your named contact is ${named}`)
    expect(await nbh.namedContactCard().locator('img').getAttribute('alt')).toBeTruthy()
    await expect.poll(() => page.getByRole('link', { name: `Send a message to the ${NEIGHBOURHOOD} team` }).getAttribute('href')).toMatch(/\/contact$/)
    expect(await page.getByRole('link', { name: 'Have your say on priorities' }).count()).toBe(1)
    expect(await page.locator('main').innerText()).toMatch(/emergency call 999/)

    const issues = await nbh.priorityIssues()
    expect(issues.length).toBeGreaterThan(0)
    const stations = await nbh.stationNames()
    expect(stations.length).toBeGreaterThan(0)
    expect(await nbh.openingHours(stations[0]!)).toMatch(/\d{2}:\d{2} to \d{2}:\d{2}/)
    expect(await nbh.directionsLink(stations[0]!).getAttribute('href')).toMatch(/^https:\/\/www\.google\.com\/maps\/dir\/\?api=1&destination=-?[\d.]+,-?[\d.]+$/)

    await nbh.openAllPriorities()
    const priorities = await PrioritiesPage.verifyOnPage(page)
    expect(await priorities.issues('current')).toEqual(issues)
    expect((await priorities.issues('past')).length).toBeGreaterThan(0)
    expect(await priorities.text()).toMatch(/What has been done about/)
    await context.close()
  })

  it('an officer adds an action update to a priority, and residents see it', async () => {
    const context = await newContext(browser, inject('baseURL'))
    const page = await context.newPage()
    const signIn = await SignInPage.open(page)
    await signIn.signIn('officer@demo.beacon.example', inject('demoPassword'))
    await verifyStaffHome(page, 'PC Olu Officer')

    await page.getByRole('link', { name: 'Neighbourhoods', exact: true }).click()
    await verifyOnPage(page, 'Neighbourhoods')
    expect(await page.locator('main tbody tr').count()).toBe(1)
    await page.getByRole('link', { name: NEIGHBOURHOOD, exact: true }).click()
    await verifyOnPage(page, NEIGHBOURHOOD)
    const id = new URL(page.url()).pathname.split('/').pop()!
    await page.getByRole('link', { name: 'Priorities', exact: true }).click()
    await verifyOnPage(page, 'Priorities')

    const first = page.locator('main tbody th a').first()
    const issue = (await first.innerText()).trim()
    await first.click()
    const priority = await StaffPriorityPage.verifyOnPage(page, issue)
    const action = `Joint patrol with the council wardens, ${Date.now()}`
    await priority.addAction(action, 'In progress')
    await StaffPriorityPage.verifyOnPage(page, issue)
    expect(await priority.notice()).toContain('The action has been added')
    expect(await priority.updates()).toContain(action)

    await page.goto(`/neighbourhoods/${id}/priorities`)
    const pub = await PrioritiesPage.verifyOnPage(page)
    expect(await pub.text()).toContain(action)
    await context.close()
  })

  it('an officer’s neighbourhood pages all pass axe, and another neighbourhood is not found', async () => {
    const context = await newContext(browser, inject('baseURL'))
    const page = await context.newPage()
    const signIn = await SignInPage.open(page)
    await signIn.signIn('officer@demo.beacon.example', inject('demoPassword'))
    await verifyStaffHome(page, 'PC Olu Officer')
    await page.goto('/staff/neighbourhoods')
    await page.getByRole('link', { name: NEIGHBOURHOOD, exact: true }).click()
    await verifyOnPage(page, NEIGHBOURHOOD)
    const hub = page.url()

    await page.getByRole('link', { name: 'Profile', exact: true }).click()
    await verifyOnPage(page, 'Profile')
    await page.goto(hub)
    await page.getByRole('link', { name: 'Team', exact: true }).click()
    await verifyOnPage(page, 'Team')
    await page.locator('main tbody th a').first().click()
    await verifyOnPage(page, /^Change .+’s details$/)
    await page.goto(`${hub}/priorities/new`)
    await verifyOnPage(page, 'Set a priority')
    // A form sent with a problem shows the error summary, and still passes axe.
    await page.getByRole('button', { name: 'Set priority' }).click()
    await verifyOnPage(page, 'Set a priority')
    expect(await page.locator('.govuk-error-summary').innerText()).toContain('Enter the issue')
    await page.goto('/staff/stations')
    await verifyOnPage(page, 'Police stations and front counters')
    await page.getByRole('button', { name: 'Add a police station or front counter' }).click()
    await verifyOnPage(page, 'Add a police station or front counter')

    // Another district's neighbourhood, by changing the address.
    const other = ex.postcodes[2]!.neighbourhoodId
    for (const path of ['', '/priorities', '/team', '/profile']) {
      const res = await page.goto(`/staff/neighbourhoods/${other}${path}`)
      expect(res?.status(), path).toBe(404)
    }
    await verifyOnPage(page, 'Page not found')
    await context.close()
  })
})
