import type { Config } from '../../config.ts'
import type { EmailMessage, SmsMessage } from '../../platform/channels/types.ts'
import { clickLink, messageLinks, shortManageLink } from './links.ts'
import { markdownToHtml, markdownToText } from './markdown.ts'
import type { Organisation, Priority } from './schema.ts'

/**
 * Turns a message into the email and SMS a resident receives, with their own signed links
 * (manage preferences, one-click unsubscribe, reply, "was this useful?"). Used by dispatch
 * for real sends, and by the compose pages for the preview and the test send, so staff see
 * exactly what residents will.
 */

type LinkConfig = Pick<Config, 'sessionSecret' | 'baseUrl' | 'brand'>

export interface RenderableMessage {
  id: string
  title: string
  bodyMarkdown: string
  organisation: Organisation
  allowReplies: boolean
  priority: Priority
}

export interface RenderableSms {
  id: string
  smsText: string | null
  title: string
  allowReplies: boolean
}

/** A translation of the message; `language` (when given) picks the footer's language too. */
export interface EmailTranslation {
  title: string
  bodyMarkdown: string
  language?: string
}

export interface Translation {
  language: string
  title: string
  bodyMarkdown: string
  smsText: string | null
}

/** The sender's name as residents know it. */
export function organisationName(config: Pick<Config, 'brand'>, organisation: Organisation): string {
  return organisation === 'opcc' ? `Office of the Police and Crime Commissioner` : config.brand.forceName
}

const WORDS = {
  en: {
    emergency: 'Emergency message',
    from: 'From',
    reply: 'Reply to this message',
    useful: 'Was this message useful?',
    manage: 'Change what you get or where',
    unsubscribe: 'Unsubscribe',
    why: 'You get these messages because you signed up for community alerts.',
    smsManage: 'Manage or stop',
  },
  cy: {
    emergency: 'Neges frys',
    from: 'Oddi wrth',
    reply: 'Ymateb i’r neges hon',
    useful: 'Oedd y neges hon yn ddefnyddiol?',
    manage: 'Newid beth a gewch chi neu ble',
    unsubscribe: 'Dad-danysgrifio',
    why: 'Rydych yn cael y negeseuon hyn am i chi gofrestru ar gyfer rhybuddion cymunedol.',
    smsManage: 'Rheoli neu stopio',
  },
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/**
 * The email for one resident: plain text and a simple accessible HTML part (inline styles,
 * since mail clients ignore stylesheets), with RFC 8058 one-click unsubscribe headers.
 */
export function renderEmail(
  config: LinkConfig,
  message: RenderableMessage,
  translation: EmailTranslation | null,
  who: { id: string; linkVersion: number; email: string },
  /** the delivery being sent: links in the body then count clicks on it */
  tracking?: { deliveryId: number },
): EmailMessage {
  const title = translation?.title ?? message.title
  const body = translation?.bodyMarkdown ?? message.bodyMarkdown
  const lang = translation?.language === 'cy' ? 'cy' : 'en'
  const w = WORDS[lang]
  const links = messageLinks(config, who, message.id, 'email')
  const sender = organisationName(config, message.organisation)
  const emergency = message.priority === 'emergency'
  const subject = emergency ? `${w.emergency}: ${title}` : title

  const textLines = [
    ...(emergency ? [w.emergency.toUpperCase(), ''] : []),
    title,
    '',
    markdownToText(body),
    '',
    `${w.from} ${sender}`,
    '',
    ...(message.allowReplies ? [`${w.reply}: ${links.reply}`] : []),
    `${w.useful} ${links.useful}`,
    '',
    w.why,
    `${w.manage}: ${links.manage}`,
    `${w.unsubscribe}: ${links.unsubscribe}`,
  ]

  const link = (href: string, text: string) => `<a href="${esc(href)}" style="color:#1d70b8;text-decoration:underline;">${esc(text)}</a>`
  const html = `<!doctype html>
<html lang="${lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(subject)}</title></head>
<body style="margin:0;padding:0;background:#f3f2f1;color:#0b0c0c;font-family:Arial, Helvetica, sans-serif;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f3f2f1;"><tr><td align="center" style="padding:16px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;">
<tr><td style="background:${esc(config.brand.colour)};color:#ffffff;padding:16px 24px;font-size:19px;font-weight:bold;">${esc(sender)}</td></tr>
${emergency ? `<tr><td style="background:#d4351c;color:#ffffff;padding:12px 24px;font-size:19px;font-weight:bold;">${esc(w.emergency)}</td></tr>\n` : ''}<tr><td style="padding:24px;">
<h1 style="margin:0 0 20px 0;font-size:32px;line-height:1.1;">${esc(title)}</h1>
${trackClicks(config, markdownToHtml(body, { variant: 'email' }), tracking)}
<p style="margin:24px 0 8px 0;font-size:19px;">${message.allowReplies ? `${link(links.reply, w.reply)} · ` : ''}${link(links.useful, w.useful)}</p>
</td></tr>
<tr><td style="padding:16px 24px;border-top:1px solid #b1b4b6;font-size:16px;line-height:1.4;color:#505a5f;">
<p style="margin:0 0 8px 0;">${esc(w.why)}</p>
<p style="margin:0;">${link(links.manage, w.manage)} · ${link(links.unsubscribe, w.unsubscribe)}</p>
</td></tr>
</table>
</td></tr></table>
</body>
</html>`

  return {
    to: who.email,
    subject,
    text: textLines.join('\n'),
    html,
    headers: {
      'List-Unsubscribe': `<${links.unsubscribe}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
    reference: `msg:${message.id}:${who.id}:email`,
  }
}

/**
 * The text message for one resident: the SMS text (the translation's when there is one; the
 * title when the message has no SMS text) and a line with their manage/stop link.
 */
export function renderSms(
  config: LinkConfig,
  message: RenderableSms,
  translation: { smsText: string | null; language?: string } | null,
  who: { id: string; linkVersion: number; phone: string },
): SmsMessage {
  const w = WORDS[translation?.language === 'cy' ? 'cy' : 'en']
  const text = translation?.smsText || message.smsText || message.title
  return { to: who.phone, text: `${text}\n${w.smsManage}: ${shortManageLink(config, who)}`, reference: `msg:${message.id}:${who.id}:sms` }
}

/**
 * Points the body's web links at the click counter. The body HTML is our own renderer's
 * output (every href is an escaped http(s), mailto or tel URL), so matching its href
 * attributes is exact; mailto and tel links are left alone.
 */
function trackClicks(config: LinkConfig, html: string, tracking: { deliveryId: number } | undefined): string {
  if (!tracking) return html
  return html.replace(/href="(https?:\/\/[^"]+)"/g, (_m, href: string) => {
    const url = href.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>')
    return `href="${esc(clickLink(config, tracking.deliveryId, url))}"`
  })
}

/** The translation for a resident's language, or null to send the original (English). */
export function pickTranslation<T extends { language: string }>(translations: readonly T[], language: string | null | undefined): T | null {
  if (!language || language === 'en') return null
  return translations.find(t => t.language === language) ?? null
}
