import { z } from 'zod'
import type { FieldErrors } from '../../../../../platform/views/nunjucks.ts'
import { LOCATION_TYPES, type OpeningHours } from '../../../schema.ts'

/** Rows of opening hours on the form (one per day fits a week of different hours). */
export const HOURS_ROWS = 7

const optional = (max: number, message: string) =>
  z
    .string()
    .trim()
    .max(max, message)
    .transform(v => v || null)
    .default(null)

const coordinate = (min: number, max: number, message: string) =>
  z
    .string()
    .trim()
    .default('')
    .refine(v => v === '' || (/^-?\d{1,3}(\.\d+)?$/.test(v) && Number(v) >= min && Number(v) <= max), message)
    .transform(v => (v === '' ? null : Number(v)))

export const stationSchema = z.object({
  areaId: z.string({ error: 'Choose the area the station belongs to' }).trim().min(1, 'Choose the area the station belongs to'),
  name: z.string({ error: 'Enter the name of the station' }).trim().min(1, 'Enter the name of the station').max(150, 'The name must be 150 characters or fewer'),
  type: z.enum(LOCATION_TYPES, { error: 'Choose whether it is a police station, a front counter or another office' }),
  address: z.string({ error: 'Enter the address' }).trim().min(1, 'Enter the address').max(500, 'The address must be 500 characters or fewer'),
  postcode: optional(10, 'Enter a real postcode, like DS13 1AG'),
  lat: coordinate(-90, 90, 'Enter the latitude as a number between -90 and 90, like 53.91'),
  lng: coordinate(-180, 180, 'Enter the longitude as a number between -180 and 180, like -2.31'),
  description: optional(2000, 'The description must be 2,000 characters or fewer'),
})

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v == null ? [] : [String(v)])
const TIME = /^([01]?\d|2[0-3])[:.]([0-5]\d)$/

/** "9:00", "09.00" → "09:00"; null for anything else. */
export function normaliseTime(s: string): string | null {
  const m = TIME.exec(s.trim())
  return m ? `${m[1]!.padStart(2, '0')}:${m[2]}` : null
}

/**
 * The opening-hours rows: each filled row needs its days, and either both times (opening
 * before closing) or neither (closed that day, perhaps with a note). Errors are keyed by the
 * row's field id, e.g. `hoursOpens-2`.
 */
export function parseHours(body: Record<string, unknown>, errors: FieldErrors): OpeningHours[] {
  const days = list(body.hoursDays)
  const opens = list(body.hoursOpens)
  const closes = list(body.hoursCloses)
  const notes = list(body.hoursNote)
  const rows: OpeningHours[] = []
  for (let i = 0; i < HOURS_ROWS; i++) {
    const d = (days[i] ?? '').trim()
    const o = (opens[i] ?? '').trim()
    const c = (closes[i] ?? '').trim()
    const n = (notes[i] ?? '').trim()
    if (!d && !o && !c && !n) continue
    const row = `row ${i + 1}`
    if (!d) errors[`hoursDays-${i}`] = `Enter the days for ${row} of opening hours, like Monday to Friday`
    else if (d.length > 60) errors[`hoursDays-${i}`] = `The days in ${row} must be 60 characters or fewer`
    const open = o ? normaliseTime(o) : null
    const close = c ? normaliseTime(c) : null
    if (o && !open) errors[`hoursOpens-${i}`] = `Enter the opening time in ${row} as a 24-hour time, like 08:00`
    if (c && !close) errors[`hoursCloses-${i}`] = `Enter the closing time in ${row} as a 24-hour time, like 18:00`
    if (open && !c) errors[`hoursCloses-${i}`] = `Enter the closing time in ${row}, or leave both times empty if it is closed`
    if (close && !o) errors[`hoursOpens-${i}`] = `Enter the opening time in ${row}, or leave both times empty if it is closed`
    if (open && close && close <= open) errors[`hoursCloses-${i}`] = `The closing time in ${row} must be after the opening time`
    if (n.length > 100) errors[`hoursNote-${i}`] = `The note in ${row} must be 100 characters or fewer`
    rows.push({ days: d, opens: open, closes: close, note: n || null })
  }
  return rows
}
