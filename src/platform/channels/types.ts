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

export type ProviderName = 'smtp' | 'notify' | 'outbox'

export interface SendResult {
  /** the provider's id for the message, for receipts */
  providerId: string
  /** which provider took the message */
  provider: ProviderName
  /**
   * true when the provider will report delivery later (GOV.UK Notify's callbacks); false when
   * accepting the message is all we will ever hear (an SMTP relay, the outbox).
   */
  awaitingReceipt: boolean
}

/** Raised by providers; `permanent` failures (bad address, unknown number) must not be retried. */
export class ChannelError extends Error {
  readonly permanent: boolean
  /** the provider's own code or status, for logs and metrics (e.g. "550", "ValidationError") */
  readonly providerCode: string | undefined
  constructor(message: string, permanent: boolean, providerCode?: string) {
    super(message)
    this.name = 'ChannelError'
    this.permanent = permanent
    this.providerCode = providerCode
  }
}

export interface EmailChannel {
  readonly name: ProviderName
  sendEmail(message: EmailMessage): Promise<SendResult>
}

export interface SmsChannel {
  readonly name: 'notify' | 'outbox'
  sendSms(message: SmsMessage): Promise<SendResult>
}

/**
 * What happened to a message after the provider took it, normalised across providers.
 * `delivered` and `permanent-failure` are final; the failures are worth showing to staff.
 */
export type ReceiptStatus = 'delivered' | 'permanent-failure' | 'temporary-failure' | 'technical-failure' | 'sent'

export interface DeliveryReceipt {
  provider: ProviderName
  providerId: string
  /** our reference, as given when sending */
  reference: string | null
  channel: 'email' | 'sms' | null
  status: ReceiptStatus
  /** the provider's own word for the status, kept for support conversations */
  providerStatus: string
  /** when the provider says it happened */
  occurredAt: Date | null
}

/**
 * Called for every receipt, including a provider's repeat of one already seen, so listeners
 * must be idempotent. A listener that throws makes the webhook answer 500 and the provider
 * send the receipt again later.
 */
export type ReceiptListener = (receipt: DeliveryReceipt) => Promise<void> | void

export interface Receipts {
  /** Stores a receipt (once per provider id and status) and tells every listener. */
  record(receipt: DeliveryReceipt): Promise<{ isNew: boolean }>
  /** Adds a listener; returns a function that removes it. */
  onReceipt(listener: ReceiptListener): () => void
  /** Receipts for one provider message, oldest first. */
  forMessage(provider: ProviderName, providerId: string): Promise<DeliveryReceipt[]>
}

/** The channels in use, chosen by configuration. */
export interface Channels {
  email: EmailChannel
  sms: SmsChannel
  receipts: Receipts
  close(): Promise<void>
}
