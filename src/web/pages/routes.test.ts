import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/helpers.ts'

describe('site pages', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp({ env: { NEIGHBOURHOODS_CONTACT_RETENTION_DAYS: '400', SESSION_HOURS: '9' } })
  })
  afterAll(async () => t.close())

  it('the privacy notice names every cookie and the retention period in force', async () => {
    const res = await t.app.inject({ url: '/privacy' })
    expect(res.statusCode).toBe(200)
    for (const cookie of ['beacon_csrf', 'beacon_flash', 'beacon_alerts_pending', 'beacon_supporter', 'beacon_session']) expect(res.body).toContain(cookie)
    expect(res.body).toContain('400 days after the query is closed')
    expect(res.body).toContain('at most 9 hours')
  })
})
