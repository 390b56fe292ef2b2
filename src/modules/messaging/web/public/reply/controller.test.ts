import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Browser, createTestApp, type TestApp } from '../../../../../../test/helpers.ts'
import { demoExamples, loadDemoArea } from '../../../../areas/demo.ts'
import { messageLinks } from '../../../links.ts'
import type { Subscriber } from '../../../subscribers.service.ts'
import { checked, duplicateIds, errorSummary, heading, textareaValue } from '../testing.ts'

const SEED = 2026
const ex = demoExamples(SEED)

describe('replying to a message and rating it', () => {
  let t: TestApp
  let s: Subscriber
  let open: string
  let closed: string
  let areaPath: string
  beforeAll(async () => {
    t = await createTestApp()
    await loadDemoArea(t.db, SEED, t.services.areas)
    const area = (await t.services.areas.getArea(ex.postcodes[0]!.neighbourhoodId))!
    areaPath = area.path
    const insert = async (title: string, allow: boolean) =>
      (
        await t.db.query<{ id: string }>(
          `insert into msg_messages (title, body_markdown, category, status, allow_replies, area_id, area_path)
           values ($1, 'Body', 'appeals', 'sent', $2, $3, $4) returning id`,
          [title, allow, area.id, area.path],
        )
      )[0]!.id
    open = await insert('Have you seen this bike?', true)
    closed = await insert('Road closure tonight', false)
    s = await t.services.messaging.subscribers.createConfirmedSubscriber({
      email: 'replier@example.org',
      phone: '07700 900 801',
      postcode: ex.postcodes[0]!.postcode,
      interests: ['appeals'],
      organisations: ['force'],
    })
  })
  afterAll(async () => t.close())

  const links = (messageId: string) => {
    const l = messageLinks(t.config, s, messageId, 'email')
    return { reply: new URL(l.reply).pathname, useful: new URL(l.useful).pathname }
  }

  it('takes a reply with the answer channel chosen, stored against the message’s area', async () => {
    const b = new Browser(t.app)
    const page = await b.get(links(open).reply)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Have you seen this bike?')
    expect(duplicateIds(page.body)).toEqual([])
    expect(page.body).toContain('r••••••@example.org')
    expect(page.body).not.toContain('replier@example.org')
    const res = await b.submit(links(open).reply, { body: 'It was outside the library at 3pm', answerChannel: 'sms' })
    expect(res.statusCode).toBe(200)
    expect(heading(res.body)).toBe('Reply sent')
    const rows = await t.db.query(`select body, via, answer_channel, area_path, subscriber_id from msg_replies where message_id = $1`, [open])
    expect(rows).toEqual([{ body: 'It was outside the library at 3pm', via: 'web', answer_channel: 'sms', area_path: areaPath, subscriber_id: s.id }])
  })

  it('explains an empty or too long reply and keeps what was typed', async () => {
    const b = new Browser(t.app)
    await b.submit(links(open).reply, { body: '   ', answerChannel: 'email' })
    let page = (await b.get(links(open).reply)).body
    expect(errorSummary(page)).toEqual(['body: Enter your reply'])
    const long = 'x'.repeat(5001)
    // Too big for the flash cookie: the form comes back in place, still with everything typed.
    const res = await b.submit(links(open).reply, { body: long, answerChannel: 'none' })
    expect(res.statusCode).toBe(400)
    page = res.body
    expect(errorSummary(page)).toEqual(['body: Your reply must be 5,000 characters or fewer'])
    expect(textareaValue(page, 'body')).toBe(long)
    expect(checked(page, 'answerChannel')).toEqual(['none'])
  })

  it('says clearly when a message takes no replies, showing back anything typed', async () => {
    const b = new Browser(t.app)
    const page = await b.get(links(closed).reply)
    expect(page.statusCode).toBe(410)
    expect(heading(page.body)).toBe('This message does not take replies')
    expect(page.body).toContain('Road closure tonight')
    // A form posted anyway (e.g. replies were closed while it was open): the text is shown back.
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await b.get(links(open).reply)).body)![1]!
    const res = await b.post(links(closed).reply, { _csrf: csrf, body: 'Which roads?', answerChannel: 'email' })
    expect(res.statusCode).toBe(410)
    expect(res.body).toContain('Which roads?')
    expect(await t.db.query(`select 1 from msg_replies where message_id = $1`, [closed])).toEqual([])
  })

  it('refuses a forged reply link', async () => {
    const res = await t.app.inject(`${links(open).reply}zz`)
    expect(res.statusCode).toBe(404)
    expect(heading(res.body)).toBe('This link is not valid')
  })

  it('records whether a message was useful, only on the POST, the latest answer kept', async () => {
    const b = new Browser(t.app)
    const page = await b.get(`${links(open).useful}?useful=yes`)
    expect(page.statusCode).toBe(200)
    expect(checked(page.body, 'useful')).toEqual(['yes'])
    expect(await t.db.query(`select 1 from msg_feedback where message_id = $1`, [open])).toEqual([])
    const res = await b.submit(links(open).useful, { useful: 'yes' })
    expect(heading(res.body)).toBe('Thank you for your feedback')
    await b.submit(links(open).useful, { useful: 'no' })
    expect(await t.db.query(`select useful from msg_feedback where message_id = $1`, [open])).toEqual([{ useful: false }])
    await b.submit(links(open).useful, {})
    expect(errorSummary((await b.get(links(open).useful)).body)).toEqual(['useful: Select yes if the message was useful'])
  })
})
