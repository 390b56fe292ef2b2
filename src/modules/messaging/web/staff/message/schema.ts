import { z } from 'zod'

/** Send now, or schedule: a date (day, month, year) and a time (24-hour hh:mm), UK time. */
export const submitSchema = z
  .object({
    when: z.enum(['now', 'later'], { error: 'Choose when to send it' }),
    day: z.string().trim().optional(),
    month: z.string().trim().optional(),
    year: z.string().trim().optional(),
    time: z.string().trim().optional(),
  })
  .superRefine((v, ctx) => {
    if (v.when !== 'later') return
    if (!v.day || !v.month || !v.year || !/^\d{1,2}$/.test(v.day) || !/^\d{1,2}$/.test(v.month) || !/^\d{4}$/.test(v.year))
      ctx.addIssue({ code: 'custom', path: ['scheduledFor'], message: 'Enter the date to send it, like 27 3 2027' })
    else if (!v.time || !/^([01]?\d|2[0-3])[:.]([0-5]\d)$/.test(v.time))
      ctx.addIssue({ code: 'custom', path: ['time'], message: 'Enter the time to send it, like 09:30 or 17:45' })
  })

export const rejectSchema = z.object({
  reason: z.string().trim().min(1, 'Enter the reason, so the author can put it right').max(1000, 'Reason must be 1,000 characters or fewer'),
})

/** The instant a UK date and time (Europe/London, with summer time) stand for. */
export function londonTime(year: number, month: number, day: number, hours: number, minutes: number): Date | null {
  const guess = new Date(Date.UTC(year, month - 1, day, hours, minutes))
  if (guess.getUTCMonth() !== month - 1 || guess.getUTCDate() !== day) return null
  // The offset London had at that moment: format the UTC guess in London and compare.
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(guess)
  const h = Number(parts.find(p => p.type === 'hour')!.value)
  const m = Number(parts.find(p => p.type === 'minute')!.value)
  const offsetMinutes = ((h * 60 + m - (hours * 60 + minutes)) + 1440) % 1440
  return new Date(guess.getTime() - (offsetMinutes > 720 ? offsetMinutes - 1440 : offsetMinutes) * 60_000)
}
