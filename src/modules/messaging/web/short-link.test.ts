import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../../test/helpers.ts'
import { shortManageLink, verifyLink } from '../links.ts'

describe('short manage links from text messages', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp()
  })
  afterAll(async () => t.close())

  it('redirect to the full manage link for the same subscriber and link version', async () => {
    const who = { id: '0f8e2d9a-5b1c-4e7a-9c3d-2a1b0c9d8e7f', linkVersion: 3 }
    const path = new URL(shortManageLink(t.config, who)).pathname
    const res = await t.app.inject(path)
    expect(res.statusCode).toBe(303)
    const token = String(res.headers.location).replace('/alerts/manage/', '')
    expect(verifyLink(t.config, token, 'manage')).toMatchObject({ ok: true, claims: { subscriberId: who.id, linkVersion: 3 } })
  })

  it('answer 404 for a forged or mangled short link', async () => {
    const path = new URL(shortManageLink(t.config, { id: '0f8e2d9a-5b1c-4e7a-9c3d-2a1b0c9d8e7f', linkVersion: 3 })).pathname
    expect((await t.app.inject(path.slice(0, -1) + (path.endsWith('A') ? 'B' : 'A'))).statusCode).toBe(404)
    expect((await t.app.inject('/a/not-a-token')).statusCode).toBe(404)
  })
})
