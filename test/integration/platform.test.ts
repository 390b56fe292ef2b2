import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers.ts'

describe('platform', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp()
  })
  afterAll(async () => t.close())

  it('answers /health with ok while the database answers', async () => {
    const res = await t.app.inject('/health')
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ status: 'ok' })
  })

  it('serves a GOV.UK 404 page without a stack trace', async () => {
    const res = await t.app.inject('/no-such-page')
    expect(res.statusCode).toBe(404)
    expect(res.body).toContain('Page not found')
    expect(res.body).not.toMatch(/at .*\.ts:\d+/)
  })

  it('sets a CSP with a nonce and no unsafe-inline', async () => {
    const res = await t.app.inject('/accessibility')
    const csp = String(res.headers['content-security-policy'])
    expect(csp).toMatch(/script-src 'self' 'nonce-[0-9a-f]+'/)
    expect(csp).not.toContain('unsafe-inline')
    const nonce = /'nonce-([0-9a-f]+)'/.exec(csp)![1]
    expect(res.body).toContain(`nonce="${nonce}"`)
  })

  it('serves brand-neutral CSS without the GDS Transport font', async () => {
    const res = await t.app.inject('/assets/beacon.css')
    expect(res.statusCode).toBe(200)
    expect(res.body).not.toContain('GDS Transport')
    expect(res.body).toContain('--govuk-brand-colour:#1d3b6e')
  })

  it('serves Prometheus metrics', async () => {
    await t.app.inject('/health')
    const res = await t.app.inject('/metrics')
    expect(res.body).toContain('beacon_http_request_duration_seconds_bucket')
  })

  it('answers 503 on /health when the database is gone', async () => {
    const other = await createTestApp()
    await other.db.close()
    const res = await other.app.inject('/health')
    expect(res.statusCode).toBe(503)
    await other.app.close()
  })
})
