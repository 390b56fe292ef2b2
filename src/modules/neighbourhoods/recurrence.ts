/**
 * Repeating events: a bounded subset of the RFC 5545 RRULE, expanded in Europe/London local
 * time so a 7pm meeting stays at 7pm on both sides of the change between GMT and BST.
 *
 * Supported: FREQ=DAILY|WEEKLY|MONTHLY, INTERVAL, BYDAY (weekly: MO…SU; monthly: with an
 * ordinal such as 2TU or -1FR, or without one for every such weekday), WKST=MO, and COUNT or
 * UNTIL. One of COUNT and UNTIL is required (a rule that never ends is refused), and the
 * expansion is capped at MAX_OCCURRENCES dates within MAX_YEARS of the first date.
 * Staff never type rules: `buildRule` makes one from the choices on the event form.
 */

export const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const
export type Weekday = (typeof WEEKDAYS)[number]

export const FREQUENCIES = ['DAILY', 'WEEKLY', 'MONTHLY'] as const
export type Frequency = (typeof FREQUENCIES)[number]

/** At most this many dates in one series (two years of weekly meetings). */
export const MAX_OCCURRENCES = 104
/** The last date of a series is at most this many years after its first. */
export const MAX_YEARS = 2
/** INTERVAL above this is refused (it would say "every 100 weeks"). */
export const MAX_INTERVAL = 52

/** A calendar date in Europe/London. `month` is 1–12. */
export interface LocalDate {
  year: number
  month: number
  day: number
}

/** A wall-clock time in Europe/London, 24-hour. */
export interface LocalTime {
  hour: number
  minute: number
}

/** One BYDAY entry: a weekday, with an ordinal (1–5 or -1 to -5) in monthly rules. */
export interface ByDay {
  day: Weekday
  ordinal?: number
}

export interface RecurrenceRule {
  freq: Frequency
  /** every `interval` days, weeks or months; 1 or more */
  interval: number
  /** empty: the weekday (weekly) or day of the month (monthly) of the first date */
  byDay: ByDay[]
  /** how many dates in all, the first included */
  count?: number
  /** the last moment a date may start (inclusive) */
  until?: Date
}

/** One date of a series. */
export interface Occurrence {
  date: LocalDate
  startsAt: Date
  endsAt: Date
}

/** Which field of the event form a problem belongs to. */
export type RecurrenceField = 'rule' | 'repeat' | 'every' | 'count' | 'until' | 'startDate'

/** A rule that cannot be used, with words a member of staff can act on. */
export class RecurrenceError extends Error {
  readonly field: RecurrenceField
  constructor(message: string, field: RecurrenceField = 'rule') {
    super(message)
    this.name = 'RecurrenceError'
    this.field = field
  }
}

// ---------------------------------------------------------------- London local time

const londonFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  hourCycle: 'h23',
})

/** The Europe/London date and wall-clock time of an instant. */
export function londonParts(at: Date): { date: LocalDate; time: LocalTime } {
  const p: Record<string, number> = {}
  for (const part of londonFormat.formatToParts(at)) if (part.type !== 'literal') p[part.type] = Number(part.value)
  return { date: { year: p.year!, month: p.month!, day: p.day! }, time: { hour: p.hour!, minute: p.minute! } }
}

/**
 * The instant a Europe/London date and time stand for. London is GMT+0 or GMT+1, so one of
 * the two offsets reproduces the wall time. In the autumn hour that happens twice the first
 * (BST) is taken; a time in the spring gap is read with the offset before the gap (01:30
 * becomes 02:30 BST), as RFC 5545 says.
 */
export function londonToUtc(date: LocalDate, time: LocalTime): Date {
  const wall = Date.UTC(date.year, date.month - 1, date.day, time.hour, time.minute)
  for (const offsetHours of [1, 0]) {
    const at = new Date(wall - offsetHours * 3_600_000)
    const back = londonParts(at)
    if (sameDate(back.date, date) && back.time.hour === time.hour && back.time.minute === time.minute) return at
  }
  return new Date(wall)
}

// ---------------------------------------------------------------- calendar arithmetic

const dayNumber = (d: LocalDate) => Math.floor(Date.UTC(d.year, d.month - 1, d.day) / 86_400_000)
const fromDayNumber = (n: number): LocalDate => {
  const d = new Date(n * 86_400_000)
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() }
}

export const sameDate = (a: LocalDate, b: LocalDate) => a.year === b.year && a.month === b.month && a.day === b.day
export const compareDates = (a: LocalDate, b: LocalDate) => dayNumber(a) - dayNumber(b)
export const addDays = (d: LocalDate, days: number) => fromDayNumber(dayNumber(d) + days)

/** True for a real calendar date (not 31 April). */
export function isValidDate(d: LocalDate): boolean {
  if (!Number.isInteger(d.year) || !Number.isInteger(d.month) || !Number.isInteger(d.day)) return false
  if (d.month < 1 || d.month > 12 || d.day < 1) return false
  return d.day <= daysInMonth(d.year, d.month)
}

export const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate()

/** MO for a Monday… SU for a Sunday. */
export function weekdayOf(d: LocalDate): Weekday {
  const js = new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay()
  return WEEKDAYS[(js + 6) % 7]!
}

/** The same day of the month `months` later, clamped to the month's last day. */
export function addMonths(d: LocalDate, months: number): LocalDate {
  const index = d.year * 12 + (d.month - 1) + months
  const year = Math.floor(index / 12)
  const month = (index % 12) + 1
  return { year, month, day: Math.min(d.day, daysInMonth(year, month)) }
}

/** Which of its weekday in the month a date is: 1 for the first Tuesday… 5 for a fifth. */
export const ordinalInMonth = (d: LocalDate) => Math.ceil(d.day / 7)
/** True when a date is the last of its weekday in the month. */
export const isLastInMonth = (d: LocalDate) => d.day + 7 > daysInMonth(d.year, d.month)

/** The dates in a month that one BYDAY entry picks, in order. */
function monthDates(year: number, month: number, by: ByDay): LocalDate[] {
  const all: LocalDate[] = []
  for (let day = 1; day <= daysInMonth(year, month); day++) {
    const d = { year, month, day }
    if (weekdayOf(d) === by.day) all.push(d)
  }
  if (by.ordinal === undefined) return all
  const picked = by.ordinal > 0 ? all[by.ordinal - 1] : all[all.length + by.ordinal]
  return picked ? [picked] : []
}

// ---------------------------------------------------------------- parsing and writing

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

/** UNTIL in UTC, as RFC 5545 requires with a zoned DTSTART: 20270331T225959Z. */
const formatUtc = (d: Date) =>
  `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`

/** The last second of a London date: what "until 31 March" means. */
export const endOfLondonDay = (d: LocalDate) => new Date(londonToUtc(addDays(d, 1), { hour: 0, minute: 0 }).getTime() - 1000)

/** Writes a rule in its canonical form, e.g. "FREQ=MONTHLY;BYDAY=2TU;COUNT=12". */
export function formatRule(rule: RecurrenceRule): string {
  const parts = [`FREQ=${rule.freq}`]
  if (rule.interval !== 1) parts.push(`INTERVAL=${rule.interval}`)
  if (rule.byDay.length) parts.push(`BYDAY=${rule.byDay.map(b => `${b.ordinal ?? ''}${b.day}`).join(',')}`)
  if (rule.count !== undefined) parts.push(`COUNT=${rule.count}`)
  if (rule.until !== undefined) parts.push(`UNTIL=${formatUtc(rule.until)}`)
  return parts.join(';')
}

const SUPPORTED_KEYS = new Set(['FREQ', 'INTERVAL', 'BYDAY', 'COUNT', 'UNTIL', 'WKST'])

/**
 * Reads a rule ("FREQ=WEEKLY;BYDAY=TU;COUNT=10", with or without a leading "RRULE:"),
 * refusing anything outside the supported subset, and any rule that never ends.
 */
export function parseRule(text: string): RecurrenceRule {
  const body = text.trim().replace(/^RRULE:/i, '')
  if (!body) throw new RecurrenceError('The repeat rule is empty')
  const seen = new Map<string, string>()
  for (const part of body.split(';')) {
    if (!part) continue
    const eq = part.indexOf('=')
    if (eq <= 0) throw new RecurrenceError(`“${part}” is not a part of a repeat rule: each part looks like NAME=VALUE`)
    const key = part.slice(0, eq).trim().toUpperCase()
    const value = part.slice(eq + 1).trim().toUpperCase()
    if (!SUPPORTED_KEYS.has(key)) throw new RecurrenceError(`${key} is not supported in a repeat rule. Use FREQ, INTERVAL, BYDAY, COUNT or UNTIL`)
    if (seen.has(key)) throw new RecurrenceError(`${key} appears more than once in the repeat rule`)
    seen.set(key, value)
  }

  const freq = seen.get('FREQ')
  if (!freq) throw new RecurrenceError('The repeat rule must say how often: FREQ=DAILY, WEEKLY or MONTHLY')
  if (!(FREQUENCIES as readonly string[]).includes(freq))
    throw new RecurrenceError(`Events can repeat daily, weekly or monthly, not ${freq.toLowerCase()}`)
  const frequency = freq as Frequency

  const wkst = seen.get('WKST')
  if (wkst !== undefined && wkst !== 'MO') throw new RecurrenceError('Weeks start on Monday: WKST can only be MO')

  let interval = 1
  const intervalText = seen.get('INTERVAL')
  if (intervalText !== undefined) {
    if (!/^\d{1,3}$/.test(intervalText) || Number(intervalText) < 1 || Number(intervalText) > MAX_INTERVAL)
      throw new RecurrenceError(`INTERVAL must be a whole number from 1 to ${MAX_INTERVAL}`, 'every')
    interval = Number(intervalText)
  }

  const byDay: ByDay[] = []
  const byDayText = seen.get('BYDAY')
  if (byDayText !== undefined) {
    for (const item of byDayText.split(',')) {
      const m = /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/.exec(item.trim())
      if (!m) throw new RecurrenceError(`“${item}” is not a day in BYDAY: use MO, TU, WE, TH, FR, SA or SU, with a number before it in a monthly rule (like 2TU)`)
      const day = m[2] as Weekday
      if (m[1] === undefined) {
        byDay.push({ day })
        continue
      }
      const ordinal = Number(m[1])
      if (frequency !== 'MONTHLY') throw new RecurrenceError(`Numbered days like ${item} only work in a monthly rule`)
      if (ordinal === 0 || Math.abs(ordinal) > 5) throw new RecurrenceError(`In ${item}, the number must be 1 to 5, or -1 to -5 counting from the end of the month`)
      byDay.push({ day, ordinal })
    }
    if (frequency === 'DAILY') throw new RecurrenceError('A daily rule cannot pick days with BYDAY: use a weekly rule instead')
    const keys = byDay.map(b => `${b.ordinal ?? ''}${b.day}`)
    if (new Set(keys).size !== keys.length) throw new RecurrenceError('BYDAY names the same day twice')
  }

  const countText = seen.get('COUNT')
  const untilText = seen.get('UNTIL')
  if (countText === undefined && untilText === undefined)
    throw new RecurrenceError('A repeating event must end: give a number of times (COUNT) or a last date (UNTIL)', 'count')
  if (countText !== undefined && untilText !== undefined)
    throw new RecurrenceError('Give either a number of times (COUNT) or a last date (UNTIL), not both', 'count')

  const rule: RecurrenceRule = { freq: frequency, interval, byDay }
  if (countText !== undefined) {
    if (!/^\d{1,6}$/.test(countText) || Number(countText) < 1) throw new RecurrenceError('COUNT must be a whole number, 1 or more', 'count')
    rule.count = Number(countText)
  }
  if (untilText !== undefined) rule.until = parseUntil(untilText)
  return rule
}

function parseUntil(text: string): Date {
  const dateOnly = /^(\d{4})(\d{2})(\d{2})$/.exec(text)
  if (dateOnly) {
    const d = { year: Number(dateOnly[1]), month: Number(dateOnly[2]), day: Number(dateOnly[3]) }
    if (isValidDate(d)) return endOfLondonDay(d)
  }
  const utc = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text)
  if (utc) {
    const [y, mo, d, h, mi, s] = utc.slice(1).map(Number) as [number, number, number, number, number, number]
    if (isValidDate({ year: y, month: mo, day: d }) && h < 24 && mi < 60 && s < 60) return new Date(Date.UTC(y, mo - 1, d, h, mi, s))
  }
  throw new RecurrenceError('UNTIL must be a date like 20270331 or a UTC time like 20270331T225959Z', 'until')
}

// ---------------------------------------------------------------- expansion

/**
 * Every date of a series starting on `first` at `time` (London), each lasting
 * `durationMinutes`. The first date must fit the rule (it is the first occurrence, as
 * DTSTART is in RFC 5545). Throws RecurrenceError past MAX_OCCURRENCES or MAX_YEARS.
 */
export function expandRule(rule: RecurrenceRule, first: LocalDate, time: LocalTime, durationMinutes: number): Occurrence[] {
  if (!isValidDate(first)) throw new RecurrenceError('The first date is not a real date', 'startDate')
  if (rule.count === undefined && rule.until === undefined)
    throw new RecurrenceError('A repeating event must end: give a number of times or a last date', 'count')
  if (rule.count !== undefined && rule.count > MAX_OCCURRENCES)
    throw new RecurrenceError(`A repeating event can have at most ${MAX_OCCURRENCES} dates. Choose fewer times, or add another series later`, 'count')
  if (!Number.isInteger(rule.interval) || rule.interval < 1 || rule.interval > MAX_INTERVAL)
    throw new RecurrenceError(`The gap between dates must be from 1 to ${MAX_INTERVAL}`, 'every')

  const limit = addMonths(first, MAX_YEARS * 12)
  const startOf = (d: LocalDate) => londonToUtc(d, time)
  const out: Occurrence[] = []
  const push = (d: LocalDate): boolean => {
    if (compareDates(d, first) < 0) return true
    const startsAt = startOf(d)
    if (rule.until && startsAt.getTime() > rule.until.getTime()) return false
    if (rule.count !== undefined && out.length >= rule.count) return false
    if (compareDates(d, limit) > 0)
      throw new RecurrenceError(
        `A repeating event must end within ${MAX_YEARS} years of its first date. Choose ${rule.count !== undefined ? 'fewer times' : 'an earlier last date'}`,
        rule.count !== undefined ? 'count' : 'until',
      )
    if (out.length >= MAX_OCCURRENCES)
      throw new RecurrenceError(`A repeating event can have at most ${MAX_OCCURRENCES} dates. Choose an earlier last date`, 'until')
    out.push({ date: d, startsAt, endsAt: new Date(startsAt.getTime() + durationMinutes * 60_000) })
    return true
  }

  // Each step is one period (day, week or month); a period may hold several dates. The loop
  // always ends: past the two-year limit `push` throws or the rule has ended.
  const periods = (MAX_YEARS + 1) * 400
  if (rule.freq === 'DAILY') {
    for (let k = 0; k < periods; k++) if (!push(addDays(first, k * rule.interval))) break
  } else if (rule.freq === 'WEEKLY') {
    const days = (rule.byDay.length ? rule.byDay.map(b => b.day) : [weekdayOf(first)]).map(d => WEEKDAYS.indexOf(d)).sort((a, b) => a - b)
    const monday = addDays(first, -WEEKDAYS.indexOf(weekdayOf(first)))
    outer: for (let k = 0; k < periods; k++) {
      const weekStart = addDays(monday, k * 7 * rule.interval)
      for (const i of days) if (!push(addDays(weekStart, i))) break outer
    }
  } else {
    outer: for (let k = 0; k < periods; k++) {
      const m = addMonths({ year: first.year, month: first.month, day: 1 }, k * rule.interval)
      let dates: LocalDate[]
      if (rule.byDay.length) {
        dates = rule.byDay.flatMap(b => monthDates(m.year, m.month, b)).sort(compareDates)
        dates = dates.filter((d, i) => i === 0 || !sameDate(d, dates[i - 1]!))
      } else {
        // A month without that day (the 31st in April) is skipped, as RFC 5545 does.
        dates = first.day <= daysInMonth(m.year, m.month) ? [{ year: m.year, month: m.month, day: first.day }] : []
      }
      for (const d of dates) if (!push(d)) break outer
    }
  }

  if (out.length === 0) throw new RecurrenceError('The last date must be on or after the first date', 'until')
  if (!sameDate(out[0]!.date, first))
    throw new RecurrenceError(`The first date, ${describeDate(first)}, does not fit the repeat pattern (${describeRule(rule)})`, 'startDate')
  return out
}

// ---------------------------------------------------------------- words

const DAY_NAMES: Record<Weekday, string> = { MO: 'Monday', TU: 'Tuesday', WE: 'Wednesday', TH: 'Thursday', FR: 'Friday', SA: 'Saturday', SU: 'Sunday' }
const ORDINALS: Record<number, string> = { 1: 'first', 2: 'second', 3: 'third', 4: 'fourth', 5: 'fifth', [-1]: 'last', [-2]: 'second to last', [-3]: 'third to last', [-4]: 'fourth to last', [-5]: 'fifth to last' }
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

export const dayName = (d: Weekday) => DAY_NAMES[d]
export const describeDate = (d: LocalDate) => `${DAY_NAMES[weekdayOf(d)]} ${d.day} ${MONTHS[d.month - 1]} ${d.year}`

const joinWords = (words: string[]) => (words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`)

/** A rule in plain English: "Every month on the second Tuesday, 12 times". */
export function describeRule(rule: RecurrenceRule): string {
  const unit = { DAILY: 'day', WEEKLY: 'week', MONTHLY: 'month' }[rule.freq]
  let text = rule.interval === 1 ? `Every ${unit}` : `Every ${rule.interval} ${unit}s`
  if (rule.byDay.length) {
    const days = rule.byDay.map(b => (b.ordinal === undefined ? (rule.freq === 'MONTHLY' ? `every ${DAY_NAMES[b.day]}` : DAY_NAMES[b.day]) : `the ${ORDINALS[b.ordinal]} ${DAY_NAMES[b.day]}`))
    text += ` on ${joinWords(days)}`
  }
  if (rule.count !== undefined) text += rule.count === 1 ? ', once' : `, ${rule.count} times`
  if (rule.until !== undefined) {
    const { date } = londonParts(rule.until)
    text += `, until ${date.day} ${MONTHS[date.month - 1]} ${date.year}`
  }
  return text
}

// ---------------------------------------------------------------- the staff form

export const REPEAT_CHOICES = ['none', 'weekly', 'monthly_nth', 'monthly_last'] as const
export type RepeatChoice = (typeof REPEAT_CHOICES)[number]

/** What the event form asks about repeating; staff never type RRULE text. */
export interface RepeatChoices {
  repeat: RepeatChoice
  /** weekly only: every N weeks (1 = every week) */
  every?: number
  ends: 'count' | 'until'
  count?: number
  until?: LocalDate
}

/**
 * The rule for the form's choices, taking the weekday (and its place in the month) from the
 * first date: "monthly_nth" on Tuesday 10 March 2026 is the second Tuesday of each month.
 * Answers null for an event that does not repeat.
 */
export function buildRule(choices: RepeatChoices, first: LocalDate): RecurrenceRule | null {
  if (choices.repeat === 'none') return null
  const day = weekdayOf(first)
  let rule: RecurrenceRule
  if (choices.repeat === 'weekly') {
    const every = choices.every ?? 1
    if (!Number.isInteger(every) || every < 1 || every > MAX_INTERVAL) throw new RecurrenceError(`Enter how many weeks apart, from 1 to ${MAX_INTERVAL}`, 'every')
    rule = { freq: 'WEEKLY', interval: every, byDay: [{ day }] }
  } else if (choices.repeat === 'monthly_nth') {
    const n = ordinalInMonth(first)
    if (n === 5)
      throw new RecurrenceError(
        `${describeDate(first)} is the fifth ${DAY_NAMES[day]} of its month, and most months have only four. Choose “the last ${DAY_NAMES[day]} of each month”, or another first date`,
        'repeat',
      )
    rule = { freq: 'MONTHLY', interval: 1, byDay: [{ day, ordinal: n }] }
  } else {
    if (!isLastInMonth(first))
      throw new RecurrenceError(`${describeDate(first)} is not the last ${DAY_NAMES[day]} of its month. Choose a first date in the last week of the month, or “the same weekday each month”`, 'repeat')
    rule = { freq: 'MONTHLY', interval: 1, byDay: [{ day, ordinal: -1 }] }
  }
  if (choices.ends === 'count') {
    const count = choices.count
    if (count === undefined || !Number.isInteger(count) || count < 2)
      throw new RecurrenceError('Enter how many times it happens, 2 or more', 'count')
    if (count > MAX_OCCURRENCES) throw new RecurrenceError(`A repeating event can have at most ${MAX_OCCURRENCES} dates`, 'count')
    rule.count = count
  } else {
    if (!choices.until || !isValidDate(choices.until)) throw new RecurrenceError('Enter the date of the last one, like 31 3 2027', 'until')
    if (compareDates(choices.until, first) <= 0) throw new RecurrenceError('The last date must be after the first date', 'until')
    rule.until = endOfLondonDay(choices.until)
  }
  return rule
}

/** The form's choices that would build `rule` (weekly or monthly rules made by `buildRule`). */
export function choicesFor(rule: RecurrenceRule): RepeatChoices {
  const by = rule.byDay[0]
  const repeat: RepeatChoice = rule.freq === 'WEEKLY' ? 'weekly' : by?.ordinal === -1 ? 'monthly_last' : 'monthly_nth'
  const ends = rule.count !== undefined ? { ends: 'count' as const, count: rule.count } : { ends: 'until' as const, until: londonParts(rule.until!).date }
  return { repeat, ...(repeat === 'weekly' ? { every: rule.interval } : {}), ...ends }
}
