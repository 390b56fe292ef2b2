import { z } from 'zod'
import { checkEventFields, EVENT_FORMATS, type EventFields, type EventFormat } from '../../../events.service.ts'
import {
  buildRule,
  expandRule,
  isValidDate,
  londonParts,
  londonToUtc,
  RecurrenceError,
  REPEAT_CHOICES,
  type LocalDate,
  type LocalTime,
  type RecurrenceRule,
  type RepeatChoice,
} from '../../../recurrence.ts'
import { EVENT_TYPES, type EventType } from '../../../schema.ts'

const text = z.string().optional().transform(v => (v ?? '').replace(/\r\n?/g, '\n'))

/**
 * The event form (adding and changing). Everything arrives as text; `readEventForm` turns it
 * into an event and a repeat rule, collecting every problem at once so the error summary
 * lists them all. Field names are the ids the errors link to.
 */
export const eventFormSchema = z.object({
  type: text,
  title: text,
  description: text,
  format: text,
  address: text,
  onlinePlatform: text,
  onlineUrl: text,
  'start-day': text,
  'start-month': text,
  'start-year': text,
  startTime: text,
  endTime: text,
  acceptsQuestions: text,
  repeat: text,
  every: text,
  ends: text,
  count: text,
  'until-day': text,
  'until-month': text,
  'until-year': text,
  scope: text,
})

export type EventForm = z.infer<typeof eventFormSchema>

export const FORM_MESSAGES = {
  noType: 'Choose the type of event',
  noFormat: 'Choose whether people come in person, join online, or both',
  noDate: 'Enter the date, like 14 3 2026',
  badDate: 'The date must be a real date, like 14 3 2026',
  noStart: 'Enter the start time, like 19:00 or 7pm',
  badStart: 'Enter the start time as a time of day, like 19:00 or 7pm',
  noEnd: 'Enter the end time, like 20:30 or 8:30pm',
  badEnd: 'Enter the end time as a time of day, like 20:30 or 8:30pm',
  noQuestions: 'Choose whether residents can send questions before it',
  noRepeat: 'Choose whether it repeats',
  badEvery: 'Enter how many weeks apart, as a whole number like 2',
  noEnds: 'Choose when it stops repeating',
  badCount: 'Enter how many times it happens, as a whole number like 12',
  noUntil: 'Enter the date of the last one, like 31 3 2027',
  badUntil: 'The date of the last one must be a real date, like 31 3 2027',
  noScope: 'Choose whether to change only this date or this and later dates',
} as const

/** A time of day as staff type it: "19:00", "19.00", "1900", "7pm", "7:30 pm", "midday". */
export function parseTime(value: string): LocalTime | null {
  const t = value.trim().toLowerCase().replace(/\s+/g, '')
  if (t === 'midday' || t === 'noon' || t === '12noon') return { hour: 12, minute: 0 }
  if (t === 'midnight') return { hour: 0, minute: 0 }
  let m = /^(\d{1,2})(?:[:.](\d{2}))?(am|pm)$/.exec(t)
  if (m) {
    const h = Number(m[1])
    const minute = m[2] ? Number(m[2]) : 0
    if (h < 1 || h > 12 || minute > 59) return null
    return { hour: (h % 12) + (m[3] === 'pm' ? 12 : 0), minute }
  }
  m = /^(\d{1,2})[:.](\d{2})$/.exec(t) ?? /^(\d{2})(\d{2})$/.exec(t)
  if (m) {
    const hour = Number(m[1])
    const minute = Number(m[2])
    if (hour > 23 || minute > 59) return null
    return { hour, minute }
  }
  return null
}

/** "19:00" for a form field. */
export const timeText = (t: LocalTime) => `${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`

/** A date from three boxes, or why not. */
function readDate(day: string, month: string, year: string): LocalDate | 'missing' | 'invalid' {
  if (!day.trim() && !month.trim() && !year.trim()) return 'missing'
  if (!/^\d{1,2}$/.test(day.trim()) || !/^\d{1,2}$/.test(month.trim()) || !/^\d{4}$/.test(year.trim())) return 'invalid'
  const d = { year: Number(year), month: Number(month), day: Number(day) }
  return isValidDate(d) ? d : 'invalid'
}

/** Where the service's and the rule's field names show on the form. */
export const FORM_FIELD: Record<string, string> = {
  startsAt: 'startDate',
  endsAt: 'endTime',
  rule: 'repeat',
  startDate: 'startDate',
  until: 'until',
  count: 'count',
  every: 'every',
  repeat: 'repeat',
}
export const formField = (key: string) => FORM_FIELD[key] ?? key

export interface ReadEventForm {
  fields: EventFields | null
  rule: RecurrenceRule | null
  scope: 'one' | 'following'
  errors: Record<string, string>
}

/**
 * Reads the event form: dates and times in Europe/London, the event's own rules
 * (checkEventFields), and with `withRepeat` the repeat choices turned into a rule and tried
 * against the two-year and 104-date limits. `fields` is null when anything is wrong.
 */
export function readEventForm(v: EventForm, opts: { withRepeat: boolean; inSeries?: boolean }): ReadEventForm {
  const errors: Record<string, string> = {}
  const type = (EVENT_TYPES as readonly string[]).includes(v.type) ? (v.type as EventType) : null
  if (!type) errors.type = FORM_MESSAGES.noType
  const format = (EVENT_FORMATS as readonly string[]).includes(v.format) ? (v.format as EventFormat) : null
  if (!format) errors.format = FORM_MESSAGES.noFormat

  const date = readDate(v['start-day'], v['start-month'], v['start-year'])
  if (date === 'missing') errors.startDate = FORM_MESSAGES.noDate
  else if (date === 'invalid') errors.startDate = FORM_MESSAGES.badDate
  const start = parseTime(v.startTime)
  if (!start) errors.startTime = v.startTime.trim() ? FORM_MESSAGES.badStart : FORM_MESSAGES.noStart
  const end = parseTime(v.endTime)
  if (!end) errors.endTime = v.endTime.trim() ? FORM_MESSAGES.badEnd : FORM_MESSAGES.noEnd
  const accepts = v.acceptsQuestions === 'yes' ? true : v.acceptsQuestions === 'no' ? false : null
  if (accepts === null) errors.acceptsQuestions = FORM_MESSAGES.noQuestions

  const when = typeof date === 'object' && start && end ? { startsAt: londonToUtc(date, start), endsAt: londonToUtc(date, end) } : null
  const candidate: EventFields = {
    type: type ?? 'other',
    title: v.title,
    description: v.description,
    format: format ?? 'hybrid',
    address: v.address,
    onlinePlatform: v.onlinePlatform,
    onlineUrl: v.onlineUrl,
    startsAt: when?.startsAt ?? new Date(0),
    endsAt: when?.endsAt ?? new Date(3_600_000),
    acceptsQuestions: accepts ?? true,
  }
  const checked = checkEventFields(candidate)
  for (const [key, message] of Object.entries(checked.errors)) {
    if (!format && ['address', 'onlineUrl', 'onlinePlatform', 'format'].includes(key)) continue
    if (!type && key === 'format') continue
    errors[formField(key)] ??= message
  }

  let rule: RecurrenceRule | null = null
  if (opts.withRepeat) {
    const repeat = (REPEAT_CHOICES as readonly string[]).includes(v.repeat) ? (v.repeat as RepeatChoice) : null
    if (!repeat) errors.repeat = FORM_MESSAGES.noRepeat
    if (repeat && repeat !== 'none') {
      let every: number | undefined
      if (repeat === 'weekly') {
        const e = v.every.trim() || '1'
        if (!/^\d{1,3}$/.test(e)) errors.every = FORM_MESSAGES.badEvery
        else every = Number(e)
      }
      const ends = v.ends === 'count' || v.ends === 'until' ? v.ends : null
      let count: number | undefined
      let until: LocalDate | undefined
      if (!ends) errors.ends = FORM_MESSAGES.noEnds
      else if (ends === 'count') {
        if (!/^\d{1,4}$/.test(v.count.trim())) errors.count = FORM_MESSAGES.badCount
        else count = Number(v.count.trim())
      } else {
        const u = readDate(v['until-day'], v['until-month'], v['until-year'])
        if (u === 'missing') errors.until = FORM_MESSAGES.noUntil
        else if (u === 'invalid') errors.until = FORM_MESSAGES.badUntil
        else until = u
      }
      if (ends && typeof date === 'object' && !errors.every && !errors.count && !errors.until) {
        try {
          rule = buildRule({ repeat, ...(every !== undefined ? { every } : {}), ends, ...(count !== undefined ? { count } : {}), ...(until ? { until } : {}) }, date)
          if (rule && when && !errors.endTime) {
            const { time } = londonParts(when.startsAt)
            expandRule(rule, date, time, Math.round((when.endsAt.getTime() - when.startsAt.getTime()) / 60_000))
          }
        } catch (err) {
          if (!(err instanceof RecurrenceError)) throw err
          errors[formField(err.field)] ??= err.message
        }
      }
    }
  }

  let scope: 'one' | 'following' = 'one'
  if (opts.inSeries) {
    if (v.scope === 'one' || v.scope === 'following') scope = v.scope
    else errors.scope = FORM_MESSAGES.noScope
  }
  const ok = Object.keys(errors).length === 0
  return { fields: ok ? checked.fields : null, rule: ok ? rule : null, scope, errors }
}

/** The form's values for an existing event (changing it). */
export function formValuesFor(e: EventFields): Record<string, string> {
  const start = londonParts(e.startsAt)
  const end = londonParts(e.endsAt)
  return {
    type: e.type,
    title: e.title,
    description: e.description ?? '',
    format: e.format,
    address: e.address ?? '',
    onlinePlatform: e.onlinePlatform ?? '',
    onlineUrl: e.onlineUrl ?? '',
    'start-day': String(start.date.day),
    'start-month': String(start.date.month),
    'start-year': String(start.date.year),
    startTime: timeText(start.time),
    endTime: timeText(end.time),
    acceptsQuestions: e.acceptsQuestions ? 'yes' : 'no',
  }
}
