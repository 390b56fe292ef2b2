import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/helpers.ts'
import { demoExamples, loadDemoArea } from '../areas/demo.ts'
import { ChannelError, type Channels, type EmailMessage } from '../../platform/channels/types.ts'
import { AppError } from '../../platform/errors.ts'

const ex = demoExamples(2026)

/** Makes the app's providers fail the next sends the way a relay would, then work as before. */
function failNextSends(t: TestApp, failures: { email?: ChannelError[]; sms?: ChannelError[] }): void {
  const channels: Channels = t.services.channels
  const email = channels.email
  const sms = channels.sms
  channels.email = {
    name: email.name,
    sendEmail: async (m: EmailMessage) => {
      const err = failures.email?.shift()
      if (err) throw err
      return email.sendEmail(m)
    },
  }
  channels.sms = {
    name: sms.name,
    sendSms: async m => {
      const err = failures.sms?.shift()
      if (err) throw err
      return sms.sendSms(m)
    },
  }
}

describe('sign-up when the provider fails', () => {
  let t: TestApp
  const failures: { email?: ChannelError[]; sms?: ChannelError[] } = {}
  beforeAll(async () => {
    t = await createTestApp()
    failNextSends(t, failures)
    await loadDemoArea(t.db, 2026, t.services.areas)
  })
  afterAll(async () => t.close())

  it('keeps the sign-up and queues the confirmation email for retry when the relay is down', async () => {
    failures.email = [new ChannelError('421 try later', false)]
    const r = await t.services.messaging.subscribers.startSignUp({
      email: 'relay-down@example.org',
      homePostcode: ex.postcodes[0]!.postcode,
      interests: ['appeals'],
      consents: ['force'],
    })
    expect(r.status).toBe('pending')
    const [queued] = await t.db.query<{ n: number }>(
      `select count(*)::int as n from pgboss.job where name = 'send-email' and data->>'to' = 'relay-down@example.org'`,
    )
    expect(queued!.n).toBe(1)
    await t.services.jobs.start()
    await t.services.jobs.drain()
    await t.services.jobs.stop()
    const [sent] = await t.db.query<{ body_text: string }>(`select body_text from outbox_messages where recipient = 'relay-down@example.org'`)
    expect(sent!.body_text).toMatch(/\/alerts\/confirm\//)
  })

  it('tells the resident when the provider refuses the address outright', async () => {
    failures.email = [new ChannelError('550 no such user', true)]
    const err = await t.services.messaging.subscribers
      .startSignUp({ email: 'nobody-here@example.org', homePostcode: ex.postcodes[0]!.postcode, interests: ['appeals'], consents: ['force'] })
      .catch(e => e)
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).fieldErrors).toEqual({ email: 'We could not send an email to this address. Check it and try again' })
  })

  it('keeps the sign-up when a text fails for a moment (the code can be sent again)', async () => {
    failures.sms = [new ChannelError('503', false)]
    const r = await t.services.messaging.subscribers.startSignUp({
      phone: '07700 900123',
      homePostcode: ex.postcodes[0]!.postcode,
      interests: ['appeals'],
      consents: ['force'],
    })
    expect(r.status).toBe('pending')
  })
})
