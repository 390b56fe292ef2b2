import type { Config } from '../../config.ts'
import type { EmailMessage, SmsMessage } from '../../platform/channels/types.ts'
import { clickLink, manageLink, messageLinks, shortManageLink, signLink } from './links.ts'
import { markdownToHtml, markdownToText } from './markdown.ts'
import type { Organisation, Priority } from './schema.ts'
import { asLang, digestWords, type Lang } from './subscribers-texts.ts'
import type { DeliveryRef } from './delivery-ref.ts'

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

/** The sender's name as residents know it, in their language. */
export function organisationName(config: Pick<Config, 'brand'>, organisation: Organisation, lang: Lang = 'en'): string {
  if (organisation !== 'opcc') return config.brand.forceName
  return lang === 'cy' ? 'Swyddfa’r Comisiynydd Heddlu a Throseddu' : 'Office of the Police and Crime Commissioner'
}

/**
 * Beacon's own words around a message (the footer, the links), in English and Welsh. The
 * Welsh should be checked by a first-language Welsh speaker (docs/messaging-residents.md).
 */
export const WORDS = {
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
    manage: 'Newid beth a gewch chi, neu ar gyfer ble',
    unsubscribe: 'Dad-danysgrifio',
    why: 'Rydych yn cael y negeseuon hyn am i chi gofrestru ar gyfer rhybuddion cymunedol.',
    smsManage: 'Rheoli neu stopio',
  },
} as const

/** Said above a message that has no Welsh version, to a resident who chose Welsh. */
export const NO_WELSH_VERSION = 'Does dim fersiwn Gymraeg o’r neges hon, felly dyma’r Saesneg.'

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/**
 * The email for one resident: plain text and a simple accessible HTML part (inline styles,
 * since mail clients ignore stylesheets), with RFC 8058 one-click unsubscribe headers.
 */
export function renderEmail(
  config: LinkConfig,
  message: RenderableMessage,
  translation: EmailTranslation | null,
  /** `language` is the resident's choice: Beacon's own words follow it even when the message has no translation */
  who: { id: string; linkVersion: number; email: string; language?: string | null | undefined },
  /** the delivery being sent: links in the body then count clicks on it */
  tracking?: { delivery: DeliveryRef },
): EmailMessage {
  const title = translation?.title ?? message.title
  const body = translation?.bodyMarkdown ?? message.bodyMarkdown
  const lang: Lang = who.language != null ? asLang(who.language) : asLang(translation?.language)
  // The language the message itself is in: its translation's (any language code), or English.
  const bodyLang: string = translation ? (translation.language ?? lang) : 'en'
  const untranslated = lang === 'cy' && bodyLang !== 'cy'
  const w = WORDS[lang]
  const links = messageLinks(config, who, message.id, 'email')
  const sender = organisationName(config, message.organisation, lang)
  const emergency = message.priority === 'emergency'
  const subject = emergency ? `${w.emergency}: ${title}` : title

  const textLines = [
    ...(emergency ? [w.emergency.toUpperCase(), ''] : []),
    ...(untranslated ? [NO_WELSH_VERSION, ''] : []),
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
${untranslated ? `<p style="margin:0 0 16px 0;font-size:16px;color:#505a5f;">${esc(NO_WELSH_VERSION)}</p>\n` : ''}<div${bodyLang !== lang ? ` lang="${esc(bodyLang)}"` : ''}>
<h1 style="margin:0 0 20px 0;font-size:32px;line-height:1.1;">${esc(title)}</h1>
${trackClicks(config, markdownToHtml(body, { variant: 'email' }), tracking)}
</div>
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
  who: { id: string; linkVersion: number; phone: string; language?: string | null | undefined },
): SmsMessage {
  const w = WORDS[who.language != null ? asLang(who.language) : asLang(translation?.language)]
  const text = translation?.smsText || message.smsText || message.title
  return { to: who.phone, text: `${text}\n${w.smsManage}: ${shortManageLink(config, who)}`, reference: `msg:${message.id}:${who.id}:sms` }
}

/**
 * Points the body's web links at the click counter. The body HTML is our own renderer's
 * output (every href is an escaped http(s), mailto or tel URL), so matching its href
 * attributes is exact; mailto and tel links are left alone.
 */
function trackClicks(config: LinkConfig, html: string, tracking: { delivery: DeliveryRef } | undefined): string {
  if (!tracking) return html
  return html.replace(/href="(https?:\/\/[^"]+)"/g, (_m, href: string) => {
    const url = href.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>')
    return `href="${esc(clickLink(config, tracking.delivery, url))}"`
  })
}

/** The translation for a resident's language, or null to send the original (English). */
export function pickTranslation<T extends { language: string }>(translations: readonly T[], language: string | null | undefined): T | null {
  if (!language || language === 'en') return null
  return translations.find(t => t.language === language) ?? null
}

// ---------------------------------------------------------------- digests

export interface DigestEntry {
  messageId: string
  title: string
  bodyMarkdown: string
  isPublic: boolean
  /** the resident's language version, when the message has one */
  translated: { title: string; bodyMarkdown: string } | null
}

export interface DigestFor {
  id: string
  subscriberId: string
  linkVersion: number
  email: string
  phone: string
  language: string | null
  frequency: 'daily' | 'weekly'
}

/** A digest entry's link: the public page for a public message, the manage page otherwise. */
const entryUrl = (config: LinkConfig, e: DigestEntry, manage: string) => (e.isPublic ? `${config.baseUrl}/messages/${e.messageId}` : manage)

/**
 * One resident's daily or weekly digest email, in their language: an introduction, each
 * message's title and opening (their language's version where one was written, marked as
 * English otherwise), and the footer with the manage and one-click unsubscribe links
 * (RFC 8058 headers too). Used by dispatch/digests.ts.
 */
export function renderDigestEmail(config: LinkConfig, d: DigestFor, entries: DigestEntry[]): EmailMessage {
  const lang = asLang(d.language)
  const words = digestWords(lang, config.brand.serviceName, d.frequency, entries.length)
  const who = { id: d.subscriberId, linkVersion: d.linkVersion }
  const manage = manageLink(config, who)
  const unsubscribe = `${config.baseUrl}/alerts/unsubscribe/${signLink(config, { purpose: 'unsubscribe', subscriberId: who.id, linkVersion: who.linkVersion, channel: 'email' })}`
  const items = entries.map(e => {
    const title = e.translated?.title ?? e.title
    const text = markdownToText(e.translated?.bodyMarkdown ?? e.bodyMarkdown).replace(/\s+/g, ' ').trim()
    const short = text.length > 200 ? `${text.slice(0, 197).trimEnd()}…` : text
    const english = lang === 'cy' && !e.translated
    return { title, short, url: entryUrl(config, e, manage), english }
  })
  const text = [
    words.subject,
    '',
    words.intro,
    '',
    ...items.flatMap(i => [i.english ? `${i.title} (${words.noWelsh})` : i.title, i.short, i.url, '']),
    words.why,
    `${words.manage}: ${manage}`,
    `${words.unsubscribe}: ${unsubscribe}`,
  ].join('\n')
  const html = `<!doctype html>
<html lang="${lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(words.subject)}</title></head>
<body style="margin:0;padding:16px;color:#0b0c0c;font-family:Arial, Helvetica, sans-serif;font-size:19px;line-height:1.4;">
<h1 style="font-size:27px;margin:0 0 16px 0;">${esc(words.subject)}</h1>
<p>${esc(words.intro)}</p>
${items
  .map(
    i =>
      `<h2 style="font-size:21px;margin:24px 0 8px 0;"${i.english ? ' lang="en"' : ''}><a href="${esc(i.url)}" style="color:#1d70b8;">${esc(i.title)}</a></h2>${i.english ? `<p style="margin:0;font-size:16px;color:#505a5f;">${esc(words.noWelsh)}</p>` : ''}\n<p${i.english ? ' lang="en"' : ''}>${esc(i.short)}</p>`,
  )
  .join('\n')}
<p style="margin-top:32px;font-size:16px;color:#505a5f;">${esc(words.why)}</p>
<p style="font-size:16px;"><a href="${esc(manage)}" style="color:#1d70b8;">${esc(words.manage)}</a> · <a href="${esc(unsubscribe)}" style="color:#1d70b8;">${esc(words.unsubscribe)}</a></p>
</body>
</html>`
  return {
    to: d.email,
    subject: words.subject,
    text,
    html,
    headers: { 'List-Unsubscribe': `<${unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    reference: `digest-${d.id}`,
  }
}

/** One resident's digest by text message: how many new messages, and the link to read and manage them. */
export function renderDigestSms(config: LinkConfig, d: DigestFor, count: number): SmsMessage {
  const lang = asLang(d.language)
  const manage = manageLink(config, { id: d.subscriberId, linkVersion: d.linkVersion })
  return { to: d.phone, text: digestWords(lang, config.brand.serviceName, d.frequency, count).sms(manage), reference: `digest-${d.id}` }
}
