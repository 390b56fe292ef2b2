import { keptValues, type FormResult } from '../../../../../platform/http/forms.ts'
import type { FieldErrors } from '../../../../../platform/views/nunjucks.ts'
import { normaliseEmail } from '../../../../messaging/phone.ts'
import {
  CONTACT_MESSAGES,
  CONTACT_TOPICS,
  MAX_MESSAGE,
  MAX_NAME,
  normaliseUkPhone,
  type ContactTopic,
  type NewContactQuery,
} from '../../../contact.service.ts'

export type ContactInput = NewContactQuery & { topic: ContactTopic }

const str = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '')

/**
 * Checks the "contact your team" form and lists every problem at once, in the order of the
 * fields. Only the way they chose to be answered is required (email or phone); the other may
 * be left blank, but if typed it must be valid. A form with no way to reply is refused.
 */
export function parseContactForm(body: unknown): FormResult<ContactInput> {
  const b = (body ?? {}) as Record<string, unknown>
  const topic = str(b.topic)
  const message = str(b.message).trim()
  const name = str(b.name).trim()
  const replyBy = str(b.replyBy)
  const email = str(b.email).trim()
  const phone = str(b.phone).trim()
  const errors: FieldErrors = {}
  if (!(CONTACT_TOPICS as readonly string[]).includes(topic)) errors.topic = CONTACT_MESSAGES.noTopic
  if (!message) errors.message = CONTACT_MESSAGES.noMessage
  else if (message.length > MAX_MESSAGE) errors.message = CONTACT_MESSAGES.longMessage
  if (name.length > MAX_NAME) errors.name = CONTACT_MESSAGES.longName
  if (replyBy !== 'email' && replyBy !== 'phone') errors.replyBy = CONTACT_MESSAGES.noReplyBy
  if (email && !normaliseEmail(email)) errors.email = CONTACT_MESSAGES.badEmail
  else if (!email && replyBy === 'email') errors.email = CONTACT_MESSAGES.noEmail
  if (phone && !normaliseUkPhone(phone)) errors.phone = CONTACT_MESSAGES.badPhone
  else if (!phone && replyBy === 'phone') errors.phone = CONTACT_MESSAGES.noPhone
  if (Object.keys(errors).length) return { ok: false, errors, values: keptValues(body) }
  return {
    ok: true,
    data: { topic: topic as ContactTopic, message, name: name || null, replyBy: replyBy as 'email' | 'phone', email: email || null, phone: phone || null },
  }
}
