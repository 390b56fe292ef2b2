import type { FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { RouteOptions } from '../../../../app.ts'
import { AppError } from '../../../../platform/errors.ts'
import { keptValues } from '../../../../platform/http/forms.ts'
import { rateLimitError } from '../../../../platform/auth/web/shared.ts'
import type { LinkFailure } from '../../subscribers.service.ts'

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

const LINK_WORDS: Record<LinkFailure | 'used', { title: string; body: string }> = {
  expired: { title: 'This link has expired', body: 'Links to confirm an email address work for 24 hours. Sign up again to get a new one.' },
  forged: {
    title: 'This link is not valid',
    body: 'The link may have been copied wrongly or cut short. Check you copied the whole link from the message, or use the link in a newer message.',
  },
  revoked: {
    title: 'This link no longer works',
    body: 'The account it was for may have been deleted, or newer links replaced it. Use the link in your most recent message, or sign up again.',
  },
  used: { title: 'This link has already been used', body: 'Your email address is confirmed. Use the link in your welcome email to manage your alerts.' },
}

/** A clear page for a link that cannot be used, never an error trace. */
export function linkProblem(reply: FastifyReply, reason: LinkFailure | 'used', status = reason === 'used' ? 410 : reason === 'expired' ? 410 : 404) {
  const words = LINK_WORDS[reason]
  return reply.page(LINK_PROBLEM_VIEW, { title: words.title, heading: words.title, body: words.body, section: 'alerts' }, status)
}

export type TokenRequest = FastifyRequest<{ Params: { token: string } }>

/** Select and checkbox items for choosing places; ids and labels for the view. */
export async function placeOptions({ services }: RouteOptions) {
  const [tree, neighbourhoods] = await Promise.all([services.areas.listAreas(), services.areas.listNeighbourhoods()])
  const forces = tree.filter(a => a.kind === 'force')
  const districts = tree.filter(a => a.kind === 'district')
  return {
    forces: forces.map(f => ({ value: f.id, text: `The whole ${f.name} area` })),
    districts: districts.map(d => ({ value: d.id, text: d.name })),
    neighbourhoodGroups: districts.map(d => ({
      id: d.id,
      name: d.name,
      items: neighbourhoods.filter(n => n.districtId === d.id).map(n => ({ value: n.id, text: n.name })),
    })).filter(g => g.items.length),
  }
}

/** Interest checkbox items. */
export async function interestOptions({ services }: RouteOptions) {
  return (await services.messaging.subscribers.listInterests()).map(i => ({
    value: i.id,
    text: i.name,
    ...(i.nameCy ? { hint: { text: i.nameCy, attributes: { lang: 'cy' } } } : {}),
  }))
}

export const FREQUENCY_ITEMS = [
  { value: 'immediate', text: 'As soon as they are sent' },
  { value: 'daily', text: 'A daily summary' },
  { value: 'weekly', text: 'A weekly summary' },
]

export const LANGUAGE_ITEMS = [
  { value: 'en', text: 'English' },
  { value: 'cy', text: 'Cymraeg (Welsh)' },
]

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
