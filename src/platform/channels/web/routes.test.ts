import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Browser, createTestApp, type TestApp } from '../../../../test/helpers.ts'
import { createTestStaff, seedTestAreas, setupKeyFrom, totpCode, TEST_PASSWORD } from '../../auth/testing.ts'
import type { DeliveryReceipt } from '../types.ts'
import { onDeliveryReceipt } from '../receipts.ts'

const CALLBACK_TOKEN = 'notify-callback-token-0123456789'

/** Signs in through the real pages: password, then setting up the authenticator administrators need. */
async function signIn(t: TestApp, email: string): Promise<Browser> {
  const b = new Browser(t.app)
  const res = await b.submit('/staff/sign-in', { email, password: TEST_PASSWORD })
  expect(res.statusCode).toBe(303)
  if (res.headers.location === '/staff/two-factor/setup') {
    const setup = await b.get('/staff/two-factor/setup')
    const done = await b.submit('/staff/two-factor/setup', { code: totpCode(setupKeyFrom(setup.body)) })
    expect(done.statusCode).toBe(303)
  }
  return b
}

describe('outbox pages', () => {
  let t: TestApp
  let admin: Browser
  let officer: Browser
  let ids: string[]

  beforeAll(async () => {
    t = await createTestApp({ env: { NOTIFY_CALLBACK_TOKEN: CALLBACK_TOKEN } })
    await seedTestAreas(t.db)
    await createTestStaff(t.services, 'admin@police.example', [['administrator', 'test-force']])
    await createTestStaff(t.services, 'officer@police.example', [['neighbourhood_officer', 'test-n01']])
    ids = []
    for (const [i, to] of ['ann@example.org', 'bob@example.org', 'ann.other@example.org'].entries()) {
      const r = await t.services.channels.email.sendEmail({
        to,
        subject: `Alert ${i}`,
        text: `Line one for ${to}\nLine two`,
        html: `<p onclick="steal()">Hello <script>alert(1)</script></p>`,
        headers: { 'List-Unsubscribe': `<https://beacon.example/u/${i}>` },
        reference: `ref-${i}`,
      })
      ids.push(r.providerId)
      // Distinct timestamps so "newest first" is well defined.
      await t.db.query(`update outbox_messages set created_at = now() - ($2 || ' minutes')::interval where id = $1`, [r.providerId, String(10 - i)])
    }
    await t.services.channels.sms.sendSms({ to: '07700900123', text: 'Meeting at 7pm' })
    admin = await signIn(t, 'admin@police.example')
    officer = await signIn(t, 'officer@police.example')
  })
  afterAll(async () => t.close())

  it('sends people who are not signed in to sign in', async () => {
    const res = await new Browser(t.app).get('/staff/outbox')
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toContain('/staff/sign-in')
  })

  it('is for administrators only', async () => {
    expect((await officer.get('/staff/outbox')).statusCode).toBe(403)
    expect((await officer.get(`/staff/outbox/${ids[0]}`)).statusCode).toBe(403)
  })

  it('lists messages newest first with recipient, type and subject', async () => {
    const res = await admin.get('/staff/outbox')
    expect(res.statusCode).toBe(200)
    const order = ['>Text message<span', '>Alert 2<span', '>Alert 1<span', '>Alert 0<span'].map(s => res.body.indexOf(s))
    expect(order.every(i => i > 0)).toBe(true)
    expect([...order].sort((a, b) => a - b)).toEqual(order)
    expect(res.body).toContain('07700900123')
    expect(res.body).toContain('bob@example.org')
    expect(res.body).toContain('4 messages')
  })

  it('filters by recipient and records the search in the audit log', async () => {
    const res = await admin.get('/staff/outbox?recipient=ANN')
    expect(res.body).toContain('ann@example.org')
    expect(res.body).toContain('ann.other@example.org')
    expect(res.body).not.toContain('bob@example.org')
    expect(res.body).toContain('2 messages')
    const { rows } = await t.services.audit.search({ entityType: 'outbox_message', text: 'ANN' })
    expect(rows[0]).toMatchObject({ action: 'view', actor_email: 'admin@police.example' })
  })

  it('treats LIKE wildcards in the filter as plain characters', async () => {
    const res = await admin.get('/staff/outbox?recipient=%25')
    expect(res.body).toContain('No messages to recipients containing')
  })

  it('shows one message with its text, headers and escaped HTML source, and audits the view', async () => {
    const res = await admin.get(`/staff/outbox/${ids[0]}`)
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('Alert 0')
    expect(res.body).toContain('Line one for ann@example.org<br />\nLine two')
    expect(res.body).toContain('List-Unsubscribe')
    expect(res.body).toContain('&lt;https://beacon.example/u/0&gt;')
    expect(res.body).toContain('ref-0')
    // The message's markup is shown as text, never run.
    expect(res.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(res.body).not.toContain('<script>alert(1)</script>')
    expect(res.body).not.toContain('<p onclick')
    const { rows } = await t.services.audit.search({ entityType: 'outbox_message', action: 'view' })
    expect(rows.some(r => r.entity_id === ids[0] && r.actor_email === 'admin@police.example')).toBe(true)
  })

  it('answers 404 for an unknown or malformed id', async () => {
    expect((await admin.get('/staff/outbox/00000000-0000-0000-0000-000000000000')).statusCode).toBe(404)
    expect((await admin.get('/staff/outbox/not-a-uuid')).statusCode).toBe(404)
  })

  it('pages through many messages', async () => {
    for (let i = 0; i < 55; i++) await t.services.channels.sms.sendSms({ to: `0770090${String(i).padStart(4, '0')}`, text: 'x' })
    const first = await admin.get('/staff/outbox')
    expect(first.body).toContain('Page 1 of 2')
    expect(first.body).toContain('href="/staff/outbox?page=2"')
    const second = await admin.get('/staff/outbox?page=2')
    expect(second.body).toContain('Page 2 of 2')
    expect(second.body).toContain('Alert 0')
  })
})

describe('GOV.UK Notify delivery receipts webhook', () => {
  let t: TestApp
  const heard: DeliveryReceipt[] = []
  const receipt = (over: Record<string, unknown> = {}) => ({
    id: 'a1b2c3d4-0000-4000-8000-000000000001',
    reference: 'delivery-7',
    to: 'resident@example.org',
    status: 'delivered',
    created_at: '2026-05-01T10:00:00.000000Z',
    completed_at: '2026-05-01T10:00:05.000000Z',
    sent_at: '2026-05-01T10:00:01.000000Z',
    notification_type: 'email',
    template_id: 'tpl',
    template_version: 1,
    ...over,
  })
  const post = (body: unknown, token: string | null = CALLBACK_TOKEN) =>
    t.app.inject({
      method: 'POST',
      url: '/webhooks/notify',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      payload: JSON.stringify(body),
    })

  beforeAll(async () => {
    t = await createTestApp({ env: { NOTIFY_CALLBACK_TOKEN: CALLBACK_TOKEN } })
    onDeliveryReceipt(t.services.channels, r => {
      heard.push(r)
    })
  })
  afterAll(async () => t.close())

  it('refuses a missing or wrong bearer token', async () => {
    expect((await post(receipt(), null)).statusCode).toBe(401)
    expect((await post(receipt(), 'wrong-token-wrong-token-wrong')).statusCode).toBe(401)
    const [n] = await t.db.query<{ n: number }>('select count(*)::int as n from channel_receipts')
    expect(n!.n).toBe(0)
  })

  it('records a receipt without the recipient and tells listeners, without a CSRF token', async () => {
    const res = await post(receipt())
    expect(res.statusCode).toBe(204)
    const rows = await t.db.query<Record<string, unknown>>('select * from channel_receipts')
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({
      provider: 'notify',
      provider_id: 'a1b2c3d4-0000-4000-8000-000000000001',
      reference: 'delivery-7',
      channel: 'email',
      status: 'delivered',
      provider_status: 'delivered',
    })
    expect(new Date(rows[0]!.occurred_at as string).toISOString()).toBe('2026-05-01T10:00:05.000Z')
    expect(JSON.stringify(rows)).not.toContain('resident@example.org')
    expect(heard.at(-1)).toMatchObject({ providerId: 'a1b2c3d4-0000-4000-8000-000000000001', status: 'delivered', reference: 'delivery-7' })
  })

  it('keeps one row when Notify repeats a callback, and a new row for a new status', async () => {
    await post(receipt())
    await post(receipt({ id: 'sms-1', status: 'permanent-failure', notification_type: 'sms', completed_at: null }))
    await post(receipt({ id: 'sms-1', status: 'temporary-failure', notification_type: 'sms' }))
    const rows = await t.db.query<{ provider_id: string; status: string }>(
      'select provider_id, status from channel_receipts order by provider_id, status',
    )
    expect(rows).toEqual([
      { provider_id: 'a1b2c3d4-0000-4000-8000-000000000001', status: 'delivered' },
      { provider_id: 'sms-1', status: 'permanent-failure' },
      { provider_id: 'sms-1', status: 'temporary-failure' },
    ])
    const history = await t.services.channels.receipts.forMessage('notify', 'sms-1')
    expect(history.map(h => h.status).sort()).toEqual(['permanent-failure', 'temporary-failure'])
  })

  it('answers 400 to something that is not a receipt', async () => {
    expect((await post({ hello: 'world' })).statusCode).toBe(400)
  })

  it('answers 500 when a listener fails, so Notify sends the receipt again', async () => {
    const off = onDeliveryReceipt(t.services.channels, () => {
      throw new Error('messaging is down')
    })
    const res = await post(receipt({ id: 'retry-me' }))
    off()
    expect(res.statusCode).toBe(500)
    expect(res.body).not.toContain('messaging is down')
    const again = await post(receipt({ id: 'retry-me' }))
    expect(again.statusCode).toBe(204)
    expect(heard.filter(h => h.providerId === 'retry-me')).toHaveLength(2)
  })

  it('is switched off (404) when no callback token is configured', async () => {
    const other = await createTestApp()
    const res = await other.app.inject({
      method: 'POST',
      url: '/webhooks/notify',
      headers: { 'content-type': 'application/json', authorization: 'Bearer anything-anything-anything' },
      payload: JSON.stringify(receipt()),
    })
    expect(res.statusCode).toBe(404)
    await other.close()
  })
})
