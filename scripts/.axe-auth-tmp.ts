import { chromium } from 'playwright-core'
import { AxeBuilder } from '@axe-core/playwright'
import { testConfig } from '../src/config.ts'
import { createDatabase, runMigrations } from '../src/platform/db/client.ts'
import { createServices } from '../src/services.ts'
import { buildApp } from '../src/app.ts'
async function createTestApp() {
  const config = testConfig()
  const db = await createDatabase({}); await runMigrations(db)
  const services = await createServices(config, db)
  const app = await buildApp({ config, db, services })
  return { app, db, services, config, close: async () => { await app.close(); await db.close() } }
}
import { createTestStaff, seedTestAreas, TEST_AREAS, TEST_PASSWORD, totpCode, setupKeyFrom } from '../src/platform/auth/testing.ts'

const t = await createTestApp()
await seedTestAreas(t.db)
const adminId = await createTestStaff(t.services, 'admin@example.org', [['administrator', TEST_AREAS.force.id]], { name: 'Ada Admin' })
const joId = await createTestStaff(t.services, 'jo@example.org', [['neighbourhood_officer', TEST_AREAS.ashbyNorth.id]], { name: 'Jo' })
await t.services.audit.record({ userId: null, email: 'x@example.org', ip: '1.2.3.4' }, { action: 'view', entityType: 'subscriber', areaId: TEST_AREAS.ashbyNorth.id, summary: 'Viewed' })
for (let i = 0; i < 60; i++) await t.services.audit.record({ userId: null, email: 'x@example.org', ip: null }, { action: 'export', entityType: 'report', summary: `r${i}` })
await t.app.listen({ port: 3999, host: '127.0.0.1' })
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] })
const page = await (await browser.newContext()).newPage()
const base = 'http://127.0.0.1:3999'
let failures = 0
async function check(name: string) {
  const r = await new AxeBuilder({ page }).analyze()
  const v = r.violations
  const ids = await page.$$eval('[id]', els => els.map(e => e.id))
  const dups = ids.filter((id, i) => ids.indexOf(id) !== i)
  const h1 = await page.$$eval('h1', els => els.length)
  const csp = (await page.evaluate(() => (window as any).__cspErrors)) ?? []
  console.log(name, page.url(), 'violations:', v.map(x => `${x.id}(${x.nodes.length}): ${x.nodes.map(n => n.target.join(' ')).join(', ')}`), 'dupIds:', dups, 'h1:', h1)
  if (v.length || dups.length || h1 !== 1) failures++
}
const cspErrors: string[] = []
page.on('console', m => { if (/Content Security Policy|Refused/.test(m.text())) cspErrors.push(m.text()) })
await page.goto(base + '/staff/sign-in'); await check('sign-in')
await page.fill('#email', 'admin@example.org'); await page.fill('#password', 'wrong one here'); await page.click('form[action="/staff/sign-in"] button[type=submit]:not(.govuk-password-input__toggle)')
await check('sign-in error')
await page.goto(base + '/staff/forgot-password'); await check('forgot')
await page.click('button.govuk-button'); await check('forgot error')
await page.fill('#email', 'admin@example.org'); await page.click('button.govuk-button'); await check('sent')
await page.goto(base + '/staff/reset-password/nope'); await check('invalid link')
const [mail] = await t.db.query<{ body_text: string }>(`select body_text from outbox_messages order by created_at desc limit 1`)
const link = /\/staff\/reset-password\/[A-Za-z0-9_-]+/.exec(mail!.body_text)![0]
await page.goto(base + link); await check('reset form')
await page.fill('#newPassword', 'short'); await page.fill('#confirmPassword', 'other'); await page.click('form button[type=submit]:not(.govuk-password-input__toggle)'); await check('reset error')
await page.goto(base + '/staff/sign-in')
await page.fill('#email', 'admin@example.org'); await page.fill('#password', TEST_PASSWORD); await page.click('form[action="/staff/sign-in"] button[type=submit]:not(.govuk-password-input__toggle)')
await check('totp setup')
await page.screenshot({ path: '/tmp/axe/setup.png', fullPage: true })
const key = setupKeyFrom(await page.content())
await page.fill('#code', '123'); await page.click('form[action="/staff/two-factor/setup"] button'); await check('totp setup error')
await page.fill('#code', totpCode(key)); await page.click('form[action="/staff/two-factor/setup"] button')
await check('home admin')
await page.goto(base + '/staff/users'); await check('users')
await page.goto(base + '/staff/users/new'); await check('users new')
await page.click('form[action="/staff/users/new"] button'); await check('users new error')
await page.goto(base + '/staff/users/' + joId); await check('user show'); await page.screenshot({ path: '/tmp/axe/show.png', fullPage: true })
await page.click('form[action$="/grants"] button'); await check('user show error')
await page.goto(base + '/staff/users/' + adminId); await check('user self')
await page.goto(base + '/staff/audit'); await check('audit'); await page.screenshot({ path: '/tmp/axe/audit.png', fullPage: true })
await page.goto(base + '/staff/audit?from-day=40&from-month=1&from-year=2024'); await check('audit error')
await page.goto(base + '/staff/audit?page=2'); await check('audit page 2')
// sign out via the nav button
await page.click('.beacon-sign-out button'); await check('signed out')
await page.fill('#email', 'admin@example.org'); await page.fill('#password', TEST_PASSWORD); await page.click('form[action="/staff/sign-in"] button[type=submit]:not(.govuk-password-input__toggle)')
await check('code page')
console.log('CSP errors:', cspErrors)
console.log('FAILURES', failures)
await browser.close(); await t.close()
