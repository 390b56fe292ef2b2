import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Browser, createTestApp, type TestApp } from '../../../../../test/helpers.ts'
import { createTestStaff, seedTestAreas, signInAs, TEST_AREAS } from '../../../auth/testing.ts'
import { paginationFor } from './controller.ts'
import { readAuditQuery, ukMidnight } from './schema.ts'

const errorSummary = (html: string) => /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? ''
/** The summaries in the results table, in order. */
const summaries = (html: string) => [...html.matchAll(/<td class="govuk-table__cell">([^<]*)<\/td>\s*<\/tr>/g)].map(m => m[1])

describe('audit log search', () => {
  let t: TestApp
  let admin: Browser
  beforeAll(async () => {
    t = await createTestApp()
    await seedTestAreas(t.db)
    const adminId = await createTestStaff(t.services, 'auditor@example.org', [['administrator', TEST_AREAS.force.id]])
    admin = new Browser(t.app)
    await signInAs(admin, t.services, adminId)
    const actor = { userId: adminId, email: 'auditor@example.org', ip: '192.0.2.7' }
    const other = { userId: null, email: 'someone@example.org', ip: null }
    await t.services.audit.record(actor, { action: 'view', entityType: 'subscriber', entityId: 'sub-1', areaId: TEST_AREAS.ashbyNorth.id, summary: 'Viewed subscriber Mary Smith' })
    await t.services.audit.record(other, { action: 'update', entityType: 'priority', entityId: 'pri-9', summary: 'Changed priority Speeding on Main Street' })
    await t.db.query(
      `insert into audit_log (at, actor_email, action, entity_type, summary) values ('2024-06-15 12:00:00+01', 'old@example.org', 'delete', 'event', 'Deleted the summer fete')`,
    )
  })
  afterAll(async () => t.close())

  it('lists entries newest first with who, action, record, area and summary', async () => {
    const page = await admin.get('/staff/audit')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('<h1 class="govuk-heading-l">Audit log</h1>')
    const s = summaries(page.body)
    expect(s.indexOf('Changed priority Speeding on Main Street')).toBeLessThan(s.indexOf('Viewed subscriber Mary Smith'))
    expect(s.at(-1)).toBe('Deleted the summer fete')
    expect(page.body).toContain('Ashby North')
    expect(page.body).toContain('from 192.0.2.7')
  })

  it('filters by words, action, record type and who', async () => {
    expect(summaries((await admin.get('/staff/audit?text=mary')).body)).toEqual(['Viewed subscriber Mary Smith'])
    expect(summaries((await admin.get('/staff/audit?action=update')).body)).toEqual(['Changed priority Speeding on Main Street'])
    expect(summaries((await admin.get('/staff/audit?entityType=event')).body)).toEqual(['Deleted the summer fete'])
    expect(summaries((await admin.get('/staff/audit?actor=someone%40')).body)).toEqual(['Changed priority Speeding on Main Street'])
    const none = await admin.get('/staff/audit?text=nothing-matches-this')
    expect(none.body).toContain('No entries found')
  })

  it('filters by UK dates, including the whole of the last day', async () => {
    const page = await admin.get('/staff/audit?from-day=15&from-month=6&from-year=2024&to-day=15&to-month=6&to-year=2024')
    expect(summaries(page.body)).toEqual(['Deleted the summer fete'])
    const before = await admin.get('/staff/audit?to-day=14&to-month=6&to-year=2024')
    expect(before.body).toContain('No entries found')
  })

  it('explains a bad date and keeps what was typed', async () => {
    const page = await admin.get('/staff/audit?text=fete&from-day=31&from-month=2&from-year=2024&to-day=1&to-month=&to-year=2024')
    expect(page.statusCode).toBe(400)
    const errors = errorSummary(page.body)
    expect(errors).toContain('Date from must be a real date')
    expect(errors).toContain('href="#from-day"')
    expect(errors).toContain('Date to must include a month')
    expect(page.body).toContain('value="31"')
    expect(page.body).toContain('value="fete"')
    expect(page.body).not.toContain('<table')
    const reversed = await admin.get('/staff/audit?from-day=2&from-month=1&from-year=2025&to-day=1&to-month=1&to-year=2025')
    expect(errorSummary(reversed.body)).toContain('Date to must be the same as or after date from')
  })

  it('records each search, since the log holds personal data', async () => {
    await admin.get('/staff/audit?text=mary')
    const rows = await t.db.query<{ details: Record<string, string> }>(
      `select details from audit_log where action = 'search' and entity_type = 'audit_log' and actor_email = 'auditor@example.org'`,
    )
    expect(rows.some(r => r.details.text === 'mary')).toBe(true)
    // And the sign-in events written by the auth service are searchable here.
    await t.services.auth.signIn('auditor@example.org', 'not the password', '192.0.2.8')
    expect((await admin.get('/staff/audit?action=sign-in-failed')).body).toContain('Sign-in failed for auditor@example.org: wrong password')
  })

  it('pages through long results with GOV.UK pagination', async () => {
    for (let i = 0; i < 120; i++) await t.services.audit.record({ userId: null, email: 'bulk@example.org', ip: null }, { action: 'export', entityType: 'report', summary: `Bulk ${i}` })
    const first = await admin.get('/staff/audit?actor=bulk%40example.org')
    expect(first.body).toContain('120 entries')
    expect(first.body).toContain('class="govuk-pagination"')
    expect(first.body).toContain('href="/staff/audit?actor=bulk%40example.org&amp;page=2"')
    expect(summaries(first.body)).toHaveLength(50)
    const third = await admin.get('/staff/audit?actor=bulk%40example.org&page=3')
    expect(summaries(third.body)).toHaveLength(20)
    expect(third.body).toContain('Showing 101 to 120')
  })

  it('is for administrators only', async () => {
    const officerId = await createTestStaff(t.services, 'officer@example.org', [['neighbourhood_officer', TEST_AREAS.ashbyNorth.id]])
    const b = new Browser(t.app)
    await signInAs(b, t.services, officerId)
    expect((await b.get('/staff/audit')).statusCode).toBe(403)
    expect((await new Browser(t.app).get('/staff/audit')).statusCode).toBe(303)
  })
})

describe('audit query parsing', () => {
  it('turns UK dates into instants at UK midnight, in winter and summer', () => {
    expect(ukMidnight(2025, 1, 15).toISOString()).toBe('2025-01-15T00:00:00.000Z')
    expect(ukMidnight(2025, 7, 15).toISOString()).toBe('2025-07-14T23:00:00.000Z')
    expect(ukMidnight(2025, 3, 30).toISOString()).toBe('2025-03-30T00:00:00.000Z')
    expect(ukMidnight(2025, 3, 31).toISOString()).toBe('2025-03-30T23:00:00.000Z')
  })

  it('makes the end date inclusive', () => {
    const { filters, errors } = readAuditQuery({ 'to-day': '31', 'to-month': '12', 'to-year': '2025' })
    expect(errors).toEqual({})
    expect(filters.to?.toISOString()).toBe('2026-01-01T00:00:00.000Z')
  })

  it('pagination marks the current page and skips with ellipses', () => {
    const p = paginationFor({ text: 'x' }, 5, 50 * 10)!
    expect(p.items.map(i => ('ellipsis' in i ? '…' : `${i.number}${i.current ? '*' : ''}`))).toEqual(['1', '…', '4', '5*', '6', '…', '10'])
    expect(p.previous?.href).toBe('/staff/audit?text=x&page=4')
    expect(paginationFor({}, 1, 10)).toBeNull()
  })
})
