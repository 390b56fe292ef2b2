import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../../test/helpers.ts'
import { clickLink, signLink } from '../links.ts'
import { renderEmail } from '../render.ts'

describe('click tracking for links in message bodies', () => {
  let t: TestApp
  let deliveryId: number
  beforeAll(async () => {
    t = await createTestApp()
    const [m] = await t.db.query<{ id: string }>(
      `insert into msg_messages (title, body_markdown, category, area_id, area_path) values ('T', 'B', 'appeals', 'x', '/x/') returning id`,
    )
    const [d] = await t.db.query<{ id: number }>(
      `insert into msg_deliveries (message_id, subscriber_id, channel, priority, status) values ($1, gen_random_uuid(), 'email', 2, 'sent') returning id`,
      [m!.id],
    )
    deliveryId = Number(d!.id)
  })
  afterAll(async () => t.close())

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
    const tracked = renderEmail(t.config, message, null, who, { deliveryId: 42 })
    expect(tracked.html).not.toContain('href="https://police.example/appeal')
    expect(tracked.html).toMatch(/href="http:\/\/localhost:3000\/alerts\/c\/[^"]+"[^>]*>the appeal</)
    expect(tracked.html).toContain('href="mailto:tips@police.example"')
    expect(tracked.html).toMatch(/\/alerts\/manage\//)
    // The plain-text part keeps the real address: it is what a reader sees and copies.
    expect(tracked.text).toContain('https://police.example/appeal?a=1&b=2')
  })

  it('counts the first click on the delivery and goes on to the address', async () => {
    const link = clickLink(t.config, deliveryId, 'https://police.example/appeal?a=1&b=2')
    const path = new URL(link).pathname
    const first = await t.app.inject(path)
    expect(first.statusCode).toBe(302)
    expect(first.headers.location).toBe('https://police.example/appeal?a=1&b=2')
    const [row] = await t.db.query<{ clicked_at: Date | null }>('select clicked_at from msg_deliveries where id = $1', [deliveryId])
    expect(row!.clicked_at).toBeInstanceOf(Date)
    await t.app.inject(path)
    const [again] = await t.db.query<{ clicked_at: Date }>('select clicked_at from msg_deliveries where id = $1', [deliveryId])
    expect(again!.clicked_at.getTime()).toBe(row!.clicked_at!.getTime())
  })

  it('refuses forged links and links to anything but a web address', async () => {
    const forged = new URL(clickLink(t.config, deliveryId, 'https://police.example/')).pathname.slice(0, -3) + 'AAA'
    expect((await t.app.inject(forged)).statusCode).toBe(404)
    const js = signLink(t.config, { purpose: 'click', subscriberId: '', linkVersion: 0, deliveryId, url: 'javascript:alert(1)' })
    expect((await t.app.inject(`/alerts/c/${js}`)).statusCode).toBe(404)
    const manage = signLink(t.config, { purpose: 'manage', subscriberId: '', linkVersion: 0 })
    expect((await t.app.inject(`/alerts/c/${manage}`)).statusCode).toBe(404)
  })
})
