import { describe, expect, it } from 'vitest'
import { hashPassword, passwordProblem, verifyDummy, verifyPassword } from './passwords.ts'
import { groupSecret, matchTotp, newTotpSecret, totpQrSvg, totpUri } from './totp.ts'
import { hashToken, randomToken } from './tokens.ts'
import { totpCode } from './testing.ts'

describe('passwords', () => {
  it('hashes with argon2id and verifies only the right password', async () => {
    const hash = await hashPassword('a long enough passphrase')
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
    expect(await verifyPassword(hash, 'a long enough passphrase')).toBe(true)
    expect(await verifyPassword(hash, 'a long enough passphrasE')).toBe(false)
    expect(await verifyPassword('not a hash', 'anything')).toBe(false)
    expect(await verifyDummy('anything')).toBe(false)
  })

  it('salts each hash', async () => {
    expect(await hashPassword('same password twice')).not.toBe(await hashPassword('same password twice'))
  })

  it('applies the rules: 12 characters, not the email, not one character repeated', () => {
    expect(passwordProblem('short', 'jo@example.org')).toMatch(/12 characters or more/)
    expect(passwordProblem('jo@example.org', 'Jo@Example.org')).toMatch(/email/)
    expect(passwordProblem('jo.smith.example', 'jo.smith.example@police.uk')).toMatch(/email/)
    expect(passwordProblem('aaaaaaaaaaaaaaaa', 'jo@example.org')).toMatch(/repeated/)
    expect(passwordProblem('x'.repeat(300), 'jo@example.org')).toMatch(/256/)
    expect(passwordProblem('correct horse battery staple', 'jo@example.org')).toBeNull()
  })
})

describe('tokens', () => {
  it('are 32 random bytes and stored as SHA-256', () => {
    const a = randomToken()
    expect(Buffer.from(a, 'base64url')).toHaveLength(32)
    expect(randomToken()).not.toBe(a)
    expect(hashToken(a)).toMatch(/^[0-9a-f]{64}$/)
    expect(hashToken(a)).not.toContain(a)
  })
})

describe('TOTP', () => {
  it('accepts the current code and one step either side, not two', () => {
    const secret = newTotpSecret()
    const now = new Date()
    const step = Math.floor(now.getTime() / 30_000)
    const at = now.getTime()
    expect(matchTotp(secret, totpCode(secret, 0, at), now)).toBe(step)
    expect(matchTotp(secret, totpCode(secret, -1, at), now)).toBe(step - 1)
    expect(matchTotp(secret, totpCode(secret, 1, at), now)).toBe(step + 1)
    expect(matchTotp(secret, totpCode(secret, 3, at), now)).toBeNull()
    expect(matchTotp(secret, 'abcdef', now)).toBeNull()
  })

  it('ignores spaces typed inside the code', () => {
    const secret = newTotpSecret()
    const now = new Date()
    const code = totpCode(secret, 0, now.getTime())
    expect(matchTotp(secret, `${code.slice(0, 3)} ${code.slice(3)}`, now)).not.toBeNull()
  })

  it('groups the key in fours and draws the QR code as inline SVG without styles', async () => {
    expect(groupSecret('ABCDEFGHIJKLMNOPQRST')).toBe('ABCD EFGH IJKL MNOP QRST')
    const uri = totpUri(newTotpSecret(), 'jo@example.org', 'Beacon (Test Police)')
    expect(uri).toMatch(/^otpauth:\/\/totp\/.*issuer=Beacon/)
    const svg = await totpQrSvg(uri)
    expect(svg).toMatch(/^<svg [^>]*role="img"[^>]*aria-label="QR code/)
    expect(svg).not.toMatch(/style=/)
  })
})
