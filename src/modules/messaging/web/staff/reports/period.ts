import { ukMidnight } from '../../../../../platform/audit/web/search/schema.ts'
import { formatDate, type FieldErrors } from '../../../../../platform/views/nunjucks.ts'
import { PERIOD_DAYS, periodBetween, periodEnding, type Period } from '../../../stats.service.ts'

/**
 * The reporting period of the measures pages, read from a GET form: one of the fixed periods
 * (`days=7|28|91|365`) or dates the user chooses (`days=custom` with GOV.UK date inputs
 * `from-day`, `from-month`, `from-year`, `to-day`, `to-month`, `to-year`). Dates are UK
 * calendar dates: the period runs from midnight (Europe/London) at the start of the first day
 * to midnight at the end of the last, or to now when the last day is today.
 */

/** The longest custom period: three years (a leap day included). */
export const MAX_CUSTOM_DAYS = 3 * 365 + 1
const DEFAULT_DAYS = 28

export type PeriodChoice =
  | {
      ok: true
      period: Period
      custom: boolean
      /** the query string that chooses this period again (page links and CSV downloads keep it) */
      query: string
      /** "the last 28 days", "1 April 2026 to 30 June 2026" */
      label: string
      /** for table captions: "in the last 28 days (26 October to 23 November 2026)", "from 1 April 2026 to 30 June 2026" */
      caption: string
      /** for file names: "last-28-days", "2026-04-01-to-2026-06-30" */
      fileLabel: string
      values: Record<string, string>
    } | { ok: false; errors: FieldErrors; values: Record<string, string> }

const FIELDS = ['days', 'from-day', 'from-month', 'from-year', 'to-day', 'to-month', 'to-year'] as const

/** A query parameter as the form sends it: a single trimmed string (the first if repeated), at most 20 characters. */
const one = (v: unknown): string => String((Array.isArray(v) ? v[0] : v) ?? '').trim().slice(0, 20)

const pad = (n: number) => String(n).padStart(2, '0')
const iso = (d: { year: number; month: number; day: number }) => `${d.year}-${pad(d.month)}-${pad(d.day)}`

const longDate = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })
const spoken = (d: { year: number; month: number; day: number }) => longDate.format(new Date(Date.UTC(d.year, d.month - 1, d.day)))

/** Today's calendar date in the UK. */
function ukToday(now: Date): { year: number; month: number; day: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: 'numeric', day: 'numeric' }).formatToParts(now).map(p => [p.type, p.value]),
  )
  return { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day) }
}

const londonDate = (at: Date) => formatDate(at)

const dayNumber = (d: { year: number; month: number; day: number }) => Date.UTC(d.year, d.month - 1, d.day) / 86_400_000

/**
 * One GOV.UK date input, checked the way the GOV.UK Design System asks: what is missing,
 * whether it is a real date. The error is keyed to the first box that needs fixing, so the
 * error summary's link lands there.
 */
function readDate(values: Record<string, string>, field: 'from' | 'to', label: string, errors: FieldErrors) {
  const d = values[`${field}-day`] ?? ''
  const m = values[`${field}-month`] ?? ''
  const y = values[`${field}-year`] ?? ''
  if (!d && !m && !y) {
    errors[`${field}-day`] = `Enter the ${label.toLowerCase()}`
    return undefined
  }
  const missing = ([['day', d], ['month', m], ['year', y]] as const).filter(([, v]) => !v).map(([k]) => k)
  if (missing.length) {
    errors[`${field}-${missing[0]}`] = `${label} must include a ${missing.join(' and a ')}`
    return undefined
  }
  if (![d, m, y].every(v => /^\d+$/.test(v))) {
    errors[`${field}-day`] = `${label} must be a real date, like 27 3 2026`
    return undefined
  }
  if (y.length !== 4) {
    errors[`${field}-year`] = `Year must include 4 numbers, like 2026`
    return undefined
  }
  const date = { year: Number(y), month: Number(m), day: Number(d) }
  const probe = new Date(Date.UTC(date.year, date.month - 1, date.day))
  if (probe.getUTCFullYear() !== date.year || probe.getUTCMonth() !== date.month - 1 || probe.getUTCDate() !== date.day) {
    errors[`${field}-day`] = `${label} must be a real date, like 27 3 2026`
    return undefined
  }
  return date
}

/**
 * Reads the period from the query string. Anything that is not a fixed period or "custom"
 * means the default (the last 28 days), as before; a custom period is checked and, when
 * wrong, answered with errors beside the date boxes and what was typed kept.
 */
export function readPeriod(query: unknown, now: Date): PeriodChoice {
  const raw = (query && typeof query === 'object' ? query : {}) as Record<string, unknown>
  const values: Record<string, string> = {}
  for (const f of FIELDS) if (raw[f] !== undefined) values[f] = one(raw[f])

  if (values.days !== 'custom') {
    const days = (PERIOD_DAYS as readonly number[]).includes(Number(values.days)) ? Number(values.days) : DEFAULT_DAYS
    const period = periodEnding(now, days)
    const label = days === 365 ? 'the last year' : `the last ${days} days`
    return {
      ok: true,
      period,
      custom: false,
      query: `days=${days}`,
      label,
      caption: `in ${label} (${londonDate(period.from)} to ${londonDate(period.to)})`,
      fileLabel: `last-${days}-days`,
      values: { days: String(days) },
    }
  }

  const errors: FieldErrors = {}
  const from = readDate(values, 'from', 'Start date', errors)
  const to = readDate(values, 'to', 'End date', errors)
  const today = dayNumber(ukToday(now))
  if (from && dayNumber(from) > today) errors['from-day'] ??= 'Start date must be today or in the past'
  if (to && dayNumber(to) > today) errors['to-day'] ??= 'End date must be today or in the past'
  if (from && to && !errors['from-day'] && !errors['to-day']) {
    if (dayNumber(to) < dayNumber(from)) errors['to-day'] = 'End date must be the same as or after the start date'
    else if (dayNumber(to) - dayNumber(from) + 1 > MAX_CUSTOM_DAYS) errors['from-day'] = 'The period must be 3 years or shorter: choose a later start date'
  }
  if (!from || !to || Object.keys(errors).length) return { ok: false, errors, values }

  const start = ukMidnight(from.year, from.month, from.day)
  const endOfDay = ukMidnight(to.year, to.month, to.day + 1)
  const period = periodBetween(start, endOfDay < now ? endOfDay : now)
  const params = new URLSearchParams({ days: 'custom', 'from-day': String(from.day), 'from-month': String(from.month), 'from-year': String(from.year), 'to-day': String(to.day), 'to-month': String(to.month), 'to-year': String(to.year) })
  return {
    ok: true,
    period,
    custom: true,
    query: params.toString(),
    label: `${spoken(from)} to ${spoken(to)}`,
    caption: `from ${spoken(from)} to ${spoken(to)}`,
    fileLabel: `${iso(from)}-to-${iso(to)}`,
    values: Object.fromEntries(params),
  }
}

/** The period radios; "Dates you choose" reveals the two date inputs (shown anyway without JavaScript). */
export const periodRadioValues = [
  ...PERIOD_DAYS.map(d => ({ value: String(d), text: d === 365 ? 'The last year' : `The last ${d} days` })),
  { value: 'custom', text: 'Dates you choose' },
]
