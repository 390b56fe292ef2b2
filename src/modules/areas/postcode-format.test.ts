import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { formatPostcode, normalisePostcode } from './postcode-format.ts'

describe('normalisePostcode', () => {
  it('accepts every outward-code shape, in any case and spacing', () => {
    expect(normalisePostcode('M1 1AE')).toBe('M11AE')
    expect(normalisePostcode('m60 1nw')).toBe('M601NW')
    expect(normalisePostcode('CR2 6XH')).toBe('CR26XH')
    expect(normalisePostcode('dn551pt')).toBe('DN551PT')
    expect(normalisePostcode('W1A 1HQ')).toBe('W1A1HQ')
    expect(normalisePostcode(' EC1A  1BB ')).toBe('EC1A1BB')
    expect(normalisePostcode('gir 0aa')).toBe('GIR0AA')
  })

  it('rejects malformed postcodes', () => {
    for (const bad of ['', 'LA1', 'LA1 1A', '1LA 1AA', 'LA1 1AAA', 'LA1 AAA', 'LA1 1CI', 'LAA1 1AA', 'LA1-1AA', 'LA1 1ÄA'])
      expect(normalisePostcode(bad), bad).toBeNull()
  })

  it('formats with one space before the inward code', () => {
    expect(formatPostcode('EC1A1BB')).toBe('EC1A 1BB')
    expect(formatPostcode('M11AE')).toBe('M1 1AE')
  })

  it('property: normalising is idempotent and round-trips through the printed form', () => {
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
    const unit = 'ABDEFGHJLNPQRSTUWXYZ'
    const postcode = fc
      .tuple(
        fc.string({ unit: fc.constantFrom(...letters), minLength: 1, maxLength: 2 }),
        fc.integer({ min: 0, max: 9 }),
        fc.option(fc.constantFrom(...(letters + '0123456789')), { nil: '' }),
        fc.integer({ min: 0, max: 9 }),
        fc.string({ unit: fc.constantFrom(...unit), minLength: 2, maxLength: 2 }),
        fc.constantFrom('', ' ', '  '),
        fc.boolean(),
      )
      .map(([area, d, extra, sector, units, space, lower]) => {
        const text = `${area}${d}${extra}${space}${sector}${units}`
        return lower ? text.toLowerCase() : text
      })
    fc.assert(
      fc.property(postcode, text => {
        const n = normalisePostcode(text)
        return n !== null && normalisePostcode(formatPostcode(n)) === n && normalisePostcode(n) === n
      }),
    )
  })
})
