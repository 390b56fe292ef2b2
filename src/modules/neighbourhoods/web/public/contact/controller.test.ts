import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as cheerio from 'cheerio'
import { Browser, createTestApp, type TestApp } from '../../../../../../test/helpers.ts'
import { lastEmailTo, seedTestAreas } from '../../../../../platform/auth/testing.ts'
import { CONTACT_MESSAGES } from '../../../contact.service.ts'
import { signSent } from './token.ts'

const URL = '/neighbourhoods/test-n01/contact'
const errorSummary = (html: string) => cheerio.load(html)('.govuk-error-summary').text()
const field = (html: string, selector: string) => cheerio.load(html)(selector)

describe('contact your team (public)', () => {
  let t: TestApp
  let resident: Browser

  beforeAll(async () => {
    t = await createTestApp()
    await seedTestAreas(t.db)
    resident = new Browser(t.app)
  })
  afterAll(async () => t.close())

  it('says plainly that it is not for emergencies or crime, before the form', async () => {
    const page = await resident.get(URL)
    expect(page.statusCode).toBe(200)
    const $ = cheerio.load(page.body)
    expect($('h1').text()).toBe('Contact your team')
    const before = page.body.slice(0, page.body.indexOf('<form method="post"'))
    expect(before).toContain('not for emergencies or for reporting a crime')
    expect(before).toContain('call 999')
    expect(before).toContain('call 101 or')
    expect(before).toContain('report it online')
    // Radios in fieldsets with legends; both reply fields are in the page (shown without JavaScript).
    expect($('fieldset legend').map((_, el) => $(el).text().trim()).get()).toEqual(['What is your message about?', 'How would you like us to reply?'])
    expect($('input[name=topic]').map((_, el) => $(el).attr('value')).get()).toEqual(['local_problem', 'question', 'meeting', 'feedback', 'other'])
    expect($('#email').length).toBe(1)
    expect($('#phone').length).toBe(1)
    expect($('#message').attr('name')).toBe('message')
  })

  it('refuses a form with no way to reply, keeping everything typed', async () => {
    const res = await resident.submit(URL, { topic: 'question', message: 'Is the surgery on Saturday?', name: 'Ann', email: '', phone: '' })
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe(URL)
    const page = await resident.get(URL)
    expect(errorSummary(page.body)).toContain(CONTACT_MESSAGES.noReplyBy)
    expect(field(page.body, '#message').text()).toBe('Is the surgery on Saturday?')
    expect(field(page.body, '#name').val()).toBe('Ann')
    expect(field(page.body, 'input[name=topic][value=question]').attr('checked')).toBe('checked')
    expect(await t.db.query(`select 1 from nbh_contact_queries`)).toEqual([])
  })

  it('requires only the chosen way to reply, and checks both if typed', async () => {
    await resident.submit(URL, { topic: 'other', message: 'Hello', replyBy: 'email', email: '', phone: '' })
    let page = await resident.get(URL)
    expect(errorSummary(page.body)).toContain(CONTACT_MESSAGES.noEmail)
    expect(errorSummary(page.body)).not.toContain(CONTACT_MESSAGES.noPhone)
    expect(field(page.body, 'input[name=replyBy][value=email]').attr('checked')).toBe('checked')

    await resident.submit(URL, { topic: 'other', message: 'Hello', replyBy: 'phone', phone: '12345', email: 'nope' })
    page = await resident.get(URL)
    expect(errorSummary(page.body)).toContain(CONTACT_MESSAGES.badPhone)
    expect(errorSummary(page.body)).toContain(CONTACT_MESSAGES.badEmail)
    expect(field(page.body, '#phone').val()).toBe('12345')

    await resident.submit(URL, { message: 'x'.repeat(2001), replyBy: 'email', email: 'a@example.com' })
    page = await resident.get(URL)
    expect(errorSummary(page.body)).toContain(CONTACT_MESSAGES.noTopic)
    expect(errorSummary(page.body)).toContain(CONTACT_MESSAGES.longMessage)
  })

  it('commits the query, then shows the reference once on a signed confirmation page, and emails it', async () => {
    const res = await resident.submit(URL, { topic: 'local_problem', message: 'Bins set on fire behind the shops', name: '', replyBy: 'email', email: 'bea@example.com', phone: '' })
    expect(res.statusCode).toBe(303)
    const location = String(res.headers.location)
    expect(location).toMatch(/^\/neighbourhoods\/test-n01\/contact\/sent\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/)
    const [saved] = await t.db.query<{ reference: string }>(`select reference from nbh_contact_queries where email = 'bea@example.com'`)
    expect(saved?.reference).toMatch(/^NQ-[2-9A-Z]{4}-[2-9A-Z]{4}$/)

    const sent = await resident.get(location)
    expect(sent.statusCode).toBe(200)
    expect(sent.headers['cache-control']).toBe('no-store')
    const $ = cheerio.load(sent.body)
    expect($('h1').text().trim()).toBe('Message sent')
    expect($('#reference').text()).toBe(saved!.reference)
    expect(sent.body).toContain('What happens next')
    expect(sent.body).toContain('reply by email within 72 hours')
    expect(sent.body).toContain('We have sent you an email with your reference')

    await t.services.jobs.drain()
    const email = await lastEmailTo(t.db, 'bea@example.com')
    expect(email?.subject).toContain(saved!.reference)
  })

  it('will not show a made-up, altered, other-area or expired confirmation', async () => {
    const secret = t.config.sessionSecret
    const good = signSent(secret, { reference: 'NQ-2345-6789', areaId: 'test-n01', acknowledged: false, replyBy: 'phone' })
    expect((await resident.get(`${URL}/sent/${good}`)).body).toContain('NQ-2345-6789')
    const [data, sig] = good.split('.')
    const forged = Buffer.from(JSON.stringify({ reference: 'NQ-ZZZZ-ZZZZ', areaId: 'test-n01', acknowledged: false, replyBy: 'phone', exp: 4e9 })).toString('base64url')
    expect((await resident.get(`${URL}/sent/${forged}.${sig}`)).statusCode).toBe(404)
    expect((await resident.get(`${URL}/sent/${data}.AAAA`)).statusCode).toBe(404)
    expect((await resident.get(`${URL}/sent/NQ-2345-6789`)).statusCode).toBe(404)
    expect((await resident.get(`/neighbourhoods/test-s01/contact/sent/${good}`)).statusCode).toBe(404)
    const old = signSent(secret, { reference: 'NQ-2345-6789', areaId: 'test-n01', acknowledged: false, replyBy: 'phone' }, new Date(Date.now() - 2 * 3_600_000))
    const expired = await resident.get(`${URL}/sent/${old}`)
    expect(expired.statusCode).toBe(410)
    expect(expired.body).toContain('This confirmation page has expired')
    expect(expired.body).not.toContain('NQ-2345-6789')
  })

  it('is not found for a district or an unknown neighbourhood, and needs the CSRF token', async () => {
    expect((await resident.get('/neighbourhoods/test-north/contact')).statusCode).toBe(404)
    expect((await resident.get('/neighbourhoods/nowhere/contact')).statusCode).toBe(404)
    const res = await new Browser(t.app).post(URL, { topic: 'other', message: 'Hi', replyBy: 'email', email: 'a@example.com' })
    expect(res.statusCode).toBe(403)
  })

  it('limits how many messages one address can send', async () => {
    const spammer = new Browser(t.app)
    let last = 0
    for (let i = 0; i < 25; i++) {
      const res = await spammer.submit(URL, { topic: 'other', message: `Spam ${i}`, replyBy: 'phone', phone: '07700 900123' })
      last = res.statusCode
      if (last === 429) break
    }
    expect(last).toBe(429)
  })
})
