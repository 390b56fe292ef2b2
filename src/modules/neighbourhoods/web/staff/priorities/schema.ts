import { z } from 'zod'
import type { FieldErrors } from '../../../../../platform/views/nunjucks.ts'
import { PRIORITY_STATUSES } from '../../../schema.ts'

/**
 * A GOV.UK date input (`<name>-day`, `-month`, `-year`) as YYYY-MM-DD. Answers '' when it is
 * not a real date, with the error under `name`; whether the date makes sense (not in the
 * future, not before the issue date) is the service's to say.
 */
export function dateFromParts(body: Record<string, unknown>, name: string, label: string, errors: FieldErrors): string {
  const part = (p: string) => String(body[`${name}-${p}`] ?? '').trim()
  const [day, month, year] = [part('day'), part('month'), part('year')]
  if (!day && !month && !year) {
    errors[name] ??= `Enter ${label}`
    return ''
  }
  const missing = [!day && 'a day', !month && 'a month', !year && 'a year'].filter(Boolean)
  if (missing.length) {
    errors[name] ??= `${label[0]!.toUpperCase()}${label.slice(1)} must include ${missing.join(' and ')}`
    return ''
  }
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year)) {
    errors[name] ??= `${label[0]!.toUpperCase()}${label.slice(1)} must be a real date, like 27 3 2026`
    return ''
  }
  const iso = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`
  const d = new Date(`${iso}T00:00:00Z`)
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== iso) {
    errors[name] ??= `${label[0]!.toUpperCase()}${label.slice(1)} must be a real date, like 27 3 2026`
    return ''
  }
  return iso
}

const uuidOrEmpty = z
  .string()
  .trim()
  .optional()
  .transform(v => v || null)

export const newPrioritySchema = z.object({
  issue: z
    .string({ error: 'Enter the issue' })
    .trim()
    .min(1, 'Enter the issue')
    .max(500, 'The issue must be 500 characters or fewer'),
  proposalId: uuidOrEmpty,
  eventId: uuidOrEmpty,
})

export const updateSchema = z.object({
  action: z
    .string({ error: 'Enter what has been done' })
    .trim()
    .min(1, 'Enter what has been done')
    .max(2000, 'The action must be 2,000 characters or fewer'),
  status: z.enum(PRIORITY_STATUSES, { error: 'Choose the status of the priority after this action' }),
})

export const reviewSchema = z.object({
  note: z
    .string()
    .trim()
    .max(2000, 'The note must be 2,000 characters or fewer')
    .optional()
    .transform(v => v || null),
})

export const resolveSchema = z.object({
  closingAction: z
    .string({ error: 'Enter what was done to resolve the priority' })
    .trim()
    .min(1, 'Enter what was done to resolve the priority')
    .max(2000, 'The action must be 2,000 characters or fewer'),
})
