import { createHmac, randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { testConfig } from '../../config.ts'
import type { Database } from '../db/client.ts'
import { createChannels } from './index.ts'
import { classifyNotifyError, createNotifyChannel, createNotifyClient, type NotifyClientLike } from './notify.ts'
import { ChannelError } from './types.ts'

/** An error shaped like the one notifications-node-client (axios) throws for an HTTP error. */
function notifyError(status: number, error: string, message: string) {
  return Object.assign(new Error(`Request failed with status code ${status}`), {
    response: { status, data: { status_code: status, errors: [{ error, message }] } },
  })
}

class FakeNotify implements NotifyClientLike {
  calls: { kind: 'email' | 'sms'; templateId: string; to: string; options: unknown }[] = []
  failWith: unknown = null
  async sendEmail(templateId: string, to: string, options?: unknown) {
    this.calls.push({ kind: 'email', templateId, to, options })
    if (this.failWith) throw this.failWith
    return { data: { id: `email-${this.calls.length}` } }
  }
  async sendSms(templateId: string, to: string, options?: unknown) {
    this.calls.push({ kind: 'sms', templateId, to, options })
    if (this.failWith) throw this.failWith
    return { data: { id: `sms-${this.calls.length}` } }
  }
}

describe('Notify channel with an injected client', () => {
  let fake: FakeNotify
  beforeEach(() => {
    fake = new FakeNotify()
  })
  const channel = () => createNotifyChannel({ client: fake, emailTemplateId: 'tpl-email', smsTemplateId: 'tpl-sms' })

  it('sends email through the template with subject and body as personalisation', async () => {
    const result = await channel().sendEmail({
      to: 'resident@example.org',
      subject: 'Road closure',
      text: 'High Street is closed.',
      html: '<p>ignored</p>',
      reference: 'd-1',
      headers: { 'List-Unsubscribe': '<mailto:u@beacon.example>, <https://beacon.example/u/xyz>' },
    })
    expect(result).toEqual({ providerId: 'email-1', provider: 'notify', awaitingReceipt: true })
    expect(fake.calls).toEqual([
      {
        kind: 'email',
        templateId: 'tpl-email',
        to: 'resident@example.org',
        options: {
          personalisation: { subject: 'Road closure', body: 'High Street is closed.' },
          reference: 'd-1',
          oneClickUnsubscribeURL: 'https://beacon.example/u/xyz',
        },
      },
    ])
  })

  it('sends text messages through the SMS template', async () => {
    const result = await channel().sendSms({ to: '07700 900123', text: 'Meeting tonight at 7pm' })
    expect(result.providerId).toBe('sms-1')
    expect(fake.calls[0]).toEqual({ kind: 'sms', templateId: 'tpl-sms', to: '07700 900123', options: { personalisation: { body: 'Meeting tonight at 7pm' } } })
  })

  it.each([
    [400, 'ValidationError', 'email_address Not a valid email address', true],
    [400, 'BadRequestError', "Can't send to this recipient using a team-only API key", true],
    [403, 'AuthError', 'Invalid token: API key not found', false],
    [429, 'RateLimitError', 'Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds', false],
    [429, 'TooManyRequestsError', 'Exceeded send limits (250000) for today', false],
    [500, 'Exception', 'Internal server error', false],
    [503, 'Exception', 'Service unavailable', false],
  ])('maps a %i %s to permanent=%s', async (status, error, message, permanent) => {
    fake.failWith = notifyError(status, error, message)
    const err = await channel().sendEmail({ to: 'a@example.org', subject: 's', text: 't' }).catch(e => e)
    expect(err).toBeInstanceOf(ChannelError)
    expect(err.permanent).toBe(permanent)
    expect(err.providerCode).toBe(error)
    expect(err.message).toContain(message)
  })

  it('treats no answer at all as temporary', async () => {
    fake.failWith = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })
    const err = await channel().sendSms({ to: '07700900123', text: 't' }).catch(e => e)
    expect(err.permanent).toBe(false)
    expect(err.providerCode).toBe('ECONNREFUSED')
  })

  it('gives up waiting after the timeout, temporarily', async () => {
    const hanging: NotifyClientLike = { sendEmail: () => new Promise(() => {}), sendSms: () => new Promise(() => {}) }
    const slow = createNotifyChannel({ client: hanging, emailTemplateId: 't', timeoutMs: 50 })
    const err = await slow.sendEmail({ to: 'a@example.org', subject: 's', text: 't' }).catch(e => e)
    expect(err).toBeInstanceOf(ChannelError)
    expect(err.permanent).toBe(false)
    expect(err.providerCode).toBe('timeout')
  })

  it('refuses to send without a template id', async () => {
    const none = createNotifyChannel({ client: fake })
    await expect(none.sendEmail({ to: 'a@example.org', subject: 's', text: 't' })).rejects.toThrow(/NOTIFY_EMAIL_TEMPLATE_ID/)
    expect(fake.calls).toHaveLength(0)
  })

  it('leaves errors it has already classified alone', () => {
    const e = new ChannelError('x', true, 'y')
    expect(classifyNotifyError(e)).toBe(e)
  })
})

/**
 * A local imitation of the GOV.UK Notify API: checks the client's JWT the way Notify does
 * (HS256 with the key's secret, issuer = service id) and answers like Notify.
 */
async function notifyImitation(serviceId: string, secret: string) {
  const requests: { path: string; body: Record<string, unknown> }[] = []
  const app: FastifyInstance = Fastify()
  const checkToken = (auth: string | undefined) => {
    const token = /^Bearer (.+)$/.exec(auth ?? '')?.[1]
    if (!token) return false
    const [h, p, s] = token.split('.')
    const expected = createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url')
    if (s !== expected) return false
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as { iss: string; iat: number }
    return payload.iss === serviceId && Math.abs(payload.iat - Date.now() / 1000) < 30
  }
  for (const kind of ['email', 'sms'] as const) {
    app.post(`/v2/notifications/${kind}`, async (req, reply) => {
      if (!checkToken(req.headers.authorization))
        return reply.code(403).send({ status_code: 403, errors: [{ error: 'AuthError', message: 'Invalid token: signature, api token not found' }] })
      const body = req.body as Record<string, unknown>
      requests.push({ path: req.url, body })
      const to = String(body.email_address ?? body.phone_number)
      if (to.startsWith('invalid')) return reply.code(400).send({ status_code: 400, errors: [{ error: 'ValidationError', message: `${kind === 'email' ? 'email_address' : 'phone_number'} Not a valid ${kind === 'email' ? 'email address' : 'UK mobile number'}` }] })
      if (to.startsWith('limit')) return reply.code(429).send({ status_code: 429, errors: [{ error: 'RateLimitError', message: 'Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds' }] })
      if (to.startsWith('broken')) return reply.code(500).send({ status_code: 500, errors: [{ error: 'Exception', message: 'Internal server error' }] })
      const p = body.personalisation as Record<string, string>
      return reply.code(201).send({
        id: randomUUID(),
        reference: body.reference ?? null,
        content: kind === 'email' ? { subject: p.subject, body: p.body, from_email: 'beacon@notifications.service.gov.uk' } : { body: p.body, from_number: 'BEACON' },
        uri: `https://api.notifications.service.gov.uk/v2/notifications/x`,
        template: { id: body.template_id, version: 1, uri: 'https://api.notifications.service.gov.uk/services/x/templates/y' },
      })
    })
  }
  await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, requests, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` }
}

describe('Notify channel through notifications-node-client and a local imitation of Notify', () => {
  const serviceId = randomUUID()
  const secret = randomUUID()
  const apiKey = `beacon_test-${serviceId}-${secret}`
  let notify: Awaited<ReturnType<typeof notifyImitation>>
  beforeAll(async () => {
    notify = await notifyImitation(serviceId, secret)
  })
  afterAll(async () => notify.app.close())

  const channel = () =>
    createNotifyChannel({ client: createNotifyClient(apiKey, notify.url), emailTemplateId: 'e-tpl', smsTemplateId: 's-tpl' })

  it('sends an email with a signed token and the personalisation Notify expects', async () => {
    const result = await channel().sendEmail({ to: 'resident@example.org', subject: 'Hello', text: 'Body text', reference: 'ref-1' })
    expect(result.providerId).toMatch(/^[0-9a-f-]{36}$/)
    const last = notify.requests.at(-1)!
    expect(last.path).toBe('/v2/notifications/email')
    expect(last.body).toEqual({
      template_id: 'e-tpl',
      email_address: 'resident@example.org',
      personalisation: { subject: 'Hello', body: 'Body text' },
      reference: 'ref-1',
    })
  })

  it('sends a text message', async () => {
    await channel().sendSms({ to: '+447700900123', text: 'Hi' })
    expect(notify.requests.at(-1)).toEqual({
      path: '/v2/notifications/sms',
      body: { template_id: 's-tpl', phone_number: '+447700900123', personalisation: { body: 'Hi' } },
    })
  })

  it('classifies the real client’s errors', async () => {
    const c = channel()
    const invalid = await c.sendEmail({ to: 'invalid@example.org', subject: 's', text: 't' }).catch(e => e)
    expect([invalid.permanent, invalid.providerCode]).toEqual([true, 'ValidationError'])
    const limited = await c.sendSms({ to: 'limit', text: 't' }).catch(e => e)
    expect([limited.permanent, limited.providerCode]).toEqual([false, 'RateLimitError'])
    const broken = await c.sendEmail({ to: 'broken@example.org', subject: 's', text: 't' }).catch(e => e)
    expect([broken.permanent, broken.providerCode]).toEqual([false, 'Exception'])
  })

  it('reports a wrong API key as a temporary settings problem', async () => {
    const wrong = createNotifyChannel({ client: createNotifyClient(`beacon_test-${serviceId}-${randomUUID()}`, notify.url), emailTemplateId: 'e' })
    const err = await wrong.sendEmail({ to: 'a@example.org', subject: 's', text: 't' }).catch(e => e)
    expect([err.permanent, err.providerCode]).toEqual([false, 'AuthError'])
  })

  it('is what createChannels picks when the providers are notify', async () => {
    const config = testConfig({
      EMAIL_PROVIDER: 'notify',
      SMS_PROVIDER: 'notify',
      NOTIFY_API_KEY: apiKey,
      NOTIFY_BASE_URL: notify.url,
      NOTIFY_EMAIL_TEMPLATE_ID: 'cfg-email',
      NOTIFY_SMS_TEMPLATE_ID: 'cfg-sms',
    })
    // The database is only used by the outbox and receipts, neither of which this touches.
    const channels = createChannels(config, {} as Database)
    expect(channels.email.name).toBe('notify')
    expect(channels.sms.name).toBe('notify')
    await channels.email.sendEmail({ to: 'resident@example.org', subject: 'S', text: 'T' })
    expect(notify.requests.at(-1)!.body.template_id).toBe('cfg-email')
    await channels.sms.sendSms({ to: '07700900123', text: 'T' })
    expect(notify.requests.at(-1)!.body.template_id).toBe('cfg-sms')
    await channels.close()
  })
})
