import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { escapeText, foldLine, formatUtc, unescapeText, unfold, writeCalendar, type CalendarEvent } from './ics.ts'

const event = (over: Partial<CalendarEvent> = {}): CalendarEvent => ({
  uid: '3f0c6a8e-1b7f-4a51-9a53-5d8d1b0e2c11@beacon.example.org',
  stamp: new Date('2026-01-02T10:11:12Z'),
  start: new Date('2026-01-13T19:00:00Z'),
  end: new Date('2026-01-13T20:30:00Z'),
  summary: 'Aldbridge PACT meeting',
  description: 'Come and tell us, your local team, what matters.',
  location: 'Aldbridge Community Centre, High Street, Aldbridge DS13 1AG',
  url: 'https://beacon.example.org/events/3f0c6a8e-1b7f-4a51-9a53-5d8d1b0e2c11',
  sequence: 2,
  cancelled: false,
  ...over,
})

describe('escapeText', () => {
  it('escapes backslash, semicolon, comma and line breaks', () => {
    expect(escapeText('a\\b;c,d\ne\r\nf\rg')).toBe('a\\\\b\\;c\\,d\\ne\\nf\\ng')
    expect(escapeText('Tab\tkept, bell\u0007 dropped')).toBe('Tab\tkept\\, bell dropped')
  })

  it('round-trips any text and never leaves a raw line break, comma or semicolon', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), s => {
        const escaped = escapeText(s)
        expect(escaped).not.toMatch(/[\r\n]/)
        expect(escaped.replace(/\\./g, '')).not.toMatch(/[;,\\]/)
        const expected = s.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
        expect(unescapeText(escaped)).toBe(expected)
      }),
    )
  })
})

describe('foldLine', () => {
  it('leaves short lines alone and folds at 75 octets', () => {
    expect(foldLine('SUMMARY:Short')).toBe('SUMMARY:Short')
    const long = `DESCRIPTION:${'x'.repeat(200)}`
    const lines = foldLine(long).split('\r\n')
    expect(lines[0]).toHaveLength(75)
    expect(lines.slice(1).every(l => l.startsWith(' ') && Buffer.byteLength(l) <= 75)).toBe(true)
    expect(lines.map((l, i) => (i ? l.slice(1) : l)).join('')).toBe(long)
  })

  it('never splits a UTF-8 character and keeps every line within 75 octets (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'é', '€', '😀', ' ', 'ŵ', '中'), maxLength: 400 }), s => {
        const folded = foldLine(`DESCRIPTION:${s}`)
        for (const line of folded.split('\r\n')) {
          expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75)
          expect(line).not.toContain('\uFFFD')
        }
        expect(unfold(`${folded}\r\n`)).toEqual([`DESCRIPTION:${s}`])
      }),
    )
  })

  it('folds a line of Welsh and emoji on character boundaries (worked example)', () => {
    const line = `SUMMARY:${'Cyfarfod ŵyl 😀 '.repeat(6)}`
    const folded = foldLine(line)
    const parts = folded.split('\r\n')
    expect(parts.length).toBeGreaterThan(1)
    for (const p of parts) expect(Buffer.from(p, 'utf8').toString('utf8')).toBe(p)
  })
})

describe('writeCalendar', () => {
  it('writes a VCALENDAR with its header and one VEVENT, CRLF throughout', () => {
    const text = writeCalendar({ prodId: '-//Beacon//Neighbourhood events//EN', name: 'Aldbridge: events and meetings', refreshHours: 6 }, [event()])
    expect(text.endsWith('\r\n')).toBe(true)
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/)
    expect(unfold(text)).toEqual([
      'BEGIN:VCALENDAR',
      'PRODID:-//Beacon//Neighbourhood events//EN',
      'VERSION:2.0',
      'CALSCALE:GREGORIAN',
      'METHOD:PUBLISH',
      'X-WR-CALNAME:Aldbridge: events and meetings',
      'REFRESH-INTERVAL;VALUE=DURATION:PT6H',
      'X-PUBLISHED-TTL:PT6H',
      'BEGIN:VEVENT',
      'UID:3f0c6a8e-1b7f-4a51-9a53-5d8d1b0e2c11@beacon.example.org',
      'DTSTAMP:20260102T101112Z',
      'LAST-MODIFIED:20260102T101112Z',
      'DTSTART:20260113T190000Z',
      'DTEND:20260113T203000Z',
      'SUMMARY:Aldbridge PACT meeting',
      'DESCRIPTION:Come and tell us\\, your local team\\, what matters.',
      'LOCATION:Aldbridge Community Centre\\, High Street\\, Aldbridge DS13 1AG',
      'URL:https://beacon.example.org/events/3f0c6a8e-1b7f-4a51-9a53-5d8d1b0e2c11',
      'SEQUENCE:2',
      'STATUS:CONFIRMED',
      'TRANSP:OPAQUE',
      'END:VEVENT',
      'END:VCALENDAR',
    ])
  })

  it('marks a cancelled event and leaves out what is missing', () => {
    const lines = unfold(writeCalendar({ prodId: 'x', name: 'y' }, [event({ cancelled: true, description: null, location: null, url: null, sequence: 5 })]))
    expect(lines).toContain('STATUS:CANCELLED')
    expect(lines).toContain('SEQUENCE:5')
    expect(lines.some(l => /^(DESCRIPTION|LOCATION|URL)[:;]/.test(l))).toBe(false)
    expect(lines.some(l => l.startsWith('REFRESH-INTERVAL'))).toBe(false)
  })

  it('keeps a multi-line description with a join link readable after unfolding', () => {
    const description = 'Join online: https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc;x=1,y=2\nAsk a question first.'
    const text = writeCalendar({ prodId: 'x', name: 'y' }, [event({ description })])
    const line = unfold(text).find(l => l.startsWith('DESCRIPTION:'))!
    expect(unescapeText(line.slice('DESCRIPTION:'.length))).toBe(description)
    for (const raw of text.split('\r\n')) expect(Buffer.byteLength(raw)).toBeLessThanOrEqual(75)
  })

  it('writes times in UTC with a Z', () => {
    expect(formatUtc(new Date('2026-07-14T18:05:09.999Z'))).toBe('20260714T180509Z')
  })

  it('writes an empty calendar with no events', () => {
    expect(unfold(writeCalendar({ prodId: 'x', name: 'Nothing yet' }, [])).filter(l => l.startsWith('BEGIN'))).toEqual(['BEGIN:VCALENDAR'])
  })
})
