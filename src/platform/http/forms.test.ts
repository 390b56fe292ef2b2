import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { keptValues, parseForm } from './forms.ts'

const schema = z.object({
  name: z.string().trim().min(1, 'Enter your name'),
  email: z.string().email('Enter an email address in the correct format, like name@example.com'),
})

describe('parseForm', () => {
  it('returns the parsed data when valid', () => {
    expect(parseForm(schema, { name: ' Jo ', email: 'jo@example.com' })).toEqual({ ok: true, data: { name: 'Jo', email: 'jo@example.com' } })
  })

  it('keys the first message per field and keeps what was typed', () => {
    const r = parseForm(schema, { name: '', email: 'nope', password: 'secret', _csrf: 't' })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.errors).toEqual({ name: 'Enter your name', email: 'Enter an email address in the correct format, like name@example.com' })
    expect(r.values).toEqual({ name: '', email: 'nope' })
  })

  it('never keeps passwords, codes or the CSRF token', () => {
    expect(keptValues({ password: 'a', newPassword: 'b', confirmPassword: 'c', code: '123456', _csrf: 'x', q: 'kept' })).toEqual({ q: 'kept' })
  })
})
