import nodemailer from 'nodemailer'
import { ChannelError, type EmailChannel, type EmailMessage, type SendResult } from './types.ts'

export interface SmtpOptions {
  /** smtp://user:pass@host:587 (STARTTLS when offered) or smtps://…:465 (TLS from the start) */
  url: string
  /** the From header, e.g. "Demo Shire Police <no-reply@police.example>" */
  from: string
  /** connections kept open to the relay; bulk sends share them */
  maxConnections?: number
}

export type SmtpChannel = EmailChannel & {
  readonly name: 'smtp'
  /** Connects and authenticates once, to fail fast on a wrong URL or password. */
  verify(): Promise<void>
  close(): Promise<void>
}

// A header name is an RFC 5322 field name; values lose line breaks so a subscriber-supplied
// value can never start a header of its own.
const HEADER_NAME = /^[!-9;-~]+$/
const EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/

/** Email over SMTP through a pooled nodemailer transport. */
export function createSmtpChannel(opts: SmtpOptions): SmtpChannel {
  const transport = nodemailer.createTransport({
    url: opts.url,
    pool: true,
    maxConnections: opts.maxConnections ?? 5,
    // Keep pooled connections open for as long as the relay allows (nodemailer's default
    // reconnects after every 100 messages, a handshake cost per 100 in a bulk send).
    maxMessages: Infinity,
    // Without these a relay that accepts the connection and then says nothing would hold a
    // job until it expired.
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
  })

  return {
    name: 'smtp',
    async sendEmail(m: EmailMessage): Promise<SendResult> {
      if (!EMAIL.test(m.to)) throw new ChannelError('Not a valid email address', true, 'invalid-recipient')
      const headers: Record<string, string> = {}
      for (const [name, value] of Object.entries(m.headers ?? {})) {
        if (!HEADER_NAME.test(name)) throw new ChannelError(`Header name not allowed: ${name}`, true, 'invalid-header')
        headers[name] = value.replace(/[\r\n]+/g, ' ')
      }
      if (m.reference) headers['X-Beacon-Reference'] = m.reference.replace(/[\r\n]+/g, ' ')
      // nodemailer writes its own Message-ID; a caller's (e.g. one naming the delivery, for
      // matching replies) is passed as the option so there is exactly one.
      const messageId = headers['Message-ID']
      delete headers['Message-ID']
      try {
        const info = await transport.sendMail({
          from: opts.from,
          to: m.to,
          subject: m.subject,
          text: m.text,
          ...(m.html ? { html: m.html } : {}),
          ...(messageId ? { messageId } : {}),
          // base64 costs less CPU to encode than quoted-printable, which matters in bulk sends.
          textEncoding: 'base64',
          headers,
        })
        // With a single recipient a refusal normally throws; a relay that accepts the
        // message but lists the address as rejected is treated the same way.
        if (info.rejected.length > 0) throw new ChannelError('The mail server refused the recipient', true, 'rejected')
        return { providerId: info.messageId, provider: 'smtp', awaitingReceipt: false }
      } catch (err) {
        throw classifySmtpError(err)
      }
    },
    async verify() {
      try {
        await transport.verify()
      } catch (err) {
        throw classifySmtpError(err)
      }
    },
    async close() {
      transport.close()
    },
  }
}

interface NodemailerError {
  code?: string
  responseCode?: number
  command?: string
  response?: string
  message?: string
}

/**
 * Decides whether a failed send is worth trying again. A 5xx reply (550 no such user, 552
 * too big, 553 bad address) or an address nodemailer cannot use will fail the same way
 * every time; a 4xx reply (451 try later, 452 mailbox full) or a broken connection may not.
 * Authentication and TLS failures are 5xx-ish but are the deployment's fault, not the
 * recipient's: they stay temporary so messages wait for the settings to be fixed instead
 * of being marked as undeliverable.
 */
export function classifySmtpError(err: unknown): ChannelError {
  if (err instanceof ChannelError) return err
  const e = (err ?? {}) as NodemailerError
  const code = e.code
  const responseCode = e.responseCode
  const detail = (e.response ?? e.message ?? 'SMTP error').slice(0, 300)
  if (code === 'EAUTH' || code === 'ENOAUTH' || code === 'ETLS' || code === 'ECONFIG' || code === 'EOAUTH2')
    return new ChannelError(`SMTP settings problem: ${detail}`, false, code)
  if (typeof responseCode === 'number') {
    if (responseCode >= 500) return new ChannelError(`Mail server refused: ${detail}`, true, String(responseCode))
    if (responseCode >= 400) return new ChannelError(`Mail server asked to try later: ${detail}`, false, String(responseCode))
  }
  // An envelope error with no server reply means nodemailer itself found the address unusable.
  if (code === 'EENVELOPE') return new ChannelError(`Unusable recipient: ${detail}`, true, code)
  return new ChannelError(`Could not reach the mail server: ${detail}`, false, code ?? 'unknown')
}
