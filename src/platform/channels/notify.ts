import { NotifyClient } from 'notifications-node-client'
import { ChannelError, type EmailChannel, type EmailMessage, type SendResult, type SmsChannel, type SmsMessage } from './types.ts'

/**
 * The part of notifications-node-client Beacon uses. The real client satisfies it; unit
 * tests pass a fake that records calls and throws Notify-shaped errors.
 */
export interface NotifyClientLike {
  sendEmail(
    templateId: string,
    emailAddress: string,
    options?: { personalisation?: Record<string, string>; reference?: string; oneClickUnsubscribeURL?: string },
  ): Promise<{ data: { id: string } }>
  sendSms(
    templateId: string,
    phoneNumber: string,
    options?: { personalisation?: Record<string, string>; reference?: string },
  ): Promise<{ data: { id: string } }>
}

export interface NotifyOptions {
  client: NotifyClientLike
  /** an email template whose subject is "((subject))" and body "((body))" */
  emailTemplateId?: string | undefined
  /** a text message template whose body is "((body))" */
  smsTemplateId?: string | undefined
  /** longest wait for Notify to answer; the client itself has no timeout */
  timeoutMs?: number
}

/**
 * The real GOV.UK Notify client. `baseUrl` is for Notify's other environments and for
 * tests against a local imitation; production uses Notify's own address.
 */
export function createNotifyClient(apiKey: string, baseUrl?: string): NotifyClientLike {
  return (baseUrl ? new NotifyClient(baseUrl, apiKey) : new NotifyClient(apiKey)) as unknown as NotifyClientLike
}

/**
 * Email and text messages through GOV.UK Notify. Notify sends from templates, so Beacon
 * uses one template per channel that prints whatever subject and body it is given; the
 * service administrator creates them once (see docs/operations.md). HTML and custom
 * headers cannot pass through Notify, except an https List-Unsubscribe link, which Notify
 * turns into its own one-click unsubscribe header.
 */
export function createNotifyChannel(opts: NotifyOptions): EmailChannel & SmsChannel & { name: 'notify' } {
  const timeoutMs = opts.timeoutMs ?? 30_000
  const call = async (what: () => Promise<{ data: { id: string } }>): Promise<SendResult> => {
    let timer: NodeJS.Timeout | undefined
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new ChannelError('GOV.UK Notify did not answer in time', false, 'timeout')), timeoutMs)
      })
      const res = await Promise.race([what(), timeout])
      if (!res?.data?.id) throw new ChannelError('GOV.UK Notify answered without a notification id', false, 'no-id')
      return { providerId: res.data.id, provider: 'notify', awaitingReceipt: true }
    } catch (err) {
      throw classifyNotifyError(err)
    } finally {
      clearTimeout(timer)
    }
  }
  return {
    name: 'notify',
    sendEmail(m: EmailMessage) {
      const templateId = opts.emailTemplateId
      if (!templateId) return Promise.reject(new ChannelError('NOTIFY_EMAIL_TEMPLATE_ID is not set', false, 'config'))
      const unsubscribe = oneClickUnsubscribe(m.headers)
      return call(() =>
        opts.client.sendEmail(templateId, m.to, {
          personalisation: { subject: m.subject, body: m.text },
          ...(m.reference ? { reference: m.reference } : {}),
          ...(unsubscribe ? { oneClickUnsubscribeURL: unsubscribe } : {}),
        }),
      )
    },
    sendSms(m: SmsMessage) {
      const templateId = opts.smsTemplateId
      if (!templateId) return Promise.reject(new ChannelError('NOTIFY_SMS_TEMPLATE_ID is not set', false, 'config'))
      return call(() =>
        opts.client.sendSms(templateId, m.to, {
          personalisation: { body: m.text },
          ...(m.reference ? { reference: m.reference } : {}),
        }),
      )
    },
  }
}

/** The https address in a List-Unsubscribe header ("<https://…>, <mailto:…>"), if any. */
function oneClickUnsubscribe(headers: Record<string, string> | undefined): string | undefined {
  const entry = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === 'list-unsubscribe')
  return entry ? /<(https:\/\/[^>]+)>/.exec(entry[1])?.[1] : undefined
}

interface NotifyErrorShape {
  response?: { status?: number; data?: { status_code?: number; errors?: { error?: string; message?: string }[] } }
  code?: string
  message?: string
}

/**
 * Notify answers 400 (BadRequestError, ValidationError: a bad address, a number that is not
 * a mobile, a team-only key sending outside the team) when the same request will always
 * fail: permanent. 429 (rate or daily limit), 5xx and no answer at all may pass later:
 * temporary. 403 (AuthError: a wrong or revoked key) is the deployment's fault, so it stays
 * temporary while someone fixes the key.
 */
export function classifyNotifyError(err: unknown): ChannelError {
  if (err instanceof ChannelError) return err
  const e = (err ?? {}) as NotifyErrorShape
  const status = e.response?.status ?? e.response?.data?.status_code
  const first = e.response?.data?.errors?.[0]
  const kind = first?.error ?? (status ? String(status) : (e.code ?? 'network'))
  const detail = `${kind}: ${first?.message ?? e.message ?? 'no answer'}`.slice(0, 300)
  if (status === 400) return new ChannelError(`GOV.UK Notify refused the message: ${detail}`, true, kind)
  if (status === 403) return new ChannelError(`GOV.UK Notify refused the API key: ${detail}`, false, kind)
  if (status === 429) return new ChannelError(`GOV.UK Notify rate limit: ${detail}`, false, kind)
  if (status && status >= 500) return new ChannelError(`GOV.UK Notify is having problems: ${detail}`, false, kind)
  if (status && status >= 400) return new ChannelError(`GOV.UK Notify refused the request: ${detail}`, true, kind)
  return new ChannelError(`Could not reach GOV.UK Notify: ${detail}`, false, kind)
}
