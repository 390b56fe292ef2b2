import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { testConfig, type Config } from '../../../config.ts'
import type { Database } from '../../../platform/db/client.ts'
import { ChannelError } from '../../../platform/channels/types.ts'
import { createJobs } from '../../../platform/jobs/index.ts'
import { createAuditService } from '../../../platform/audit/service.ts'
import { createAreasService } from '../../areas/service.ts'
import { createTestDatabase } from '../../../../test/helpers.ts'
import { verifyLink } from '../links.ts'
import { createDispatchService } from './dispatch.service.ts'
import { londonTime } from './digests.ts'
import { createSendingMessage, manualClock, queueDeliveries, recordingChannels, seedSubscribers } from './testing.ts'

let db: Database
let config: Config

beforeAll(async () => {
  db = await createTestDatabase()
  config = testConfig({ MESSAGING_DIGEST_HOUR: '7' })
})
afterAll(async () => {
  await db.close()
})
beforeEach(async () => {
  for (const table of ['msg_deliveries', 'msg_digests', 'msg_message_translations', 'msg_messages', 'msg_subscribers']) await db.query(`delete from ${table}`)
})

// Tuesday 2 June 2026, 07:30 in London (BST, so 06:30 UTC); Monday 8 June likewise.
const TUESDAY_0730 = new Date('2026-06-02T06:30:00Z')
const MONDAY_0710 = new Date('2026-06-08T06:10:00Z')

async function setup(start: Date) {
  const rec = recordingChannels(db)
  const clock = manualClock(start)
  const dispatch = createDispatchService(
    { config, db, audit: createAuditService(db), jobs: createJobs({ config, db }), areas: await createAreasService(db), channels: rec.channels, now: clock.now },
    { emailPerMinute: 1_000_000, smsPerMinute: 1_000_000, sleep: async () => {} },
  )
  return { rec, clock, dispatch }
}

describe('London time', () => {
  it('follows British Summer Time and names the weekday', () => {
    expect(londonTime(new Date('2026-06-02T06:30:00Z'))).toEqual({ date: '2026-06-02', hour: 7, weekday: 2 })
    expect(londonTime(new Date('2026-12-07T07:30:00Z'))).toEqual({ date: '2026-12-07', hour: 7, weekday: 1 })
    expect(londonTime(new Date('2026-06-07T23:30:00Z'))).toEqual({ date: '2026-06-08', hour: 0, weekday: 1 })
  })
})

describe('digests', () => {
  it('sends one daily digest per subscriber and channel at the digest hour, listing every waiting message, never twice', async () => {
    const { rec, clock, dispatch } = await setup(TUESDAY_0730)
    const daily = await seedSubscribers(db, 3, { prefix: 'daily', emailFrequency: 'daily', smsFrequency: 'daily' })
    const weekly = await seedSubscribers(db, 2, { prefix: 'weekly', emailFrequency: 'weekly' })
    const created = new Date(TUESDAY_0730.getTime() - 12 * 3600_000)
    const m1 = await createSendingMessage(db, { title: 'Road closure on the High Street', status: 'sent', createdAt: created, isPublic: true })
    const m2 = await createSendingMessage(db, { title: 'Beat meeting on Thursday', status: 'sent', createdAt: created })
    for (const msg of [m1, m2]) {
      await queueDeliveries(db, msg, [...daily, ...weekly], { status: 'digest' })
      await queueDeliveries(db, msg, daily.slice(0, 1), { status: 'digest', channel: 'sms' })
    }
    await db.query(`insert into msg_message_translations (message_id, language, title, body_markdown) values ($1, 'cy', 'Ffordd ar gau', 'Mae''r ffordd ar gau.')`, [m1])
    await db.query(`update msg_subscribers set language = 'cy' where id = $1`, [daily[1]])

    // Outside the digest hour nothing is created.
    clock.set(new Date(TUESDAY_0730.getTime() - 3600_000))
    expect(await dispatch.runDigests()).toEqual({ created: 0, sent: 0, failed: 0, waiting: 0 })

    clock.set(TUESDAY_0730)
    const first = await dispatch.runDigests()
    // Three daily emails and one daily text; weekly subscribers wait for Monday.
    expect(first).toEqual({ created: 4, sent: 4, failed: 0, waiting: 0 })
    const emails = rec.sent.filter(s => s.channel === 'email')
    expect(emails).toHaveLength(3)
    const english = emails.find(e => e.to.startsWith('daily') && !e.text.includes('Ffordd'))!
    expect(english.subject).toBe('Your daily summary: 2 messages from Beacon')
    expect(english.text).toContain('Road closure on the High Street')
    expect(english.text).toContain('Beat meeting on Thursday')
    expect(english.text).toContain(`/messages/${m1}`)
    expect(english.headers!['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click')
    const token = /\/alerts\/unsubscribe\/([^>]+)>/.exec(english.headers!['List-Unsubscribe']!)![1]!
    expect(verifyLink(config, token, 'unsubscribe').ok).toBe(true)
    expect(emails.some(e => e.text.includes('Ffordd ar gau') && (e.subject ?? '').startsWith('Eich crynodeb'))).toBe(true)
    const sms = rec.sent.filter(s => s.channel === 'sms')
    expect(sms).toHaveLength(1)
    expect(sms[0]!.text).toMatch(/^Beacon: 2 new messages\. Read them and manage alerts: http.*\/alerts\/manage\//)

    const states = await db.query<{ status: string; n: number; with_digest: number }>(
      `select status, count(*)::int as n, count(digest_id)::int as with_digest from msg_deliveries group by status order by status`,
    )
    expect(states).toEqual([
      { status: 'digest', n: 4, with_digest: 0 },
      { status: 'digested', n: 8, with_digest: 8 },
    ])

    // The job runs again in the same hour (a retry, a second worker): nothing new is sent.
    clock.advance(20 * 60_000)
    expect(await dispatch.runDigests()).toEqual({ created: 0, sent: 0, failed: 0, waiting: 0 })
    expect(rec.sent).toHaveLength(4)

    // Monday: the weekly subscribers get theirs, covering the same two messages.
    clock.set(MONDAY_0710)
    const monday = await dispatch.runDigests()
    expect(monday).toMatchObject({ created: 2, sent: 2 })
    const weeklyMail = rec.sent.slice(4)
    expect(weeklyMail.every(m => m.subject === 'Your weekly summary: 2 messages from Beacon')).toBe(true)
    const [{ n }] = (await db.query<{ n: number }>(`select count(*)::int as n from msg_digests where frequency = 'weekly' and period = '2026-06-08'`)) as [{ n: number }]
    expect(n).toBe(2)
  })

  it('keeps a digest queued after a temporary failure and sends it at the next run; a permanent one fails and counts', async () => {
    const { rec, clock, dispatch } = await setup(TUESDAY_0730)
    const [a, b] = await seedSubscribers(db, 2, { prefix: 'dg', emailFrequency: 'daily' })
    const msg = await createSendingMessage(db, { status: 'sent', createdAt: new Date(TUESDAY_0730.getTime() - 3600_000) })
    await queueDeliveries(db, msg, [a!, b!], { status: 'digest' })
    const emailOf = async (id: string) => (await db.query<{ email: string }>(`select email from msg_subscribers where id = $1`, [id]))[0]!.email
    rec.fail(await emailOf(a!), new ChannelError('try later', false, '451'))
    rec.fail(await emailOf(b!), new ChannelError('no such user', true, '550'))
    expect(await dispatch.runDigests()).toEqual({ created: 2, sent: 0, failed: 1, waiting: 1 })
    const [{ email_failures }] = (await db.query<{ email_failures: number }>(`select email_failures from msg_subscribers where id = $1`, [b])) as [{ email_failures: number }]
    expect(email_failures).toBe(1)

    rec.heal(await emailOf(a!))
    clock.advance(3600_000) // 08:30: no new digests, but the queued one goes
    expect(await dispatch.runDigests()).toEqual({ created: 0, sent: 1, failed: 0, waiting: 0 })
    expect(rec.sent.map(s => s.reference)).toEqual([expect.stringMatching(/^digest-[0-9a-f-]{36}$/)])
  })

  it('never puts emergency or immediate deliveries in a digest', async () => {
    const { rec, dispatch } = await setup(TUESDAY_0730)
    const people = await seedSubscribers(db, 2, { prefix: 'imm', emailFrequency: 'daily' })
    const msg = await createSendingMessage(db, { status: 'sent', priority: 'emergency', createdAt: new Date(TUESDAY_0730.getTime() - 3600_000) })
    await queueDeliveries(db, msg, people, { priority: 'emergency' })
    expect((await dispatch.runDigests()).created).toBe(0)
    expect(rec.sent).toHaveLength(0)
  })
})
