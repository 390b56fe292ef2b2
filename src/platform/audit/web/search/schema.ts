import { z } from 'zod'
import type { FieldErrors } from '../../../views/nunjucks.ts'

export const PAGE_SIZE = 50

const text = (max: number) => z.string().trim().max(max, `Must be ${max} characters or fewer`).optional().catch(undefined)

/** The search form's fields as they arrive in the query string (all optional). */
export const auditQuerySchema = z.object({
  text: z.string().trim().max(200, 'Search words must be 200 characters or fewer').optional(),
  action: text(100),
  entityType: text(100),
  actor: z.string().trim().max(254, 'Email address must be 254 characters or fewer').optional(),
  'from-day': text(10),
  'from-month': text(10),
  'from-year': text(10),
  'to-day': text(10),
  'to-month': text(10),
  'to-year': text(10),
  page: z.coerce.number().int().min(1).max(100_000).optional().catch(undefined),
})

export type AuditQuery = z.infer<typeof auditQuerySchema>

/**
 * Midnight in the UK on a calendar date, as an instant. Staff think in local dates, so "from
 * 30 March" must start at 00:00 BST (23:00 UTC the day before) in summer.
 */
export function ukMidnight(year: number, month: number, day: number): Date {
  const guess = Date.UTC(year, month - 1, day)
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', hour12: false }).formatToParts(new Date(guess))
  const hour = Number(parts.find(p => p.type === 'hour')?.value ?? '0') % 24
  // At UTC midnight London shows 00:00 (GMT) or 01:00 (BST); step back by that offset.
  return new Date(guess - hour * 3_600_000)
}

type DateField = 'from' | 'to'

/**
 * Reads one GOV.UK date input. Empty means "no limit"; anything partly filled or not a real
 * date is an error, keyed to the day field so the error summary links to the first box.
 */
export function readDate(q: AuditQuery, field: DateField, label: string, errors: FieldErrors): { year: number; month: number; day: number } | undefined {
  const d = q[`${field}-day`] ?? ''
  const m = q[`${field}-month`] ?? ''
  const y = q[`${field}-year`] ?? ''
  if (!d && !m && !y) return undefined
  const key = `${field}-day`
  const missing = [!d && 'day', !m && 'month', !y && 'year'].filter(Boolean)
  if (missing.length) {
    errors[key] = `${label} must include a ${missing.join(' and ')}`
    return undefined
  }
  if (![d, m, y].every(v => /^\d+$/.test(v))) {
    errors[key] = `${label} must be a real date, like 27 3 2026`
    return undefined
  }
  const day = Number(d)
  const month = Number(m)
  const year = Number(y)
  const probe = new Date(Date.UTC(year, month - 1, day))
  if (y.length !== 4 || probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    errors[key] = `${label} must be a real date, like 27 3 2026`
    return undefined
  }
  return { year, month, day }
}

export interface AuditFilters {
  text?: string | undefined
  action?: string | undefined
  entityType?: string | undefined
  actor?: string | undefined
  from?: Date | undefined
  to?: Date | undefined
  page: number
}

/** Turns the query string into search filters, or field errors to show above the form. */
export function readAuditQuery(raw: unknown): { filters: AuditFilters; errors: FieldErrors; values: Record<string, unknown> } {
  const values = raw && typeof raw === 'object' ? { ...(raw as Record<string, unknown>) } : {}
  // A repeated parameter arrives as an array; the first one is what the form would send.
  for (const [k, v] of Object.entries(values)) if (Array.isArray(v)) values[k] = v[0]
  const errors: FieldErrors = {}
  const parsed = auditQuerySchema.safeParse(values)
  if (!parsed.success) {
    for (const issue of parsed.error.issues) errors[String(issue.path[0] ?? 'text')] ??= issue.message
    return { filters: { page: 1 }, errors, values }
  }
  const q = parsed.data
  const from = readDate(q, 'from', 'Date from', errors)
  const to = readDate(q, 'to', 'Date to', errors)
  const fromAt = from && ukMidnight(from.year, from.month, from.day)
  // "to" includes the whole of that day: search up to midnight at its end.
  const toAt = to && ukMidnight(to.year, to.month, to.day + 1)
  if (fromAt && toAt && toAt <= fromAt) errors['to-day'] ??= 'Date to must be the same as or after date from'
  const blank = (v: string | undefined) => (v ? v : undefined)
  return {
    filters: {
      text: blank(q.text),
      action: blank(q.action),
      entityType: blank(q.entityType),
      actor: blank(q.actor),
      from: fromAt,
      to: toAt,
      page: q.page ?? 1,
    },
    errors,
    values,
  }
}
