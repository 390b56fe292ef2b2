import type { Database } from '../db/client.ts'
import type { EmailChannel, EmailMessage, SmsChannel, SmsMessage } from './types.ts'

/** Development provider: "sends" by storing the message where administrators can read it. */
export function createOutboxChannel(db: Database): EmailChannel & SmsChannel & { name: 'outbox' } {
  return {
    name: 'outbox',
    async sendEmail(m: EmailMessage) {
      const [row] = await db.query<{ id: string }>(
        `insert into outbox_messages (channel, recipient, subject, body_text, body_html, headers, reference)
         values ('email', $1, $2, $3, $4, $5, $6) returning id`,
        [m.to, m.subject, m.text, m.html ?? null, m.headers ? JSON.stringify(m.headers) : null, m.reference ?? null],
      )
      return { providerId: row!.id }
    },
    async sendSms(m: SmsMessage) {
      const [row] = await db.query<{ id: string }>(
        `insert into outbox_messages (channel, recipient, body_text, reference) values ('sms', $1, $2, $3) returning id`,
        [m.to, m.text, m.reference ?? null],
      )
      return { providerId: row!.id }
    },
  }
}
