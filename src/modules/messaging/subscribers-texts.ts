import type { Config } from '../../config.ts'

/**
 * The words of the messages Beacon itself sends residents about their subscription
 * (confirmation links and codes, welcome, "you are already signed up", answers to replies),
 * in English and Welsh. Alerts themselves are written by staff (with their own Welsh
 * versions); these are Beacon's own and short enough to read on a phone.
 *
 * Every function takes the resident's chosen language ('en' or 'cy'; anything else is
 * English). The Welsh was written for Beacon and should be checked by a first-language
 * Welsh speaker before a force goes live (docs/messaging-residents.md lists every string
 * side by side). Texts keep to the GSM-7 alphabet where they can (no ŵ, ŷ or curly quotes
 * in SMS), so a Welsh text costs no more parts than the English.
 */

export type Lang = 'en' | 'cy'

/** The resident's language as Beacon's texts know it: Welsh, or English for anything else. */
export const asLang = (language: string | null | undefined): Lang => (language === 'cy' ? 'cy' : 'en')

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

/** Plain paragraphs (with bare links) to simple HTML, escaped, in the given language. */
function paragraphsToHtml(paragraphs: string[], lang: Lang): string {
  const body = paragraphs
    .map(p => `<p>${escapeHtml(p).replace(/(https?:\/\/[^\s<]+)/g, url => `<a href="${url}">${url}</a>`)}</p>`)
    .join('\n')
  return `<div lang="${lang}">\n${body}\n</div>`
}

export interface EmailText {
  subject: string
  text: string
  html: string
}

const email = (lang: Lang, subject: string, paragraphs: string[]): EmailText => ({
  subject,
  text: paragraphs.join('\n\n'),
  html: paragraphsToHtml(paragraphs, lang),
})

type Brand = Pick<Config, 'brand'>

/** The email carrying the confirm-email link. */
export function confirmEmailText(config: Brand, link: string, hours: number, language?: string | null): EmailText {
  const { forceName, serviceName } = config.brand
  if (asLang(language) === 'cy')
    return email('cy', `Cadarnhewch eich cyfeiriad e-bost ar gyfer rhybuddion ${forceName}`, [
      `Gofynnodd rhywun (chi, gobeithio) am gael rhybuddion cymunedol gan ${forceName} i’r cyfeiriad e-bost hwn.`,
      `I gadarnhau, agorwch y ddolen hon o fewn ${hours} awr:`,
      link,
      'Os nad chi wnaeth hyn, anwybyddwch yr e-bost hwn: ni fyddwn yn anfon dim atoch oni bai bod rhywun yn defnyddio’r ddolen.',
      `${serviceName} – ${forceName}`,
    ])
  return email('en', `Confirm your email address for ${forceName} alerts`, [
    `Someone (we hope you) asked to get community alerts from ${forceName} at this email address.`,
    `To confirm, open this link within ${hours} hours:`,
    link,
    'If this was not you, ignore this email: nothing will be sent to you unless the link is used.',
    `${serviceName} – ${forceName}`,
  ])
}

/** The text message carrying a 6-digit code (the code comes first, so phones offer to fill it in). */
export function confirmSmsText(config: Brand, code: string, minutes: number, language?: string | null): string {
  if (asLang(language) === 'cy')
    return `${code} yw eich cod i gadarnhau rhybuddion ${config.brand.forceName}. Mae'n dod i ben ymhen ${minutes} munud. Os na wnaethoch ofyn amdano, anwybyddwch y neges hon.`
  return `${code} is your code to confirm ${config.brand.forceName} alerts. It expires in ${minutes} minutes. If you did not ask for it, ignore this message.`
}

/** Sent once a channel is confirmed. */
export function welcomeEmailText(config: Brand, manage: string, language?: string | null): EmailText {
  const { forceName } = config.brand
  if (asLang(language) === 'cy')
    return email('cy', `Rydych wedi cofrestru ar gyfer rhybuddion ${forceName}`, [
      `Diolch am ymuno â rhybuddion cymunedol ${forceName}.`,
      'Byddwch yn cael negeseuon am y lleoedd a’r diddordebau a ddewisoch chi, pryd y dewisoch chi. Mae negeseuon brys bob amser yn cyrraedd ar unwaith.',
      'Gallwch newid eich lleoedd, eich diddordebau a pha mor aml rydych yn clywed gennym, lawrlwytho popeth sydd gennym amdanoch, neu ddileu eich cyfrif unrhyw bryd gyda’r ddolen hon (cadwch hi’n breifat; mae’n gweithio heb gyfrinair):',
      manage,
      'Mewn argyfwng, ffoniwch 999 bob amser. I roi gwybod am drosedd, neu os nad yw’n argyfwng, ffoniwch 101.',
    ])
  return email('en', `You are signed up for ${forceName} alerts`, [
    `Thank you for joining ${forceName} community alerts.`,
    'You will get messages about the places and interests you chose, at the times you chose. Emergency messages always arrive at once.',
    'You can change your places, interests and how often you hear from us, download everything we hold about you, or delete your account at any time with this link (keep it private; it works without a password):',
    manage,
    'In an emergency always call 999. To report a crime or for non-emergencies call 101.',
  ])
}

export function welcomeSmsText(config: Brand, manage: string, language?: string | null): string {
  if (asLang(language) === 'cy') return `Rydych wedi cofrestru ar gyfer rhybuddion ${config.brand.forceName}. Rheoli neu stopio: ${manage}`
  return `You are signed up for ${config.brand.forceName} alerts. Manage or stop them: ${manage}`
}

/**
 * Sent instead of a confirmation when someone signs up with an address that already has
 * alerts: the page they see is the same either way, so it does not reveal who is signed up.
 * It goes in the language the existing account chose.
 */
export function alreadyEmailText(config: Brand, manage: string, language?: string | null): EmailText {
  const { forceName } = config.brand
  if (asLang(language) === 'cy')
    return email('cy', `Rydych eisoes yn cael rhybuddion ${forceName}`, [
      `Ceisiodd rhywun (chi, gobeithio) gofrestru ar gyfer rhybuddion ${forceName} gyda’r cyfeiriad e-bost hwn, sydd eisoes wedi’i gofrestru.`,
      'I newid eich lleoedd, eich diddordebau neu pa mor aml rydych yn clywed gennym, defnyddiwch y ddolen hon:',
      manage,
      'Os nad chi wnaeth hyn, does dim angen i chi wneud dim.',
    ])
  return email('en', `You already get ${forceName} alerts`, [
    `Someone (we hope you) tried to sign up for ${forceName} alerts with this email address, which is already signed up.`,
    'To change your places, interests or how often you hear from us, use this link:',
    manage,
    'If this was not you, you do not need to do anything.',
  ])
}

export function alreadySmsText(config: Brand, manage: string, language?: string | null): string {
  if (asLang(language) === 'cy') return `Mae'r rhif hwn eisoes yn cael rhybuddion ${config.brand.forceName}. Rheoli nhw: ${manage}`
  return `This number already gets ${config.brand.forceName} alerts. Manage them: ${manage}`
}

/**
 * An officer's answer to a resident's reply, by email: the answer, who it is from, and the
 * resident's own words quoted below. (Used by inbox.service.ts's respond.)
 */
export function answerEmailText(config: Brand, o: { answer: string; messageTitle: string; reply: string }, language?: string | null): { subject: string; text: string } {
  const quoted = o.reply
    .split(/\r?\n/)
    .map(l => `> ${l}`)
    .join('\n')
  if (asLang(language) === 'cy')
    return {
      subject: `Ateb: ${o.messageTitle}`,
      text: `${o.answer}\n\n${config.brand.forceName}\n\n---\nFe wnaethoch ymateb i’n neges "${o.messageTitle}":\n\n${quoted}\n`,
    }
  return {
    subject: `Re: ${o.messageTitle}`,
    text: `${o.answer}\n\n${config.brand.forceName}\n\n---\nYou replied to our message "${o.messageTitle}":\n\n${quoted}\n`,
  }
}

/** An officer's answer by text message: the force's name, then the answer (the same in both languages). */
export function answerSmsText(config: Brand, answer: string): string {
  return `${config.brand.forceName}: ${answer}`
}

/** Words of the daily and weekly digests (render.ts renderDigestEmail / renderDigestSms). */
export function digestWords(lang: Lang, serviceName: string, frequency: 'daily' | 'weekly', count: number) {
  if (lang === 'cy') {
    const period = frequency === 'weekly' ? 'wythnosol' : 'dyddiol'
    return {
      subject: `Eich crynodeb ${period}: ${count} neges gan ${serviceName}`,
      intro: count === 1 ? 'Dyma’r neges a anfonwyd atoch ers eich crynodeb diwethaf.' : `Dyma’r ${count} neges a anfonwyd atoch ers eich crynodeb diwethaf.`,
      noWelsh: 'Saesneg yn unig',
      manage: 'Newid beth a gewch chi, neu pa mor aml',
      unsubscribe: 'Dad-danysgrifio',
      why: 'Rydych yn cael y crynodeb hwn am i chi gofrestru ar gyfer rhybuddion cymunedol a dewis crynodeb yn lle negeseuon unigol.',
      sms: (manage: string) => `${serviceName}: ${count} neges newydd. Darllenwch nhw a rheoli eich rhybuddion: ${manage}`,
    }
  }
  const period = frequency === 'weekly' ? 'weekly' : 'daily'
  return {
    subject: `Your ${period} summary: ${count} message${count === 1 ? '' : 's'} from ${serviceName}`,
    intro: count === 1 ? 'Here is the message sent to you since your last summary.' : `Here are the ${count} messages sent to you since your last summary.`,
    noWelsh: '',
    manage: 'Change what you receive or how often',
    unsubscribe: 'Unsubscribe',
    why: 'You get this summary because you signed up for community alerts and chose a summary instead of single messages.',
    sms: (manage: string) => `${serviceName}: ${count} new message${count === 1 ? '' : 's'}. Read them and manage alerts: ${manage}`,
  }
}
