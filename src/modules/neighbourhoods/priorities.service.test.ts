import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../../test/helpers.ts'
import { testConfig } from '../../config.ts'
import type { Database } from '../../platform/db/client.ts'
import { createAuditService } from '../../platform/audit/service.ts'
import { createChannels } from '../../platform/channels/index.ts'
import type { Jobs } from '../../platform/jobs/index.ts'
import { seedTestAreas } from '../../platform/auth/testing.ts'
import { createAreasService } from '../areas/service.ts'
import { createPrioritiesService, isIsoDate, isReviewDue, londonDay, PRIORITY_MESSAGES, reviewDueCutoff } from './priorities.service.ts'

const actor = { userId: null, email: 'officer@example.org', ip: '127.0.0.1' }

describe('review due', () => {
  it('is due when an open priority was last reviewed more than three calendar months ago', () => {
    const now = new Date('2026-05-20T10:00:00Z')
    expect(reviewDueCutoff(now).toISOString()).toBe('2026-02-20T10:00:00.000Z')
    expect(isReviewDue({ status: 'open', lastReviewedAt: new Date('2026-02-20T09:59:00Z') }, now)).toBe(true)
    expect(isReviewDue({ status: 'in_progress', lastReviewedAt: new Date('2026-02-20T10:01:00Z') }, now)).toBe(false)
    expect(isReviewDue({ status: 'resolved', lastReviewedAt: new Date('2025-01-01T00:00:00Z') }, now)).toBe(false)
  })

  it('reads dates strictly, and takes today in London', () => {
    for (const s of ['2026-02-28', '2024-02-29', '2026-12-31']) expect(isIsoDate(s), s).toBe(true)
    for (const s of ['2026-02-29', '2026-13-01', '26-01-01', '2026-1-1', '', 'yesterday']) expect(isIsoDate(s), s).toBe(false)
    // 23:30 UTC on 30 June is already 1 July in British Summer Time.
    expect(londonDay(new Date('2026-06-30T23:30:00Z'))).toBe('2026-07-01')
  })
})

describe('priorities service', () => {
  let db: Database
  let clock = new Date('2026-05-20T10:00:00Z')
  let priorities: ReturnType<typeof createPrioritiesService>

  beforeAll(async () => {
    db = await createTestDatabase()
    await seedTestAreas(db)
    const config = testConfig()
    priorities = createPrioritiesService({
      config,
      db,
      audit: createAuditService(db),
      channels: createChannels(config, db),
      jobs: {} as Jobs,
      areas: await createAreasService(db),
      now: () => clock,
    })
  })
  afterAll(async () => db.close())

  it('sets a priority, audited, refusing bad input field by field', async () => {
    const p = await priorities.create(actor, 'test-n01', { issue: '  Speeding on Mill Lane  ', issueDate: '2026-05-01' })
    expect(p).toMatchObject({ areaId: 'test-n01', issue: 'Speeding on Mill Lane', issueDate: '2026-05-01', status: 'open', reviewDue: false, latestUpdate: null, updates: [] })
    expect(p.lastReviewedAt.toISOString()).toBe(clock.toISOString())
    const [entry] = await db.query(`select action, entity_type, area_id, summary from audit_log where entity_id = $1`, [p.id])
    expect(entry).toEqual({ action: 'create', entity_type: 'nbh_priority', area_id: 'test-n01', summary: 'Set the priority "Speeding on Mill Lane"' })

    await expect(priorities.create(actor, 'test-n01', { issue: ' ', issueDate: '2026-02-30' })).rejects.toMatchObject({
      code: 'INVALID',
      fieldErrors: { issue: PRIORITY_MESSAGES.noIssue, issueDate: PRIORITY_MESSAGES.badDate },
    })
    await expect(priorities.create(actor, 'test-n01', { issue: 'x'.repeat(501), issueDate: '2026-05-21' })).rejects.toMatchObject({
      fieldErrors: { issue: PRIORITY_MESSAGES.longIssue, issueDate: PRIORITY_MESSAGES.futureIssueDate },
    })
  })

  it('adds dated action updates that move the status, and counts them as a review', async () => {
    clock = new Date('2026-05-20T10:00:00Z')
    const p = await priorities.create(actor, 'test-n01', { issue: 'Shed break-ins', issueDate: '2026-01-10' })
    await db.query(`update nbh_priorities set last_reviewed_at = '2026-01-10T12:00:00Z' where id = $1`, [p.id])
    expect((await priorities.get(p.id))!.reviewDue).toBe(true)

    const a = await priorities.addUpdate(actor, 'test-n01', p.id, { action: 'Patrols at night', actionDate: '2026-02-01', status: 'in_progress' })
    expect(a.status).toBe('in_progress')
    expect(a.reviewDue).toBe(false)
    const b = await priorities.addUpdate(actor, 'test-n01', p.id, { action: 'Crime prevention stall', actionDate: '2026-03-05', status: 'in_progress' })
    expect(b.latestUpdate).toMatchObject({ action: 'Crime prevention stall', actionDate: '2026-03-05', status: 'in_progress' })
    expect(b.updates!.map(u => u.actionDate)).toEqual(['2026-03-05', '2026-02-01'])

    await expect(priorities.addUpdate(actor, 'test-n01', p.id, { action: '', actionDate: '2026-01-09', status: 'open' })).rejects.toMatchObject({
      code: 'INVALID',
      fieldErrors: { action: PRIORITY_MESSAGES.noAction, actionDate: PRIORITY_MESSAGES.actionBeforeIssue },
    })
    await expect(priorities.addUpdate(actor, 'test-n01', p.id, { action: 'Later', actionDate: '2026-05-21', status: 'open' })).rejects.toMatchObject({
      fieldErrors: { actionDate: PRIORITY_MESSAGES.futureActionDate },
    })
    await expect(priorities.addUpdate(actor, 'test-n01', p.id, { action: 'x', actionDate: '2026-05-01', status: 'done' as 'open' })).rejects.toMatchObject({
      fieldErrors: { status: PRIORITY_MESSAGES.badStatus },
    })
  })

  it('refuses an update, a review or a second resolution once resolved, with a clear message', async () => {
    const p = await priorities.create(actor, 'test-n01', { issue: 'Graffiti in the underpass', issueDate: '2026-04-01' })
    await expect(priorities.resolve(actor, 'test-n01', p.id, { action: '', actionDate: '2026-05-20' })).rejects.toMatchObject({
      fieldErrors: { action: PRIORITY_MESSAGES.noAction },
    })
    const r = await priorities.resolve(actor, 'test-n01', p.id, { action: 'Cleaned with the council; cameras fitted', actionDate: '2026-05-19' })
    expect(r).toMatchObject({ status: 'resolved', latestUpdate: { action: 'Cleaned with the council; cameras fitted', status: 'resolved' } })
    expect(r.resolvedAt!.toISOString()).toBe(clock.toISOString())

    const update = priorities.addUpdate(actor, 'test-n01', p.id, { action: 'More paint', actionDate: '2026-05-20', status: 'in_progress' })
    await expect(update).rejects.toMatchObject({ code: 'CONFLICT', message: PRIORITY_MESSAGES.resolved, fieldErrors: { action: PRIORITY_MESSAGES.resolved } })
    await expect(priorities.review(actor, 'test-n01', p.id, {})).rejects.toMatchObject({ code: 'CONFLICT' })
    await expect(priorities.resolve(actor, 'test-n01', p.id, { action: 'Again', actionDate: '2026-05-20' })).rejects.toMatchObject({ code: 'CONFLICT' })
    const [{ n }] = (await db.query<{ n: number }>(`select count(*)::int as n from nbh_priority_updates where priority_id = $1`, [p.id])) as [{ n: number }]
    expect(n).toBe(1)
  })

  it('reviews: sets the review time, and publishes a note as an update keeping the status', async () => {
    const p = await priorities.create(actor, 'test-n01', { issue: 'Parking at the school gates', issueDate: '2026-01-05' })
    await db.query(`update nbh_priorities set last_reviewed_at = '2026-01-05T12:00:00Z', status = 'in_progress' where id = $1`, [p.id])
    clock = new Date('2026-05-21T09:00:00Z')
    const quiet = await priorities.review(actor, 'test-n01', p.id)
    expect(quiet.lastReviewedAt.toISOString()).toBe('2026-05-21T09:00:00.000Z')
    expect(quiet.updates).toEqual([])
    const noted = await priorities.review(actor, 'test-n01', p.id, { note: 'Still a problem at pick-up time' })
    expect(noted.latestUpdate).toMatchObject({ action: 'Reviewed: Still a problem at pick-up time', actionDate: '2026-05-21', status: 'in_progress' })
    await expect(priorities.review(actor, 'test-n01', p.id, { note: 'x'.repeat(2001) })).rejects.toMatchObject({ fieldErrors: { note: PRIORITY_MESSAGES.longNote } })
  })

  it('lists current and past per area, and never touches another area’s priority', async () => {
    const other = await priorities.create(actor, 'test-s01', { issue: 'Off-road bikes', issueDate: '2026-03-01' })
    const { current, past } = await priorities.listForArea('test-n01', { withUpdates: true })
    expect(current.map(p => p.issue)).toEqual(['Parking at the school gates', 'Shed break-ins', 'Speeding on Mill Lane'])
    expect(past.map(p => p.issue)).toEqual(['Graffiti in the underpass'])
    expect(past[0]!.updates).toHaveLength(1)
    expect((await priorities.current('test-n01')).map(p => p.issue)).toEqual(current.map(p => p.issue))
    expect(await priorities.pastCount('test-n01')).toBe(1)
    await expect(priorities.addUpdate(actor, 'test-n01', other.id, { action: 'x', actionDate: '2026-05-01', status: 'open' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(priorities.getIn('test-n01', 'not-a-uuid')).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('adopts a proposal in the same transaction, once, and only in its own area', async () => {
    const [prop] = await db.query<{ id: string }>(`insert into nbh_proposals (area_id, issue) values ('test-n01', 'Litter by the shops') returning id`)
    const [elsewhere] = await db.query<{ id: string }>(`insert into nbh_proposals (area_id, issue) values ('test-s01', 'Not yours') returning id`)
    await expect(priorities.create(actor, 'test-n01', { issue: 'Litter', issueDate: '2026-05-20', proposalId: elsewhere!.id })).rejects.toMatchObject({
      fieldErrors: { proposalId: PRIORITY_MESSAGES.proposalNotFound },
    })
    const p = await priorities.create(actor, 'test-n01', { issue: 'Litter by the shops', issueDate: '2026-05-20', proposalId: prop!.id })
    expect(p.proposalId).toBe(prop!.id)
    const [after] = await db.query(`select status, priority_id from nbh_proposals where id = $1`, [prop!.id])
    expect(after).toEqual({ status: 'adopted', priority_id: p.id })
    const before = (await priorities.listForArea('test-n01')).current.length
    await expect(priorities.create(actor, 'test-n01', { issue: 'Again', issueDate: '2026-05-20', proposalId: prop!.id })).rejects.toMatchObject({
      code: 'CONFLICT',
      fieldErrors: { proposalId: PRIORITY_MESSAGES.proposalAdopted },
    })
    // The refused create left nothing behind.
    expect((await priorities.listForArea('test-n01')).current.length).toBe(before)
  })

  it('records the meeting a priority was agreed at, both ways', async () => {
    const [event] = await db.query<{ id: string }>(
      `insert into nbh_events (area_id, type, title, starts_at, ends_at) values ('test-n01', 'pact', 'PACT meeting', '2026-05-10T18:00:00Z', '2026-05-10T19:00:00Z') returning id`,
    )
    expect(await priorities.meetingIn('test-s01', event!.id)).toBeNull()
    expect(await priorities.meetingIn('test-n01', event!.id)).toMatchObject({ title: 'PACT meeting' })
    await expect(priorities.create(actor, 'test-s01', { issue: 'x', issueDate: '2026-05-10', eventId: event!.id })).rejects.toMatchObject({
      fieldErrors: { eventId: PRIORITY_MESSAGES.eventNotFound },
    })
    const p = await priorities.create(actor, 'test-n01', { issue: 'Dog fouling on the green', issueDate: '2026-05-10', eventId: event!.id })
    expect(p.eventId).toBe(event!.id)
    expect(await db.query(`select event_id, priority_id from nbh_meeting_priorities`)).toEqual([{ event_id: event!.id, priority_id: p.id }])
  })
})
