import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../../test/helpers.ts'
import { testConfig } from '../../config.ts'
import { createServices, type Services } from '../../services.ts'
import type { AuditActor } from '../../platform/audit/service.ts'
import { createTestStaff, lastEmailTo, seedTestAreas } from '../../platform/auth/testing.ts'
import {
  CONTACT_MESSAGES,
  createContactService,
  formatUkPhone,
  generateReference,
  normaliseReference,
  normaliseUkPhone,
  REFERENCE_ALPHABET,
  type Viewer,
} from './contact.service.ts'

const REFERENCE = /^NQ-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{4}-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{4}$/

describe('contact references and phone numbers', () => {
  it('draws references like NQ-7K3M-9P2X from an unambiguous alphabet', () => {
    expect(REFERENCE_ALPHABET).not.toMatch(/[01ILOU]/)
    const refs = Array.from({ length: 2000 }, () => generateReference())
    for (const r of refs) expect(r).toMatch(REFERENCE)
    // 30^8 possibilities: 2,000 draws do not repeat.
    expect(new Set(refs).size).toBe(refs.length)
    // Every character of the alphabet turns up (it is random, not a counter).
    expect(new Set(refs.join('').replace(/NQ|-/g, ''))).toEqual(new Set(REFERENCE_ALPHABET))
  })

  it('reads references as people type or say them', () => {
    expect(normaliseReference('nq 7k3m 9p2x')).toBe('NQ-7K3M-9P2X')
    expect(normaliseReference('7K3M9P2X')).toBe('NQ-7K3M-9P2X')
    expect(normaliseReference('NQ-7K3M-9P2X')).toBe('NQ-7K3M-9P2X')
    expect(normaliseReference('NQ-7K3M')).toBeNull()
    expect(normaliseReference('NQ-0000-0000')).toBeNull()
    expect(normaliseReference('<script>')).toBeNull()
  })

  it('accepts UK mobiles and landlines, refuses the rest', () => {
    expect(normaliseUkPhone('07700 900982')).toBe('+447700900982')
    expect(normaliseUkPhone('+44 (0)7700 900982')).toBe('+447700900982')
    expect(normaliseUkPhone('01632 960 001')).toBe('+441632960001')
    expect(normaliseUkPhone('020 7946 0000')).toBe('+442079460000')
    expect(normaliseUkPhone('0300 123 4567')).toBe('+443001234567')
    expect(normaliseUkPhone('0044 1632 960001')).toBe('+441632960001')
    for (const bad of ['999', '0800 123', '+1 202 555 0100', '07700 9009', 'call me', '09011 234567', ''])
      expect(normaliseUkPhone(bad), bad).toBeNull()
    expect(formatUkPhone('+441632960001')).toBe('01632 960001')
    expect(formatUkPhone('+447700900982')).toBe('07700 900982')
    expect(formatUkPhone('+442079460000')).toBe('020 7946 0000')
    expect(formatUkPhone('+443001234567')).toBe('0300 123 4567')
  })
})

describe('contact service', () => {
  let services: Services
  let officer: string, colleague: string, outsider: string, partner: string
  let north: Viewer, south: Viewer
  const actor = (userId: string): AuditActor => ({ userId, email: null, ip: null })
  const contact = () => services.neighbourhoods.contact

  beforeAll(async () => {
    const db = await createTestDatabase()
    await seedTestAreas(db)
    services = await createServices(testConfig(), db)
    officer = await createTestStaff(services, 'officer@example.org', [['neighbourhood_officer', 'test-n01']], { name: 'Olu Officer' })
    colleague = await createTestStaff(services, 'district@example.org', [['neighbourhood_officer', 'test-north']], { name: 'Dee District' })
    outsider = await createTestStaff(services, 'south@example.org', [['neighbourhood_officer', 'test-s01']], { name: 'Sam South' })
    partner = await createTestStaff(services, 'partner@example.org', [['partner', 'test-force']], { name: 'Kim Partner' })
    north = { userId: officer, paths: ['/test-force/north/n01/'] }
    south = { userId: outsider, paths: ['/test-force/south/s01/'] }
  })
  afterAll(async () => services.db.close())

  const submit = (over: Record<string, unknown> = {}) =>
    contact().submit('test-n01', { topic: 'local_problem', message: 'Bins set alight on Mill Lane', replyBy: 'email', email: 'Ann@Example.com', ...over })

  it('commits the query with a fresh reference and acknowledges it by email', async () => {
    const saved = await submit({ name: '  Ann  ', phone: '07700 900982' })
    expect(saved.reference).toMatch(REFERENCE)
    expect(saved.acknowledged).toBe(true)
    const [row] = await services.db.query(`select reference, area_id, topic, message, name, reply_by, email, phone, status from nbh_contact_queries where id = $1`, [saved.id])
    expect(row).toEqual({
      reference: saved.reference,
      area_id: 'test-n01',
      topic: 'local_problem',
      message: 'Bins set alight on Mill Lane',
      name: 'Ann',
      reply_by: 'email',
      email: 'ann@example.com',
      phone: '+447700900982',
      status: 'new',
    })
    await services.jobs.drain()
    const email = await lastEmailTo(services.db, 'ann@example.com')
    expect(email?.subject).toBe(`We have your message: ${saved.reference}`)
    expect(email?.body_text).toContain(`Your reference is ${saved.reference}`)
    expect(email?.body_text).toContain('within 72 hours')
    expect(email?.body_text).toContain('call 999')
    expect(email?.body_text).toContain('> Bins set alight on Mill Lane')
  })

  it('sends no acknowledgement without an email address, but still saves the query', async () => {
    const saved = await submit({ replyBy: 'phone', email: '', phone: '01632 960001' })
    expect(saved.acknowledged).toBe(false)
    const [row] = await services.db.query(`select reply_by, email, phone from nbh_contact_queries where id = $1`, [saved.id])
    expect(row).toEqual({ reply_by: 'phone', email: null, phone: '+441632960001' })
  })

  it('refuses a query with no way to reply, or bad details, with a clear message', async () => {
    await expect(submit({ email: '' })).rejects.toMatchObject({ code: 'INVALID', fieldErrors: { email: CONTACT_MESSAGES.noEmail } })
    await expect(submit({ replyBy: 'phone', email: '' })).rejects.toMatchObject({ fieldErrors: { phone: CONTACT_MESSAGES.noPhone } })
    await expect(submit({ replyBy: 'post' })).rejects.toMatchObject({ fieldErrors: { replyBy: CONTACT_MESSAGES.noReplyBy } })
    await expect(submit({ email: 'not an email' })).rejects.toMatchObject({ fieldErrors: { email: CONTACT_MESSAGES.badEmail } })
    await expect(submit({ phone: '999' })).rejects.toMatchObject({ fieldErrors: { phone: CONTACT_MESSAGES.badPhone } })
    await expect(submit({ message: '   ' })).rejects.toMatchObject({ fieldErrors: { message: CONTACT_MESSAGES.noMessage } })
    await expect(submit({ message: 'x'.repeat(2001) })).rejects.toMatchObject({ fieldErrors: { message: CONTACT_MESSAGES.longMessage } })
    await expect(contact().submit('test-north', { topic: 'other', message: 'Hi', replyBy: 'email', email: 'a@example.com' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('draws again when a random reference is already taken', async () => {
    const taken = await submit()
    const draws = [taken.reference, taken.reference, 'NQ-2345-6789']
    const svc = createContactService(services, { drawReference: () => draws.shift()! })
    const saved = await svc.submit('test-n01', { topic: 'other', message: 'Hello', replyBy: 'email', email: 'cy@example.com' })
    expect(saved.reference).toBe('NQ-2345-6789')
    expect(draws).toEqual([])
    // The database itself refuses a duplicate reference.
    await expect(
      services.db.query(`insert into nbh_contact_queries (reference, area_id, topic, message, reply_by, email) values ($1, 'test-n01', 'other', 'x', 'email', 'a@example.com')`, [
        taken.reference,
      ]),
    ).rejects.toThrow()
  })

  it('lists only queries in the viewer’s grants, unanswered first', async () => {
    const mine = await contact().list(north)
    expect(mine.total).toBeGreaterThanOrEqual(3)
    expect(mine.rows.every(r => r.areaId === 'test-n01')).toBe(true)
    expect((await contact().list(south)).total).toBe(0)
    expect((await contact().list({ userId: officer, paths: [] })).total).toBe(0)
    const byRef = await contact().list(north, { reference: mine.rows[0]!.reference })
    expect(byRef.rows.map(r => r.id)).toEqual([mine.rows[0]!.id])
  })

  it('assigns only to active staff with a neighbourhood role covering the area', async () => {
    const q = await submit()
    expect((await contact().assignees('/test-force/north/n01/')).map(a => a.name)).toEqual(['Dee District', 'Olu Officer'])
    await contact().assign(north, actor(officer), q.id, colleague)
    expect((await contact().get(north, actor(officer), q.id, { audit: false }))?.assigneeName).toBe('Dee District')
    for (const who of [outsider, partner])
      await expect(contact().assign(north, actor(officer), q.id, who)).rejects.toMatchObject({ code: 'INVALID', fieldErrors: { assignee: CONTACT_MESSAGES.noAssignee } })
    await services.db.query(`update staff_users set active = false where id = $1`, [colleague])
    await expect(contact().assign(north, actor(officer), q.id, colleague)).rejects.toMatchObject({ code: 'INVALID' })
    await services.db.query(`update staff_users set active = true where id = $1`, [colleague])
    // Someone outside the area cannot even find it.
    await expect(contact().assign(south, actor(outsider), q.id, outsider)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect(await contact().get(south, actor(outsider), q.id)).toBeNull()
    expect(await contact().get(north, actor(officer), 'not-a-uuid')).toBeNull()
  })

  it('emails a reply with the reference in the subject, stopping the clock at the first reply', async () => {
    const t0 = new Date('2026-04-01T08:00:00Z')
    let clock = t0
    const svc = createContactService({ ...services, now: () => clock })
    const q = await svc.submit('test-n01', { topic: 'question', message: 'When is the next meeting?\nThanks', replyBy: 'email', email: 'bea@example.com' })
    clock = new Date(t0.getTime() + 80 * 3_600_000)
    expect((await svc.get(north, actor(officer), q.id, { audit: false }))?.clock).toMatchObject({ overdue: true, text: 'Overdue by 8 hours' })
    await expect(svc.reply(north, actor(officer), q.id, '  ')).rejects.toMatchObject({ fieldErrors: { reply: CONTACT_MESSAGES.noReply } })
    await svc.reply(north, actor(officer), q.id, 'It is on 12 May at the village hall.')
    clock = new Date(t0.getTime() + 200 * 3_600_000)
    await svc.reply(north, actor(officer), q.id, 'A reminder: tomorrow at 7pm.')
    const after = await svc.get(north, actor(officer), q.id, { audit: false })
    expect(after).toMatchObject({ status: 'replied', assignedTo: officer })
    expect(after!.firstReplyAt!.getTime()).toBe(t0.getTime() + 80 * 3_600_000)
    expect(after!.clock.text).toBe('Replied in 80 hours (late)')
    expect(after!.thread.map(t => [t.kind, t.sentByName])).toEqual([
      ['reply', 'Olu Officer'],
      ['reply', 'Olu Officer'],
    ])
    await services.jobs.drain()
    const emails = await services.db.query<{ subject: string; body_text: string }>(
      `select subject, body_text from outbox_messages where recipient = 'bea@example.com' order by subject`,
    )
    expect(emails.map(e => e.subject)).toEqual([`Re: your message to the Ashby North team [${q.reference}]`, `Re: your message to the Ashby North team [${q.reference}]`, `We have your message: ${q.reference}`])
    const bodies = emails.map(e => e.body_text).join('\n')
    expect(bodies).toContain('It is on 12 May at the village hall.')
    expect(bodies).toContain('A reminder: tomorrow at 7pm.')
    expect(bodies).toContain('You wrote on 1 April 2026:\n\n> When is the next meeting?\n> Thanks')
  })

  it('records a phone reply and notes, refuses an email reply without an address, and closes and reopens', async () => {
    const q = await submit({ replyBy: 'phone', email: '', phone: '07700 900123' })
    await expect(contact().reply(north, actor(officer), q.id, 'Hello')).rejects.toMatchObject({ fieldErrors: { reply: CONTACT_MESSAGES.noEmailToReply } })
    await contact().addNote(north, actor(officer), q.id, 'Phoned, no answer')
    expect((await contact().get(north, actor(officer), q.id, { audit: false }))).toMatchObject({ status: 'new', firstReplyAt: null })
    await contact().markRepliedByPhone(north, actor(officer), q.id, 'Gave advice about the meeting')
    const replied = await contact().get(north, actor(officer), q.id, { audit: false })
    expect(replied).toMatchObject({ status: 'replied', assignedTo: officer })
    expect(replied!.firstReplyAt).not.toBeNull()
    expect(replied!.thread.map(t => t.body)).toEqual(['Phoned, no answer', 'Replied by phone: Gave advice about the meeting'])
    await contact().close(north, actor(officer), q.id)
    expect(await contact().get(north, actor(officer), q.id, { audit: false })).toMatchObject({ status: 'closed' })
    await expect(contact().markRepliedByPhone(north, actor(officer), q.id)).rejects.toMatchObject({ code: 'INVALID' })
    await contact().reopen(north, actor(officer), q.id)
    expect(await contact().get(north, actor(officer), q.id, { audit: false })).toMatchObject({ status: 'replied', closedAt: null })

    const fresh = await submit()
    await contact().close(north, actor(officer), fresh.id)
    await contact().reopen(north, actor(officer), fresh.id)
    expect(await contact().get(north, actor(officer), fresh.id, { audit: false })).toMatchObject({ status: 'new' })
  })

  it('audits every look at a resident’s details and every change', async () => {
    const q = await submit()
    await contact().get(north, { userId: officer, email: 'officer@example.org', ip: '203.0.113.9' }, q.id)
    await contact().addNote(north, { userId: officer, email: 'officer@example.org', ip: null }, q.id, 'Checked CCTV')
    const rows = await services.db.query<{ action: string; summary: string; area_id: string }>(
      `select action, summary, area_id from audit_log where entity_type = 'nbh_contact_query' and entity_id = $1 order by id`,
      [q.id],
    )
    expect(rows).toEqual([
      { action: 'view', summary: `Viewed contact query ${q.reference} and the resident's contact details`, area_id: 'test-n01' },
      { action: 'update', summary: `Added a note to contact query ${q.reference}`, area_id: 'test-n01' },
    ])
  })
})
