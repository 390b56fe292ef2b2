import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  MAX_OCCURRENCES,
  RecurrenceError,
  WEEKDAYS,
  addDays,
  addMonths,
  buildRule,
  choicesFor,
  compareDates,
  daysInMonth,
  describeRule,
  expandRule,
  formatRule,
  isLastInMonth,
  londonParts,
  londonToUtc,
  ordinalInMonth,
  parseRule,
  weekdayOf,
  type LocalDate,
  type RecurrenceRule,
} from './recurrence.ts'

const d = (year: number, month: number, day: number): LocalDate => ({ year, month, day })
const iso = (dates: { startsAt: Date }[]) => dates.map(o => o.startsAt.toISOString())
const refused = (fn: () => unknown) => {
  try {
    fn()
  } catch (err) {
    if (err instanceof RecurrenceError) return err
    throw err
  }
  throw new Error('expected a RecurrenceError')
}

// ---------------------------------------------------------------- arbitraries

/** Any real date from 2024 to 2030. */
const localDate = fc
  .record({ year: fc.integer({ min: 2024, max: 2030 }), month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 31 }) })
  .map(v => ({ ...v, day: Math.min(v.day, daysInMonth(v.year, v.month)) }))
const localTime = fc.record({ hour: fc.integer({ min: 0, max: 23 }), minute: fc.integer({ min: 0, max: 59 }) })
/** Evening and daytime meetings: never inside the 1am–2am hour the clocks change in. */
const meetingTime = fc.record({ hour: fc.integer({ min: 7, max: 21 }), minute: fc.constantFrom(0, 15, 30, 45) })

describe('London local time', () => {
  it('turns a wall time into the instant and back, except in the spring gap', () => {
    fc.assert(
      fc.property(localDate, localTime, (date, time) => {
        const at = londonToUtc(date, time)
        const back = londonParts(at)
        const inGap = date.month === 3 && weekdayOf(date) === 'SU' && date.day + 7 > 31 && time.hour === 1
        if (inGap) expect(back.time.hour).toBe(2)
        else expect(back).toEqual({ date, time })
      }),
    )
  })

  it('is GMT in winter and BST in summer (worked examples)', () => {
    expect(londonToUtc(d(2026, 1, 13), { hour: 19, minute: 0 }).toISOString()).toBe('2026-01-13T19:00:00.000Z')
    expect(londonToUtc(d(2026, 7, 14), { hour: 19, minute: 0 }).toISOString()).toBe('2026-07-14T18:00:00.000Z')
    // 29 March 2026: 01:00 GMT becomes 02:00 BST, so 01:30 does not exist and means 02:30 BST.
    expect(londonToUtc(d(2026, 3, 29), { hour: 1, minute: 30 }).toISOString()).toBe('2026-03-29T01:30:00.000Z')
    // 25 October 2026: 01:30 happens twice; the first (BST) is meant.
    expect(londonToUtc(d(2026, 10, 25), { hour: 1, minute: 30 }).toISOString()).toBe('2026-10-25T00:30:00.000Z')
  })
})

describe('parseRule and formatRule', () => {
  it('reads the supported subset', () => {
    expect(parseRule('FREQ=MONTHLY;BYDAY=2TU;COUNT=12')).toEqual({ freq: 'MONTHLY', interval: 1, byDay: [{ day: 'TU', ordinal: 2 }], count: 12 })
    expect(parseRule('RRULE:freq=weekly;interval=2;byday=mo,th;wkst=MO;count=4')).toEqual({
      freq: 'WEEKLY',
      interval: 2,
      byDay: [{ day: 'MO' }, { day: 'TH' }],
      count: 4,
    })
    expect(parseRule('FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20261231').until!.toISOString()).toBe('2026-12-31T23:59:59.000Z')
    expect(parseRule('FREQ=WEEKLY;UNTIL=20260630T225959Z').until!.toISOString()).toBe('2026-06-30T22:59:59.000Z')
    expect(parseRule('FREQ=DAILY;COUNT=3')).toEqual({ freq: 'DAILY', interval: 1, byDay: [], count: 3 })
  })

  it('refuses a rule that never ends, with a clear message', () => {
    expect(refused(() => parseRule('FREQ=WEEKLY;BYDAY=TU')).message).toBe(
      'A repeating event must end: give a number of times (COUNT) or a last date (UNTIL)',
    )
    fc.assert(
      fc.property(fc.constantFrom('DAILY', 'WEEKLY', 'MONTHLY'), fc.integer({ min: 1, max: 10 }), (freq, interval) => {
        expect(() => parseRule(`FREQ=${freq};INTERVAL=${interval}`)).toThrow(RecurrenceError)
      }),
    )
  })

  it('refuses what is outside the subset', () => {
    const cases: [string, RegExp][] = [
      ['FREQ=YEARLY;COUNT=2', /daily, weekly or monthly, not yearly/],
      ['FREQ=HOURLY;COUNT=2', /not hourly/],
      ['FREQ=MONTHLY;BYMONTHDAY=3;COUNT=2', /BYMONTHDAY is not supported/],
      ['FREQ=MONTHLY;BYDAY=1TU;BYSETPOS=1;COUNT=2', /BYSETPOS is not supported/],
      ['FREQ=WEEKLY;BYDAY=2TU;COUNT=2', /only work in a monthly rule/],
      ['FREQ=MONTHLY;BYDAY=6TU;COUNT=2', /must be 1 to 5/],
      ['FREQ=MONTHLY;BYDAY=0TU;COUNT=2', /must be 1 to 5/],
      ['FREQ=WEEKLY;BYDAY=XX;COUNT=2', /is not a day in BYDAY/],
      ['FREQ=WEEKLY;COUNT=2;UNTIL=20270101', /not both/],
      ['FREQ=WEEKLY;COUNT=0', /COUNT must be a whole number/],
      ['FREQ=WEEKLY;INTERVAL=0;COUNT=2', /INTERVAL must be a whole number from 1/],
      ['FREQ=WEEKLY;UNTIL=2027-01-01', /UNTIL must be a date/],
      ['FREQ=WEEKLY;UNTIL=20270231', /UNTIL must be a date/],
      ['FREQ=WEEKLY;WKST=SU;COUNT=2', /WKST can only be MO/],
      ['FREQ=WEEKLY;FREQ=DAILY;COUNT=2', /more than once/],
      ['COUNT=2', /must say how often/],
      ['', /empty/],
      ['FREQ', /NAME=VALUE/],
      ['FREQ=DAILY;BYDAY=MO;COUNT=2', /daily rule cannot pick days/],
    ]
    for (const [text, message] of cases) expect(refused(() => parseRule(text)).message, text).toMatch(message)
  })

  it('writes what it reads (property)', () => {
    const rule: fc.Arbitrary<RecurrenceRule> = fc
      .record({
        freq: fc.constantFrom('DAILY' as const, 'WEEKLY' as const, 'MONTHLY' as const),
        interval: fc.integer({ min: 1, max: 52 }),
        days: fc.uniqueArray(fc.constantFrom(...WEEKDAYS), { maxLength: 3 }),
        ordinal: fc.option(fc.constantFrom(1, 2, 3, 4, 5, -1, -2), { nil: undefined }),
        end: fc.oneof(
          fc.integer({ min: 1, max: 104 }).map(count => ({ count })),
          fc.integer({ min: 1_700_000_000, max: 1_900_000_000 }).map(s => ({ until: new Date(s * 1000) })),
        ),
      })
      .map(({ freq, interval, days, ordinal, end }) => ({
        freq,
        interval,
        byDay: freq === 'DAILY' ? [] : days.map(day => (freq === 'MONTHLY' && ordinal !== undefined ? { day, ordinal } : { day })),
        ...end,
      }))
    fc.assert(
      fc.property(rule, r => {
        expect(parseRule(formatRule(r))).toEqual(r)
      }),
    )
  })
})

describe('expandRule (worked examples)', () => {
  const seven = { hour: 19, minute: 0 }

  it('keeps a 7pm monthly meeting at 7pm across the change to BST', () => {
    const dates = expandRule(parseRule('FREQ=MONTHLY;BYDAY=2TU;COUNT=6'), d(2026, 1, 13), seven, 90)
    expect(iso(dates)).toEqual([
      '2026-01-13T19:00:00.000Z',
      '2026-02-10T19:00:00.000Z',
      '2026-03-10T19:00:00.000Z',
      '2026-04-14T18:00:00.000Z',
      '2026-05-12T18:00:00.000Z',
      '2026-06-09T18:00:00.000Z',
    ])
    expect(dates.every(o => o.endsAt.getTime() - o.startsAt.getTime() === 90 * 60_000)).toBe(true)
    expect(dates.map(o => londonParts(o.startsAt).time)).toEqual(Array(6).fill(seven))
  })

  it('keeps a weekly meeting at 7pm across the change back to GMT', () => {
    const dates = expandRule(parseRule('FREQ=WEEKLY;COUNT=3'), d(2026, 10, 20), seven, 60)
    expect(iso(dates)).toEqual(['2026-10-20T18:00:00.000Z', '2026-10-27T19:00:00.000Z', '2026-11-03T19:00:00.000Z'])
  })

  it('follows INTERVAL and several weekdays, weeks starting on Monday', () => {
    const dates = expandRule(parseRule('FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;COUNT=5'), d(2026, 1, 6), seven, 60)
    expect(dates.map(o => o.date.day)).toEqual([6, 8, 20, 22, 3])
  })

  it('finds the last Friday of each month, up to an UNTIL date', () => {
    const dates = expandRule(parseRule('FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20260630'), d(2026, 1, 30), seven, 60)
    expect(dates.map(o => `${o.date.month}-${o.date.day}`)).toEqual(['1-30', '2-27', '3-27', '4-24', '5-29', '6-26'])
  })

  it('includes a date that starts exactly at UNTIL and nothing after', () => {
    const first = d(2026, 2, 3)
    const until = londonToUtc(d(2026, 2, 17), seven)
    const dates = expandRule({ freq: 'WEEKLY', interval: 1, byDay: [], until }, first, seven, 60)
    expect(dates.map(o => o.date.day)).toEqual([3, 10, 17])
  })

  it('skips months without a fifth weekday, or without the day of the month', () => {
    const fifth = expandRule(parseRule('FREQ=MONTHLY;BYDAY=5TH;COUNT=3'), d(2026, 1, 29), seven, 60)
    expect(fifth.map(o => `${o.date.month}-${o.date.day}`)).toEqual(['1-29', '4-30', '7-30'])
    const the31st = expandRule(parseRule('FREQ=MONTHLY;COUNT=3'), d(2026, 1, 31), seven, 60)
    expect(the31st.map(o => `${o.date.month}-${o.date.day}`)).toEqual(['1-31', '3-31', '5-31'])
  })

  it('counts days with DAILY', () => {
    expect(expandRule(parseRule('FREQ=DAILY;INTERVAL=3;COUNT=3'), d(2026, 12, 30), seven, 30).map(o => o.date)).toEqual([
      d(2026, 12, 30),
      d(2027, 1, 2),
      d(2027, 1, 5),
    ])
  })

  it('refuses more than 104 dates or more than two years, with a clear message', () => {
    expect(refused(() => expandRule(parseRule('FREQ=WEEKLY;COUNT=105'), d(2026, 1, 6), seven, 60)).message).toBe(
      'A repeating event can have at most 104 dates. Choose fewer times, or add another series later',
    )
    expect(refused(() => expandRule(parseRule('FREQ=WEEKLY;UNTIL=20271231'), d(2026, 1, 1), seven, 60)).message).toBe(
      'A repeating event can have at most 104 dates. Choose an earlier last date',
    )
    const long = refused(() => expandRule(parseRule('FREQ=MONTHLY;BYDAY=1MO;COUNT=30'), d(2026, 1, 5), seven, 60))
    expect(long.message).toBe('A repeating event must end within 2 years of its first date. Choose fewer times')
    expect(long.field).toBe('count')
    expect(refused(() => expandRule(parseRule('FREQ=MONTHLY;UNTIL=20290101'), d(2026, 1, 5), seven, 60)).field).toBe('until')
  })

  it('refuses a first date that does not fit, or a last date before the first', () => {
    expect(refused(() => expandRule(parseRule('FREQ=MONTHLY;BYDAY=2TU;COUNT=3'), d(2026, 1, 14), seven, 60)).message).toBe(
      'The first date, Wednesday 14 January 2026, does not fit the repeat pattern (Every month on the second Tuesday, 3 times)',
    )
    expect(refused(() => expandRule(parseRule('FREQ=WEEKLY;UNTIL=20250101'), d(2026, 1, 14), seven, 60)).message).toBe(
      'The last date must be on or after the first date',
    )
  })
})

describe('expandRule (properties)', () => {
  /** A weekly or monthly rule built the way the staff form builds it, from its first date. */
  const series = fc
    .record({
      first: localDate,
      time: meetingTime,
      kind: fc.constantFrom('weekly' as const, 'monthly_nth' as const, 'monthly_last' as const),
      every: fc.integer({ min: 1, max: 4 }),
      count: fc.integer({ min: 2, max: 24 }),
      duration: fc.integer({ min: 15, max: 240 }),
    })
    .map(v => {
      let first = v.first
      // Move the first date to one the chosen pattern can start from.
      if (v.kind === 'monthly_nth' && ordinalInMonth(first) === 5) first = addDays(first, -7)
      if (v.kind === 'monthly_last') while (!isLastInMonth(first)) first = addDays(first, 7)
      return { ...v, first }
    })

  it('gives COUNT dates, in order, all at the same London time, on the right weekday', () => {
    fc.assert(
      fc.property(series, s => {
        const rule = buildRule({ repeat: s.kind, every: s.every, ends: 'count', count: s.count }, s.first)!
        const dates = expandRule(rule, s.first, s.time, s.duration)
        expect(dates).toHaveLength(s.count)
        expect(dates[0]!.date).toEqual(s.first)
        for (const [i, o] of dates.entries()) {
          expect(londonParts(o.startsAt)).toEqual({ date: o.date, time: s.time })
          expect(o.endsAt.getTime() - o.startsAt.getTime()).toBe(s.duration * 60_000)
          expect(weekdayOf(o.date)).toBe(weekdayOf(s.first))
          if (i > 0) expect(o.startsAt.getTime()).toBeGreaterThan(dates[i - 1]!.startsAt.getTime())
          if (s.kind === 'weekly' && i > 0) expect(compareDates(o.date, dates[i - 1]!.date)).toBe(7 * s.every)
          if (s.kind === 'monthly_nth') expect(ordinalInMonth(o.date)).toBe(ordinalInMonth(s.first))
          if (s.kind === 'monthly_last') expect(isLastInMonth(o.date)).toBe(true)
          if (s.kind !== 'weekly' && i > 0) expect((o.date.year - dates[i - 1]!.date.year) * 12 + o.date.month - dates[i - 1]!.date.month).toBe(1)
        }
      }),
    )
  })

  it('stops at UNTIL: every date starts by then, and the next one would not', () => {
    fc.assert(
      fc.property(series, fc.integer({ min: 1, max: 300 }), (s, days) => {
        const until = addDays(s.first, days)
        const rule = buildRule({ repeat: s.kind, every: s.every, ends: 'until', until }, s.first)!
        const dates = expandRule(rule, s.first, s.time, s.duration)
        expect(dates.every(o => o.startsAt <= rule.until!)).toBe(true)
        const more = expandRule({ ...rule, until: undefined, count: dates.length + 1 }, s.first, s.time, s.duration)
        expect(more.at(-1)!.startsAt > rule.until!).toBe(true)
      }),
    )
  })

  it('never answers more than 104 dates or beyond two years: it refuses instead', () => {
    const anyRule = fc.record({
      freq: fc.constantFrom('DAILY' as const, 'WEEKLY' as const, 'MONTHLY' as const),
      interval: fc.integer({ min: 1, max: 6 }),
      end: fc.oneof(
        fc.integer({ min: 1, max: 400 }).map(count => ({ count })),
        fc.integer({ min: 0, max: 1500 }).map(days => ({ days })),
      ),
    })
    fc.assert(
      fc.property(anyRule, localDate, meetingTime, (r, first, time) => {
        const rule: RecurrenceRule = {
          freq: r.freq,
          interval: r.interval,
          byDay: [],
          ...('count' in r.end ? { count: r.end.count } : { until: londonToUtc(addDays(first, r.end.days), { hour: 23, minute: 59 }) }),
        }
        let dates
        try {
          dates = expandRule(rule, first, time, 60)
        } catch (err) {
          expect(err).toBeInstanceOf(RecurrenceError)
          return
        }
        expect(dates.length).toBeLessThanOrEqual(MAX_OCCURRENCES)
        expect(compareDates(dates.at(-1)!.date, addMonths(first, 24))).toBeLessThanOrEqual(0)
      }),
    )
  })
})

describe('buildRule (the staff form)', () => {
  const tuesday = d(2026, 3, 10) // the second Tuesday of March 2026

  it('builds weekly and monthly rules from the first date', () => {
    expect(formatRule(buildRule({ repeat: 'weekly', every: 1, ends: 'count', count: 10 }, tuesday)!)).toBe('FREQ=WEEKLY;BYDAY=TU;COUNT=10')
    expect(formatRule(buildRule({ repeat: 'weekly', every: 2, ends: 'count', count: 6 }, tuesday)!)).toBe('FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=6')
    expect(formatRule(buildRule({ repeat: 'monthly_nth', ends: 'until', until: d(2026, 12, 31) }, tuesday)!)).toBe(
      'FREQ=MONTHLY;BYDAY=2TU;UNTIL=20261231T235959Z',
    )
    expect(formatRule(buildRule({ repeat: 'monthly_last', ends: 'count', count: 4 }, d(2026, 3, 31))!)).toBe('FREQ=MONTHLY;BYDAY=-1TU;COUNT=4')
    expect(buildRule({ repeat: 'none', ends: 'count' }, tuesday)).toBeNull()
  })

  it('describes rules in plain English and gives the form its choices back', () => {
    const rule = buildRule({ repeat: 'monthly_nth', ends: 'count', count: 12 }, tuesday)!
    expect(describeRule(rule)).toBe('Every month on the second Tuesday, 12 times')
    expect(describeRule(parseRule('FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;UNTIL=20260630T225959Z'))).toBe(
      'Every 2 weeks on Tuesday and Thursday, until 30 June 2026',
    )
    expect(describeRule(parseRule('FREQ=MONTHLY;BYDAY=-1FR;COUNT=1'))).toBe('Every month on the last Friday, once')
    expect(choicesFor(rule)).toEqual({ repeat: 'monthly_nth', ends: 'count', count: 12 })
    expect(choicesFor(buildRule({ repeat: 'weekly', every: 3, ends: 'until', until: d(2026, 6, 1) }, tuesday)!)).toEqual({
      repeat: 'weekly',
      every: 3,
      ends: 'until',
      until: d(2026, 6, 1),
    })
  })

  it('refuses choices that cannot work, naming the field', () => {
    const fifth = d(2026, 3, 31) // the fifth (and last) Tuesday of March 2026
    const err = refused(() => buildRule({ repeat: 'monthly_nth', ends: 'count', count: 3 }, fifth))
    expect(err.message).toMatch(/is the fifth Tuesday of its month, and most months have only four/)
    expect(err.field).toBe('repeat')
    expect(refused(() => buildRule({ repeat: 'monthly_last', ends: 'count', count: 3 }, tuesday)).message).toBe(
      'Tuesday 10 March 2026 is not the last Tuesday of its month. Choose a first date in the last week of the month, or “the same weekday each month”',
    )
    expect(refused(() => buildRule({ repeat: 'weekly', every: 0, ends: 'count', count: 3 }, tuesday)).field).toBe('every')
    expect(refused(() => buildRule({ repeat: 'weekly', ends: 'count', count: 1 }, tuesday)).message).toBe('Enter how many times it happens, 2 or more')
    expect(refused(() => buildRule({ repeat: 'weekly', ends: 'count', count: 105 }, tuesday)).message).toBe('A repeating event can have at most 104 dates')
    expect(refused(() => buildRule({ repeat: 'weekly', ends: 'until' }, tuesday)).field).toBe('until')
    expect(refused(() => buildRule({ repeat: 'weekly', ends: 'until', until: tuesday }, tuesday)).message).toBe('The last date must be after the first date')
  })
})
