import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Browser, createTestApp, type TestApp } from '../../../../../../test/helpers.ts'
import { demoExamples, loadDemoArea } from '../../../../areas/demo.ts'
import { signLink } from '../../../links.ts'
import { checked, codeIn, duplicateIds, errorSummary, heading, inputValue, lastMessageTo, linkIn, textareaValue, wordingsOn } from '../testing.ts'

const SEED = 2026
const ex = demoExamples(SEED)

describe('signing up for alerts (public pages)', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp()
    await loadDemoArea(t.db, SEED, t.services.areas)
  })
  afterAll(async () => t.close())

  const fillIn = async (b: Browser, fields: Record<string, string | string[]>) => {
    const page = await b.get('/alerts/sign-up')
    return b.submit('/alerts/sign-up', { wordings: wordingsOn(page.body), ...fields })
  }

  it('starts from /alerts and offers every question on one page, without duplicate ids', async () => {
    const start = await t.app.inject('/alerts')
    expect(start.statusCode).toBe(200)
    expect(start.body).toContain('href="/alerts/sign-up"')
    const res = await t.app.inject('/alerts/sign-up')
    expect(res.statusCode).toBe(200)
    expect(heading(res.body)).toBe('Sign up for community alerts')
    expect(duplicateIds(res.body)).toEqual([])
    const interests = [...res.body.matchAll(/name="interests" type="checkbox" value="([^"]+)"/g)].map(m => m[1])
    expect(interests).toEqual(['appeals', 'crime-alerts', 'scams-fraud', 'rural-crime', 'business-crime', 'road-safety', 'events', 'consultations', 'volunteering', 'watch-schemes'])
    const neighbourhoods = await t.services.areas.listNeighbourhoods()
    for (const n of neighbourhoods.slice(0, 5)) expect(res.body).toContain(`value="${n.id}"`)
    expect(res.body).toContain('value="demo-shire"')
    // Each organisation's wording is shown beside its own box.
    expect(res.body).toContain('police force may send me community messages')
    expect(res.body).toContain('Office of the Police and Crime Commissioner may send me')
    expect(res.body).toContain('Emergency messages, such as a missing child')
    expect(res.body).toMatch(/<input[^>]*name="language"[^>]*value="cy"/)
    for (const id of ['email', 'phone', 'homePostcode', 'otherPostcodes']) expect(res.body).toMatch(new RegExp(`<label class="govuk-label[^"]*" for="${id}"`))
  })

  it('signs up by email and postcode, confirms by the emailed link, and welcomes with a manage link', async () => {
    const b = new Browser(t.app)
    const res = await fillIn(b, {
      email: 'Sam@Example.org',
      phone: '',
      homePostcode: ex.postcodes[0]!.postcode,
      otherPostcodes: ex.postcodes[1]!.postcode,
      interests: ['appeals', 'events'],
      emailFrequency: 'weekly',
      consents: ['force', 'opcc'],
    })
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe('/alerts/check')
    const check = await b.get('/alerts/check')
    expect(check.body).toContain('Check your email')
    expect(check.body).not.toContain('name="code"')
    const [s] = await t.db.query<{ id: string; status: string; email_frequency: string }>(`select id, status, email_frequency from msg_subscribers where email = 'sam@example.org'`)
    expect(s).toMatchObject({ status: 'pending', email_frequency: 'weekly' })
    const consents = await t.db.query(`select organisation, given, source from msg_consents where subscriber_id = $1 order by organisation`, [s!.id])
    expect(consents).toEqual([
      { organisation: 'force', given: true, source: 'signup' },
      { organisation: 'opcc', given: true, source: 'signup' },
    ])

    const link = linkIn((await lastMessageTo(t.db, 'sam@example.org'))!.body_text, '/alerts/confirm/')
    const confirmPage = await b.get(link)
    expect(confirmPage.statusCode).toBe(200)
    expect(confirmPage.body).toContain('s•••@example.org')
    // Opening the link confirms nothing: a mail scanner following it must not sign anyone up.
    expect((await t.services.messaging.subscribers.getSubscriber(s!.id))!.status).toBe('pending')
    const done = await b.submit(link, {})
    expect(done.statusCode).toBe(200)
    expect(heading(done.body)).toBe('Email address confirmed')
    const manage = /href="(\/alerts\/manage\/[^"]+)"/.exec(done.body)![1]!
    expect((await b.get(manage)).statusCode).toBe(200)
    expect((await t.services.messaging.subscribers.getSubscriber(s!.id))!.status).toBe('active')
    const welcome = (await lastMessageTo(t.db, 'sam@example.org'))!
    expect(welcome.subject).toContain('You are signed up')
    expect(welcome.body_text).toContain('/alerts/manage/')

    // The page now says so, and a second post (say, from a second tab) is refused.
    expect(heading((await b.get(link)).body)).toBe('This link has already been used')
    const csrf = /name="_csrf" value="([^"]+)"/.exec(confirmPage.body)![1]!
    const again = await b.post(link, { _csrf: csrf })
    expect(again.statusCode).toBe(410)
    expect(heading(again.body)).toBe('This link has already been used')
  })

  it('signs up by mobile and confirms with the texted code, explaining wrong codes', async () => {
    const b = new Browser(t.app)
    const area = ex.postcodes[2]!.neighbourhoodId
    const res = await fillIn(b, { email: '', phone: '07700 900 555', homePostcode: '', areas: [area], interests: 'crime-alerts', consents: 'force' })
    expect(res.headers.location).toBe('/alerts/check')
    const check = await b.get('/alerts/check')
    expect(check.body).toContain('Enter the code we texted you')
    expect(duplicateIds(check.body)).toEqual([])
    const code = codeIn((await lastMessageTo(t.db, '+447700900555'))!.body_text)
    const wrong = code === '999999' ? '999998' : '999999'

    let r = await b.submit('/alerts/check', { code: wrong })
    expect(r.statusCode).toBe(303)
    expect(errorSummary((await b.get('/alerts/check')).body)).toEqual(['code: The code is not correct. You can try 4 more times'])
    r = await b.submit('/alerts/check', { code: '12' })
    expect(errorSummary((await b.get('/alerts/check')).body)).toEqual(['code: The code is 6 numbers, like 123456'])
    r = await b.submit('/alerts/check', { code: '' })
    expect(errorSummary((await b.get('/alerts/check')).body)).toEqual(['code: Enter the 6-digit code from the text message'])

    r = await b.submit('/alerts/check', { code })
    expect(r.statusCode).toBe(200)
    expect(heading(r.body)).toBe('Mobile number confirmed')
    const [s] = await t.db.query<{ status: string; phone_confirmed_at: Date | null }>(`select status, phone_confirmed_at from msg_subscribers where phone = '+447700900555'`)
    expect(s!.status).toBe('active')
    expect(s!.phone_confirmed_at).not.toBeNull()
  })

  it('limits new codes to three an hour', async () => {
    const b = new Browser(t.app)
    await fillIn(b, { phone: '07700 900 556', homePostcode: ex.postcodes[0]!.postcode, interests: 'appeals', consents: 'force' })
    for (let i = 0; i < 2; i++) {
      const r = await b.submit('/alerts/check', { channel: 'sms' }, '/alerts/check/resend')
      expect(r.statusCode).toBe(303)
      expect((await b.get('/alerts/check')).body).toContain('We have sent a new code')
    }
    await b.submit('/alerts/check', { channel: 'sms' }, '/alerts/check/resend')
    expect(errorSummary((await b.get('/alerts/check')).body)).toEqual(['code: You have asked for 3 codes in the last hour. Wait an hour and try again'])
    const sent = await t.db.query(`select 1 from outbox_messages where recipient = '+447700900556'`)
    expect(sent).toHaveLength(3)
  })

  it('sends the email again, at most three in the hour', async () => {
    const b = new Browser(t.app)
    await fillIn(b, { email: 'again@example.org', homePostcode: ex.postcodes[0]!.postcode, interests: 'appeals', consents: 'force' })
    await b.submit('/alerts/check', { channel: 'email' }, '/alerts/check/resend')
    expect((await b.get('/alerts/check')).body).toContain('We have sent the email again')
    await b.submit('/alerts/check', { channel: 'email' }, '/alerts/check/resend')
    await b.submit('/alerts/check', { channel: 'email' }, '/alerts/check/resend')
    const page = (await b.get('/alerts/check')).body
    expect(errorSummary(page)).toEqual(['resendEmail: You have asked for 3 emails in the last hour. Wait an hour and try again'])
    expect(page).toContain('id="resendEmail"')
    // Every link sent still works until it expires: the newest confirms.
    const link = linkIn((await lastMessageTo(t.db, 'again@example.org'))!.body_text, '/alerts/confirm/')
    expect(heading((await b.submit(link, {})).body)).toBe('Email address confirmed')
  })

  it('shows the same page for an address that already has alerts, and sends it a manage link instead', async () => {
    await t.services.messaging.subscribers.createConfirmedSubscriber({ email: 'known@example.org', postcode: ex.postcodes[0]!.postcode, interests: ['appeals'], organisations: ['force'] })
    const b = new Browser(t.app)
    const res = await fillIn(b, { email: 'Known@example.org', homePostcode: ex.postcodes[1]!.postcode, interests: 'events', consents: 'opcc' })
    expect(res.headers.location).toBe('/alerts/check')
    expect((await b.get('/alerts/check')).body).toContain('Check your email')
    const mail = (await lastMessageTo(t.db, 'known@example.org'))!
    expect(mail.subject).toBe('You already get Demo Shire Police alerts')
    expect(mail.body_text).toContain('/alerts/manage/')
    expect(await t.db.query(`select 1 from msg_subscribers where email = 'known@example.org'`)).toHaveLength(1)
  })

  it('explains every problem at once and keeps everything typed', async () => {
    const b = new Browser(t.app)
    const district = (await t.services.areas.listAreas()).find(a => a.kind === 'district')!
    const res = await fillIn(b, {
      email: 'sam@example',
      phone: '0161 496 0000',
      homePostcode: ex.unknownPostcode,
      otherPostcodes: `${ex.postcodes[1]!.postcode}\nDS1 1A`,
      areas: district.id,
      interests: ['appeals', 'road-safety'],
      smsFrequency: 'daily',
      language: 'cy',
    })
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe('/alerts/sign-up')
    const page = (await b.get('/alerts/sign-up')).body
    expect(page).toContain('<title>Error: ')
    expect(errorSummary(page)).toEqual([
      'email: Enter an email address in the correct format, like name@example.com',
      'phone: Enter a UK mobile number, like 07700 900982 or +44 7700 900982',
      `homePostcode: We could not find the postcode ${ex.unknownPostcode}. Check it, or choose the neighbourhood from the list`,
      'otherPostcodes: Enter a full UK postcode, like DS1 1AA (you entered DS1 1A)',
      'consents: Select who may send you alerts: you need to agree to at least one',
    ])
    expect(inputValue(page, 'email')).toBe('sam@example')
    expect(inputValue(page, 'phone')).toBe('0161 496 0000')
    expect(inputValue(page, 'homePostcode')).toBe(ex.unknownPostcode)
    expect(textareaValue(page, 'otherPostcodes')).toBe(`${ex.postcodes[1]!.postcode}\nDS1 1A`)
    expect(checked(page, 'areas')).toEqual([district.id])
    expect(checked(page, 'interests')).toEqual(['appeals', 'road-safety'])
    expect(checked(page, 'smsFrequency')).toEqual(['daily'])
    expect(checked(page, 'language')).toEqual(['cy'])
    expect(await t.db.query(`select 1 from msg_subscribers where email = 'sam@example'`)).toEqual([])
  })

  it('asks for a contact and a place when none is given, and for a postcode inside the force', async () => {
    const b = new Browser(t.app)
    await fillIn(b, { email: '', phone: '', homePostcode: '', interests: 'appeals', consents: 'force' })
    expect(errorSummary((await b.get('/alerts/sign-up')).body)).toEqual([
      'email: Enter an email address or a UK mobile number, or both',
      'homePostcode: Enter your home postcode, or choose at least one place to get alerts about',
    ])
    await fillIn(b, { email: 'far@example.org', homePostcode: ex.outsidePostcodes[0]!, consents: 'force' })
    expect(errorSummary((await b.get('/alerts/sign-up')).body)).toEqual([
      `homePostcode: ${ex.outsidePostcodes[0]} is outside the Demo Shire Police area, so we cannot send you alerts for it`,
      'interests: Select at least one interest',
    ])
  })

  it('asks again when the consent wording changed while the form was open', async () => {
    const b = new Browser(t.app)
    const page = await b.get('/alerts/sign-up')
    const shown = wordingsOn(page.body)
    await t.db.query(
      `insert into msg_consent_wordings (organisation, purpose, version, text) values ('force', 'alerts', 2, 'New words: the force may send me alerts.')`,
    )
    const res = await b.submit('/alerts/sign-up', { wordings: shown, email: 'late@example.org', homePostcode: ex.postcodes[0]!.postcode, interests: 'appeals', consents: 'force' })
    expect(res.statusCode).toBe(303)
    const again = (await b.get('/alerts/sign-up')).body
    expect(errorSummary(again)).toEqual(['consents: The wording of the agreement has changed. Read it again and select who may send you alerts'])
    expect(again).toContain('New words: the force may send me alerts.')
    expect(inputValue(again, 'email')).toBe('late@example.org')
    // Agreeing to the new words records that version.
    await fillIn(b, { email: 'late@example.org', homePostcode: ex.postcodes[0]!.postcode, interests: 'appeals', consents: 'force' })
    const [c] = await t.db.query<{ version: number }>(
      `select w.version from msg_consents c join msg_subscribers s on s.id = c.subscriber_id join msg_consent_wordings w on w.id = c.wording_id where s.email = 'late@example.org'`,
    )
    expect(c!.version).toBe(2)
  })

  it('explains forged, expired and stray confirmation links, and a check page without a sign-up', async () => {
    const forged = await t.app.inject('/alerts/confirm/abc.def')
    expect(forged.statusCode).toBe(404)
    expect(heading(forged.body)).toBe('This link is not valid')
    const s = await t.services.messaging.subscribers.createConfirmedSubscriber({ email: 'old@example.org', postcode: ex.postcodes[0]!.postcode, interests: ['appeals'], organisations: ['force'] })
    const expired = signLink(t.config, { purpose: 'confirm-email', subscriberId: s.id, linkVersion: 1, secret: 'x', exp: Math.floor(Date.now() / 1000) - 60 })
    const res = await t.app.inject(`/alerts/confirm/${expired}`)
    expect(res.statusCode).toBe(410)
    expect(heading(res.body)).toBe('This link has expired')
    expect(res.body).toContain('Sign up again')
    const none = await t.app.inject('/alerts/check')
    expect(none.statusCode).toBe(404)
    expect(heading(none.body)).toBe('No sign-up to confirm')
  })

  it('rate-limits sign-up posts from one address', async () => {
    const b = new Browser(t.app)
    const page = await b.get('/alerts/sign-up')
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!
    let last = 0
    for (let i = 0; i < 25 && last !== 429; i++) last = (await b.post('/alerts/sign-up', { _csrf: token, email: 'x' })).statusCode
    expect(last).toBe(429)
  })
})
