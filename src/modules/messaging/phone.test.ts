import { describe, expect, it } from 'vitest'
import { formatUkMobile, maskEmail, maskPhone, normaliseEmail, normaliseUkMobile } from './phone.ts'

describe('UK mobile numbers', () => {
  it('normalises the ways people type a mobile number to E.164', () => {
    for (const typed of ['07700 900123', '07700900123', '+44 7700 900123', '+44 (0)7700-900123', '0044 7700 900123', '447700900123', ' 07700.900.123 '])
      expect(normaliseUkMobile(typed), typed).toBe('+447700900123')
    expect(normaliseUkMobile('07624 123456')).toBe('+447624123456')
  })

  it('refuses landlines, pagers, personal numbers, foreign numbers and wrong lengths', () => {
    for (const typed of ['0161 496 0000', '07000 900123', '07600 900123', '+33 6 12 34 56 78', '0770090012', '077009001234', 'call me', ''])
      expect(normaliseUkMobile(typed), typed).toBeNull()
  })

  it('shows and masks numbers as residents expect', () => {
    expect(formatUkMobile('+447700900123')).toBe('07700 900123')
    expect(maskPhone('+447700900123')).toBe('••••• •••123')
  })
})

describe('email addresses', () => {
  it('lower-cases and trims good addresses and refuses bad ones', () => {
    expect(normaliseEmail('  Sam.Smith@Example.ORG ')).toBe('sam.smith@example.org')
    for (const bad of ['sam', 'sam@example', 'sam @example.org', 'sam@@example.org', 'sam@example..org', `${'a'.repeat(250)}@example.org`, '<sam>@example.org'])
      expect(normaliseEmail(bad), bad).toBeNull()
  })

  it('masks the local part', () => {
    expect(maskEmail('jane.doe@example.org')).toBe('j•••••••@example.org')
    expect(maskEmail('jo@example.org')).toBe('j•••@example.org')
  })
})
