import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../../test/helpers.ts'
import { clickLink, signLink, verifyLink, type LinkClaims } from '../links.ts'
import { renderEmail } from '../render.ts'
import { formatDeliveryRef, type DeliveryRef } from '../delivery-ref.ts'

describe('click tracking for links in message bodies', () => {
  let t: TestApp
  let delivery: DeliveryRef
  let messageId: string
  beforeAll(async () => {
    t = await createTestApp()
    const [m] = await t.db.query<{ id: string; ref: string }>(
      `insert into msg_messages (title, body_markdown, category, area_id, area_path) values ('T', 'B', 'appeals', 'x', '/x/') returning id, ref::text`,
    )
    messageId = m!.id
    const [d] = await t.db.query<{ subscriber_id: string }>(
      `insert into msg_deliveries (message_id, subscriber_id, channel, priority, status) values ($1, gen_random_uuid(), 'email', 2, 'sent') returning subscriber_id`,
      [messageId],
    )
    delivery = { messageRef: m!.ref, subscriberId: d!.subscriber_id, channel: 'email' }
  })
  afterAll(async () => t.close())

  const clickedAt = async (ref: DeliveryRef) =>
    (
      await t.db.query<{ clicked_at: Date | null }>('select clicked_at from msg_deliveries where message_id = $1 and subscriber_id = $2 and channel = $3', [
        messageId,
        ref.subscriberId,
        ref.channel,
      ])
    )[0]!.clicked_at

  it('rewrites web links in the body (not mailto, not the footer links) when a delivery is given', () => {
    const message = {
      id: 'm-1',
      title: 'Appeal',
      bodyMarkdown: 'See [the appeal](https://police.example/appeal?a=1&b=2) or [email us](mailto:tips@police.example).',
      organisation: 'force' as const,
      allowReplies: true,
      priority: 'high' as const,
    }
    const who = { id: '0f8e2d9a-5b1c-4e7a-9c3d-2a1b0c9d8e7f', linkVersion: 1, email: 'r@example.org' }
    const plain = renderEmail(t.config, message, null, who)
    expect(plain.html).toContain('href="https://police.example/appeal?a=1&amp;b=2"')
    const tracking: DeliveryRef = { messageRef: '42', subscriberId: who.id, channel: 'email' }
    const tracked = renderEmail(t.config, message, null, who, { delivery: tracking })
    expect(tracked.html).not.toContain('href="https://police.example/appeal')
    expect(tracked.html).toMatch(/href="http:\/\/localhost:3000\/alerts\/c\/[^"]+"[^>]*>the appeal</)
    // The link names the delivery by its reference, and goes on to the real address.
    const token = /href="http:\/\/localhost:3000\/alerts\/c\/([^"]+)"[^>]*>the appeal</.exec(tracked.html ?? '')![1]!
    const check = verifyLink(t.config, token, 'click')
    expect(check.ok && check.claims).toMatchObject({ delivery: '42-0f8e2d9a5b1c4e7a9c3d2a1b0c9d8e7f-e', url: 'https://police.example/appeal?a=1&b=2' })
    expect(tracked.html).toContain('href="mailto:tips@police.example"')
    expect(tracked.html).toMatch(/\/alerts\/manage\//)
    // The plain-text part keeps the real address: it is what a reader sees and copies.
    expect(tracked.text).toContain('https://police.example/appeal?a=1&b=2')
  })

  it('counts the first click on the delivery and goes on to the address', async () => {
    const link = clickLink(t.config, delivery, 'https://police.example/appeal?a=1&b=2')
    const path = new URL(link).pathname
    const first = await t.app.inject(path)
    expect(first.statusCode).toBe(302)
    expect(first.headers.location).toBe('https://police.example/appeal?a=1&b=2')
    const clicked = await clickedAt(delivery)
    expect(clicked).toBeInstanceOf(Date)
    await t.app.inject(path)
    const again = await clickedAt(delivery)
    expect(again!.getTime()).toBe(clicked!.getTime())
  })

  it('still goes on to the address for a link that names no delivery (or an old numeric one), counting nothing', async () => {
    const [other] = await t.db.query<{ subscriber_id: string }>(
      `insert into msg_deliveries (message_id, subscriber_id, channel, priority, status) values ($1, gen_random_uuid(), 'email', 2, 'sent') returning subscriber_id`,
      [messageId],
    )
    const clicks = async () =>
      (await t.db.query<{ n: number }>(`select count(*)::int as n from msg_deliveries where clicked_at is not null`))[0]!.n
    const before = await clicks()
    const bare = signLink(t.config, { purpose: 'click', subscriberId: '', linkVersion: 0, url: 'https://police.example/bare' })
    const res = await t.app.inject(`/alerts/c/${bare}`)
    expect(res.statusCode).toBe(302)
    expect(res.headers.location).toBe('https://police.example/bare')
    // A link sent before migration 0010 carried a numeric delivery id.
    const old = signLink(t.config, { purpose: 'click', subscriberId: '', linkVersion: 0, deliveryId: 1, url: 'https://police.example/old' } as LinkClaims)
    const oldRes = await t.app.inject(`/alerts/c/${old}`)
    expect(oldRes.statusCode).toBe(302)
    expect(oldRes.headers.location).toBe('https://police.example/old')
    expect(await clicks()).toBe(before)
    expect(await clickedAt({ messageRef: delivery.messageRef, subscriberId: other!.subscriber_id, channel: 'email' })).toBeNull()
  })

  it('refuses forged links and links to anything but a web address', async () => {
    const forged = new URL(clickLink(t.config, delivery, 'https://police.example/')).pathname.slice(0, -3) + 'AAA'
    expect((await t.app.inject(forged)).statusCode).toBe(404)
    const js = signLink(t.config, { purpose: 'click', subscriberId: '', linkVersion: 0, delivery: formatDeliveryRef(delivery), url: 'javascript:alert(1)' })
    expect((await t.app.inject(`/alerts/c/${js}`)).statusCode).toBe(404)
    const manage = signLink(t.config, { purpose: 'manage', subscriberId: '', linkVersion: 0 })
    expect((await t.app.inject(`/alerts/c/${manage}`)).statusCode).toBe(404)
  })
})
