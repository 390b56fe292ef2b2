import { describe, expect, it } from 'vitest'
import { messageLinks, shortManageLink, signLink, verifyLink, verifyShortManage } from './links.ts'

const config = { sessionSecret: 's'.repeat(40), baseUrl: 'https://beacon.example' }
const claims = { purpose: 'manage' as const, subscriberId: '8d0c1b7e-0000-4000-8000-000000000001', linkVersion: 2 }

describe('signed links', () => {
  it('round-trips claims for the right purpose', () => {
    const token = signLink(config, claims)
    expect(verifyLink(config, token, 'manage')).toEqual({ ok: true, claims })
  })

  it('refuses a token with a changed payload, a changed signature or another key', () => {
    const token = signLink(config, claims)
    const [data, sig] = token.split('.')
    const tampered = Buffer.from(JSON.stringify({ ...claims, subscriberId: 'someone-else' })).toString('base64url')
    expect(verifyLink(config, `${tampered}.${sig}`, 'manage')).toEqual({ ok: false, reason: 'forged' })
    expect(verifyLink(config, `${data}.${sig!.slice(0, -2)}AA`, 'manage')).toEqual({ ok: false, reason: 'forged' })
    expect(verifyLink({ sessionSecret: 'other'.repeat(8) }, token, 'manage')).toEqual({ ok: false, reason: 'forged' })
    for (const junk of ['', 'abc', 'a.b.c', '%%%.%%%']) expect(verifyLink(config, junk, 'manage').ok).toBe(false)
  })

  it('refuses a token used for another purpose', () => {
    const token = signLink(config, { ...claims, purpose: 'feedback' })
    expect(verifyLink(config, token, 'unsubscribe')).toEqual({ ok: false, reason: 'wrong-purpose' })
  })

  it('refuses an expired token', () => {
    const token = signLink(config, { ...claims, purpose: 'confirm-email', exp: Math.floor(Date.now() / 1000) - 1 })
    expect(verifyLink(config, token, 'confirm-email')).toEqual({ ok: false, reason: 'expired' })
  })

  it('builds absolute message links that verify', () => {
    const links = messageLinks(config, { id: claims.subscriberId, linkVersion: 2 }, 'm-1', 'email')
    expect(links.unsubscribe).toMatch(/^https:\/\/beacon\.example\/alerts\/unsubscribe\//)
    const token = links.unsubscribe.split('/').pop()!
    const check = verifyLink(config, token, 'unsubscribe')
    expect(check.ok && check.claims.messageId).toBe('m-1')
  })
})

describe('short manage links for text messages', () => {
  const who = { id: '8d0c1b7e-1234-4abc-8def-0123456789ab', linkVersion: 37 }

  it('are short and lead back to the subscriber and link version', () => {
    const link = shortManageLink(config, who)
    expect(link.length).toBeLessThan(config.baseUrl.length + 45)
    const token = link.split('/a/')[1]!
    expect(verifyShortManage(config, token)).toEqual({ subscriberId: who.id, linkVersion: 37 })
  })

  it('refuse a changed id, version or signature, and another key', () => {
    const token = shortManageLink(config, who).split('/a/')[1]!
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1)
    expect(verifyShortManage(config, flip(token, 3))).toBeNull()
    expect(verifyShortManage(config, flip(token, token.length - 1))).toBeNull()
    expect(verifyShortManage({ sessionSecret: 'x'.repeat(40) }, token)).toBeNull()
    for (const junk of ['', 'short', `${token}x`, token.replace(/./, '!')]) expect(verifyShortManage(config, junk)).toBeNull()
  })
})
