import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../../../test/helpers.ts'
import { seedTestAreas } from '../../../../platform/auth/testing.ts'
import { addDelivery, addMessage, addSubscriber } from '../../fixtures.testing.ts'
import { replyAddress, signMailgun } from '../../inbound-email.ts'
import { mailgunOpened, mailgunReply, multipartBody, sendGridReply } from './fixtures.testing.ts'
import { formatDeliveryRef, type DeliveryRef } from '../../delivery-ref.ts'

const SENDGRID_TOKEN = 'sg-inbound-0123456789abcdefghij'
const MAILGUN_KEY = 'key-mailgun-signing-0123456789'

describe('provider webhooks for email replies and opens', () => {
  let t: TestApp
  let delivery: DeliveryRef, smsDelivery: DeliveryRef, messageId: string
  let n = 0

  beforeAll(async () => {
    t = await createTestApp({ env: { SENDGRID_INBOUND_TOKEN: SENDGRID_TOKEN, MAILGUN_WEBHOOK_SIGNING_KEY: MAILGUN_KEY, MESSAGING_PROVIDER_REPORTS_OPENS: 'true' } })
    await seedTestAreas(t.db)
    const ann = await addSubscriber(t.db, { email: 'ann@example.com', phone: '+447700900123', places: ['ashbyNorth'] })
    messageId = await addMessage(t.db, { title: 'Appeal', area: 'ashbyNorth' })
    delivery = await addDelivery(t.db, { messageId, subscriberId: ann, channel: 'email', status: 'sent' })
    smsDelivery = await addDelivery(t.db, { messageId, subscriberId: ann, channel: 'sms', status: 'sent' })
  })
  afterAll(async () => t.close())

  const replies = () => t.db.query<{ body: string; via: string }>(`select body, via from msg_replies order by received_at, id`)
  const postMultipart = (url: string, mp: ReturnType<typeof multipartBody>, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url, payload: mp.body, headers: { 'content-type': mp.contentType, ...headers } })

  /** Signs Mailgun's way with a fresh token each time, as Mailgun does. */
  const mailgunSignature = (key = MAILGUN_KEY, at = new Date()) => {
    const timestamp = String(Math.floor(at.getTime() / 1000))
    const token = `${'c'.repeat(44)}${String(++n).padStart(6, '0')}`
    return { timestamp, token, signature: signMailgun(key, timestamp, token) }
  }

  describe('SendGrid Inbound Parse', () => {
    it('stores a reply posted to the secret URL, with an attachment thrown away', async () => {
      const fields = sendGridReply({ from: 'Ann Example <ann@example.com>', to: replyAddress(t.config, delivery), text: 'I saw a white van.\r\n\r\nOn Mon, 2 Mar 2026 Police wrote:\r\n> Appeal' })
      const mp = multipartBody(fields, [{ name: 'attachment1', filename: 'photo.jpg', type: 'image/jpeg', content: Buffer.alloc(50_000, 7) }])
      const res = await postMultipart(`/webhooks/inbound/sendgrid/${SENDGRID_TOKEN}`, mp)
      expect(res.statusCode, res.body).toBe(200)
      expect(res.json()).toMatchObject({ status: 'stored', duplicate: false })
      expect(await replies()).toEqual([{ body: 'I saw a white van.', via: 'email' }])
      // SendGrid retrying the same post stores nothing new.
      expect((await postMultipart(`/webhooks/inbound/sendgrid/${SENDGRID_TOKEN}`, mp)).json()).toMatchObject({ status: 'stored', duplicate: true })
      expect(await replies()).toHaveLength(1)
    })

    it('matches on In-Reply-To, takes basic auth, and decodes the character set SendGrid names', async () => {
      const text = 'Caf\u00e9 on the corner \u2013 seen at 2am'
      const fields = sendGridReply({ from: 'ann@example.com', to: 'Police <alerts@beacon.example>', text, inReplyTo: `<delivery-${formatDeliveryRef(delivery)}@beacon.example>`, charset: 'windows-1252' })
      const mp = multipartBody(fields, [], { text: Buffer.from([...'Caf', 0xe9, ...' on the corner ', 0x96, ...' seen at 2am'].map(c => (typeof c === 'number' ? c : c.charCodeAt(0)))) })
      const auth = `Basic ${Buffer.from(`beacon:${SENDGRID_TOKEN}`).toString('base64')}`
      const res = await postMultipart('/webhooks/inbound/sendgrid', mp, { authorization: auth })
      expect(res.json()).toMatchObject({ status: 'stored' })
      expect((await replies()).at(-1)!.body).toBe(text)
    })

    it('refuses a wrong or missing token, and says why it refused an email', async () => {
      const mp = multipartBody(sendGridReply({ from: 'ann@example.com', to: replyAddress(t.config, delivery), text: 'Forged' }))
      expect((await postMultipart('/webhooks/inbound/sendgrid/not-the-token-not-the-token', mp)).statusCode).toBe(401)
      const noAuth = await postMultipart('/webhooks/inbound/sendgrid', mp)
      expect(noAuth.statusCode).toBe(401)
      expect(noAuth.headers['www-authenticate']).toContain('Basic')
      const stranger = multipartBody(sendGridReply({ from: 'eve@example.com', to: replyAddress(t.config, delivery), text: 'Hi' }))
      expect((await postMultipart(`/webhooks/inbound/sendgrid/${SENDGRID_TOKEN}`, stranger)).json()).toEqual({ status: 'refused', reason: 'unknown-sender' })
      const raw = multipartBody({ email: 'From: ann@example.com\r\n\r\nHi', to: 'x@y' })
      expect((await postMultipart(`/webhooks/inbound/sendgrid/${SENDGRID_TOKEN}`, raw)).statusCode).toBe(400)
      expect((await replies()).map(r => r.body)).not.toContain('Forged')
    })
  })

  describe('Mailgun', () => {
    it('stores a signed route forward (form-encoded), using Mailgun’s stripped text', async () => {
      const fields = { ...mailgunReply({ from: 'Ann <ann@example.com>', recipient: replyAddress(t.config, delivery), bodyPlain: 'Blue car, not a van.\n\nOn Mon, Police wrote:\n> Appeal' }), ...mailgunSignature() }
      const res = await t.app.inject({ method: 'POST', url: '/webhooks/inbound/mailgun', payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } })
      expect(res.statusCode, res.body).toBe(200)
      expect(res.json()).toMatchObject({ status: 'stored' })
      expect((await replies()).at(-1)!.body).toBe('Blue car, not a van.')
      // The same post again (a replay of the signature) is refused.
      const replay = await t.app.inject({ method: 'POST', url: '/webhooks/inbound/mailgun', payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } })
      expect(replay.statusCode).toBe(401)
      expect(replay.json().error).toBe('Signature replayed')
    })

    it('reads the multipart form Mailgun uses when there are attachments', async () => {
      const fields = { ...mailgunReply({ from: 'ann@example.com', recipient: 'alerts@beacon.example', bodyPlain: 'Photo attached.', inReplyTo: `<delivery-${formatDeliveryRef(delivery)}@beacon.example>` }), 'attachment-count': '1', ...mailgunSignature() }
      const mp = multipartBody(fields, [{ name: 'attachment-1', filename: 'van.png', type: 'image/png', content: Buffer.alloc(10_000, 1) }])
      const res = await postMultipart('/webhooks/inbound/mailgun', mp)
      expect(res.json()).toMatchObject({ status: 'stored' })
      expect((await replies()).at(-1)!.body).toBe('Photo attached.')
    })

    it('refuses unsigned, wrongly signed and old posts', async () => {
      const fields = mailgunReply({ from: 'ann@example.com', recipient: replyAddress(t.config, delivery), bodyPlain: 'Forged' })
      const post = (extra: Record<string, string>) =>
        t.app.inject({ method: 'POST', url: '/webhooks/inbound/mailgun', payload: new URLSearchParams({ ...fields, ...extra }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } })
      expect((await post({})).statusCode).toBe(401)
      expect((await post(mailgunSignature('key-someone-else-0123456789'))).statusCode).toBe(401)
      expect((await post(mailgunSignature(MAILGUN_KEY, new Date(Date.now() - 10 * 60_000)))).json().error).toBe('Signature stale')
      expect((await replies()).map(r => r.body)).not.toContain('Forged')
    })

    it('records a reported open once, for email deliveries only, and the report counts it', async () => {
      const opened = new Date('2026-03-02T11:00:00Z')
      const post = (body: unknown) => t.app.inject({ method: 'POST', url: '/webhooks/mailgun/events', payload: body as object })
      const res = await post({ signature: mailgunSignature(), ...mailgunOpened({ messageId: `delivery-${formatDeliveryRef(delivery)}@beacon.example`, at: opened }) })
      expect(res.json()).toEqual({ status: 'recorded' })
      // A later open does not move the first.
      await post({ signature: mailgunSignature(), ...mailgunOpened({ messageId: `delivery-${formatDeliveryRef(delivery)}@beacon.example`, at: new Date('2026-03-03T09:00:00Z') }) })
      const [row] = await t.db.query<{ opened_at: Date }>(`select opened_at from msg_deliveries where message_id = $1 and subscriber_id = $2 and channel = $3`, [
        messageId,
        delivery.subscriberId,
        delivery.channel,
      ])
      expect(new Date(row!.opened_at).toISOString()).toBe(opened.toISOString())
      expect((await post({ signature: mailgunSignature(), ...mailgunOpened({ messageId: `delivery-${formatDeliveryRef(smsDelivery)}@beacon.example`, at: opened }) })).json()).toMatchObject({ status: 'ignored' })
      expect((await post({ signature: mailgunSignature(), ...mailgunOpened({ messageId: '<20260302@mail.example.com>', at: opened }) })).json()).toMatchObject({ status: 'ignored' })
      const delivered = mailgunOpened({ messageId: `delivery-${formatDeliveryRef(delivery)}@beacon.example`, at: opened })
      delivered['event-data'].event = 'delivered'
      expect((await post({ signature: mailgunSignature(), ...delivered })).json()).toMatchObject({ status: 'ignored' })
      expect((await post({ signature: { timestamp: '1', token: 'x', signature: 'y' }, ...mailgunOpened({ messageId: `delivery-${formatDeliveryRef(delivery)}@x`, at: opened }) })).statusCode).toBe(401)
      const report = await t.services.messaging.stats.messageReport({ userId: 'x', paths: ['/test-force/'] }, messageId)
      expect(report!.message.opened).toBe(1)
      expect(report!.byChannel.map(c => c.opened)).toEqual([1, null])
    })
  })

  it('answers 404 for an adapter that is not configured', async () => {
    const bare = await createTestApp()
    try {
      const mp = multipartBody({ from: 'a@b', text: 'x' })
      expect((await bare.app.inject({ method: 'POST', url: `/webhooks/inbound/sendgrid/${SENDGRID_TOKEN}`, payload: mp.body, headers: { 'content-type': mp.contentType } })).statusCode).toBe(404)
      expect((await bare.app.inject({ method: 'POST', url: '/webhooks/inbound/mailgun', payload: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).statusCode).toBe(404)
      expect((await bare.app.inject({ method: 'POST', url: '/webhooks/mailgun/events', payload: {} })).statusCode).toBe(404)
    } finally {
      await bare.close()
    }
  })
})
