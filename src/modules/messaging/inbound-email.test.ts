import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../../test/helpers.ts'
import { testConfig } from '../../config.ts'
import type { Database } from '../../platform/db/client.ts'
import { seedTestAreas } from '../../platform/auth/testing.ts'
import { addDelivery, addMessage, addSubscriber, messagingDeps } from './fixtures.testing.ts'
import {
  addressList,
  basicAuthPassword,
  createInboundEmail,
  createMailgunVerifier,
  deliveryRefFromMessageId,
  fromMailgun,
  fromSendGrid,
  parseHeaderBlock,
  replyAddress,
  replyHeaders,
  sameSecret,
  signInbound,
  signMailgun,
  stripQuoted,
  verifyInbound,
} from './inbound-email.ts'
import { mailgunReply, sendGridReply } from './web/webhooks/fixtures.testing.ts'
import { signLink } from './links.ts'
import { formatDeliveryRef, type DeliveryRef } from './delivery-ref.ts'

const config = testConfig()

describe('stripQuoted', () => {
  it('keeps what the resident wrote above the quoted message', () => {
    expect(stripQuoted('Yes, a white van.\r\n\r\nOn Mon, 2 Mar 2026, Police wrote:\r\n> Did you see')).toBe('Yes, a white van.')
    expect(stripQuoted('Thanks\n> quoted\nmore')).toBe('Thanks')
    expect(stripQuoted('Hi\n-----Original Message-----\nFrom: x')).toBe('Hi')
    expect(stripQuoted('> only quoted')).toBe('')
  })
})

const RESIDENT = '0f8e2d9a-5b1c-4e7a-9c3d-2a1b0c9d8e7f'
const RESIDENT_HEX = '0f8e2d9a5b1c4e7a9c3d2a1b0c9d8e7f'

describe('replyHeaders', () => {
  it('names the delivery in the Message-ID, and gives a Reply-To only when replies are allowed', () => {
    const ref: DeliveryRef = { messageRef: '42', subscriberId: RESIDENT, channel: 'email' }
    const messageId = `<delivery-42-${RESIDENT_HEX}-e@beacon.example>`
    expect(replyHeaders(config, ref, true)).toEqual({ 'Message-ID': messageId, 'Reply-To': replyAddress(config, ref) })
    expect(replyHeaders(config, ref, false)).toEqual({ 'Message-ID': messageId })
  })
})

describe('replyAddress', () => {
  it('fits the 64-character limit on the local part while message numbers have 8 digits', () => {
    const to = replyAddress(config, { messageRef: '99999999', subscriberId: RESIDENT })
    expect(to).toMatch(new RegExp(`^reply\\+99999999\\.${RESIDENT_HEX}\\.[0-9a-f]{16}@beacon\\.example$`))
    expect(to.split('@')[0]!.length).toBeLessThanOrEqual(64)
  })
})

describe('inbound webhook signature', () => {
  it('accepts the shared-secret signature within five minutes, and nothing else', () => {
    const at = new Date('2026-03-02T10:00:00Z')
    const ts = Math.floor(at.getTime() / 1000)
    const sig = signInbound(config.sessionSecret, ts, '{"a":1}')
    expect(verifyInbound(config.sessionSecret, String(ts), sig, '{"a":1}', at)).toBe(true)
    expect(verifyInbound(config.sessionSecret, String(ts), sig, '{"a":2}', at)).toBe(false)
    expect(verifyInbound('another-secret-another-secret-another', String(ts), sig, '{"a":1}', at)).toBe(false)
    expect(verifyInbound(config.sessionSecret, String(ts), sig, '{"a":1}', new Date(at.getTime() + 301_000))).toBe(false)
    expect(verifyInbound(config.sessionSecret, undefined, sig, '{"a":1}', at)).toBe(false)
  })
})

describe('recordInboundEmail', () => {
  let db: Database
  let inbound: ReturnType<typeof createInboundEmail>
  let ann: string, bob: string, open: string, closed: string, delivery: DeliveryRef, closedDelivery: DeliveryRef, bobDelivery: DeliveryRef
  const at = new Date('2026-03-02T10:00:00Z')

  beforeAll(async () => {
    db = await createTestDatabase()
    await seedTestAreas(db)
    inbound = createInboundEmail(await messagingDeps(db, () => at))
    ann = await addSubscriber(db, { email: 'ann@example.com', places: ['ashbyNorth'] })
    bob = await addSubscriber(db, { email: 'bob@example.com', places: ['southTown'] })
    open = await addMessage(db, { title: 'Open appeal', area: 'ashbyNorth' })
    closed = await addMessage(db, { title: 'No replies please', area: 'ashbyNorth', allowReplies: false })
    delivery = await addDelivery(db, { messageId: open, subscriberId: ann, channel: 'email', status: 'sent' })
    closedDelivery = await addDelivery(db, { messageId: closed, subscriberId: ann, channel: 'email', status: 'sent' })
    bobDelivery = await addDelivery(db, { messageId: open, subscriberId: bob, channel: 'email', status: 'sent' })
  })
  afterAll(async () => db.close())

  it('matches by the compact reply address (even lower-cased) and stores the reply', async () => {
    const to = replyAddress(config, delivery)
    expect(to).toMatch(/^reply\+\d+\.[0-9a-f]{32}\.[0-9a-f]{16}@beacon\.example$/)
    expect(to.split('@')[0]!.length).toBeLessThanOrEqual(64)
    const res = await inbound.recordInboundEmail({ from: 'Ann <ANN@example.com>', to: to.toUpperCase(), text: 'I saw him.\n\nOn Monday Police wrote:\n> Open appeal' })
    expect(res).toMatchObject({ ok: true, messageId: open, duplicate: false })
    const [r] = await db.query(`select message_id, subscriber_id, via, body, answer_channel, area_path, status from msg_replies where id = $1`, [
      res.ok ? res.replyId : '',
    ])
    expect(r).toEqual({ message_id: open, subscriber_id: ann, via: 'email', body: 'I saw him.', answer_channel: 'email', area_path: '/test-force/north/n01/', status: 'new' })
    // The provider sending the same email again does not make a second reply.
    const again = await inbound.recordInboundEmail({ from: 'ann@example.com', to, text: 'I saw him.' })
    expect(again).toMatchObject({ ok: true, duplicate: true })
    expect((await db.query(`select 1 from msg_replies`)).length).toBe(1)
  })

  it('matches by In-Reply-To or References naming the delivery', async () => {
    const res = await inbound.recordInboundEmail({
      from: 'ann@example.com',
      to: 'alerts@beacon.example',
      text: 'Second thought',
      headers: { References: '<other@x> <delivery-' + formatDeliveryRef(delivery) + '@beacon.example>' },
    })
    expect(res).toMatchObject({ ok: true, messageId: open })
    const viaInReplyTo = await inbound.recordInboundEmail({ from: 'ann@example.com', to: 'alerts@beacon.example', text: 'Third', inReplyTo: `<delivery-${formatDeliveryRef(delivery)}@beacon.example>` })
    expect(viaInReplyTo).toMatchObject({ ok: true, messageId: open })
  })

  it('matches by a signed reply link token, honouring revocation', async () => {
    const token = signLink(config, { purpose: 'reply', subscriberId: ann, linkVersion: 1, messageId: open })
    expect(await inbound.recordInboundEmail({ from: 'ann@example.com', to: `reply+${token}@beacon.example`, text: 'By token' })).toMatchObject({ ok: true })
    await db.query(`update msg_subscribers set link_version = 2 where id = $1`, [ann])
    expect(await inbound.recordInboundEmail({ from: 'ann@example.com', to: `reply+${token}@beacon.example`, text: 'Revoked' })).toEqual({ ok: false, reason: 'no-match' })
    await db.query(`update msg_subscribers set link_version = 1 where id = $1`, [ann])
  })

  it('refuses forged tokens, strangers, closed messages and empty replies', async () => {
    const address = replyAddress(config, delivery)
    const forged = address.replace(/[0-9a-f]{4}@/, m => (m === '0000@' ? '1111@' : '0000@'))
    expect(forged).not.toBe(address)
    expect(await inbound.recordInboundEmail({ from: 'ann@example.com', to: forged, text: 'x' })).toEqual({ ok: false, reason: 'no-match' })
    // Ann's signature does not carry over to another resident's delivery of the same message.
    const moved = address.replace(ann.replaceAll('-', ''), bob.replaceAll('-', ''))
    expect(moved).not.toBe(address)
    expect(await inbound.recordInboundEmail({ from: 'bob@example.com', to: moved, text: 'x' })).toEqual({ ok: false, reason: 'no-match' })
    expect(await inbound.recordInboundEmail({ from: 'ann@example.com', to: 'alerts@beacon.example', text: 'x' })).toEqual({ ok: false, reason: 'no-match' })
    // Bob's delivery, sent from Ann's address (or a stranger's), is not accepted.
    expect(await inbound.recordInboundEmail({ from: 'ann@example.com', to: replyAddress(config, bobDelivery), text: 'x' })).toEqual({ ok: false, reason: 'unknown-sender' })
    expect(await inbound.recordInboundEmail({ from: 'eve@example.com', inReplyTo: `<delivery-${formatDeliveryRef(delivery)}@x>`, to: 'a@b', text: 'x' })).toEqual({ ok: false, reason: 'unknown-sender' })
    expect(await inbound.recordInboundEmail({ from: 'ann@example.com', to: replyAddress(config, closedDelivery), text: 'x' })).toEqual({ ok: false, reason: 'replies-closed' })
    expect(await inbound.recordInboundEmail({ from: 'ann@example.com', to: replyAddress(config, delivery), text: '> just quoted' })).toEqual({ ok: false, reason: 'empty' })
  })
})

describe('provider adapters', () => {
  it('reads SendGrid Inbound Parse: envelope and To addresses, threading headers from the raw block', () => {
    const email = fromSendGrid(
      sendGridReply({ from: 'Ann Example <ann@example.com>', to: '"Demo Shire Police" <reply+12.00ff@beacon.example>', text: 'Yes\n\nOn Mon wrote:\n> Appeal', inReplyTo: '<delivery-12@beacon.example>' }),
    )!
    expect(email.from).toBe('Ann Example <ann@example.com>')
    expect(email.to).toEqual(['reply+12.00ff@beacon.example', '"Demo Shire Police" <reply+12.00ff@beacon.example>'])
    expect(email.inReplyTo).toBe('<delivery-12@beacon.example>')
    expect(email.references).toBe('<delivery-12@beacon.example>')
    expect(email.text).toBe('Yes\n\nOn Mon wrote:\n> Appeal')
    // Folded header lines are joined.
    expect(email.headers!['dkim-signature']).toContain('d=example.com; s=20150623;')
    expect(email.headers!.received).toContain('for <"Demo Shire Police" <reply+12.00ff@beacon.example>>')
    // Only HTML: text is made from it, without the quoted message.
    const htmlOnly = fromSendGrid({ ...sendGridReply({ from: 'ann@example.com', to: 'x@y', text: '' }), html: '<div>I saw <b>two</b> men&nbsp;there<br>at 2am</div><blockquote>Original appeal</blockquote>' })!
    expect(htmlOnly.text).toBe('I saw two men there\nat 2am')
    // The raw MIME format is not read.
    expect(fromSendGrid({ email: 'From: ann@example.com\r\n\r\nHi', to: 'x@y' })).toBeNull()
  })

  it('reads a Mailgun route forward: recipient, stripped text, headers from message-headers', () => {
    const fields = mailgunReply({ from: 'Ann <ann@example.com>', recipient: 'reply+12.00ff@beacon.example', bodyPlain: 'A white van.\n\nOn Mon, Police wrote:\n> Appeal', inReplyTo: '<delivery-12@beacon.example>' })
    const email = fromMailgun(fields)!
    expect(email).toMatchObject({ from: 'Ann <ann@example.com>', text: 'A white van.', inReplyTo: '<delivery-12@beacon.example>', references: '<delivery-12@beacon.example>' })
    expect(email.to).toEqual(['reply+12.00ff@beacon.example', 'reply+12.00ff@beacon.example'])
    expect(email.headers!['x-mailgun-incoming']).toBe('Yes')
    // Without the top-level header fields, message-headers still carries In-Reply-To.
    const { 'In-Reply-To': _a, References: _b, ...bare } = fields
    expect(fromMailgun(bare)!.inReplyTo).toBe('<delivery-12@beacon.example>')
    expect(fromMailgun({ recipient: 'x@y' })).toBeNull()
  })

  it('checks Mailgun signatures: right key, five-minute window, each token once', () => {
    const verify = createMailgunVerifier('key-test-signing-key')
    const at = new Date('2026-03-02T10:00:00Z')
    const ts = String(Math.floor(at.getTime() / 1000))
    const token = 'a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0'
    const signature = signMailgun('key-test-signing-key', ts, token)
    expect(signature).toMatch(/^[0-9a-f]{64}$/)
    expect(verify({ timestamp: ts, token, signature: signMailgun('another-key-xxxxxx', ts, token) }, at)).toBe('bad-signature')
    expect(verify({ timestamp: ts, token: token + 'x', signature }, at)).toBe('bad-signature')
    expect(verify({ timestamp: ts, token }, at)).toBe('bad-signature')
    expect(verify({ timestamp: ts, token, signature }, new Date(at.getTime() + 301_000))).toBe('stale')
    expect(verify({ timestamp: ts, token, signature }, at)).toBe('ok')
    expect(verify({ timestamp: ts, token, signature }, at)).toBe('replayed')
  })

  it('splits address lists, reads basic auth and finds deliveries in Message-IDs', () => {
    expect(addressList('Ann <a@x>, "Smith, Bob" <b@y>,c@z')).toEqual(['Ann <a@x>', '"Smith, Bob" <b@y>', 'c@z'])
    expect(parseHeaderBlock('In-Reply-To: <a@b>\r\nReferences: <x@y>\r\n <z@w>\r\n')).toEqual({ 'in-reply-to': '<a@b>', references: '<x@y> <z@w>' })
    expect(basicAuthPassword(`Basic ${Buffer.from('beacon:s3cret:with:colons').toString('base64')}`)).toBe('s3cret:with:colons')
    expect(basicAuthPassword('Bearer x')).toBeUndefined()
    expect(sameSecret('abc', 'abc')).toBe(true)
    expect(sameSecret('abd', 'abc')).toBe(false)
    expect(sameSecret(undefined, 'abc')).toBe(false)
    const ref: DeliveryRef = { messageRef: '42', subscriberId: RESIDENT, channel: 'email' }
    expect(deliveryRefFromMessageId(`delivery-42-${RESIDENT_HEX}-e@beacon.example`)).toEqual(ref)
    expect(deliveryRefFromMessageId(`<delivery-42-${RESIDENT_HEX}-e@beacon.example>`)).toEqual(ref)
    expect(deliveryRefFromMessageId(`<delivery-42-${RESIDENT_HEX}-s@beacon.example>`)).toEqual({ ...ref, channel: 'sms' })
    expect(deliveryRefFromMessageId('<CAGUmVPh@mail.example.com>')).toBeNull()
    // A Message-ID sent before migration 0010 named a numeric delivery id that no longer exists.
    expect(deliveryRefFromMessageId('<delivery-42@beacon.example>')).toBeNull()
    expect(deliveryRefFromMessageId(undefined)).toBeNull()
  })
})
