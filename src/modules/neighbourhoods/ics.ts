/**
 * An RFC 5545 iCalendar writer for neighbourhood events: one event ("Add to calendar") or a
 * neighbourhood's feed (subscribed to by calendar apps). Times are written in UTC ("Z"), so
 * no VTIMEZONE is needed and every app shows them in its own zone. Lines end in CRLF and are
 * folded at 75 octets without splitting a UTF-8 character.
 */

/** One VEVENT. */
export interface CalendarEvent {
  /** stable across versions, e.g. "<eventId>@beacon.example.org" */
  uid: string
  /** when this version of the event was made (DTSTAMP and LAST-MODIFIED): its last change */
  stamp: Date
  created?: Date
  start: Date
  end: Date
  summary: string
  description?: string | null
  /** the address, or the online platform for an online-only event */
  location?: string | null
  /** the event's own page */
  url?: string | null
  /** bumped on every change, so calendar apps replace their copy */
  sequence: number
  cancelled: boolean
}

export interface CalendarOptions {
  /** PRODID: who made the file */
  prodId: string
  /** X-WR-CALNAME: the name a calendar app gives a subscription */
  name: string
  /** X-WR-CALDESC */
  description?: string
  /** how often subscribers should check for changes (REFRESH-INTERVAL, X-PUBLISHED-TTL) */
  refreshHours?: number
}

const CRLF = '\r\n'
const MAX_OCTETS = 75

/**
 * A TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma escaped, line breaks as
 * "\n". Other control characters are not allowed in TEXT, so they are dropped (tabs kept).
 */
export function escapeText(value: string): string {
  return value
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\n/g, '\\n')
}

/**
 * Folds one content line (RFC 5545 §3.1): no line longer than 75 octets, continuation lines
 * start with a space (which counts toward the 75), and a multi-byte UTF-8 character is
 * never split across lines.
 */
export function foldLine(line: string): string {
  const chunks: string[] = []
  let current = ''
  let octets = 0
  let limit = MAX_OCTETS
  for (const ch of line) {
    const size = Buffer.byteLength(ch, 'utf8')
    if (octets + size > limit) {
      chunks.push(current)
      current = ''
      octets = 0
      limit = MAX_OCTETS - 1
    }
    current += ch
    octets += size
  }
  chunks.push(current)
  return chunks.join(`${CRLF} `)
}

const pad = (n: number) => String(n).padStart(2, '0')

/** A DATE-TIME in UTC: 20260113T190000Z. */
export const formatUtc = (d: Date) =>
  `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`

/** A URI value carries no escapes; anything that could break the line structure is removed. */
const uri = (value: string) => value.replace(/[\u0000-\u001f\u007f\s]/g, encodeURIComponent)

function eventLines(e: CalendarEvent): string[] {
  const lines = [
    'BEGIN:VEVENT',
    `UID:${escapeText(e.uid)}`,
    `DTSTAMP:${formatUtc(e.stamp)}`,
    ...(e.created ? [`CREATED:${formatUtc(e.created)}`] : []),
    `LAST-MODIFIED:${formatUtc(e.stamp)}`,
    `DTSTART:${formatUtc(e.start)}`,
    `DTEND:${formatUtc(e.end)}`,
    `SUMMARY:${escapeText(e.summary)}`,
  ]
  if (e.description) lines.push(`DESCRIPTION:${escapeText(e.description)}`)
  if (e.location) lines.push(`LOCATION:${escapeText(e.location)}`)
  if (e.url) lines.push(`URL:${uri(e.url)}`)
  lines.push(`SEQUENCE:${Math.max(0, Math.floor(e.sequence))}`, `STATUS:${e.cancelled ? 'CANCELLED' : 'CONFIRMED'}`, 'TRANSP:OPAQUE', 'END:VEVENT')
  return lines
}

/**
 * A whole VCALENDAR (METHOD:PUBLISH) with the given events, as the text of a `.ics` file:
 * CRLF line ends, folded lines, UTF-8.
 */
export function writeCalendar(opts: CalendarOptions, events: readonly CalendarEvent[]): string {
  const lines = [
    'BEGIN:VCALENDAR',
    `PRODID:${escapeText(opts.prodId)}`,
    'VERSION:2.0',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(opts.name)}`,
  ]
  if (opts.description) lines.push(`X-WR-CALDESC:${escapeText(opts.description)}`)
  if (opts.refreshHours) {
    const duration = `PT${Math.max(1, Math.round(opts.refreshHours))}H`
    lines.push(`REFRESH-INTERVAL;VALUE=DURATION:${duration}`, `X-PUBLISHED-TTL:${duration}`)
  }
  for (const e of events) lines.push(...eventLines(e))
  lines.push('END:VCALENDAR')
  return lines.map(foldLine).join(CRLF) + CRLF
}

/**
 * Reads a calendar back into its unfolded content lines (for tests and checks): undoes the
 * folding and splits on CRLF. Not a general iCalendar parser.
 */
export function unfold(text: string): string[] {
  return text
    .replace(/\r\n[ \t]/g, '')
    .split('\r\n')
    .filter(Boolean)
}

/** Undoes escapeText. */
export function unescapeText(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c))
}
