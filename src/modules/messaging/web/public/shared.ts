import type { FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { RouteOptions } from '../../../../app.ts'
import { AppError } from '../../../../platform/errors.ts'
import { keptValues } from '../../../../platform/http/forms.ts'
import { rateLimitError } from '../../../../platform/auth/web/shared.ts'
import type { LinkFailure } from '../../subscribers.service.ts'
import { langContext, pageLang, PUBLIC_WORDS, type Lang } from './words.ts'

/** Per-address limits on residents' forms: generous for a household, tight for a script. */
export const limits = {
  signUp: { max: 20, timeWindow: '10 minutes' },
  code: { max: 30, timeWindow: '10 minutes' },
  resend: { max: 10, timeWindow: '10 minutes' },
  manage: { max: 60, timeWindow: '10 minutes' },
  reply: { max: 20, timeWindow: '10 minutes' },
  oneClick: { max: 60, timeWindow: '1 minute' },
}

/**
 * One-click unsubscribes come from mail providers' servers, thousands of residents behind a
 * few addresses after a big send, so they are limited per link rather than per address. A
 * forged link costs one HMAC check and touches no table.
 */
export const perLinkLimit = { max: 10, timeWindow: '1 minute', keyGenerator: (request: FastifyRequest) => request.url.split('?')[0]! }

/** A route's config with a rate limit and the friendly 429 page. */
export const limited = (limit: { max: number; timeWindow: string; keyGenerator?: (request: FastifyRequest) => string }, extra: Record<string, unknown> = {}) => ({
  config: { rateLimit: { ...limit, errorResponseBuilder: rateLimitError }, ...extra },
})

/** A repeated form field (checkboxes) as a list, however many were ticked. */
export const asList = (v: unknown): string[] => (v === undefined || v === null || v === '' ? [] : [v].flat().map(String))

/** zod for a checkbox group. */
export const listField = z.union([z.string(), z.array(z.string())]).optional().transform(v => asList(v))

/** What was typed, with checkbox groups as lists so the view can tick them again. */
export function typedValues(body: unknown, lists: string[]): Record<string, unknown> {
  const values = keptValues(body)
  for (const name of lists) values[name] = asList((body as Record<string, unknown> | undefined)?.[name])
  return values
}

/** "DS1 1AA, DS2 2BB" or one per line → a list of postcodes as typed. */
export const splitPostcodes = (text: string) =>
  text
    .split(/[\n,;]+/)
    .map(s => s.trim())
    .filter(Boolean)

/** Field errors from a service's INVALID, or null for any other error. */
export function fieldErrorsOf(err: unknown): Record<string, string> | null {
  return err instanceof AppError && err.code === 'INVALID' ? (err.fieldErrors ?? { form: err.message }) : null
}

const LINK_PROBLEM_VIEW = 'modules/messaging/web/public/link-problem.njk'

/**
 * Renders a resident page in a language: the words, <html lang>, the language link and
 * `lq` (the `?lang=` that keeps the language on the page's own links and forms).
 */
export function residentPage(reply: FastifyReply, lang: Lang, template: string, context: Record<string, unknown>, status?: number) {
  return reply.page(template, { section: 'alerts', ...langContext(reply.request, lang), ...context }, status)
}

/**
 * A clear page for a link that cannot be used, never an error trace. In the resident's
 * language when the link still names them (used), otherwise as the address asks (`?lang=`).
 */
export function linkProblem(reply: FastifyReply, reason: LinkFailure | 'used', opts: { lang?: string | null; status?: number } = {}) {
  const lang = pageLang(reply.request, opts.lang)
  const words = PUBLIC_WORDS[lang].links[reason]
  const status = opts.status ?? (reason === 'used' || reason === 'expired' ? 410 : 404)
  return residentPage(reply, lang, LINK_PROBLEM_VIEW, { title: words.title, heading: words.title, body: words.body }, status)
}

export type TokenRequest = FastifyRequest<{ Params: { token: string } }>

/** Select and checkbox items for choosing places; ids and labels for the view. */
export async function placeOptions({ services }: RouteOptions, lang: Lang = 'en') {
  const [tree, neighbourhoods] = await Promise.all([services.areas.listAreas(), services.areas.listNeighbourhoods()])
  const forces = tree.filter(a => a.kind === 'force')
  const districts = tree.filter(a => a.kind === 'district')
  return {
    forces: forces.map(f => ({ value: f.id, text: PUBLIC_WORDS[lang].prefs.forceItem(f.name) })),
    districts: districts.map(d => ({ value: d.id, text: d.name })),
    neighbourhoodGroups: districts.map(d => ({
      id: d.id,
      name: d.name,
      items: neighbourhoods.filter(n => n.districtId === d.id).map(n => ({ value: n.id, text: n.name })),
    })).filter(g => g.items.length),
  }
}

/** Interest checkbox items: the page's language first, the other language as a hint (marked with its lang). */
export async function interestOptions({ services }: RouteOptions, lang: Lang = 'en') {
  return (await services.messaging.subscribers.listInterests()).map(i => {
    if (lang === 'cy' && i.nameCy) return { value: i.id, text: i.nameCy, hint: { text: i.name, attributes: { lang: 'en' } } }
    return { value: i.id, text: i.name, ...(i.nameCy ? { hint: { text: i.nameCy, attributes: { lang: 'cy' } } } : {}) }
  })
}

/** How often, per channel. */
export const frequencyItems = (lang: Lang = 'en') =>
  (['immediate', 'daily', 'weekly'] as const).map(value => ({ value, text: PUBLIC_WORDS[lang].prefs.frequencies[value] }))

/** English or Welsh: each named in its own language (marked with its lang), the page's name for it as a hint. */
export const languageItems = (lang: Lang = 'en') => [
  { value: 'en', text: 'English', label: { attributes: { lang: 'en' } }, ...(lang === 'cy' ? { hint: { text: 'Saesneg' } } : {}) },
  { value: 'cy', text: 'Cymraeg', label: { attributes: { lang: 'cy' } }, ...(lang === 'en' ? { hint: { text: 'Welsh' } } : {}) },
]

export const FREQUENCY_ITEMS = frequencyItems('en')
export const LANGUAGE_ITEMS = languageItems('en')

export const ORGANISATION_NAMES: Record<string, string> = {
  force: 'the police force',
  opcc: 'the Office of the Police and Crime Commissioner',
}

/** The signed cookie that remembers whose confirmation is waiting, between sign-up and the code page. */
export const PENDING_COOKIE = 'beacon_alerts_pending'

export interface Pending {
  id: string
  email: boolean
  sms: boolean
  /** the language the sign-up page was in, for the check page */
  lang?: Lang
}

export function setPending(reply: FastifyReply, secure: boolean, pending: Pending) {
  reply.setCookie(PENDING_COOKIE, JSON.stringify(pending), { path: '/alerts', httpOnly: true, sameSite: 'lax', signed: true, secure, maxAge: 24 * 3600 })
}

export function readPending(request: FastifyRequest): Pending | null {
  const raw = request.cookies[PENDING_COOKIE]
  if (!raw) return null
  const unsigned = request.unsignCookie(raw)
  if (!unsigned.valid || !unsigned.value) return null
  try {
    const p = JSON.parse(unsigned.value) as Pending
    return typeof p.id === 'string' ? p : null
  } catch {
    return null
  }
}
