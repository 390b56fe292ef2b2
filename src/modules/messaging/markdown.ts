/**
 * The plain-language subset of Markdown staff write messages in, rendered to HTML (for email
 * and the public site) and to plain text (for the text part of an email).
 *
 * Supported: paragraphs, line breaks (a single newline), **bold**, *italic*, links
 * [text](https://…) to http(s), mailto: and tel: only, bullet lists (- or *), numbered lists
 * (1.), and headings (## and ###; a single # is shown as ##, since the email's title is the
 * only top heading).
 *
 * Safety does not depend on validation: every piece of text is escaped as it is written out,
 * and only the tags this module creates ever appear in its HTML. `validateMarkdown` exists so
 * staff are told about HTML, scripts or unsafe links instead of having them silently dropped.
 */

export interface MarkdownProblem {
  code: 'html' | 'script' | 'unsafe-link' | 'too-long'
  message: string
}

/** The longest body accepted: generous for an alert, small enough for any provider. */
export const MAX_BODY_LENGTH = 10_000

const SAFE_URL = /^(https?:\/\/[^\s<>"]+|mailto:[^\s<>"]+|tel:\+?[0-9 ()-]+)$/i

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')

/** True for a link target this subset allows. */
export const isSafeUrl = (url: string) => SAFE_URL.test(url.trim())

type Block =
  | { kind: 'heading'; level: 2 | 3; text: string }
  | { kind: 'paragraph'; lines: string[] }
  | { kind: 'list'; ordered: boolean; items: string[] }

const HEADING = /^(#{1,3})\s+(.*)$/
const BULLET = /^\s*[-*+]\s+(.*)$/
const NUMBERED = /^\s*\d{1,3}[.)]\s+(.*)$/

/** Splits the source into blocks. Never fails: anything unrecognised is paragraph text. */
function parseBlocks(md: string): Block[] {
  const lines = md.replace(/\r\n?/g, '\n').split('\n')
  const blocks: Block[] = []
  let current: Block | null = null
  const close = () => {
    if (current) blocks.push(current)
    current = null
  }
  for (const raw of lines) {
    const line = raw.replace(/\s+$/, '')
    if (line.trim() === '') {
      close()
      continue
    }
    const heading = HEADING.exec(line)
    if (heading) {
      close()
      blocks.push({ kind: 'heading', level: heading[1]!.length === 3 ? 3 : 2, text: heading[2]!.trim() })
      continue
    }
    const bullet = BULLET.exec(line)
    const numbered = bullet ? null : NUMBERED.exec(line)
    if (bullet || numbered) {
      const ordered = !!numbered
      const text = (bullet ?? numbered)![1]!
      if (current?.kind === 'list' && current.ordered === ordered) current.items.push(text)
      else {
        close()
        current = { kind: 'list', ordered, items: [text] }
      }
      continue
    }
    // A line following a list item without a marker continues that item.
    if (current?.kind === 'list') {
      const last = current.items.length - 1
      current.items[last] = `${current.items[last]} ${line.trim()}`
      continue
    }
    if (current?.kind !== 'paragraph') {
      close()
      current = { kind: 'paragraph', lines: [] }
    }
    current.lines.push(line.trim())
  }
  close()
  return blocks
}

type Inline = { kind: 'text'; text: string } | { kind: 'strong' | 'em'; children: Inline[] } | { kind: 'link'; text: Inline[]; url: string }

const INLINE_PATTERNS: { kind: 'link' | 'strong' | 'em'; re: RegExp }[] = [
  { kind: 'link', re: /\[([^\]\n]+)\]\(([^)\s]*)\)/ },
  { kind: 'strong', re: /\*\*(?=\S)([^\n]*?\S)\*\*/ },
  { kind: 'em', re: /(?<![*\w])\*(?=[^\s*])([^*\n]*?[^\s*])\*(?![*\w])|(?<![_\w])_(?=\S)([^_\n]*?\S)_(?![_\w])/ },
]

/** Parses inline formatting; `inLink` stops links nesting inside link text. */
function parseInline(src: string, inLink = false): Inline[] {
  const out: Inline[] = []
  let rest = src
  while (rest.length) {
    let best: { kind: 'link' | 'strong' | 'em'; m: RegExpExecArray } | null = null
    for (const p of INLINE_PATTERNS) {
      if (inLink && p.kind === 'link') continue
      const m = p.re.exec(rest)
      if (m && (!best || m.index < best.m.index)) best = { kind: p.kind, m }
    }
    if (!best) {
      out.push({ kind: 'text', text: rest })
      break
    }
    const { kind, m } = best
    if (m.index > 0) out.push({ kind: 'text', text: rest.slice(0, m.index) })
    if (kind === 'link') {
      const url = m[2]!.trim()
      // An unsafe or empty target keeps its words and loses the link.
      if (isSafeUrl(url)) out.push({ kind: 'link', text: parseInline(m[1]!, true), url })
      else out.push(...parseInline(m[1]!, true))
    } else {
      out.push({ kind, children: parseInline(m[1] ?? m[2] ?? '', inLink) })
    }
    rest = rest.slice(m.index + m[0].length)
  }
  return out
}

function inlineHtml(nodes: Inline[], linkStyle: string): string {
  return nodes
    .map(n => {
      if (n.kind === 'text') return escapeHtml(n.text)
      if (n.kind === 'strong') return `<strong>${inlineHtml(n.children, linkStyle)}</strong>`
      if (n.kind === 'em') return `<em>${inlineHtml(n.children, linkStyle)}</em>`
      if (n.kind !== 'link') return ''
      return `<a href="${escapeHtml(n.url)}" rel="noopener"${linkStyle}>${inlineHtml(n.text, linkStyle)}</a>`
    })
    .join('')
}

function inlineText(nodes: Inline[]): string {
  return nodes
    .map(n => {
      if (n.kind === 'text') return n.text
      if (n.kind !== 'link') return inlineText(n.children)
      const text = inlineText(n.text)
      const shown = n.url.replace(/^(mailto|tel):/i, '')
      return text === n.url || text === shown ? n.url : `${text} (${n.url})`
    })
    .join('')
}

export interface HtmlOptions {
  /**
   * Inline styles for email clients, which ignore stylesheets (CSP does not apply to mail).
   * Pages on the site use GOV.UK classes instead, so no style attribute reaches a page.
   */
  variant?: 'page' | 'email'
}

const PAGE_CLASSES = { p: 'govuk-body', h2: 'govuk-heading-m', h3: 'govuk-heading-s', ul: 'govuk-list govuk-list--bullet', ol: 'govuk-list govuk-list--number', a: 'govuk-link' }
const EMAIL_STYLES = {
  p: 'margin:0 0 16px 0;font-size:19px;line-height:1.4;',
  h2: 'margin:24px 0 12px 0;font-size:24px;line-height:1.25;',
  h3: 'margin:20px 0 10px 0;font-size:19px;line-height:1.3;',
  ul: 'margin:0 0 16px 0;padding-left:24px;font-size:19px;line-height:1.4;',
  ol: 'margin:0 0 16px 0;padding-left:24px;font-size:19px;line-height:1.4;',
  a: 'color:#1d70b8;text-decoration:underline;',
}

/** Renders the subset to HTML. Everything from the source is escaped; no raw HTML passes. */
export function markdownToHtml(md: string, opts: HtmlOptions = {}): string {
  const email = opts.variant === 'email'
  const attr = (tag: keyof typeof PAGE_CLASSES) => (email ? ` style="${EMAIL_STYLES[tag]}"` : ` class="${PAGE_CLASSES[tag]}"`)
  const linkAttr = attr('a')
  return parseBlocks(md)
    .map(b => {
      if (b.kind === 'heading') {
        const tag = b.level === 3 ? 'h3' : 'h2'
        return `<${tag}${attr(tag)}>${inlineHtml(parseInline(b.text), linkAttr)}</${tag}>`
      }
      if (b.kind === 'list') {
        const tag = b.ordered ? 'ol' : 'ul'
        return `<${tag}${attr(tag)}>${b.items.map(i => `<li>${inlineHtml(parseInline(i), linkAttr)}</li>`).join('')}</${tag}>`
      }
      return `<p${attr('p')}>${b.lines.map(l => inlineHtml(parseInline(l), linkAttr)).join('<br>')}</p>`
    })
    .join('\n')
}

/** Renders the subset to plain text: formatting dropped, links as "text (url)". */
export function markdownToText(md: string): string {
  return parseBlocks(md)
    .map(b => {
      if (b.kind === 'heading') return inlineText(parseInline(b.text))
      if (b.kind === 'list') return b.items.map((i, n) => `${b.ordered ? `${n + 1}.` : '-'} ${inlineText(parseInline(i))}`).join('\n')
      return b.lines.map(l => inlineText(parseInline(l))).join('\n')
    })
    .join('\n\n')
}

const HTML_TAG = /<\/?[a-z!][^>]*>|<\/?[a-z][a-z0-9-]*(\s|$)/i
const SCRIPT = /<\s*script|on[a-z]+\s*=\s*["']?[^"'\s>]*\(/i
const UNSAFE_SCHEME = /\b(javascript|vbscript|data)\s*:/i

/**
 * What is wrong with a body before it can be sent, as messages for the compose form. Empty
 * when the body is fine. Renderers are safe whatever this says.
 */
export function validateMarkdown(md: string): MarkdownProblem[] {
  const problems: MarkdownProblem[] = []
  if (md.length > MAX_BODY_LENGTH)
    problems.push({ code: 'too-long', message: `Message must be ${MAX_BODY_LENGTH.toLocaleString('en-GB')} characters or fewer` })
  if (SCRIPT.test(md)) problems.push({ code: 'script', message: 'Remove the script from the message: use the formatting shown' })
  else if (HTML_TAG.test(md)) problems.push({ code: 'html', message: 'Remove the HTML from the message: use the formatting shown' })
  const badLinks = [...md.matchAll(/\[[^\]\n]*\]\(([^)\n]*)\)/g)].map(m => m[1]!.trim()).filter(u => !isSafeUrl(u))
  if (badLinks.length || UNSAFE_SCHEME.test(md))
    problems.push({
      code: 'unsafe-link',
      message: 'Links must start with https://, http://, mailto: or tel:, like [Our website](https://www.example.police.uk)',
    })
  return problems
}
