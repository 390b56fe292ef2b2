/** One email to one person. `text` is always sent; `html` when the provider supports it. */
export interface EmailMessage {
  to: string
  subject: string
  text: string
  html?: string
  /** extra headers, e.g. List-Unsubscribe (SMTP and the outbox keep them; Notify ignores them) */
  headers?: Record<string, string>
  /** our reference for delivery receipts */
  reference?: string
}

export interface SmsMessage {
  /** E.164 or UK national format */
  to: string
  text: string
  reference?: string
}

export interface SendResult {
  /** the provider's id for the message, for receipts */
  providerId: string
}

/** Raised by providers; `permanent` failures (bad address, unknown number) must not be retried. */
export class ChannelError extends Error {
  readonly permanent: boolean
  constructor(message: string, permanent: boolean) {
    super(message)
    this.name = 'ChannelError'
    this.permanent = permanent
  }
}

export interface EmailChannel {
  readonly name: 'smtp' | 'notify' | 'outbox'
  sendEmail(message: EmailMessage): Promise<SendResult>
}

export interface SmsChannel {
  readonly name: 'notify' | 'outbox'
  sendSms(message: SmsMessage): Promise<SendResult>
}

/** The channels in use, chosen by configuration. */
export interface Channels {
  email: EmailChannel
  sms: SmsChannel
  close(): Promise<void>
}
