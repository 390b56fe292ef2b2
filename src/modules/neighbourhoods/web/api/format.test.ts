import { describe, expect, it } from 'vitest'
import { coordinate, contactDetails, engagementType, htmlParagraphs, policeDate, policeDateTime } from '../../api.service.ts'
import { parseLatLng } from '../api.routes.ts'

describe('data.police.uk value formats', () => {
  it('writes coordinates as plain decimal strings', () => {
    expect(coordinate(52.6389)).toBe('52.6389')
    expect(coordinate(-1.13619)).toBe('-1.13619')
    expect(coordinate(0.1 + 0.2)).toBe('0.3')
    expect(coordinate(5e-7)).toBe('0.0000005')
    expect(coordinate(-1e-9)).toBe('0')
    expect(coordinate(52)).toBe('52')
  })

  it('writes times in UK local time, as police.uk shows them', () => {
    expect(policeDateTime(new Date('2026-07-01T18:00:00Z'))).toBe('2026-07-01T19:00:00')
    expect(policeDateTime(new Date('2026-01-15T19:05:09Z'))).toBe('2026-01-15T19:05:09')
    expect(policeDateTime(new Date('2026-03-29T00:30:00Z'))).toBe('2026-03-29T00:30:00') // before the clocks change
    expect(policeDateTime(new Date('2026-03-29T01:30:00Z'))).toBe('2026-03-29T02:30:00')
    expect(policeDateTime(new Date('2026-06-30T23:30:00Z'))).toBe('2026-07-01T00:30:00') // midnight is 00, not 24
    expect(policeDate('2016-09-17')).toBe('2016-09-17T00:00:00')
  })

  it('turns plain text into safe HTML paragraphs', () => {
    expect(htmlParagraphs(null)).toBeNull()
    expect(htmlParagraphs('  \n ')).toBeNull()
    expect(htmlParagraphs('One\r\ntwo\n\n  Three <script>"x"</script> & more  ')).toBe(
      '<p>One<br>two</p><p>Three &lt;script&gt;&quot;x&quot;&lt;/script&gt; &amp; more</p>',
    )
  })

  it('keeps only contact details that have a value', () => {
    expect(contactDetails({ email: 'a@b', telephone: ' ', twitter: null, web: 'https://x', unknown: 'y' })).toEqual({ email: 'a@b', web: 'https://x' })
    expect(contactDetails('{"telephone":"101"}')).toEqual({ telephone: '101' })
    expect(contactDetails(null)).toEqual({})
  })

  it('names engagement methods from their links', () => {
    expect(engagementType('https://www.facebook.com/x')).toBe('facebook')
    expect(engagementType('https://x.com/x')).toBe('twitter')
    expect(engagementType('https://www.youtube.com/x')).toBe('youtube')
    expect(engagementType('https://force.example/news/rss')).toBe('rss')
    expect(engagementType('mailto:a@b')).toBe('email')
    expect(engagementType('tel:101')).toBe('telephone')
    expect(engagementType('https://force.example/')).toBe('website')
    expect(engagementType('not a url')).toBe('website')
  })
})

describe('locate-neighbourhood q', () => {
  it('accepts latitude,longitude as people and clients write them', () => {
    expect(parseLatLng('52.6394,-1.1315')).toEqual({ lat: 52.6394, lng: -1.1315 })
    expect(parseLatLng(' 52.6394 , -1.1315 ')).toEqual({ lat: 52.6394, lng: -1.1315 })
    expect(parseLatLng('52,-1')).toEqual({ lat: 52, lng: -1 })
    expect(parseLatLng('51.5,5e-05')).toEqual({ lat: 51.5, lng: 0.00005 })
    expect(parseLatLng('+51.5,.5')).toEqual({ lat: 51.5, lng: 0.5 })
  })

  it('refuses anything else', () => {
    for (const q of [undefined, ['1,2'], '', '52', '52,', ',1', 'a,b', '52 -1', '52,-1,0', '91,0', '0,181', 'NaN,1', 'Infinity,1', '1e999,1', '0x1,2', `${'1'.repeat(200)},1`])
      expect(parseLatLng(q), String(q)).toBeNull()
  })
})
