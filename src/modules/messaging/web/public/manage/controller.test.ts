import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Browser, createTestApp, type TestApp } from '../../../../../../test/helpers.ts'
import { demoExamples, loadDemoArea } from '../../../../areas/demo.ts'
import { manageLink, signLink } from '../../../links.ts'
import type { Subscriber } from '../../../subscribers.service.ts'
import { checked, codeIn, duplicateIds, errorSummary, heading, inputValue, lastMessageTo, linkIn, textareaValue } from '../testing.ts'

const SEED = 2026
const ex = demoExamples(SEED)

describe('managing alerts from the signed link', () => {
  let t: TestApp
  let n = 0
  beforeAll(async () => {
    t = await createTestApp()
    await loadDemoArea(t.db, SEED, t.services.areas)
  })
  afterAll(async () => t.close())

  const resident = (over: Partial<Parameters<TestApp['services']['messaging']['subscribers']['createConfirmedSubscriber']>[0]> = {}) =>
    t.services.messaging.subscribers.createConfirmedSubscriber({
      email: `manage${++n}@example.org`,
      postcode: ex.postcodes[0]!.postcode,
      interests: ['appeals', 'events'],
      organisations: ['force'],
      ...over,
    })
  const pathOf = (s: Subscriber) => new URL(manageLink(t.config, s)).pathname

  it('shows what is held, with the current choices filled in', async () => {
    const district = (await t.services.areas.listAreas()).find(a => a.kind === 'district')!
    const s = await resident({ phone: '07700 900 701', areaIds: [district.id] })
    const res = await new Browser(t.app).get(pathOf(s))
    expect(res.statusCode).toBe(200)
    expect(heading(res.body)).toBe('Manage your alerts')
    expect(duplicateIds(res.body)).toEqual([])
    expect(res.body).toContain('07700 900701')
    expect(inputValue(res.body, 'email')).toBe(s.email!)
    expect(inputValue(res.body, 'homePostcode')).toBe(ex.postcodes[0]!.postcode)
    expect(checked(res.body, 'areas')).toEqual([district.id])
    expect(checked(res.body, 'interests')).toEqual(['appeals', 'events'])
    expect(checked(res.body, 'emailFrequency')).toEqual(['immediate'])
    expect(res.body).toContain('Stop alerts from Demo Shire Police')
    expect(res.body).toContain('I agree to alerts from the Police and Crime Commissioner’s office')
    expect(res.body).toContain('/download')
  })

  it('explains forged and revoked links', async () => {
    const s = await resident()
    const forged = await t.app.inject(`${pathOf(s)}x`)
    expect(forged.statusCode).toBe(404)
    expect(heading(forged.body)).toBe('This link is not valid')
    const revoked = signLink(t.config, { purpose: 'manage', subscriberId: s.id, linkVersion: s.linkVersion + 1 })
    const res = await t.app.inject(`/alerts/manage/${revoked}`)
    expect(res.statusCode).toBe(404)
    expect(heading(res.body)).toBe('This link no longer works')
    // A link made for another purpose does not open the manage page.
    const unsubscribe = signLink(t.config, { purpose: 'unsubscribe', subscriberId: s.id, linkVersion: s.linkVersion })
    expect((await t.app.inject(`/alerts/manage/${unsubscribe}`)).statusCode).toBe(404)
    expect((await t.app.inject(`${pathOf(s)}/no-such-action`)).statusCode).toBe(404)
  })

  it('saves changed places, interests, frequency and language', async () => {
    const s = await resident()
    const b = new Browser(t.app)
    const res = await b.submit(pathOf(s), {
      email: s.email!,
      phone: '',
      homePostcode: ex.postcodes[1]!.postcode,
      otherPostcodes: ex.postcodes[2]!.postcode,
      areas: ['demo-shire'],
      interests: ['road-safety'],
      emailFrequency: 'daily',
      smsFrequency: 'immediate',
      language: 'cy',
    })
    expect(res.statusCode).toBe(303)
    const page = (await b.get(pathOf(s))).body
    // Welsh was chosen, so the page is in Welsh from now on.
    expect(page).toContain('<html lang="cy"')
    expect(page).toContain('Mae eich dewisiadau wedi’u cadw.')
    const p = await t.services.messaging.subscribers.preferences(s.id)
    expect(p.subscriber).toMatchObject({ emailFrequency: 'daily', language: 'cy', homeAreaId: ex.postcodes[1]!.neighbourhoodId })
    expect(p.subscriber.emailConfirmedAt).not.toBeNull() // same address: still confirmed
    expect(p.places.map(x => x.areaId).sort()).toEqual(['demo-shire', ex.postcodes[1]!.neighbourhoodId, ex.postcodes[2]!.neighbourhoodId].sort())
    expect(p.interests).toEqual(['road-safety'])
    expect(textareaValue(page, 'otherPostcodes')).toBe(ex.postcodes[2]!.postcode)
  })

  it('keeps what was typed when something is wrong, and changes nothing', async () => {
    const s = await resident()
    const b = new Browser(t.app)
    await b.submit(pathOf(s), { email: 'not an email', phone: '07000 000000', homePostcode: 'DS1 1A', interests: [], language: 'cy' })
    const page = (await b.get(pathOf(s))).body
    expect(errorSummary(page)).toEqual([
      'email: Enter an email address in the correct format, like name@example.com',
      'phone: Enter a UK mobile number, like 07700 900982 or +44 7700 900982',
      'homePostcode: Enter a full UK postcode, like DS1 1AA',
      'interests: Select at least one interest',
    ])
    expect(inputValue(page, 'email')).toBe('not an email')
    expect(inputValue(page, 'phone')).toBe('07000 000000')
    expect(checked(page, 'interests')).toEqual([])
    expect(checked(page, 'language')).toEqual(['cy'])
    expect((await t.services.messaging.subscribers.getSubscriber(s.id))!).toMatchObject({ email: s.email, language: 'en' })
  })

  it('adds a mobile number that starts once its code is entered', async () => {
    const s = await resident()
    const b = new Browser(t.app)
    const fields = { email: s.email!, phone: '07700 900 702', homePostcode: ex.postcodes[0]!.postcode, interests: ['appeals'] }
    await b.submit(pathOf(s), fields)
    let page = (await b.get(pathOf(s))).body
    expect(page).toContain('a code to your new mobile number')
    expect(page).toContain('Not receiving alerts')
    const code = codeIn((await lastMessageTo(t.db, '+447700900702'))!.body_text)
    await b.submit(pathOf(s), { code: code === '000000' ? '000001' : '000000' }, `${pathOf(s)}/code`)
    expect(errorSummary((await b.get(pathOf(s))).body)).toEqual(['code: The code is not correct. You can try 4 more times'])
    await b.submit(pathOf(s), { code }, `${pathOf(s)}/code`)
    page = (await b.get(pathOf(s))).body
    expect(page).toContain('Your mobile number is confirmed')
    expect((await t.services.messaging.subscribers.getSubscriber(s.id))!.phoneConfirmedAt).not.toBeNull()
  })

  it('changes an email address only once the new one is confirmed by its link', async () => {
    const s = await resident()
    const b = new Browser(t.app)
    await b.submit(pathOf(s), { email: `new-${s.email}`, phone: '', homePostcode: ex.postcodes[0]!.postcode, interests: ['appeals'] })
    expect((await t.services.messaging.subscribers.getSubscriber(s.id))!.emailConfirmedAt).toBeNull()
    const link = linkIn((await lastMessageTo(t.db, `new-${s.email}`))!.body_text, '/alerts/confirm/')
    await b.submit(link, {})
    expect((await t.services.messaging.subscribers.getSubscriber(s.id))!).toMatchObject({ email: `new-${s.email}` })
    expect((await t.services.messaging.subscribers.getSubscriber(s.id))!.emailConfirmedAt).not.toBeNull()
  })

  it('starts email again after an unsubscribe, once the address is confirmed again', async () => {
    const s = await resident()
    const { messageLinks } = await import('../../../links.ts')
    await t.services.messaging.subscribers.unsubscribe(new URL(messageLinks(t.config, s, '00000000-0000-4000-8000-000000000009', 'email').unsubscribe).pathname.split('/').pop()!)
    const b = new Browser(t.app)
    let page = (await b.get(pathOf(s))).body
    expect(page).toContain('Not receiving alerts')
    await b.submit(pathOf(s), { channel: 'email' }, `${pathOf(s)}/resend`)
    page = (await b.get(pathOf(s))).body
    expect(page).toContain('We have sent you a confirmation email')
    await b.submit(linkIn((await lastMessageTo(t.db, s.email!))!.body_text, '/alerts/confirm/'), {})
    expect((await b.get(pathOf(s))).body).toContain('Receiving alerts')
    expect((await t.services.messaging.subscribers.getSubscriber(s.id))!.emailConfirmedAt).not.toBeNull()
  })

  it('withdraws and gives consent per organisation, each a new record', async () => {
    const s = await resident()
    const b = new Browser(t.app)
    await b.submit(pathOf(s), { organisation: 'opcc', given: 'yes' }, `${pathOf(s)}/consent`)
    expect((await b.get(pathOf(s))).body).toContain('You have agreed to alerts from the Police and Crime Commissioner’s office')
    await b.submit(pathOf(s), { organisation: 'force', given: 'no' }, `${pathOf(s)}/consent`)
    const page = (await b.get(pathOf(s))).body
    expect(page).toContain('You will get no more alerts from Demo Shire Police')
    expect(page).toContain('I agree to alerts from Demo Shire Police')
    const rows = await t.db.query(`select organisation, given, source from msg_consents where subscriber_id = $1 order by at`, [s.id])
    expect(rows).toEqual([
      { organisation: 'force', given: true, source: 'test' },
      { organisation: 'opcc', given: true, source: 'manage' },
      { organisation: 'force', given: false, source: 'manage' },
    ])
  })

  it('downloads everything held as JSON', async () => {
    const s = await resident()
    await t.services.messaging.subscribers.recordConsent(s.id, 'opcc', 'alerts', true, 'manage')
    const res = await t.app.inject(`${pathOf(s)}/download`)
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toContain('application/json')
    expect(res.headers['content-disposition']).toBe('attachment; filename="my-alerts-data.json"')
    const data = JSON.parse(res.body)
    expect(data.subscriber.email).toBe(s.email)
    expect(data.places[0]).toMatchObject({ postcode: ex.postcodes[0]!.postcode, label: 'home' })
    expect(data.interests.map((i: { id: string }) => i.id)).toEqual(['appeals', 'events'])
    expect(data.consentHistory.map((c: { organisation: string }) => c.organisation)).toEqual(['force', 'opcc'])
    expect(data.consentHistory[1].wordingText).toContain('Police and Crime Commissioner')
    expect(data).toHaveProperty('deliveries')
    expect(data).toHaveProperty('replies')
    expect(data).toHaveProperty('feedback')
  })

  it('deletes the account after asking, and the link stops working', async () => {
    const s = await resident()
    const b = new Browser(t.app)
    const ask = await b.get(`${pathOf(s)}/delete`)
    expect(ask.statusCode).toBe(200)
    expect(heading(ask.body)).toBe('Delete your account')
    expect(await t.services.messaging.subscribers.getSubscriber(s.id)).not.toBeNull()
    const done = await b.submit(`${pathOf(s)}/delete`, {})
    expect(done.statusCode).toBe(200)
    expect(heading(done.body)).toBe('Your account has been deleted')
    expect(await t.services.messaging.subscribers.getSubscriber(s.id)).toBeNull()
    expect(await t.db.query(`select 1 from msg_subscriber_places where subscriber_id = $1`, [s.id])).toEqual([])
    const after = await t.app.inject(pathOf(s))
    expect(after.statusCode).toBe(404)
    expect(heading(after.body)).toBe('This link no longer works')
  })
})
