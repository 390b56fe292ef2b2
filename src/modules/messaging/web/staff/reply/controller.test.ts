import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type Browser, type TestApp } from '../../../../../../test/helpers.ts'
import { seedTestAreas } from '../../../../../platform/auth/testing.ts'
import { addMessage, addReply, addSubscriber, staffBrowser } from '../../../fixtures.testing.ts'

const errorSummary = (html: string) => /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? ''

describe('reply page', () => {
  let t: TestApp
  let north: Browser, south: Browser, lead: Browser
  let northId: string, leadId: string
  const ids: Record<string, string> = {}

  beforeAll(async () => {
    t = await createTestApp()
    await seedTestAreas(t.db)
    ;({ browser: north, id: northId } = await staffBrowser(t, 'north@example.org', [['neighbourhood_officer', 'test-n01']]))
    ;({ browser: south } = await staffBrowser(t, 'south@example.org', [['neighbourhood_officer', 'test-s01']]))
    ;({ browser: lead, id: leadId } = await staffBrowser(t, 'lead@example.org', [['engagement_lead', 'test-force']]))
    const ann = await addSubscriber(t.db, { email: 'ann@example.com', phone: '+447700900001', places: ['ashbyNorth'] })
    const bob = await addSubscriber(t.db, { phone: '+447700900002', places: ['ashbyNorth'] })
    const mN = await addMessage(t.db, { title: 'Bike thefts', area: 'ashbyNorth' })
    const at = new Date(Date.now() - 2 * 3_600_000)
    ids.email = await addReply(t.db, { messageId: mN, subscriberId: ann, area: 'ashbyNorth', body: 'I saw a van', receivedAt: at })
    ids.sms = await addReply(t.db, { messageId: mN, subscriberId: bob, area: 'ashbyNorth', body: 'Text me', receivedAt: at, answerChannel: 'sms' })
    ids.gone = await addReply(t.db, { messageId: mN, subscriberId: null, area: 'ashbyNorth', body: 'Deleted since', receivedAt: at })
  })
  afterAll(async () => t.close())

  it('shows the reply, the message and where the answer goes, and audits the view', async () => {
    const page = await north.get(`/staff/messages/inbox/${ids.email}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('To “Bike thefts”')
    expect(page.body).toContain('I saw a van')
    expect(page.body).toContain('Email to ann@example.com')
    expect(page.body).toContain('2 hours (70 left)')
    const [entry] = await t.db.query(`select action, entity_type, actor_email from audit_log where entity_id = $1`, [ids.email])
    expect(entry).toEqual({ action: 'view', entity_type: 'msg_reply', actor_email: 'north@example.org' })
  })

  it('answers 404 for another neighbourhood’s reply, by GET and by every POST', async () => {
    for (const path of ['', '/assign', '/respond', '/actioned']) {
      const res = path
        ? await south.submit('/staff/messages/inbox', { answer: 'Tampered', assignee: northId }, `/staff/messages/inbox/${ids.email}${path}`)
        : await south.get(`/staff/messages/inbox/${ids.email}`)
      expect(res.statusCode, path).toBe(404)
    }
    expect((await south.get('/staff/messages/inbox/not-a-uuid')).statusCode).toBe(404)
    const [r] = await t.db.query(`select status, answer from msg_replies where id = $1`, [ids.email])
    expect(r).toEqual({ status: 'new', answer: null })
  })

  it('keeps what was typed when the answer is empty or too long', async () => {
    const url = `/staff/messages/inbox/${ids.sms}`
    const empty = await north.submit(url, { answer: '   ' }, `${url}/respond`)
    expect(empty.headers.location).toBe(url)
    expect(errorSummary((await north.get(url)).body)).toContain('Enter your answer')
    const long = 'We will call. '.repeat(50)
    await north.submit(url, { answer: long }, `${url}/respond`)
    const page = await north.get(url)
    expect(errorSummary(page.body)).toContain('Your answer must be 612 characters or fewer (it goes by text message)')
    expect(page.body).toContain(`${long.trimEnd()}</textarea>`)
  })

  it('assigns to me and to a colleague in the area, but not to someone outside it', async () => {
    const url = `/staff/messages/inbox/${ids.email}`
    expect((await north.submit(url, { assignee: northId }, `${url}/assign`)).headers.location).toBe(url)
    expect((await north.get(url)).body).toContain('The reply is assigned to you')
    await north.submit(url, { assignee: leadId }, `${url}/assign`)
    const [r] = await t.db.query<{ assigned_to: string; status: string }>(`select assigned_to, status from msg_replies where id = $1`, [ids.email])
    expect(r).toEqual({ assigned_to: leadId, status: 'assigned' })
    const southId = (await t.db.query<{ id: string }>(`select id from staff_users where email = 'south@example.org'`))[0]!.id
    await north.submit(url, { assignee: southId }, `${url}/assign`)
    expect(errorSummary((await north.get(url)).body)).toContain('Choose someone who works in this area')
  })

  it('sends the answer by the resident’s channel and records it', async () => {
    const url = `/staff/messages/inbox/${ids.email}`
    const res = await lead.submit(url, { answer: 'Thank you – we are looking into it.' }, `${url}/respond`)
    expect(res.headers.location).toBe(url)
    const page = await lead.get(url)
    expect(page.body).toContain('Your answer has been sent by email')
    expect(page.body).toContain('Thank you – we are looking into it.')
    const [mail] = await t.db.query<{ subject: string; body_text: string }>(`select subject, body_text from outbox_messages where recipient = 'ann@example.com'`)
    expect(mail!.subject).toBe('Re: Bike thefts')
    expect(mail!.body_text).toContain('> I saw a van')
    const sms = `/staff/messages/inbox/${ids.sms}`
    await north.submit(sms, { answer: 'We will call round.' }, `${sms}/respond`)
    const [text] = await t.db.query<{ body_text: string }>(`select body_text from outbox_messages where recipient = '+447700900002' and channel = 'sms'`)
    expect(text!.body_text).toContain('We will call round.')
  })

  it('says the resident has gone, sends nothing, and lets the reply be actioned', async () => {
    const url = `/staff/messages/inbox/${ids.gone}`
    const page = await north.get(url)
    expect(page.body).toContain('The resident has deleted their account')
    expect(page.body).not.toContain('name="answer"')
    await north.submit(url, { answer: 'Hello' }, `${url}/respond`)
    expect(errorSummary((await north.get(url)).body)).toContain('This resident has deleted their account')
    expect((await t.db.query(`select 1 from outbox_messages`)).length).toBe(2)
    const views = async () => (await t.db.query(`select 1 from audit_log where entity_id = $1 and action = 'view'`, [ids.gone])).length
    const before = await views()
    // submit() GETs the form first (one view); the POST itself records the action, not a view.
    await north.submit(url, {}, `${url}/actioned`)
    expect(await views()).toBe(before + 1)
    expect(await t.db.query(`select summary from audit_log where entity_id = $1 and action = 'update'`, [ids.gone])).toEqual([
      { summary: 'Marked a reply to "Bike thefts" as actioned' },
    ])
    expect((await north.get(url)).body).toContain('The reply is marked as actioned')
    const [r] = await t.db.query<{ status: string }>(`select status from msg_replies where id = $1`, [ids.gone])
    expect(r!.status).toBe('actioned')
  })
})
