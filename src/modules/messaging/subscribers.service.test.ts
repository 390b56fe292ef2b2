import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/helpers.ts'
import { demoExamples, loadDemoArea } from '../areas/demo.ts'
import { AppError } from '../../platform/errors.ts'
import { signLink } from './links.ts'
import { normaliseUkMobile } from './phone.ts'
import type { SubscribersService } from './subscribers.service.ts'

const SEED = 2026
const ex = demoExamples(SEED)

/** The newest outbox message to a recipient. */
const lastTo = async (t: TestApp, to: string) =>
  (
    await t.db.query<{ subject: string | null; body_text: string; channel: string }>(
      `select subject, body_text, channel from outbox_messages where recipient = $1 order by created_at desc limit 1`,
      [to],
    )
  )[0]

const confirmTokenIn = (text: string) => /\/alerts\/confirm\/([A-Za-z0-9_.-]+)/.exec(text)?.[1] ?? ''
const codeIn = (text: string) => /^(\d{6}) /.exec(text)?.[1] ?? ''
const invalidFields = async (p: Promise<unknown>) => {
  try {
    await p
  } catch (err) {
    if (err instanceof AppError && err.code === 'INVALID') return err.fieldErrors ?? {}
    throw err
  }
  throw new Error('expected INVALID')
}

describe('subscribers service', () => {
  let t: TestApp
  let subs: SubscribersService
  let n = 0
  const nextEmail = () => `resident${++n}@example.org`
  const nextPhone = () => `07700 900${String(100 + ++n).padStart(3, '0')}`
  beforeAll(async () => {
    t = await createTestApp()
    await loadDemoArea(t.db, SEED, t.services.areas)
    subs = t.services.messaging.subscribers
  })
  afterAll(async () => t.close())
  beforeEach(() => {
    n += 10
  })

  const signUp = (over: Partial<Parameters<SubscribersService['startSignUp']>[0]> = {}) =>
    subs.startSignUp({ email: nextEmail(), homePostcode: ex.postcodes[0]!.postcode, interests: ['appeals'], consents: ['force'], ...over })

  it('signs up by postcode with extra places and interests, pending until confirmed, and counts the start', async () => {
    const district = (await t.services.areas.listAreas()).find(a => a.kind === 'district')!
    const email = nextEmail()
    const before = await t.db.query<{ n: number }>(`select count(*)::int as n from msg_membership_events where event = 'started'`)
    const r = await subs.startSignUp({
      email: `  ${email.toUpperCase()} `,
      homePostcode: ex.postcodes[0]!.postcode.toLowerCase(),
      otherPostcodes: [ex.postcodes[1]!.postcode],
      areaIds: [district.id, ex.postcodes[0]!.neighbourhoodId],
      interests: ['appeals', 'scams-fraud'],
      emailFrequency: 'daily',
      language: 'cy',
      consents: ['force'],
    })
    expect(r).toMatchObject({ status: 'pending', emailSent: true, smsSent: false })
    const { subscriber, places, interests, consents } = await subs.preferences(r.subscriberId)
    expect(subscriber).toMatchObject({ email, status: 'pending', emailFrequency: 'daily', language: 'cy', homeAreaId: ex.postcodes[0]!.neighbourhoodId })
    expect(subscriber.emailConfirmedAt).toBeNull()
    expect(places.map(p => [p.areaId, p.label])).toEqual(
      expect.arrayContaining([
        [ex.postcodes[0]!.neighbourhoodId, 'home'],
        [ex.postcodes[1]!.neighbourhoodId, 'other'],
        [district.id, 'other'],
      ]),
    )
    expect(places).toHaveLength(3) // the home neighbourhood chosen twice is kept once
    expect(places.find(p => p.label === 'home')!.areaPath).toBe((await t.services.areas.getArea(ex.postcodes[0]!.neighbourhoodId))!.path)
    expect(interests).toEqual(['appeals', 'scams-fraud'])
    expect(consents).toHaveLength(1)
    expect(consents[0]).toMatchObject({ organisation: 'force', purpose: 'alerts', given: true, source: 'signup', wordingVersion: 1 })
    expect(consents[0]!.wordingText).toContain('police force may send me')
    const after = await t.db.query<{ n: number }>(`select count(*)::int as n from msg_membership_events where event = 'started'`)
    expect(after[0]!.n).toBe(before[0]!.n + 1)
    // Welsh was chosen, so Beacon's confirmation email is in Welsh.
    expect((await lastTo(t, email))!.subject).toBe('Cadarnhewch eich cyfeiriad e-bost ar gyfer rhybuddion Demo Shire Police')
  })

  it('explains every bad answer at once', async () => {
    const errors = await invalidFields(
      subs.startSignUp({ email: 'not-an-email', phone: '0161 496 0000', homePostcode: 'DS1 1A', interests: [], consents: [] }),
    )
    expect(errors).toEqual({
      email: 'Enter an email address in the correct format, like name@example.com',
      phone: 'Enter a UK mobile number, like 07700 900982 or +44 7700 900982',
      homePostcode: 'Enter a full UK postcode, like DS1 1AA',
      interests: 'Select at least one interest',
      consents: 'Select who may send you alerts: you need to agree to at least one',
    })
    expect(await invalidFields(signUp({ email: '', phone: '' }))).toEqual({ email: 'Enter an email address or a UK mobile number, or both' })
    expect((await invalidFields(signUp({ homePostcode: ex.unknownPostcode }))).homePostcode).toContain('We could not find the postcode DS99 9ZZ')
    expect((await invalidFields(signUp({ homePostcode: ex.outsidePostcodes[0]! }))).homePostcode).toContain('is outside the Demo Shire Police area')
    expect((await invalidFields(signUp({ homePostcode: '' }))).homePostcode).toBe('Enter your home postcode, or choose at least one place to get alerts about')
    expect((await invalidFields(signUp({ areaIds: ['no-such-area'] }))).areas).toBe('Choose places from the lists')
    expect((await invalidFields(signUp({ interests: ['no-such-interest'] }))).interests).toBe('Select interests from the list')
    expect((await invalidFields(signUp({ otherPostcodes: ['XX'] }))).otherPostcodes).toContain('Enter a full UK postcode')
  })

  it('records consent per organisation: consent to the force does not cover the PCC’s office', async () => {
    const r = await signUp({ consents: ['force'] })
    let consents = await subs.currentConsents(r.subscriberId)
    expect(consents.map(c => c.organisation)).toEqual(['force'])
    await subs.recordConsent(r.subscriberId, 'opcc', 'alerts', true, 'manage')
    await subs.recordConsent(r.subscriberId, 'force', 'alerts', false, 'manage')
    consents = await subs.currentConsents(r.subscriberId)
    expect(consents.map(c => [c.organisation, c.given, c.source])).toEqual([
      ['force', false, 'manage'],
      ['opcc', true, 'manage'],
    ])
    expect(consents.find(c => c.organisation === 'opcc')!.wordingText).toContain('Police and Crime Commissioner')
    // Append-only: three rows, the history intact.
    const rows = await t.db.query(`select 1 from msg_consents where subscriber_id = $1`, [r.subscriberId])
    expect(rows).toHaveLength(3)
  })

  it('confirms an email address by link once, activates, counts and welcomes', async () => {
    const email = nextEmail()
    const r = await signUp({ email })
    const token = confirmTokenIn((await lastTo(t, email))!.body_text)
    const done = await subs.confirmEmail(token)
    expect(done).toMatchObject({ ok: true, channel: 'email', firstConfirmation: true })
    const s = (await subs.getSubscriber(r.subscriberId))!
    expect(s.status).toBe('active')
    expect(s.emailConfirmedAt).not.toBeNull()
    const welcome = (await lastTo(t, email))!
    expect(welcome.subject).toContain('You are signed up')
    expect(welcome.body_text).toMatch(/\/alerts\/manage\/[A-Za-z0-9_.-]+/)
    expect(await subs.confirmEmail(token)).toEqual({ ok: false, reason: 'used' })
    const [stored] = await t.db.query<{ secret_hash: string }>(`select secret_hash from msg_confirmations where subscriber_id = $1`, [r.subscriberId])
    expect(token).not.toContain(stored!.secret_hash)
  })

  it('refuses forged, tampered and expired confirmation links', async () => {
    const email = nextEmail()
    const r = await signUp({ email })
    const token = confirmTokenIn((await lastTo(t, email))!.body_text)
    expect(await subs.confirmEmail(token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA'))).toEqual({ ok: false, reason: 'forged' })
    expect(await subs.confirmEmail('nonsense')).toEqual({ ok: false, reason: 'forged' })
    // Signed correctly but with a secret we never stored.
    const s = (await subs.getSubscriber(r.subscriberId))!
    const madeUp = signLink(t.config, { purpose: 'confirm-email', subscriberId: s.id, linkVersion: s.linkVersion, secret: 'guess', exp: Math.floor(Date.now() / 1000) + 60 })
    expect(await subs.confirmEmail(madeUp)).toEqual({ ok: false, reason: 'forged' })
    // Past its 24 hours: the signed expiry says so.
    const later = t.services.messaging.subscribers
    const { createSubscribersService } = await import('./subscribers.service.ts')
    const tomorrow = createSubscribersService({ ...t.services, now: () => new Date(Date.now() + 25 * 3600_000) })
    expect(await tomorrow.confirmEmail(token)).toEqual({ ok: false, reason: 'expired' })
    expect((await later.getSubscriber(r.subscriberId))!.status).toBe('pending')
  })

  it('confirms a mobile number by a 6-digit code, with an expiry and five attempts', async () => {
    const phone = nextPhone()
    const e164 = normaliseUkMobile(phone)!
    const r = await signUp({ email: null, phone })
    expect(r).toMatchObject({ status: 'pending', emailSent: false, smsSent: true })
    const code = codeIn((await lastTo(t, e164))!.body_text)
    expect(code).toMatch(/^\d{6}$/)
    const wrong = code === '000000' ? '111111' : '000000'
    expect(await subs.confirmSmsCode(r.subscriberId, wrong)).toEqual({ ok: false, reason: 'wrong', attemptsLeft: 4 })
    expect(await subs.confirmSmsCode(r.subscriberId, 'abc')).toEqual({ ok: false, reason: 'wrong', attemptsLeft: 3 })
    expect(await subs.confirmSmsCode(r.subscriberId, ` ${code.slice(0, 3)} ${code.slice(3)} `)).toMatchObject({ ok: true, channel: 'sms' })
    const s = (await subs.getSubscriber(r.subscriberId))!
    expect(s).toMatchObject({ status: 'active', phone: e164 })
    expect(s.phoneConfirmedAt).not.toBeNull()
    expect((await lastTo(t, e164))!.body_text).toContain('You are signed up')
  })

  it('stops a code after five wrong guesses and limits new codes', async () => {
    const phone = nextPhone()
    const e164 = normaliseUkMobile(phone)!
    const r = await signUp({ email: null, phone })
    const code = codeIn((await lastTo(t, e164))!.body_text)
    const wrong = code === '000000' ? '111111' : '000000'
    for (let i = 0; i < 4; i++) expect((await subs.confirmSmsCode(r.subscriberId, wrong)).ok).toBe(false)
    expect(await subs.confirmSmsCode(r.subscriberId, wrong)).toEqual({ ok: false, reason: 'too-many', attemptsLeft: 0 })
    expect(await subs.confirmSmsCode(r.subscriberId, code)).toEqual({ ok: false, reason: 'too-many', attemptsLeft: 0 })
    expect(await subs.resendConfirmation(r.subscriberId, 'sms')).toEqual({ ok: true })
    const second = codeIn((await lastTo(t, e164))!.body_text)
    expect(await subs.resendConfirmation(r.subscriberId, 'sms')).toEqual({ ok: true })
    // Three in the hour: the next is refused; the old code stopped working when a new one was sent.
    expect(await subs.resendConfirmation(r.subscriberId, 'sms')).toEqual({ ok: false, reason: 'too-many' })
    const third = codeIn((await lastTo(t, e164))!.body_text)
    if (second !== third) expect((await subs.confirmSmsCode(r.subscriberId, second)).ok).toBe(false)
    expect((await subs.confirmSmsCode(r.subscriberId, third)).ok).toBe(true)
  })

  it('lets a code expire after 15 minutes', async () => {
    const phone = nextPhone()
    const e164 = normaliseUkMobile(phone)!
    const r = await signUp({ email: null, phone })
    const code = codeIn((await lastTo(t, e164))!.body_text)
    const { createSubscribersService } = await import('./subscribers.service.ts')
    const later = createSubscribersService({ ...t.services, now: () => new Date(Date.now() + 16 * 60_000) })
    expect(await later.confirmSmsCode(r.subscriberId, code)).toEqual({ ok: false, reason: 'expired' })
  })

  it('does not reveal an address that already has alerts: it sends that address a manage link', async () => {
    const existing = await subs.createConfirmedSubscriber({ email: nextEmail(), postcode: ex.postcodes[0]!.postcode, interests: ['appeals'], organisations: ['force'] })
    const r = await signUp({ email: existing.email })
    expect(r).toMatchObject({ status: 'existing', subscriberId: existing.id, emailSent: true })
    const mail = (await lastTo(t, existing.email!))!
    expect(mail.subject).toContain('You already get')
    expect(mail.body_text).toContain('/alerts/manage/')
    // An abandoned (never confirmed) sign-up gives way to a new one.
    const email = nextEmail()
    const first = await signUp({ email })
    const second = await signUp({ email, interests: ['road-safety'] })
    expect(second.subscriberId).not.toBe(first.subscriberId)
    expect(await subs.getSubscriber(first.subscriberId)).toBeNull()
  })

  it('manages preferences through a signed link, and refuses forged or revoked links', async () => {
    const s = await subs.createConfirmedSubscriber({ email: nextEmail(), postcode: ex.postcodes[0]!.postcode, interests: ['appeals'], organisations: ['force'] })
    const token = signLink(t.config, { purpose: 'manage', subscriberId: s.id, linkVersion: s.linkVersion })
    const link = await subs.getByLinkToken(token, 'manage')
    expect(link.ok && link.subscriber.id).toBe(s.id)
    expect(await subs.getByLinkToken(token, 'unsubscribe')).toEqual({ ok: false, reason: 'forged' })
    expect(await subs.getByLinkToken(`${token}x`, 'manage')).toEqual({ ok: false, reason: 'forged' })
    const stale = signLink(t.config, { purpose: 'manage', subscriberId: s.id, linkVersion: s.linkVersion + 1 })
    expect(await subs.getByLinkToken(stale, 'manage')).toEqual({ ok: false, reason: 'revoked' })

    const newEmail = nextEmail()
    const res = await subs.updatePreferences(s.id, {
      places: { homePostcode: ex.postcodes[2]!.postcode, areaIds: [] },
      interests: ['road-safety', 'events'],
      emailFrequency: 'weekly',
      smsFrequency: 'daily',
      language: 'cy',
      email: newEmail,
      phone: nextPhone(),
    })
    expect(res.confirmationsSent).toEqual(['email', 'sms'])
    const p = await subs.preferences(s.id)
    expect(p.subscriber).toMatchObject({ email: newEmail, emailConfirmedAt: null, phoneConfirmedAt: null, emailFrequency: 'weekly', smsFrequency: 'daily', language: 'cy', homeAreaId: ex.postcodes[2]!.neighbourhoodId })
    expect(p.places.map(x => x.areaId)).toEqual([ex.postcodes[2]!.neighbourhoodId])
    expect(p.interests).toEqual(['events', 'road-safety'])
    // A link sent to an address the resident then replaced cannot confirm the replacement.
    const firstLink = confirmTokenIn((await lastTo(t, newEmail))!.body_text)
    const newer = nextEmail()
    await subs.updatePreferences(s.id, { email: newer })
    expect(await subs.confirmEmail(firstLink)).toEqual({ ok: false, reason: 'forged' })
    await subs.updatePreferences(s.id, { email: newEmail })
    // The new address is confirmed by its own link.
    expect((await subs.confirmEmail(confirmTokenIn((await lastTo(t, newEmail))!.body_text))).ok).toBe(true)
    expect((await subs.getSubscriber(s.id))!.emailConfirmedAt).not.toBeNull()

    expect(await invalidFields(subs.updatePreferences(s.id, { email: null, phone: null }))).toEqual({ email: 'Enter an email address or a UK mobile number, or both' })
    const other = await subs.createConfirmedSubscriber({ email: nextEmail(), postcode: ex.postcodes[0]!.postcode, interests: ['appeals'], organisations: ['force'] })
    expect(await invalidFields(subs.updatePreferences(s.id, { email: other.email }))).toEqual({ email: 'That email address already gets alerts on another account' })
  })

  it('unsubscribes one channel with a one-click link, counted once against the message', async () => {
    const s = await subs.createConfirmedSubscriber({ email: nextEmail(), phone: nextPhone(), postcode: ex.postcodes[0]!.postcode, interests: ['appeals'], organisations: ['force'] })
    const messageId = '00000000-0000-4000-8000-000000000001'
    const token = signLink(t.config, { purpose: 'unsubscribe', subscriberId: s.id, linkVersion: s.linkVersion, messageId, channel: 'email' })
    expect(await subs.unsubscribe(token)).toEqual({ ok: true, subscriberId: s.id, channels: ['email'], already: false })
    expect(await subs.unsubscribe(token)).toMatchObject({ ok: true, already: true })
    const after = (await subs.getSubscriber(s.id))!
    expect(after.emailConfirmedAt).toBeNull()
    expect(after.phoneConfirmedAt).not.toBeNull()
    expect(after.email).toBe(s.email)
    const events = await t.db.query(`select event, channel, area_id from msg_membership_events where message_id = $1`, [messageId])
    expect(events).toEqual([{ event: 'unsubscribed', channel: 'email', area_id: ex.postcodes[0]!.neighbourhoodId }])
    expect(await subs.unsubscribe('forged.token')).toEqual({ ok: false, reason: 'forged' })
  })

  describe('with a message', () => {
    let messageId: string
    let closedId: string
    beforeAll(async () => {
      const area = (await t.services.areas.getArea(ex.postcodes[0]!.neighbourhoodId))!
      const insert = async (allow: boolean) =>
        (
          await t.db.query<{ id: string }>(
            `insert into msg_messages (title, body_markdown, category, status, allow_replies, area_id, area_path)
             values ($1, 'Body', 'appeals', 'sent', $2, $3, $4) returning id`,
            [allow ? 'Missing person in Ashby' : 'Road closed', allow, area.id, area.path],
          )
        )[0]!.id
      messageId = await insert(true)
      closedId = await insert(false)
    })

    it('records web replies against the message’s area, refusing messages that take none', async () => {
      const s = await subs.createConfirmedSubscriber({ email: nextEmail(), postcode: ex.postcodes[0]!.postcode, interests: ['appeals'], organisations: ['force'] })
      const reply = (id: string) => signLink(t.config, { purpose: 'reply', subscriberId: s.id, linkVersion: s.linkVersion, messageId: id })
      const r = await subs.recordReply(reply(messageId), { body: '  I saw him near the station  ', answerChannel: 'email' })
      expect(r.ok).toBe(true)
      const [row] = await t.db.query(`select body, via, answer_channel, area_path, subscriber_id, status from msg_replies where message_id = $1`, [messageId])
      expect(row).toEqual({
        body: 'I saw him near the station',
        via: 'web',
        answer_channel: 'email',
        area_path: (await t.services.areas.getArea(ex.postcodes[0]!.neighbourhoodId))!.path,
        subscriber_id: s.id,
        status: 'new',
      })
      expect(await subs.recordReply(reply(closedId), { body: 'Hello' })).toEqual({ ok: false, reason: 'closed' })
      expect(await invalidFields(subs.recordReply(reply(messageId), { body: '  ' }))).toEqual({ body: 'Enter your reply' })
      expect((await invalidFields(subs.recordReply(reply(messageId), { body: 'x', answerChannel: 'sms' }))).answerChannel).toContain('mobile number')
    })

    it('keeps one useful/not useful answer per message, the latest', async () => {
      const s = await subs.createConfirmedSubscriber({ email: nextEmail(), postcode: ex.postcodes[0]!.postcode, interests: ['appeals'], organisations: ['force'] })
      const token = signLink(t.config, { purpose: 'feedback', subscriberId: s.id, linkVersion: s.linkVersion, messageId })
      expect(await subs.recordFeedback(token, true)).toEqual({ ok: true, messageId, subscriberId: s.id })
      expect(await subs.recordFeedback(token, false)).toEqual({ ok: true, messageId, subscriberId: s.id })
      expect(await t.db.query(`select useful from msg_feedback where subscriber_id = $1`, [s.id])).toEqual([{ useful: false }])
    })

    it('exports everything held, and deletion leaves only anonymous counts', async () => {
      const email = nextEmail()
      const phone = nextPhone()
      const s = await subs.createConfirmedSubscriber({ email, phone, postcode: ex.postcodes[1]!.postcode, interests: ['appeals', 'events'], organisations: ['force', 'opcc'] })
      await subs.recordConsent(s.id, 'opcc', 'alerts', false, 'manage')
      await t.db.query(
        `insert into msg_deliveries (message_id, subscriber_id, channel, priority, area_id, status) values ($1, $2, 'email', 2, $3, 'delivered')`,
        [messageId, s.id, s.homeAreaId],
      )
      // Still waiting when the account goes: a text message and a digest entry.
      await t.db.query(
        `insert into msg_deliveries (message_id, subscriber_id, channel, priority, area_id, status) values ($1, $2, 'sms', 2, $3, 'queued')`,
        [messageId, s.id, s.homeAreaId],
      )
      await subs.recordReply(signLink(t.config, { purpose: 'reply', subscriberId: s.id, linkVersion: 1, messageId }), { body: 'Thanks', answerChannel: 'sms' })
      await subs.recordFeedback(signLink(t.config, { purpose: 'feedback', subscriberId: s.id, linkVersion: 1, messageId }), true)
      const group = (await t.db.query<{ id: string }>(`insert into msg_groups (name, area_id) values ('Watch coordinators', $1) returning id`, [s.homeAreaId]))[0]!
      await t.db.query(`insert into msg_group_members (group_id, subscriber_id) values ($1, $2)`, [group.id, s.id])

      const data = await subs.exportData(s.id)
      expect(data.subscriber).toMatchObject({ id: s.id, email, phone: normaliseUkMobile(phone) })
      expect(data.places).toEqual([expect.objectContaining({ areaId: ex.postcodes[1]!.neighbourhoodId, label: 'home', postcode: ex.postcodes[1]!.postcode })])
      expect(data.interests.map(i => (i as { id: string }).id)).toEqual(['appeals', 'events'])
      expect(data.consentHistory).toHaveLength(3)
      expect(data.consentHistory.at(-1)).toMatchObject({ organisation: 'opcc', given: false, source: 'manage', wordingVersion: 1 })
      expect((data.consentHistory[0] as { wordingText: string }).wordingText.length).toBeGreaterThan(50)
      expect(data.deliveries).toEqual([
        expect.objectContaining({ title: 'Missing person in Ashby', channel: 'email', status: 'delivered' }),
        expect.objectContaining({ title: 'Missing person in Ashby', channel: 'sms', status: 'queued' }),
      ])
      expect(data.replies).toEqual([expect.objectContaining({ inReplyTo: 'Missing person in Ashby', body: 'Thanks', answerChannel: 'sms' })])
      expect(data.feedback).toEqual([expect.objectContaining({ title: 'Missing person in Ashby', useful: true })])
      expect(data.groups).toEqual([{ name: 'Watch coordinators' }])

      const leftBefore = await t.db.query<{ n: number }>(`select count(*)::int as n from msg_membership_events where event = 'left' and area_id = $1`, [s.homeAreaId])
      await subs.deleteAccount(s.id)
      for (const [table, column] of [
        ['msg_subscribers', 'id'],
        ['msg_subscriber_places', 'subscriber_id'],
        ['msg_subscriber_interests', 'subscriber_id'],
        ['msg_consents', 'subscriber_id'],
        ['msg_confirmations', 'subscriber_id'],
        ['msg_group_members', 'subscriber_id'],
        ['msg_feedback', 'subscriber_id'],
        ['msg_deliveries', 'subscriber_id'],
        ['msg_replies', 'subscriber_id'],
      ] as const)
        expect(await t.db.query(`select 1 from ${table} where ${column} = $1`, [s.id]), table).toEqual([])
      // The counts remain, without the person.
      // What was still waiting is skipped: dispatch never meets a waiting row without a resident.
      expect(
        await t.db.query(`select channel, status, area_id from msg_deliveries where message_id = $1 and subscriber_id is null order by channel`, [messageId]),
      ).toEqual([
        { channel: 'email', status: 'delivered', area_id: s.homeAreaId },
        { channel: 'sms', status: 'skipped', area_id: s.homeAreaId },
      ])
      expect(await t.db.query(`select body from msg_replies where message_id = $1 and subscriber_id is null`, [messageId])).toEqual([{ body: 'Thanks' }])
      const leftAfter = await t.db.query<{ n: number }>(`select count(*)::int as n from msg_membership_events where event = 'left' and area_id = $1`, [s.homeAreaId])
      expect(leftAfter[0]!.n).toBe(leftBefore[0]!.n + 1)
      // Old links stop working.
      expect(await subs.getByLinkToken(signLink(t.config, { purpose: 'manage', subscriberId: s.id, linkVersion: 1 }), 'manage')).toEqual({ ok: false, reason: 'revoked' })
      const outbox = await t.db.query(`select 1 from outbox_messages where recipient = $1`, [email])
      expect(outbox).toEqual([]) // created directly: nothing was ever sent
    })
  })

  it('lets administrators add, rename, reorder and deactivate interests', async () => {
    const added = await subs.addInterest({ name: 'Cyber crime', nameCy: 'Seiberdroseddu' })
    expect(added).toMatchObject({ id: 'cyber-crime', name: 'Cyber crime', nameCy: 'Seiberdroseddu', active: true })
    expect((await subs.listInterests()).at(-1)!.id).toBe('cyber-crime')
    expect((await subs.addInterest({ name: 'Cyber crime' })).id).toBe('cyber-crime-2')
    await subs.moveInterest('cyber-crime', 'down')
    await subs.moveInterest('cyber-crime', 'down') // already last: nothing changes
    const ids = (await subs.listInterests()).map(i => i.id)
    expect(ids.indexOf('cyber-crime')).toBe(ids.length - 1)
    expect(ids.indexOf('cyber-crime-2')).toBe(ids.length - 2)
    await subs.updateInterest('cyber-crime-2', { name: 'Online safety', active: false })
    expect((await subs.listInterests()).some(i => i.id === 'cyber-crime-2')).toBe(false)
    expect((await subs.listInterests({ includeInactive: true })).find(i => i.id === 'cyber-crime-2')).toMatchObject({ name: 'Online safety', active: false })
    expect((await invalidFields(signUp({ interests: ['cyber-crime-2'] }))).interests).toBe('Select interests from the list')
  })
})
