import type { Config } from '../../../../../config.ts'
import { EVENT_TYPE_NAMES, formatOf, type EventDetail, type EventSummary } from '../../../events.service.ts'
import type { CalendarEvent } from '../../../ics.ts'
import { londonParts, sameDate } from '../../../recurrence.ts'

const dayFormat = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' })
const shortDayFormat = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'Europe/London' })

/** "Tuesday 13 January 2026" (Europe/London). */
export const formatDay = (d: Date) => dayFormat.format(d).replace(',', '')
/** "Tue 13 Jan 2026", for tables. */
export const formatShortDay = (d: Date) => shortDayFormat.format(d).replace(',', '')

/** GOV.UK style times: "7pm", "7:30pm", "midday", "midnight" (Europe/London). */
export function formatTime(d: Date): string {
  const { hour, minute } = londonParts(d).time
  if (minute === 0 && hour === 12) return 'midday'
  if (minute === 0 && hour === 0) return 'midnight'
  const h = hour % 12 === 0 ? 12 : hour % 12
  return `${h}${minute ? `:${String(minute).padStart(2, '0')}` : ''}${hour < 12 ? 'am' : 'pm'}`
}

/** "Tuesday 13 January 2026, 7pm to 8:30pm", or with both days when it runs past midnight. */
export function formatWhen(start: Date, end: Date): string {
  if (sameDate(londonParts(start).date, londonParts(end).date)) return `${formatDay(start)}, ${formatTime(start)} to ${formatTime(end)}`
  return `${formatDay(start)}, ${formatTime(start)} to ${formatDay(end)}, ${formatTime(end)}`
}

/** Where it happens, in one line: the address, "Online (Zoom)", or both. */
export function whereText(e: { address: string | null; onlineUrl: string | null; onlinePlatform: string | null }): string {
  const format = formatOf(e)
  const online = `online${e.onlinePlatform ? ` (${e.onlinePlatform})` : ''}`
  const address = (e.address ?? '').replace(/\s*\n\s*/g, ', ')
  if (format === 'online') return `Online${e.onlinePlatform ? ` (${e.onlinePlatform})` : ''}`
  if (format === 'hybrid') return `${address}, and ${online}`
  return address
}

/** An event as lists show it: its type's name, when and where in words. */
export function eventCard<T extends EventSummary>(e: T): T & { typeName: string; when: string; day: string; shortDay: string; time: string; where: string } {
  return {
    ...e,
    typeName: EVENT_TYPE_NAMES[e.type],
    when: formatWhen(e.startsAt, e.endsAt),
    day: formatDay(e.startsAt),
    shortDay: formatShortDay(e.startsAt),
    time: `${formatTime(e.startsAt)} to ${formatTime(e.endsAt)}`,
    where: whereText(e),
  }
}

/** The public address of an event's page. */
export const eventPageUrl = (config: Config, eventId: string) => `${config.baseUrl}/events/${eventId}`

/** PRODID of every calendar file Beacon writes. */
export const PRODID = '-//Beacon//Neighbourhood events//EN'

/** One event as a VEVENT: UID from its id and the site's host; the join link in the description too. */
export function toCalendarEvent(config: Config, e: EventDetail): CalendarEvent {
  const host = new URL(config.baseUrl).hostname
  const page = eventPageUrl(config, e.id)
  const description = [
    `${EVENT_TYPE_NAMES[e.type]} in ${e.areaName}.`,
    e.description ?? '',
    e.onlineUrl ? `Join online${e.onlinePlatform ? ` (${e.onlinePlatform})` : ''}: ${e.onlineUrl}` : '',
    e.cancelled ? 'This event has been cancelled.' : '',
    `Details${e.acceptsQuestions ? ' and questions' : ''}: ${page}`,
  ]
    .filter(Boolean)
    .join('\n\n')
  return {
    uid: `${e.id}@${host}`,
    stamp: e.updatedAt,
    created: e.createdAt,
    start: e.startsAt,
    end: e.endsAt,
    summary: e.cancelled ? `Cancelled: ${e.title}` : e.title,
    description,
    location: e.address ? e.address.replace(/\s*\n\s*/g, ', ') : e.onlinePlatform ? `Online: ${e.onlinePlatform}` : 'Online',
    url: page,
    sequence: e.sequence,
    cancelled: e.cancelled,
  }
}

/** A file name from a title: "aldbridge-pact-meeting-2026-01-13.ics". */
export function calendarFileName(title: string, start: Date): string {
  const { date } = londonParts(start)
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60) || 'event'
  return `${slug}-${date.year}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}.ics`
}
