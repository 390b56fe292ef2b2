import { DOMParser } from '@xmldom/xmldom'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Browser, createTestApp, type TestApp } from '../../../../../../test/helpers.ts'
import { createTestStaff, lastEmailTo, seedTestAreas, signInAs, TEST_AREAS } from '../../../../../platform/auth/testing.ts'
import { fixtureId, insertFixtureSubscribers, type FixtureSubscriber } from '../../../targeting.test-fixtures.ts'
import { duplicateIds } from '../../public/testing.ts'

const errorSummary = (html: string) => /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? ''
const idFrom = (location: unknown) => /\/staff\/messages\/([0-9a-f-]{36})$/.exec(String(location))?.[1]

const message = (over: Record<string, string | string[]> = {}) => ({
  title: 'Sheds broken into',
  bodyMarkdown: 'Please **lock** your sheds.',
  smsText: 'Sheds broken into: please lock up.',
  category: 'crime-alerts',
  priority: 'normal',
  organisation: 'force',
  allowReplies: 'yes',
  areas: [TEST_AREAS.ashbyNorth.id],
  trLanguage: ['cy', ''],
  trTitle: ['', ''],
  trBody: ['', ''],
  trSms: ['', ''],
  ...over,
})

describe('composing and sending messages (staff pages)', () => {
  let t: TestApp
  const as: Record<string, Browser> = {}

  beforeAll(async () => {
    t = await createTestApp({ env: { MESSAGING_APPROVAL_THRESHOLD: '25', BASE_URL: 'https://beacon.example' } })
    await seedTestAreas(t.db)
    const people: [string, Parameters<typeof createTestStaff>[2]][] = [
      ['officer', [['neighbourhood_officer', TEST_AREAS.ashbyNorth.id]]],
      ['south', [['neighbourhood_officer', TEST_AREAS.southTown.id]]],
      ['lead', [['engagement_lead', TEST_AREAS.force.id]]],
      ['opcc', [['opcc_officer', TEST_AREAS.force.id]]],
      ['board', [['board_member', TEST_AREAS.force.id]]],
    ]
    for (const [who, grants] of people) {
      const id = await createTestStaff(t.services, `${who}@example.org`, grants)
      as[who] = new Browser(t.app)
      await signInAs(as[who]!, t.services, id)
    }
    const areas = [TEST_AREAS.ashbyNorth.id, TEST_AREAS.ashbySouth.id, TEST_AREAS.southTown.id]
    const residents: FixtureSubscriber[] = Array.from({ length: 45 }, (_, i) => ({
      id: fixtureId(i + 1),
      email: `r${i}@example.org`,
      phone: i % 5 === 0 ? `+44770090${String(i).padStart(4, '0')}` : null,
      homeAreaId: areas[i % 3]!,
      places: [areas[i % 3]!],
      interests: ['crime-alerts'],
      consents: { force: [true], opcc: [true] },
    }))
    await insertFixtureSubscribers(t.db, residents)
  })
  afterAll(async () => t.close())

  async function draft(who: string, fields: Record<string, string | string[]> = {}): Promise<string> {
    const res = await as[who]!.submit('/staff/messages/new', message(fields))
    expect(res.statusCode, String(res.body).slice(0, 400)).toBe(303)
    return idFrom(res.headers.location)!
  }

  it('keeps people without a messaging role out', async () => {
    expect((await as.board!.get('/staff/messages')).statusCode).toBe(403)
    expect((await as.board!.get('/staff/messages/new')).statusCode).toBe(403)
  })

  it('offers only areas inside the grants, grouped by district, with the live-count script', async () => {
    const page = await as.officer!.get('/staff/messages/new')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('value="test-n01"')
    expect(page.body).not.toContain('value="test-n02"')
    expect(page.body).not.toContain('value="test-s01"')
    expect(page.body).toContain('/assets/app/compose.js')
    expect(page.body).toContain('data-sms-counter="sms-count"')
    expect(page.body).not.toContain('value="opcc"')
    const lead = await as.lead!.get('/staff/messages/new')
    for (const id of ['test-force', 'test-north', 'test-n01', 'test-n02', 'test-s01']) expect(lead.body).toContain(`value="${id}"`)
    const opcc = await as.opcc!.get('/staff/messages/new')
    expect(opcc.body).toContain('value="opcc"')
    expect(opcc.body).not.toContain('value="force" ')
  })

  it('explains HTML in a body and a long SMS, keeping everything typed', async () => {
    const res = await as.officer!.submit('/staff/messages/new', message({ bodyMarkdown: 'Hello <b>there</b>', title: 'Kept title' }))
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe('/staff/messages/new')
    const page = await as.officer!.get('/staff/messages/new')
    expect(errorSummary(page.body)).toContain('Remove the HTML from the message: use the formatting shown')
    expect(page.body).toContain('value="Kept title"')
    expect(page.body).toContain('Hello &lt;b&gt;there&lt;/b&gt;')
    // The chosen area is kept in the "Areas chosen" list.
    expect(page.body).toContain('<input type="hidden" name="areas" value="test-n01">Ashby North')

    await as.officer!.submit('/staff/messages/new', message({ smsText: 'x'.repeat(470) }))
    const again = await as.officer!.get('/staff/messages/new')
    expect(errorSummary(again.body)).toContain('Text message must be 459 characters or fewer (it is 470)')
    expect(again.body).toContain('470 characters, 4 text messages')

    await as.officer!.submit('/staff/messages/new', message({ areas: [] }))
    expect(errorSummary((await as.officer!.get('/staff/messages/new')).body)).toContain('Choose at least one area or group to send to')
  })

  it('picks areas without JavaScript: find, add, remove and save, keeping everything typed', async () => {
    const countMessages = async () => (await t.db.query<{ n: number }>(`select count(*)::int as n from msg_messages`))[0]!.n
    const before = await countMessages()
    const page = await as.lead!.get('/staff/messages/new')
    // Nothing chosen yet; the force, districts and every neighbourhood can be added.
    expect(page.body).toContain('None yet. Choose the whole force')
    expect(page.body).toMatch(/name="addAreas" type="checkbox" value="test-force"/)
    expect(page.body).toMatch(/name="addAreas" type="checkbox" value="test-north"/)
    expect(page.body).toContain('North District (2 neighbourhoods)')
    expect(duplicateIds(page.body)).toEqual([])

    // Find (the button) searches and draws the form again, with what was typed and ticked kept.
    const found = await as.lead!.submit('/staff/messages/new', message({ title: 'Kept while finding', areas: [], addAreas: 'test-s01', areaQuery: 'ashby', intent: 'find' }))
    expect(found.statusCode).toBe(200)
    expect(found.body).toContain('value="Kept while finding"')
    expect(found.body).toContain('2 areas match “ashby”.')
    expect(found.body).toMatch(/id="found"[^>]*name="addAreas" type="checkbox" value="test-n01"|name="addAreas" type="checkbox" value="test-n01"/)
    expect(found.body).toContain('<input type="hidden" name="areas" value="test-s01">South Town')
    expect(found.body).toContain('name="searched" value="ashby"')
    expect(duplicateIds(found.body)).toEqual([])
    expect(await countMessages()).toBe(before)

    // Enter in the search box (the hidden default button) with a new search searches too.
    const enter = await as.lead!.submit('/staff/messages/new', message({ areas: ['test-s01'], areaQuery: 'south', searched: 'ashby', intent: 'default' }))
    expect(enter.statusCode).toBe(200)
    expect(enter.body).toContain('areas match “south”')
    expect(await countMessages()).toBe(before)

    // Remove takes one area off; Show opens a district's list; nothing is saved.
    const removed = await as.lead!.submit('/staff/messages/new', message({ areas: ['test-s01', 'test-n01'], intent: 'remove:test-s01' }))
    expect(removed.body).not.toContain('name="areas" value="test-s01"')
    expect(removed.body).toContain('<input type="hidden" name="areas" value="test-n01">Ashby North')
    expect(await countMessages()).toBe(before)

    // Saving joins the chosen list and the ticked additions.
    const saved = await as.lead!.submit('/staff/messages/new', message({ areas: ['test-n01'], addAreas: ['test-n02', 'test-n01'], intent: 'save' }))
    expect(saved.statusCode).toBe(303)
    const [m] = await t.db.query<{ ids: string[] }>(
      `select array_agg(ref_id order by ref_id) as ids from msg_message_targets where message_id = $1 and kind = 'area'`,
      [idFrom(saved.headers.location)],
    )
    expect(m!.ids).toEqual(['test-n01', 'test-n02'])
    // Enter in another box (no new search) saves, as before.
    expect((await as.lead!.submit('/staff/messages/new', message({ intent: 'default', areaQuery: 'ashby', searched: 'ashby' }))).statusCode).toBe(303)
  })

  it('searches areas as JSON for the live search, inside the grants only', async () => {
    const officer = (await as.officer!.get('/staff/messages/areas?q=ASHBY')).json()
    expect(officer).toEqual({ query: 'ASHBY', total: 1, results: [{ id: 'test-n01', name: 'Ashby North', kind: 'neighbourhood', district: 'North District' }] })
    const lead = (await as.lead!.get('/staff/messages/areas?q=south')).json()
    // Names starting with the words first, then districts before neighbourhoods.
    expect(lead.results.map((r: { id: string }) => r.id)).toEqual(['test-south', 'test-s01', 'test-n02'])
    expect((await as.lead!.get('/staff/messages/areas?q=%25')).json().total).toBe(0)
    expect((await as.board!.get('/staff/messages/areas?q=a')).statusCode).toBe(403)
  })

  it('refuses an area outside the grants even when posted directly', async () => {
    const res = await as.officer!.submit('/staff/messages/new', message({ areas: [TEST_AREAS.southTown.id] }))
    expect(res.statusCode).toBe(403)
    const [row] = await t.db.query<{ n: number }>(`select count(*)::int as n from msg_messages where area_id = $1`, [TEST_AREAS.southTown.id])
    expect(row!.n).toBe(0)
  })

  it('saves a draft with a Welsh translation and shows the recipient count', async () => {
    const id = await draft('officer', { trTitle: ['Siediau', ''], trBody: ['Cloiwch eich sied.', ''], trSms: ['', ''] })
    const page = await as.officer!.get(`/staff/messages/${id}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Your draft has been saved')
    expect(page.body).toMatch(/<strong class="govuk-!-font-size-36">15<\/strong> people/)
    expect(page.body).toContain('3 by text message')
    expect(page.body).toContain('Welsh (Cymraeg)')
    const edit = await as.officer!.get(`/staff/messages/${id}/edit`)
    expect(edit.body).toContain('value="Siediau"')
    expect(edit.body).toContain('<strong>15</strong> people')
    const [audit] = await t.db.query<{ actor_email: string }>(`select actor_email from audit_log where entity_id = $1 and action = 'create'`, [id])
    expect(audit!.actor_email).toBe('officer@example.org')
  })

  it('answers the live count as JSON, and 404 for areas outside the grants', async () => {
    const res = await as.officer!.get(`/staff/messages/count?areas=${TEST_AREAS.ashbyNorth.id}&organisation=force`)
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ total: 15, byChannel: { email: 15, sms: 3 }, byArea: [{ areaId: 'test-n01', name: 'Ashby North', count: 15 }] })
    expect((await as.officer!.get(`/staff/messages/count?areas=${TEST_AREAS.southTown.id}`)).statusCode).toBe(404)
    expect((await as.lead!.get(`/staff/messages/count?areas=${TEST_AREAS.north.id}&interests=appeals`)).json()).toMatchObject({ total: 0 })
  })

  it('previews the email and text message, and sends a test to the author', async () => {
    const id = await draft('officer', { trTitle: ['Siediau', ''], trBody: ['Cloiwch eich sied.', ''], trSms: ['Cloiwch.', ''] })
    const preview = await as.officer!.get(`/staff/messages/${id}/preview`)
    expect(preview.statusCode).toBe(200)
    expect(preview.body).toContain('<strong>lock</strong>')
    expect(preview.body).not.toContain('style=')
    expect(preview.body).toContain('Cloiwch.\nRheoli neu stopio: https://beacon.example/a/')
    const res = await as.officer!.submit(`/staff/messages/${id}`, {}, `/staff/messages/${id}/test`)
    expect(res.statusCode).toBe(303)
    expect((await lastEmailTo(t.db, 'officer@example.org'))?.subject).toBe('[Test] Sheds broken into')
  })

  it('sends a small message now and says how many people it reached', async () => {
    const id = await draft('officer')
    const res = await as.officer!.submit(`/staff/messages/${id}`, { when: 'now' }, `/staff/messages/${id}/submit`)
    expect(res.statusCode).toBe(303)
    const page = await as.officer!.get(`/staff/messages/${id}`)
    expect(page.body).toContain('Sending now to 15 people')
    const [d] = await t.db.query<{ n: number }>(`select count(*)::int as n from msg_deliveries where message_id = $1`, [id])
    expect(d!.n).toBe(18)
    // Sent messages cannot be changed or cancelled.
    expect((await as.officer!.get(`/staff/messages/${id}/edit`)).statusCode).toBe(409)
    expect(page.body).not.toContain('/cancel')
  })

  it('says clearly when a message has no recipients', async () => {
    const id = await draft('officer', { interests: ['rural-crime'] })
    await as.officer!.submit(`/staff/messages/${id}`, { when: 'now' }, `/staff/messages/${id}/submit`)
    const page = await as.officer!.get(`/staff/messages/${id}`)
    expect(errorSummary(page.body)).toContain('This message has no recipients')
  })

  it('checks a schedule date, then schedules and cancels', async () => {
    const id = await draft('officer')
    await as.officer!.submit(`/staff/messages/${id}`, { when: 'later', day: '31', month: '2', year: '2030', time: '09:00' }, `/staff/messages/${id}/submit`)
    expect(errorSummary((await as.officer!.get(`/staff/messages/${id}`)).body)).toContain('Enter a real date')
    await as.officer!.submit(`/staff/messages/${id}`, { when: 'later', day: '1', month: '6', year: '2030', time: '25:00' }, `/staff/messages/${id}/submit`)
    expect(errorSummary((await as.officer!.get(`/staff/messages/${id}`)).body)).toContain('Enter the time to send it')
    await as.officer!.submit(`/staff/messages/${id}`, { when: 'later', day: '1', month: '6', year: '2030', time: '09:30' }, `/staff/messages/${id}/submit`)
    const page = await as.officer!.get(`/staff/messages/${id}`)
    expect(page.body).toContain('Scheduled: it will send at 1 June 2030 at 09:30')
    const [m] = await t.db.query<{ scheduled_for: Date }>(`select scheduled_for from msg_messages where id = $1`, [id])
    expect(new Date(m!.scheduled_for).toISOString()).toBe('2030-06-01T08:30:00.000Z')
    await as.officer!.submit(`/staff/messages/${id}`, {}, `/staff/messages/${id}/cancel`)
    expect((await as.officer!.get(`/staff/messages/${id}`)).body).toContain('The message has been cancelled')
  })

  it('holds a force-wide message for a lead, who approves it from the queue', async () => {
    const id = await draft('opcc', { organisation: 'opcc', areas: [TEST_AREAS.force.id] })
    await as.opcc!.submit(`/staff/messages/${id}`, { when: 'now' }, `/staff/messages/${id}/submit`)
    expect((await as.opcc!.get(`/staff/messages/${id}`)).body).toContain('Sent for approval: it goes to 45 people across the force')
    const queue = await as.lead!.get('/staff/messages/approvals')
    expect(queue.body).toContain(`/staff/messages/${id}`)
    expect((await as.officer!.get('/staff/messages/approvals')).statusCode).toBe(403)
    await as.lead!.submit(`/staff/messages/${id}`, {}, `/staff/messages/${id}/approve`)
    expect((await as.lead!.get(`/staff/messages/${id}`)).body).toContain('Approved. Sending now to 45 people')
  })

  it('lets a lead turn a message down with a reason (which is required)', async () => {
    const id = await draft('lead', { areas: [TEST_AREAS.north.id] })
    await as.lead!.submit(`/staff/messages/${id}`, { when: 'now' }, `/staff/messages/${id}/submit`)
    expect((await as.lead!.get(`/staff/messages/${id}`)).body).toContain('Sent for approval: it goes to 30 people')
    // The author cannot approve their own message: the button is not offered.
    expect((await as.lead!.get(`/staff/messages/${id}`)).body).not.toContain('/approve')
  })

  it('sends an emergency at once and lists it for review', async () => {
    const id = await draft('officer', { priority: 'emergency' })
    await as.officer!.submit(`/staff/messages/${id}`, { when: 'now' }, `/staff/messages/${id}/submit`)
    expect((await as.officer!.get(`/staff/messages/${id}`)).body).toContain('Emergency message sending now to 15 people; it has been flagged for review')
    expect((await as.lead!.get('/staff/messages/reviews')).body).toContain(`/staff/messages/${id}`)
    await as.lead!.submit(`/staff/messages/${id}`, {}, `/staff/messages/${id}/review`)
    expect((await as.lead!.get(`/staff/messages/${id}`)).body).toContain('Marked as reviewed')
  })

  it('answers 404 for another area’s message, for GET and POST alike', async () => {
    const id = await draft('south', { areas: [TEST_AREAS.southTown.id] })
    for (const path of ['', '/edit', '/preview']) expect((await as.officer!.get(`/staff/messages/${id}${path}`)).statusCode).toBe(404)
    const token = /name="_csrf" value="([^"]+)"/.exec((await as.officer!.get('/staff/messages/new')).body)![1]!
    for (const action of ['submit', 'cancel', 'test', 'edit']) {
      const res = await as.officer!.post(`/staff/messages/${id}/${action}`, { _csrf: token, when: 'now' })
      expect(res.statusCode, action).toBe(404)
    }
    expect((await as.officer!.get('/staff/messages')).body).not.toContain(id)
    expect((await as.south!.get('/staff/messages')).body).toContain(id)
    expect((await as.officer!.get('/staff/messages/not-a-uuid')).statusCode).toBe(404)
  })

  it('publishes public messages on the site and in Atom feeds per area', async () => {
    const id = await draft('officer', { isPublic: 'yes', title: 'Bike marking event' })
    const hidden = await draft('officer', { title: 'Not public' })
    expect((await as.officer!.get(`/messages/${id}`)).statusCode).toBe(404)
    await as.officer!.submit(`/staff/messages/${id}`, { when: 'now' }, `/staff/messages/${id}/submit`)
    const anyone = new Browser(t.app)
    expect((await anyone.get('/messages')).body).toContain('Bike marking event')
    const page = await anyone.get(`/messages/${id}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('<strong>lock</strong>')
    expect((await anyone.get(`/messages/${hidden}`)).statusCode).toBe(404)

    const feed = await anyone.get('/messages.atom')
    expect(feed.headers['content-type']).toContain('application/atom+xml')
    const doc = new DOMParser().parseFromString(feed.body, 'application/xml')
    const ns = 'http://www.w3.org/2005/Atom'
    expect(doc.documentElement!.namespaceURI).toBe(ns)
    expect(doc.getElementsByTagNameNS(ns, 'id')[0]!.textContent).toBe('https://beacon.example/messages.atom')
    expect(doc.getElementsByTagNameNS(ns, 'updated')[0]!.textContent).toMatch(/^\d{4}-\d\d-\d\dT/)
    const entries = doc.getElementsByTagNameNS(ns, 'entry')
    expect(entries.length).toBe(1)
    expect(entries[0]!.getElementsByTagNameNS(ns, 'id')[0]!.textContent).toBe(`urn:uuid:${id}`)

    const mine = await anyone.get(`/neighbourhoods/${TEST_AREAS.ashbyNorth.id}/messages.atom`)
    expect(mine.body).toContain('Bike marking event')
    // The district containing the neighbourhood lists it too; another neighbourhood does not.
    expect((await anyone.get(`/neighbourhoods/${TEST_AREAS.north.id}/messages.atom`)).body).toContain('Bike marking event')
    expect((await anyone.get(`/neighbourhoods/${TEST_AREAS.southTown.id}/messages.atom`)).body).not.toContain('Bike marking event')
    expect((await anyone.get('/neighbourhoods/nowhere/messages.atom')).statusCode).toBe(404)
  })
})
