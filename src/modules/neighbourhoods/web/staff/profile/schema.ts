import { z } from 'zod'
import type { FormResult } from '../../../../../platform/http/forms.ts'
import { keptValues } from '../../../../../platform/http/forms.ts'
import type { FieldErrors } from '../../../../../platform/views/nunjucks.ts'
import type { ContactDetails, ProfileLink } from '../../../schema.ts'
import type { ProfileInput } from '../../../team.service.ts'

/** Link rows on the form: enough for the usual social accounts and a newsletter. */
export const LINK_ROWS = 5

export const isEmail = (v: string) => /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(v)
export const isPhone = (v: string) => /^\+?[\d\s()-]{3,20}$/.test(v) && /\d{3}/.test(v.replace(/\D/g, ''))
export const isWebUrl = (v: string) => /^https?:\/\/[^\s<>"]+\.[^\s<>"]+$/i.test(v) && URL.canParse(v)

const text = (max: number, message: string) =>
  z
    .string()
    .trim()
    .max(max, message)
    .transform(v => v || null)
    .default(null)

const checked = (check: (v: string) => boolean, message: string, max = 300) =>
  z
    .string()
    .trim()
    .max(max, message)
    .refine(v => v === '' || check(v), message)
    .transform(v => v || null)
    .default(null)

const url = (name: string) => checked(isWebUrl, `Enter the full ${name} address, starting https://`, 500)

const scalars = z.object({
  welcomeMessage: text(2000, 'The welcome message must be 2,000 characters or fewer'),
  engagement: text(4000, 'How you engage must be 4,000 characters or fewer'),
  email: checked(isEmail, 'Enter an email address in the correct format, like team@police.example', 254),
  telephone: checked(isPhone, 'Enter a telephone number, like 101 or 01632 960 001', 30),
  mobile: checked(isPhone, 'Enter a mobile number, like 07700 900 982', 30),
  address: text(500, 'The address must be 500 characters or fewer'),
  web: url('website'),
  facebook: url('Facebook'),
  twitter: url('X (Twitter)'),
  instagram: url('Instagram'),
  youtube: url('YouTube'),
})

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v == null ? [] : [String(v)])

/** The profile form: scalar fields through zod, then the link rows (a half-filled row is an error on its row). */
export function parseProfileForm(body: unknown): FormResult<ProfileInput> {
  const b = (body ?? {}) as Record<string, unknown>
  const result = scalars.safeParse(b)
  const errors: FieldErrors = {}
  if (!result.success) for (const issue of result.error.issues) errors[String(issue.path[0])] ??= issue.message
  const titles = list(b.linkTitle)
  const urls = list(b.linkUrl)
  const descriptions = list(b.linkDescription)
  const links: ProfileLink[] = []
  for (let i = 0; i < LINK_ROWS; i++) {
    const title = (titles[i] ?? '').trim()
    const href = (urls[i] ?? '').trim()
    const description = (descriptions[i] ?? '').trim()
    if (!title && !href && !description) continue
    if (!title) errors[`linkTitle-${i}`] = `Enter a title for link ${i + 1}`
    else if (title.length > 100) errors[`linkTitle-${i}`] = `The title of link ${i + 1} must be 100 characters or fewer`
    if (!isWebUrl(href) || href.length > 500) errors[`linkUrl-${i}`] = `Enter the full address of link ${i + 1}, starting https://`
    if (description.length > 300) errors[`linkDescription-${i}`] = `The description of link ${i + 1} must be 300 characters or fewer`
    links.push({ title, url: href, description: description || null })
  }
  if (!result.success || Object.keys(errors).length) return { ok: false, errors, values: keptValues(body) }
  const d = result.data
  const contactDetails: ContactDetails = {}
  for (const key of ['email', 'telephone', 'mobile', 'address', 'web', 'facebook', 'twitter', 'instagram', 'youtube'] as const) {
    const v = d[key]
    if (v) contactDetails[key] = v
  }
  return { ok: true, data: { welcomeMessage: d.welcomeMessage, engagement: d.engagement, contactDetails, links } }
}
