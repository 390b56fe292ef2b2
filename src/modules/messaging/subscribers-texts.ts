import type { Config } from '../../config.ts'

/**
 * The words of the messages Beacon sends residents about their own subscription
 * (confirmation links and codes, welcome, "you are already signed up"). Alerts themselves
 * are written by staff; these are Beacon's own and short enough to read on a phone.
 */

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

/** Plain paragraphs (with bare links) to simple HTML, escaped. */
function paragraphsToHtml(paragraphs: string[]): string {
  return paragraphs
    .map(p => `<p>${escapeHtml(p).replace(/(https?:\/\/[^\s<]+)/g, url => `<a href="${url}">${url}</a>`)}</p>`)
    .join('\n')
}

export interface EmailText {
  subject: string
  text: string
  html: string
}

const email = (subject: string, paragraphs: string[]): EmailText => ({
  subject,
  text: paragraphs.join('\n\n'),
  html: paragraphsToHtml(paragraphs),
})

type Brand = Pick<Config, 'brand'>

/** The email carrying the confirm-email link. */
export function confirmEmailText(config: Brand, link: string, hours: number): EmailText {
  const { forceName, serviceName } = config.brand
  return email(`Confirm your email address for ${forceName} alerts`, [
    `Someone (we hope you) asked to get community alerts from ${forceName} at this email address.`,
    `To confirm, open this link within ${hours} hours:`,
    link,
    'If this was not you, ignore this email: nothing will be sent to you unless the link is used.',
    `${serviceName} – ${forceName}`,
  ])
}

/** The text message carrying a 6-digit code. */
export function confirmSmsText(config: Brand, code: string, minutes: number): string {
  return `${code} is your code to confirm ${config.brand.forceName} alerts. It expires in ${minutes} minutes. If you did not ask for it, ignore this message.`
}

/** Sent once a channel is confirmed. */
export function welcomeEmailText(config: Brand, manage: string): EmailText {
  const { forceName } = config.brand
  return email(`You are signed up for ${forceName} alerts`, [
    `Thank you for joining ${forceName} community alerts.`,
    'You will get messages about the places and interests you chose, at the times you chose. Emergency messages always arrive at once.',
    'You can change your places, interests and how often you hear from us, download everything we hold about you, or delete your account at any time with this link (keep it private; it works without a password):',
    manage,
    'In an emergency always call 999. To report a crime or for non-emergencies call 101.',
  ])
}

export function welcomeSmsText(config: Brand, manage: string): string {
  return `You are signed up for ${config.brand.forceName} alerts. Manage or stop them: ${manage}`
}

/**
 * Sent instead of a confirmation when someone signs up with an address that already has
 * alerts: the page they see is the same either way, so it does not reveal who is signed up.
 */
export function alreadyEmailText(config: Brand, manage: string): EmailText {
  const { forceName } = config.brand
  return email(`You already get ${forceName} alerts`, [
    `Someone (we hope you) tried to sign up for ${forceName} alerts with this email address, which is already signed up.`,
    'To change your places, interests or how often you hear from us, use this link:',
    manage,
    'If this was not you, you do not need to do anything.',
  ])
}

export function alreadySmsText(config: Brand, manage: string): string {
  return `This number already gets ${config.brand.forceName} alerts. Manage them: ${manage}`
}
