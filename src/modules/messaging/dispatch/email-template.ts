import type { Config } from '../../../config.ts'
import type { EmailMessage } from '../../../platform/channels/types.ts'
import { clickLink, messageLinks, type LinkClaims } from '../links.ts'
import { renderEmail, type EmailTranslation, type RenderableMessage } from '../render.ts'
import { formatDeliveryRef, type DeliveryRef } from '../delivery-ref.ts'

/**
 * A message's email rendered once per language, with each resident's links filled in per
 * send. A bulk send renders the same Markdown into the same HTML for every resident; only
 * their signed links differ (manage, unsubscribe, reply, "was this useful?", and the tracked
 * links in the body, which name the delivery). Rendering once and filling those in saves the
 * Markdown, HTML and escaping work per email, and gives byte-for-byte what `renderEmail`
 * gives (render.ts stays the one place that decides what an email says).
 *
 * How: the message is rendered for a made-up resident and delivery; every place their links
 * appear becomes a slot. Before a template is used it is checked against `renderEmail` for a
 * second made-up resident: if filling the slots does not give exactly the same email (say
 * render.ts starts to print something else per resident), there is no template and the
 * caller renders each email in full, as before.
 */

type LinkConfig = Pick<Config, 'sessionSecret' | 'baseUrl' | 'brand'>
type Who = { id: string; linkVersion: number; email: string; language?: string | null | undefined }

type Slot =
  | { kind: 'manage' | 'unsubscribe' | 'reply' | 'useful' | 'email'; escaped: boolean }
  | { kind: 'click'; url: string; escaped: boolean }
type Piece = string | Slot

export interface EmailTemplate {
  subject: Piece[]
  text: Piece[]
  html: Piece[] | null
  headers: [string, Piece[]][]
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
const reEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

// Made-up residents and deliveries: never stored, only used to find where the links go.
const PROBE_A: Who = { id: '00000000-0000-4000-8000-00000000a11a', linkVersion: 917, email: 'probe-a@probe.invalid' }
const PROBE_B: Who = { id: '00000000-0000-4000-8000-00000000b22b', linkVersion: 4242, email: 'probe-b@probe.invalid' }
const DELIVERY_A: DeliveryRef = { messageRef: '987654321001', subscriberId: PROBE_A.id, channel: 'email' }
const DELIVERY_B: DeliveryRef = { messageRef: '123456789002', subscriberId: PROBE_B.id, channel: 'email' }

/** Builds the template, or null when this message's email cannot be templated safely. */
export function buildEmailTemplate(
  config: LinkConfig,
  message: RenderableMessage,
  translation: EmailTranslation | null,
  /** the residents' language: Beacon's own words (footer, links) follow it */
  language?: string | null,
): EmailTemplate | null {
  const probeA = { ...PROBE_A, language }
  const probeB = { ...PROBE_B, language }
  const sample = renderEmail(config, message, translation, probeA, { delivery: DELIVERY_A })
  const links = messageLinks(config, PROBE_A, message.id, 'email')
  const slots = new Map<string, Slot>()
  const add = (value: string, slot: Slot) => {
    if (value && !slots.has(value)) slots.set(value, slot)
  }
  for (const kind of ['manage', 'unsubscribe', 'reply', 'useful'] as const) {
    add(links[kind], { kind, escaped: false })
    add(esc(links[kind]), { kind, escaped: true })
  }
  add(PROBE_A.email, { kind: 'email', escaped: false })
  // Tracked body links: the click links for the probe delivery, found in the HTML.
  const clickPrefix = esc(`${config.baseUrl}/alerts/c/`)
  for (const m of (sample.html ?? '').matchAll(new RegExp(`${reEscape(clickPrefix)}([A-Za-z0-9_-]+)\\.([A-Za-z0-9_-]+)`, 'g'))) {
    const url = clickTarget(m[1]!)
    if (url === null) continue
    add(esc(clickLink(config, DELIVERY_A, url)), { kind: 'click', url, escaped: true })
  }
  const tokens = [...slots.keys()].sort((a, b) => b.length - a.length)
  const splitter = new RegExp(tokens.map(reEscape).join('|'), 'g')
  const split = (s: string): Piece[] => {
    const out: Piece[] = []
    let last = 0
    for (const m of s.matchAll(splitter)) {
      if (m.index > last) out.push(s.slice(last, m.index))
      out.push(slots.get(m[0])!)
      last = m.index + m[0].length
    }
    if (last < s.length) out.push(s.slice(last))
    return out
  }
  const template: EmailTemplate = {
    subject: split(sample.subject),
    text: split(sample.text),
    html: sample.html === undefined ? null : split(sample.html),
    headers: Object.entries(sample.headers ?? {}).map(([name, value]) => [name, split(value)]),
  }
  // The check: a second resident's email, filled in, must equal what render.ts makes for them.
  const expected = renderEmail(config, message, translation, probeB, { delivery: DELIVERY_B })
  const filled = fillEmailTemplate(config, template, message.id, probeB, DELIVERY_B)
  const same =
    filled.to === expected.to &&
    filled.subject === expected.subject &&
    filled.text === expected.text &&
    filled.html === expected.html &&
    JSON.stringify(filled.headers) === JSON.stringify(expected.headers ?? {})
  return same ? template : null
}

/** The email for one resident and delivery (the same as renderEmail would give). */
export function fillEmailTemplate(config: LinkConfig, t: EmailTemplate, messageId: string, who: Who, delivery: DeliveryRef): EmailMessage {
  const links = messageLinks(config, who, messageId, 'email')
  const clicks = new Map<string, string>()
  const value = (slot: Slot): string => {
    let v: string
    if (slot.kind === 'click') {
      v = clicks.get(slot.url) ?? clickLink(config, delivery, slot.url)
      clicks.set(slot.url, v)
    } else v = slot.kind === 'email' ? who.email : links[slot.kind]
    return slot.escaped ? esc(v) : v
  }
  const join = (pieces: Piece[]) => {
    let s = ''
    for (const p of pieces) s += typeof p === 'string' ? p : value(p)
    return s
  }
  const headers: Record<string, string> = {}
  for (const [name, pieces] of t.headers) headers[name] = join(pieces)
  return {
    to: who.email,
    subject: join(t.subject),
    text: join(t.text),
    ...(t.html ? { html: join(t.html) } : {}),
    headers,
    reference: `msg:${messageId}:${who.id}:email`,
  }
}

/** The target of a click link's token payload, or null when it is not one. */
function clickTarget(payload: string): string | null {
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as LinkClaims
    return claims.purpose === 'click' && claims.delivery === formatDeliveryRef(DELIVERY_A) && typeof claims.url === 'string' ? claims.url : null
  } catch {
    return null
  }
}

/**
 * Templates for the messages being sent, by message, translation, the residents' language and last change. Bounded: a
 * dispatcher sends a handful of messages at a time.
 */
export function createEmailTemplates(config: LinkConfig, max = 200) {
  const cache = new Map<string, EmailTemplate | null>()
  return {
    /** The email for one resident: from the template when there is one, else rendered in full. */
    render(message: RenderableMessage & { updatedAt?: Date | string | null }, translation: (EmailTranslation & { language: string }) | null, who: Who, delivery: DeliveryRef): EmailMessage {
      const language = who.language ?? null
      const key = `${message.id}|${translation?.language ?? ''}|${language ?? ''}|${message.updatedAt ? new Date(message.updatedAt).getTime() : ''}`
      let t = cache.get(key)
      if (t === undefined) {
        t = buildEmailTemplate(config, message, translation, language)
        if (cache.size >= max) cache.delete(cache.keys().next().value!)
        cache.set(key, t)
      }
      return t ? fillEmailTemplate(config, t, message.id, who, delivery) : renderEmail(config, message, translation, who, { delivery })
    },
    clear: () => cache.clear(),
  }
}
