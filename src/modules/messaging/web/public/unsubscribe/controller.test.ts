import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../../../../test/helpers.ts'
import { demoExamples, loadDemoArea } from '../../../../areas/demo.ts'
import { messageLinks } from '../../../links.ts'
import { heading } from '../testing.ts'

const SEED = 2026
const ex = demoExamples(SEED)

describe('unsubscribing from a message (RFC 8058 one-click)', () => {
  let t: TestApp
  const messageId = '00000000-0000-4000-8000-0000000000aa'
  beforeAll(async () => {
    t = await createTestApp()
    await loadDemoArea(t.db, SEED, t.services.areas)
  })
  afterAll(async () => t.close())

  const resident = (email: string) =>
    t.services.messaging.subscribers.createConfirmedSubscriber({
      email,
      phone: null,
      postcode: ex.postcodes[0]!.postcode,
      interests: ['appeals'],
      organisations: ['force'],
    })
  const unsubscribePath = (s: { id: string; linkVersion: number }, channel: 'email' | 'sms' = 'email') =>
    new URL(messageLinks(t.config, s, messageId, channel).unsubscribe).pathname

  it('asks first on GET, offering to manage preferences instead, and changes nothing', async () => {
    const s = await resident('ask@example.org')
    const res = await t.app.inject(unsubscribePath(s))
    expect(res.statusCode).toBe(200)
    expect(heading(res.body)).toBe('Stop email alerts?')
    expect(res.body).toContain('href="/alerts/manage/')
    expect((await t.services.messaging.subscribers.getSubscriber(s.id))!.emailConfirmedAt).not.toBeNull()
  })

  it('unsubscribes on a one-click POST from a mail client: no cookies, no CSRF token', async () => {
    const s = await resident('oneclick@example.org')
    const res = await t.app.inject({
      method: 'POST',
      url: unsubscribePath(s),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    })
    expect(res.statusCode).toBe(200)
    expect(heading(res.body)).toBe('You have unsubscribed')
    const after = (await t.services.messaging.subscribers.getSubscriber(s.id))!
    expect(after.emailConfirmedAt).toBeNull()
    expect(after.email).toBe('oneclick@example.org')
    const events = await t.db.query(`select event, channel, area_id from msg_membership_events where message_id = $1`, [messageId])
    expect(events).toEqual([{ event: 'unsubscribed', channel: 'email', area_id: ex.postcodes[0]!.neighbourhoodId }])
    // A repeat (mail clients retry) is harmless and not counted twice.
    const again = await t.app.inject({ method: 'POST', url: unsubscribePath(s), headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' })
    expect(again.statusCode).toBe(200)
    expect(await t.db.query(`select 1 from msg_membership_events where message_id = $1`, [messageId])).toHaveLength(1)
  })

  it('also takes a multipart one-click POST and an empty POST from the confirm page', async () => {
    const s = await resident('multipart@example.org')
    const boundary = 'x-beacon-test'
    const res = await t.app.inject({
      method: 'POST',
      url: unsubscribePath(s),
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`,
    })
    expect(res.statusCode).toBe(200)
    expect((await t.services.messaging.subscribers.getSubscriber(s.id))!.emailConfirmedAt).toBeNull()
    const other = await resident('button@example.org')
    const button = await t.app.inject({ method: 'POST', url: unsubscribePath(other), headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' })
    expect(button.statusCode).toBe(200)
  })

  it('refuses a forged token with a clear page and changes nothing', async () => {
    const s = await resident('forged@example.org')
    const path = unsubscribePath(s)
    const forged = `${path.slice(0, -3)}abc`
    const res = await t.app.inject({ method: 'POST', url: forged, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' })
    expect(res.statusCode).toBe(404)
    expect(heading(res.body)).toBe('This link is not valid')
    expect((await t.services.messaging.subscribers.getSubscriber(s.id))!.emailConfirmedAt).not.toBeNull()
  })

  it('limits one-click posts per link, not per address, so a mail provider can unsubscribe many people', async () => {
    const oneClick = (url: string) =>
      t.app.inject({ method: 'POST', url, remoteAddress: '203.0.113.9', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' })
    const people = await Promise.all(Array.from({ length: 12 }, (_, i) => resident(`provider${i}@example.org`)))
    for (const p of people) expect((await oneClick(unsubscribePath(p))).statusCode).toBe(200)
    const statuses: number[] = []
    for (let i = 0; i < 12; i++) statuses.push((await oneClick(unsubscribePath(people[0]!))).statusCode)
    expect(statuses).toContain(429)
  })
})
