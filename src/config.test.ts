import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from './config.ts'

const tmp = () => mkdtempSync(path.join(tmpdir(), 'beacon-config-'))

describe('loadConfig', () => {
  it('has working development defaults', () => {
    const c = loadConfig({ DATA_DIR: tmp() })
    expect(c.port).toBe(3000)
    expect(c.databaseUrl).toBeUndefined()
    expect(c.cookieSecure).toBe(false)
    expect(c.runWorkerInProcess).toBe(true)
    expect(c.channels.emailProvider).toBe('outbox')
  })

  it('generates a development session secret once and keeps it in DATA_DIR', () => {
    const dir = tmp()
    const a = loadConfig({ DATA_DIR: dir }).sessionSecret
    const b = loadConfig({ DATA_DIR: dir }).sessionSecret
    expect(a).toHaveLength(43)
    expect(b).toBe(a)
    expect(JSON.parse(readFileSync(path.join(dir, 'secrets.json'), 'utf8')).sessionSecret).toBe(a)
  })

  it('lists every problem at once', () => {
    try {
      loadConfig({ PORT: 'eighty', BRAND_COLOUR: 'blue', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' })
      expect.unreachable()
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError)
      const problems = (err as ConfigError).problems.join('\n')
      expect(problems).toMatch(/PORT/)
      expect(problems).toMatch(/BRAND_COLOUR: must be a colour/)
      expect(problems).toMatch(/DATABASE_URL: must start with postgres/)
      expect(problems).toMatch(/LOG_LEVEL/)
    }
  })

  it('requires secrets and a server database in production, and sets Secure cookies', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SESSION_SECRET: required in production[\s\S]*BASE_URL[\s\S]*DATABASE_URL/)
    const c = loadConfig({
      NODE_ENV: 'production',
      SESSION_SECRET: 'x'.repeat(40),
      BASE_URL: 'https://beacon.example.police.uk/',
      DATABASE_URL: 'postgres://db/beacon',
    })
    expect(c.cookieSecure).toBe(true)
    expect(c.baseUrl).toBe('https://beacon.example.police.uk')
  })

  it('requires the settings a chosen provider needs', () => {
    expect(() => loadConfig({ DATA_DIR: tmp(), EMAIL_PROVIDER: 'smtp' })).toThrow(/SMTP_URL/)
    expect(() => loadConfig({ DATA_DIR: tmp(), SMS_PROVIDER: 'notify' })).toThrow(/NOTIFY_API_KEY[\s\S]*NOTIFY_SMS_TEMPLATE_ID/)
  })

  it('reads the inbound email adapters and open reporting, off unless set', () => {
    const off = loadConfig({ DATA_DIR: tmp() }).messaging
    expect(off.providerReportsOpens).toBe(false)
    expect(off.inbound).toEqual({ sendgridToken: undefined, mailgunSigningKey: undefined })
    const on = loadConfig({
      DATA_DIR: tmp(),
      MESSAGING_PROVIDER_REPORTS_OPENS: 'true',
      SENDGRID_INBOUND_TOKEN: 'abcdefghijklmnopqrstuvwx-1',
      MAILGUN_WEBHOOK_SIGNING_KEY: 'key-0123456789abcdef',
    }).messaging
    expect(on.providerReportsOpens).toBe(true)
    expect(on.inbound).toEqual({ sendgridToken: 'abcdefghijklmnopqrstuvwx-1', mailgunSigningKey: 'key-0123456789abcdef' })
    expect(() => loadConfig({ DATA_DIR: tmp(), SENDGRID_INBOUND_TOKEN: 'short' })).toThrow(/SENDGRID_INBOUND_TOKEN: must be at least 24/)
    expect(() => loadConfig({ DATA_DIR: tmp(), SENDGRID_INBOUND_TOKEN: 'has spaces in it, which break a URL path' })).toThrow(/SENDGRID_INBOUND_TOKEN/)
  })

  it('treats empty values as unset', () => {
    expect(loadConfig({ DATA_DIR: tmp(), PORT: '', DATABASE_URL: '' }).port).toBe(3000)
  })
})
