import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_SMS_PARTS, smsLength } from './sms-length.ts'

// The browser file is plain JavaScript without types; it is loaded as the browser would load it.
const composeJs = new URL('../../web/assets/compose.js', import.meta.url).href
const { smsLength: browserSmsLength } = (await import(composeJs)) as { smsLength: typeof smsLength }

describe('SMS length', () => {
  it('counts GSM-7 texts: 160 in one message, 153 a part after that', () => {
    expect(smsLength('')).toMatchObject({ encoding: 'GSM-7', characters: 0, parts: 0 })
    expect(smsLength('a'.repeat(160))).toMatchObject({ encoding: 'GSM-7', characters: 160, parts: 1, remainingInPart: 0 })
    expect(smsLength('a'.repeat(161))).toMatchObject({ characters: 161, parts: 2, perPart: 153, remainingInPart: 145 })
    expect(smsLength('a'.repeat(306))).toMatchObject({ parts: 2 })
    expect(smsLength('a'.repeat(307))).toMatchObject({ parts: 3 })
    expect(smsLength('a'.repeat(459))).toMatchObject({ parts: 3, tooLong: false, maxCharacters: 459 })
    expect(smsLength('a'.repeat(460))).toMatchObject({ parts: 4, tooLong: true })
    expect(smsLength('Cafè £5 @ Ñandù: ÄÖÜ äöü é')).toMatchObject({ encoding: 'GSM-7' })
  })

  it('counts the extension characters twice', () => {
    expect(smsLength('€')).toMatchObject({ encoding: 'GSM-7', characters: 2 })
    expect(smsLength('^{}\\[~]|€')).toMatchObject({ characters: 18 })
    expect(smsLength('{'.repeat(80))).toMatchObject({ characters: 160, parts: 1 })
    expect(smsLength('{'.repeat(81))).toMatchObject({ characters: 162, parts: 2 })
  })

  it('switches to UCS-2 for anything outside the GSM alphabet: 70, then 67 a part', () => {
    expect(smsLength('Croeso i’r ŵyl')).toMatchObject({ encoding: 'UCS-2', characters: 14, parts: 1 })
    expect(smsLength('ŵ'.repeat(70))).toMatchObject({ encoding: 'UCS-2', parts: 1 })
    expect(smsLength('ŵ'.repeat(71))).toMatchObject({ parts: 2, perPart: 67 })
    expect(smsLength('ŵ'.repeat(201))).toMatchObject({ parts: 3, tooLong: false, maxCharacters: 201 })
    expect(smsLength('ŵ'.repeat(202))).toMatchObject({ tooLong: true })
    // An emoji is two UTF-16 units.
    expect(smsLength('Hi 👋')).toMatchObject({ encoding: 'UCS-2', characters: 5 })
    expect(MAX_SMS_PARTS).toBe(3)
  })

  it('is the same count in the browser copy (compose.js) for any text', () => {
    const alphabet = fc.constantFrom('a', 'Z', ' ', '\n', '€', '{', '^', '\\', 'é', 'ŵ', '’', '👋', '@', '£', 'Ä', '1', '.')
    const texts = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 500 }), fc.array(alphabet, { maxLength: 500 }).map(a => a.join('')))
    fc.assert(
      fc.property(texts, fc.integer({ min: 1, max: 6 }), (text, parts) => {
        expect(browserSmsLength(text, parts)).toEqual(smsLength(text, parts))
      }),
      { numRuns: 3000 },
    )
  })
})
