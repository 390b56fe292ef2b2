import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type Browser, type TestApp } from '../../../../../../test/helpers.ts'
import { seedTestAreas } from '../../../../../platform/auth/testing.ts'
import { addMessage, addReply, addSubscriber, staffBrowser } from '../../../fixtures.testing.ts'

const replyLinks = (html: string) => [...html.matchAll(/href="\/staff\/messages\/inbox\/([0-9a-f-]{36})"/g)].map(m => m[1])

describe('replies inbox page', () => {
  let t: TestApp
  let north: Browser, south: Browser, opcc: Browser, partner: Browser
  let northId: string
  const ids: Record<string, string> = {}

  beforeAll(async () => {
    t = await createTestApp()
    await seedTestAreas(t.db)
    ;({ browser: north, id: northId } = await staffBrowser(t, 'north@example.org', [['neighbourhood_officer', 'test-n01']]))
    ;({ browser: south } = await staffBrowser(t, 'south@example.org', [['neighbourhood_officer', 'test-s01']]))
    ;({ browser: opcc } = await staffBrowser(t, 'opcc@example.org', [['opcc_officer', 'test-force']]))
    ;({ browser: partner } = await staffBrowser(t, 'partner@example.org', [['partner', 'test-force']]))
    const ann = await addSubscriber(t.db, { email: 'ann@example.com', places: ['ashbyNorth'] })
    const cat = await addSubscriber(t.db, { email: 'cat@example.com', places: ['southTown'] })
    const mN = await addMessage(t.db, { title: 'Bike thefts <north>', area: 'ashbyNorth' })
    const mS = await addMessage(t.db, { title: 'South Town road closure', area: 'southTown' })
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000 - 60_000)
    ids.recent = await addReply(t.db, { messageId: mN, subscriberId: ann, area: 'ashbyNorth', body: 'I saw a van', receivedAt: hoursAgo(5) })
    ids.old = await addReply(t.db, { messageId: mN, subscriberId: ann, area: 'ashbyNorth', body: 'Still waiting', receivedAt: hoursAgo(75) })
    ids.south = await addReply(t.db, { messageId: mS, subscriberId: cat, area: 'southTown', body: 'Which roads?', receivedAt: hoursAgo(1) })
    await t.db.query(`update msg_replies set assigned_to = $1, status = 'assigned' where id = $2`, [northId, ids.old])
  })
  afterAll(async () => t.close())

  it('shows an officer only their own area’s replies, newest first, against the 72-hour target', async () => {
    const page = await north.get('/staff/messages/inbox')
    expect(page.statusCode).toBe(200)
    expect(replyLinks(page.body)).toEqual([ids.recent, ids.old])
    expect(page.body).toContain('<h1 class="govuk-heading-l">Replies</h1>')
    expect(page.body).toContain('Bike thefts &lt;north&gt;')
    expect(page.body).toContain('5 hours (67 left)')
    expect(page.body).toMatch(/govuk-tag--red">\s*Overdue by 3 hours/)
    expect(page.body).not.toContain('Which roads?')
    expect(page.body).not.toContain('ann@example.com')
    expect(replyLinks((await south.get('/staff/messages/inbox')).body)).toEqual([ids.south])
    expect(replyLinks((await opcc.get('/staff/messages/inbox')).body)).toEqual([ids.south, ids.recent, ids.old])
  })

  it('filters by status and by “assigned to me”, ignoring nonsense', async () => {
    expect(replyLinks((await north.get('/staff/messages/inbox?status=assigned')).body)).toEqual([ids.old])
    expect(replyLinks((await north.get('/staff/messages/inbox?mine=yes')).body)).toEqual([ids.old])
    expect(replyLinks((await north.get('/staff/messages/inbox?status=new')).body)).toEqual([ids.recent])
    expect(replyLinks((await north.get('/staff/messages/inbox?status=answered')).body)).toEqual([])
    const odd = await north.get('/staff/messages/inbox?status=%3Cscript%3E&page=-4')
    expect(odd.statusCode).toBe(200)
    expect(replyLinks(odd.body)).toEqual([ids.recent, ids.old])
  })

  it('keeps roles without messaging out, and asks others to sign in', async () => {
    expect((await partner.get('/staff/messages/inbox')).statusCode).toBe(403)
    const { Browser } = await import('../../../../../../test/helpers.ts')
    const anonymous = await new Browser(t.app).get('/staff/messages/inbox')
    expect(anonymous.statusCode).toBe(303)
  })
})
