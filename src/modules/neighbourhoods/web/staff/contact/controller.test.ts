import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as cheerio from 'cheerio'
import { Browser, createTestApp, type TestApp } from '../../../../../../test/helpers.ts'
import { createTestStaff, lastEmailTo, seedTestAreas, signInAs } from '../../../../../platform/auth/testing.ts'
import { CONTACT_MESSAGES } from '../../../contact.service.ts'

const queryLinks = (html: string) => [...html.matchAll(/href="\/staff\/contact\/([0-9a-f-]{36})"/g)].map(m => m[1])
const errorSummary = (html: string) => cheerio.load(html)('.govuk-error-summary').text()
const banner = (html: string) => cheerio.load(html)('.govuk-notification-banner').text().replace(/\s+/g, ' ').trim()

describe('staff contact inbox', () => {
  let t: TestApp
  let north: Browser, south: Browser, lead: Browser, partner: Browser
  let northId: string, districtId: string, southId: string
  const ids: Record<string, string> = {}
  const refs: Record<string, string> = {}

  const staff = async (email: string, grants: Parameters<typeof createTestStaff>[2], name: string) => {
    const id = await createTestStaff(t.services, email, grants, { name })
    const b = new Browser(t.app)
    await signInAs(b, t.services, id)
    return { id, b }
  }
  const addQuery = async (key: string, areaId: string, hoursAgo: number, over: Record<string, unknown> = {}) => {
    const [row] = await t.db.query<{ id: string; reference: string }>(
      `insert into nbh_contact_queries (reference, area_id, topic, message, name, reply_by, email, phone, status, assigned_to, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning id, reference`,
      [
        over.reference ?? `NQ-${key.toUpperCase().padEnd(4, 'X').slice(0, 4)}-2345`,
        areaId,
        over.topic ?? 'local_problem',
        over.message ?? `Message ${key}`,
        over.name ?? 'Ann Resident',
        over.replyBy ?? 'email',
        'replyBy' in over && over.replyBy === 'phone' ? null : 'ann@example.com',
        over.phone ?? null,
        over.status ?? 'new',
        over.assignedTo ?? null,
        new Date(Date.now() - hoursAgo * 3_600_000 - 60_000),
      ],
    )
    ids[key] = row!.id
    refs[key] = row!.reference
  }

  beforeAll(async () => {
    t = await createTestApp()
    await seedTestAreas(t.db)
    ;({ id: northId, b: north } = await staff('north@example.org', [['neighbourhood_officer', 'test-n01']], 'Nia North'))
    ;({ id: districtId } = await staff('district@example.org', [['neighbourhood_officer', 'test-north']], 'Dee District'))
    ;({ id: southId, b: south } = await staff('south@example.org', [['neighbourhood_officer', 'test-s01']], 'Sam South'))
    ;({ b: lead } = await staff('lead@example.org', [['engagement_lead', 'test-force']], 'Lee Lead'))
    ;({ b: partner } = await staff('partner@example.org', [['partner', 'test-force']], 'Kim Partner'))
    await addQuery('recent', 'test-n01', 5)
    await addQuery('old', 'test-n01', 75, { status: 'assigned', assignedTo: northId })
    await addQuery('phone', 'test-n01', 2, { replyBy: 'phone', phone: '+441632960001', reference: 'NQ-PHNE-2345' })
    await addQuery('south', 'test-s01', 1, { message: 'Which roads are closed?' })
    await addQuery('n02', 'test-n02', 30)
  })
  afterAll(async () => t.close())

  it('lists only the officer’s area, unanswered oldest first, against the 72-hour target', async () => {
    const page = await north.get('/staff/contact')
    expect(page.statusCode).toBe(200)
    expect(cheerio.load(page.body)('h1').text()).toBe('Contact inbox')
    expect(queryLinks(page.body)).toEqual([ids.old, ids.recent, ids.phone])
    expect(page.body).toContain('5 hours (67 left)')
    expect(page.body).toMatch(/govuk-tag--red">\s*Overdue by 3 hours/)
    expect(page.body).not.toContain('Which roads are closed?')
    // Contact details only on a query's own page.
    expect(page.body).not.toContain('ann@example.com')
    expect(queryLinks((await south.get('/staff/contact')).body)).toEqual([ids.south])
    expect(queryLinks((await lead.get('/staff/contact')).body)).toHaveLength(5)
  })

  it('filters by status, neighbourhood, assigned to me and reference, ignoring nonsense', async () => {
    expect(queryLinks((await north.get('/staff/contact?status=assigned')).body)).toEqual([ids.old])
    expect(queryLinks((await north.get('/staff/contact?mine=yes')).body)).toEqual([ids.old])
    expect(queryLinks((await lead.get('/staff/contact?area=test-n02')).body)).toEqual([ids.n02])
    expect(queryLinks((await lead.get('/staff/contact?reference=nq%20phne%202345')).body)).toEqual([ids.phone])
    expect(queryLinks((await lead.get('/staff/contact?reference=rubbish')).body)).toEqual([])
    // Another area's id in the filter shows nothing of it.
    expect(queryLinks((await north.get('/staff/contact?area=test-s01')).body)).toEqual([])
    const odd = await north.get('/staff/contact?status=%3Cscript%3E&page=-4&mine=maybe')
    expect(odd.statusCode).toBe(200)
    expect(queryLinks(odd.body)).toHaveLength(3)
    // The neighbourhood filter lists only neighbourhoods in the grants.
    const $ = cheerio.load((await lead.get('/staff/contact')).body)
    expect($('#area option').map((_, o) => $(o).attr('value')).get()).toEqual(['', 'test-n01', 'test-n02', 'test-s01'])
  })

  it('shows a query with the resident’s details, and audits the look', async () => {
    const page = await north.get(`/staff/contact/${ids.recent}`)
    expect(page.statusCode).toBe(200)
    expect(cheerio.load(page.body)('h1').text()).toBe(`Query ${refs.recent}`)
    expect(page.body).toContain('ann@example.com')
    expect(page.body).toContain('Ann Resident')
    const [entry] = await t.db.query(`select actor_email, action, area_id from audit_log where entity_type = 'nbh_contact_query' and entity_id = $1`, [ids.recent])
    expect(entry).toEqual({ actor_email: 'north@example.org', action: 'view', area_id: 'test-n01' })
  })

  it('is not found from another area, for every page and action (URL tampering)', async () => {
    expect((await south.get(`/staff/contact/${ids.recent}`)).statusCode).toBe(404)
    expect((await south.get('/staff/contact/not-a-uuid')).statusCode).toBe(404)
    const token = /name="_csrf" value="([^"]+)"/.exec((await south.get('/staff/contact')).body)![1]!
    for (const [action, fields] of [
      ['assign', { assignee: southId }],
      ['reply', { reply: 'Hello' }],
      ['note', { note: 'Hello' }],
      ['phoned', { summary: '' }],
      ['close', {}],
      ['reopen', {}],
    ] as const) {
      const res = await south.post(`/staff/contact/${ids.recent}/${action}`, { ...fields, _csrf: token })
      expect(res.statusCode, action).toBe(404)
    }
    const [row] = await t.db.query(`select status, assigned_to from nbh_contact_queries where id = $1`, [ids.recent])
    expect(row).toEqual({ status: 'new', assigned_to: null })
    expect(await t.db.query(`select 1 from audit_log where actor_email = 'south@example.org' and entity_id = $1`, [ids.recent])).toEqual([])
  })

  it('keeps roles without neighbourhood access out, and asks others to sign in', async () => {
    expect((await partner.get('/staff/contact')).statusCode).toBe(403)
    expect((await partner.get(`/staff/contact/${ids.recent}`)).statusCode).toBe(403)
    expect((await new Browser(t.app).get('/staff/contact')).statusCode).toBe(303)
  })

  it('assigns to me or to a colleague with access, and refuses anyone else', async () => {
    const url = `/staff/contact/${ids.recent}`
    let res = await north.submit(url, { assignee: southId }, `${url}/assign`)
    expect(res.headers.location).toBe(url)
    let page = await north.get(url)
    expect(errorSummary(page.body)).toContain(CONTACT_MESSAGES.noAssignee)
    const $ = cheerio.load(page.body)
    expect($('#assignee option').map((_, o) => $(o).text()).get()).toEqual(['Choose a colleague', 'Dee District (district@example.org)', 'Lee Lead (lead@example.org)', 'Nia North (north@example.org)'])
    res = await north.submit(url, { assignee: northId }, `${url}/assign`)
    page = await north.get(url)
    expect(banner(page.body)).toContain('The query is assigned to you')
    res = await north.submit(url, { assignee: districtId }, `${url}/assign`)
    page = await north.get(url)
    expect(banner(page.body)).toContain('The query has been assigned')
    const [row] = await t.db.query(`select status, assigned_to from nbh_contact_queries where id = $1`, [ids.recent])
    expect(row).toEqual({ status: 'assigned', assigned_to: districtId })
  })

  it('replies by email: recorded, the clock stopped, status replied, emailed with the reference', async () => {
    const url = `/staff/contact/${ids.old}`
    await north.submit(url, { reply: '' }, `${url}/reply`)
    let page = await north.get(url)
    expect(errorSummary(page.body)).toContain(CONTACT_MESSAGES.noReply)
    const res = await north.submit(url, { reply: 'We will patrol Mill Lane this week.' }, `${url}/reply`)
    expect(res.headers.location).toBe(url)
    page = await north.get(url)
    expect(banner(page.body)).toContain('Your reply has been sent by email')
    expect(page.body).toContain('We will patrol Mill Lane this week.')
    expect(page.body).toMatch(/Replied in 75 hours \(late\)/)
    const [row] = await t.db.query<{ status: string; first_reply_at: Date | null }>(`select status, first_reply_at from nbh_contact_queries where id = $1`, [ids.old])
    expect(row!.status).toBe('replied')
    expect(row!.first_reply_at).not.toBeNull()
    const [reply] = await t.db.query(`select kind, body from nbh_contact_replies where query_id = $1`, [ids.old])
    expect(reply).toEqual({ kind: 'reply', body: 'We will patrol Mill Lane this week.' })
    await t.services.jobs.drain()
    expect((await lastEmailTo(t.db, 'ann@example.com'))?.subject).toBe(`Re: your message to the Ashby North team [${refs.old}]`)
    const list = await north.get('/staff/contact?status=replied')
    expect(queryLinks(list.body)).toEqual([ids.old])
  })

  it('records a phone reply and a note; closes and reopens', async () => {
    const url = `/staff/contact/${ids.phone}`
    let page = await north.get(url)
    // No email address: no reply-by-email form, but the phone one.
    expect(page.body).not.toContain(`action="${url}/reply"`)
    expect(page.body).toContain('01632 960001')
    await north.submit(url, { note: 'Phoned, no answer' }, `${url}/note`)
    await north.submit(url, { summary: 'Talked it through' }, `${url}/phoned`)
    page = await north.get(url)
    expect(banner(page.body)).toContain('The query is marked as replied by phone')
    expect(page.body).toContain('Phoned, no answer')
    expect(page.body).toContain('Replied by phone: Talked it through')
    await north.submit(url, {}, `${url}/close`)
    page = await north.get(url)
    expect(banner(page.body)).toContain('The query is closed')
    expect(page.body).toContain('Reopen query')
    await north.submit(url, {}, `${url}/reopen`)
    const [row] = await t.db.query(`select status, closed_at from nbh_contact_queries where id = $1`, [ids.phone])
    expect(row).toEqual({ status: 'replied', closed_at: null })
  })
})
