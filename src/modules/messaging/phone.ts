/**
 * UK mobile numbers and email addresses as residents type them. Numbers are stored in E.164
 * (+447…) so one person typing "07700 900123" and another "+44 7700 900123" are the same
 * subscriber, and providers (GOV.UK Notify) accept them as they are.
 */

/**
 * Normalises a UK mobile number to E.164, or answers null when it is not one. Accepts spaces,
 * dashes, dots and brackets, a leading 0, +44, 0044 or 44, and "+44 (0)7…". Mobile ranges are
 * 071–075 and 077–079, plus 07624 (Isle of Man); 070 (personal numbers) and 076 (pagers)
 * cannot receive texts reliably, so they are refused.
 */
export function normaliseUkMobile(typed: string): string | null {
  let digits = typed.trim().replace(/[\s\-.()]/g, '')
  if (!/^\+?\d+$/.test(digits)) return null
  if (digits.startsWith('+44')) digits = digits.slice(3)
  else if (digits.startsWith('0044')) digits = digits.slice(4)
  else if (digits.startsWith('44') && digits.length === 12) digits = digits.slice(2)
  else if (digits.startsWith('+')) return null
  // "+44 (0)7700 900123" leaves a 0 after the country code.
  if (digits.startsWith('0')) digits = digits.slice(1)
  if (!/^7\d{9}$/.test(digits)) return null
  const mobile = /^7[1-57-9]/.test(digits) || digits.startsWith('7624')
  return mobile ? `+44${digits}` : null
}

/** "+447700900123" → "07700 900123", how residents expect to see their number. */
export function formatUkMobile(e164: string): string {
  if (!/^\+447\d{9}$/.test(e164)) return e164
  const national = `0${e164.slice(3)}`
  return `${national.slice(0, 5)} ${national.slice(5)}`
}

/** Hides all but the last three digits, for pages reached by a link that might be forwarded. */
export function maskPhone(e164: string): string {
  const shown = formatUkMobile(e164)
  let keep = 3
  const out: string[] = []
  for (let i = shown.length - 1; i >= 0; i--) {
    const ch = shown[i]!
    if (/\d/.test(ch)) out.push(keep-- > 0 ? ch : '•')
    else out.push(ch)
  }
  return out.reverse().join('')
}

/** Hides most of an email address's local part: "jane.doe@example.org" → "j•••••••@example.org". */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@')
  if (at < 1) return email
  return `${email[0]}${'•'.repeat(Math.max(3, at - 1))}${email.slice(at)}`
}

/** Lower-cased and trimmed, or null when it does not look like an email address. */
export function normaliseEmail(typed: string): string | null {
  const email = typed.trim().toLowerCase()
  if (email.length > 254) return null
  return /^[^\s@"<>(),;:]+@[^\s@"<>(),;:]+\.[a-z0-9-]{2,}$/.test(email) && !email.includes('..') ? email : null
}
