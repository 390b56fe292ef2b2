import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../../../test/helpers.ts'
import { seedTestAreas } from '../../../../platform/auth/testing.ts'
import { addDelivery, addMessage, addSubscriber } from '../../fixtures.testing.ts'
import { replyAddress, signInbound } from '../../inbound-email.ts'
import type { DeliveryRef } from '../../delivery-ref.ts'

describe('POST /webhooks/inbound-email', () => {
  let t: TestApp
  let delivery: DeliveryRef, messageId: string

  beforeAll(async () => {
    t = await createTestApp()
    await seedTestAreas(t.db)
    const ann = await addSubscriber(t.db, { email: 'ann@example.com', places: ['ashbyNorth'] })
    messageId = await addMessage(t.db, { title: 'Appeal', area: 'ashbyNorth' })
    delivery = await addDelivery(t.db, { messageId, subscriberId: ann, channel: 'email', status: 'sent' })
  })
  afterAll(async () => t.close())

  const post = (body: string, headers: Record<string, string>) =>
    t.app.inject({ method: 'POST', url: '/webhooks/inbound-email', payload: body, headers: { 'content-type': 'application/json', ...headers } })
  const signed = (body: string, secret = t.config.sessionSecret) => {
    const ts = Math.floor(Date.now() / 1000)
    return { 'x-beacon-timestamp': String(ts), 'x-beacon-signature': signInbound(secret, ts, body) }
  }

  it('stores a signed reply in the inbox, with no CSRF token or session', async () => {
    const body = JSON.stringify({ from: 'Ann <ann@example.com>', to: replyAddress(t.config, delivery), subject: 'Re: Appeal', text: 'I saw him\n> quoted' })
    const res = await post(body, signed(body))
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ status: 'stored', duplicate: false })
    const rows = await t.db.query(`select message_id, via, body from msg_replies`)
    expect(rows).toEqual([{ message_id: messageId, via: 'email', body: 'I saw him' }])
  })

  it('says why it refused, without storing anything', async () => {
    const body = JSON.stringify({ from: 'eve@example.com', to: replyAddress(t.config, delivery), text: 'Hi' })
    expect((await post(body, signed(body))).json()).toEqual({ status: 'refused', reason: 'unknown-sender' })
    expect((await t.db.query(`select 1 from msg_replies`)).length).toBe(1)
  })

  it('refuses unsigned, wrongly signed and malformed posts', async () => {
    const body = JSON.stringify({ from: 'ann@example.com', to: replyAddress(t.config, delivery), text: 'Forged' })
    expect((await post(body, {})).statusCode).toBe(401)
    expect((await post(body, signed(body, 'not-the-secret-not-the-secret-not-the'))).statusCode).toBe(401)
    expect((await post(body, signed(body.replace('Forged', 'Changed')))).statusCode).toBe(401)
    expect((await post('{not json', signed('{not json'))).statusCode).toBe(400)
    expect((await post('{"from":1}', signed('{"from":1}'))).statusCode).toBe(400)
    expect((await t.db.query(`select 1 from msg_replies`)).length).toBe(1)
  })
})
