import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, createTestDatabase, type TestApp } from '../helpers.ts'
import { buildApp } from '../../src/app.ts'
import { testConfig } from '../../src/config.ts'
import { createServices } from '../../src/services.ts'
import { AppError } from '../../src/platform/errors.ts'

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

  it('shows a GOV.UK 500 page, never the error, for an unexpected failure; and typed errors by status', async () => {
    const config = testConfig()
    const db = await createTestDatabase()
    const app = await buildApp({ config, db, services: await createServices(config, db) })
    app.get('/boom', async () => {
      throw new Error('secret internal detail at /srv/beacon/src/x.ts:42')
    })
    app.get('/gone', async () => {
      throw new AppError('NOT_FOUND', 'That consultation does not exist')
    })
    app.get('/api/boom', async () => {
      throw new Error('internal')
    })
    await app.ready()
    const res = await app.inject('/boom')
    expect(res.statusCode).toBe(500)
    expect(res.body).toContain('Sorry, there is a problem with the service')
    expect(res.body).not.toContain('secret internal detail')
    const gone = await app.inject('/gone')
    expect(gone.statusCode).toBe(404)
    expect(gone.body).toContain('That consultation does not exist')
    const api = await app.inject('/api/boom')
    expect(api.statusCode).toBe(500)
    expect(api.json()).toEqual({ status: 500, error: 'Sorry, there is a problem with the service' })
    await app.close()
    await db.close()
  })

  it('refuses a form post without a CSRF token with a clear page', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/staff/sign-in', payload: 'email=a%40b.c&password=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    expect(res.statusCode).toBe(403)
    expect(res.body).toContain('This form had expired or was sent from somewhere else')
  })

  it('refuses an oversized form body with 413', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/staff/sign-in', payload: 'x=' + 'a'.repeat(300 * 1024), headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    expect(res.statusCode).toBe(413)
    expect(res.body).toContain('too large')
  })
})
