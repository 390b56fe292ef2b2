/**
 * Helpers for the residents' alert page tests: reading pages the way a person (or a screen
 * reader) would, and getting links and codes out of the dev outbox.
 */
import type { Database } from '../../../../platform/db/client.ts'

/** The texts of the error summary's links. */
export const errorSummary = (html: string): string[] =>
  [...(/<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? '').matchAll(/<a href="#([^"]+)">([^<]*)<\/a>/g)].map(m =>
    `${m[1]}: ${decode(m[2]!)}`,
  )

const decode = (s: string) =>
  s.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').trim()

/** Ids used more than once on a page (axe's duplicate-id rule). */
export function duplicateIds(html: string): string[] {
  const seen = new Map<string, number>()
  for (const m of html.matchAll(/\sid="([^"]+)"/g)) seen.set(m[1]!, (seen.get(m[1]!) ?? 0) + 1)
  return [...seen].filter(([, n]) => n > 1).map(([id]) => id)
}

/** The value of the text input with this id, as the browser would show it. */
export const inputValue = (html: string, id: string) => {
  const tag = new RegExp(`<input[^>]*\\sid="${id}"[^>]*>`).exec(html)?.[0] ?? ''
  const v = /\svalue="([^"]*)"/.exec(tag)?.[1]
  return v === undefined ? undefined : decode(v)
}

/** The values of the ticked checkboxes or radios with this name. */
export const checked = (html: string, name: string) =>
  [...html.matchAll(/<input[^>]*>/g)]
    .map(m => m[0])
    .filter(tag => tag.includes(`name="${name}"`) && /\schecked/.test(tag))
    .map(tag => /\svalue="([^"]*)"/.exec(tag)?.[1] ?? '')

/** The contents of a textarea. */
export const textareaValue = (html: string, id: string) => decode(new RegExp(`<textarea[^>]*id="${id}"[^>]*>([\\s\\S]*?)</textarea>`).exec(html)?.[1] ?? '')

/** The <h1>'s text. */
export const heading = (html: string) => decode((/<h1[^>]*>([\s\S]*?)<\/h1>/.exec(html)?.[1] ?? /govuk-panel__title[^>]*>([\s\S]*?)</.exec(html)?.[1] ?? '').replace(/<[^>]+>/g, ''))

/** The newest message in the dev outbox to a recipient. */
export async function lastMessageTo(db: Database, to: string) {
  const [row] = await db.query<{ subject: string | null; body_text: string; headers: Record<string, string> | null }>(
    `select subject, body_text, headers from outbox_messages where recipient = $1 order by created_at desc limit 1`,
    [to],
  )
  return row
}

/** The path of the first link to `prefix` in a text. */
export const linkIn = (text: string, prefix: string) => {
  const m = new RegExp(`https?://[^\\s]+(${prefix.replace(/\//g, '\\/')}[A-Za-z0-9_.-]+)`).exec(text)
  if (!m) throw new Error(`no ${prefix} link in: ${text}`)
  return m[1]!
}

/** The 6-digit code at the start of a confirmation text. */
export const codeIn = (text: string) => /^(\d{6}) /.exec(text)?.[1] ?? ''

/** The consent wording ids a sign-up page shows, to post back as a browser would. */
export const wordingsOn = (html: string) => [...html.matchAll(/name="wordings" value="([^"]+)"/g)].map(m => m[1]!)
