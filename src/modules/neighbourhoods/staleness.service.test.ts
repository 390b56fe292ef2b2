import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../../test/helpers.ts'
import type { Database } from '../../platform/db/client.ts'
import { seedTestAreas } from '../../platform/auth/testing.ts'
import { createStalenessService } from './staleness.service.ts'
import type { NeighbourhoodsDeps } from './deps.ts'

const NOW = new Date('2026-06-15T12:00:00Z')
const DAY = 86_400_000
const H = 3_600_000
const ago = (ms: number) => new Date(NOW.getTime() - ms)

describe('staleness', () => {
  let db: Database
  const staleness = () => createStalenessService({ db, now: () => NOW } as unknown as NeighbourhoodsDeps)
  const ALL = ['/test-force/']

  beforeAll(async () => {
    db = await createTestDatabase()
    await seedTestAreas(db)
    // Named contacts: Ashby North only.
    await db.query(`insert into nbh_team_members (area_id, name, rank, is_named_contact) values
      ('test-n01', 'PC One', 'Police Constable', true), ('test-n02', 'PCSO Two', 'PCSO', false)`)
    // Priorities: Ashby North has two overdue for review (one resolved, which does not count); South Town is fresh.
    await db.query(
      `insert into nbh_priorities (area_id, issue, issue_date, status, last_reviewed_at) values
        ('test-n01', 'Old', '2025-12-01', 'open', $1), ('test-n01', 'Older', '2025-11-01', 'in_progress', $2),
        ('test-n01', 'Done', '2025-10-01', 'resolved', $2), ('test-n01', 'Fresh', '2026-05-01', 'open', $3),
        ('test-s01', 'Recent', '2026-05-01', 'open', $3)`,
      [new Date('2026-03-01T10:00:00Z'), new Date('2026-02-01T10:00:00Z'), ago(10 * DAY)],
    )
    // Meetings: Ashby North held a PACT meeting 30 days ago; Ashby South's only recent one was
    // cancelled and its open day does not count; South Town met 100 days ago and has one coming.
    const ev = (area: string, type: string, start: Date, cancelled = false) =>
      db.query(
        `insert into nbh_events (area_id, type, title, starts_at, ends_at, cancelled_at) values ($1, $2, 'Meeting', $3, $4, $5)`,
        [area, type, start, new Date(start.getTime() + 2 * H), cancelled ? ago(40 * DAY) : null],
      )
    await ev('test-n01', 'pact', ago(30 * DAY))
    await ev('test-n02', 'panel', ago(20 * DAY), true)
    await ev('test-n02', 'open_day', ago(10 * DAY))
    await ev('test-n02', 'surgery', ago(200 * DAY))
    await ev('test-s01', 'street_briefing', ago(100 * DAY))
    await ev('test-s01', 'pact', new Date(NOW.getTime() + 5 * DAY))
    // Queries.
    const q = (area: string, created: Date, firstReply: Date | null, closed: Date | null = null) =>
      db.query(
        `insert into nbh_contact_queries (reference, area_id, topic, message, reply_by, email, created_at, first_reply_at, closed_at)
         values ('NQ-' || substr(md5(random()::text), 1, 9), $1, 'other', 'm', 'email', 'a@example.com', $2, $3, $4)`,
        [area, created, firstReply, closed],
      )
    const t = ago(10 * DAY)
    await q('test-n01', t, new Date(t.getTime() + 10 * H)) // on time
    await q('test-n01', t, new Date(t.getTime() + 73 * H)) // late
    await q('test-n01', ago(50 * H), null) // waiting, within 72 hours
    await q('test-n02', ago(80 * H), null) // waiting, overdue
    await q('test-n02', ago(200 * DAY), null) // waiting for ever: still counts
    await q('test-n02', ago(200 * DAY), ago(190 * DAY)) // answered late long ago: out of the quarter
    await q('test-s01', t, null, new Date(t.getTime() + 2 * H)) // closed at once (spam): not late
    await q('test-s01', t, null, new Date(t.getTime() + 100 * H)) // closed late, unanswered
  })
  afterAll(async () => db.close())

  it('lists neighbourhoods with no named contact', async () => {
    const r = await staleness().report(ALL)
    expect(r.rows.map(x => x.areaId)).toEqual(['test-n01', 'test-n02', 'test-s01'])
    expect(r.noNamedContact.map(x => x.areaId)).toEqual(['test-n02', 'test-s01'])
  })

  it('counts priorities not reviewed for three months, with the oldest review', async () => {
    const r = await staleness().report(ALL)
    expect(r.reviewCutoff.toISOString()).toBe('2026-03-15T12:00:00.000Z')
    expect(r.reviewsDue).toEqual([expect.objectContaining({ areaId: 'test-n01', reviewsDue: 2, oldestReview: new Date('2026-02-01T10:00:00Z') })])
    // Twenty days later the fresh one is still fine, and nothing else changes.
    const later = await staleness().report(ALL, new Date(NOW.getTime() + 20 * DAY))
    expect(later.reviewsDue.map(x => [x.areaId, x.reviewsDue])).toEqual([['test-n01', 2]])
  })

  it('finds neighbourhoods with no meeting held in the last 91 days', async () => {
    const r = await staleness().report(ALL)
    expect(r.noRecentMeeting.map(x => [x.areaId, x.lastMeeting])).toEqual([
      ['test-n02', ago(200 * DAY)],
      ['test-s01', ago(100 * DAY)],
    ])
    // 70 days on, Ashby North's meeting is out of the quarter too; South Town's planned one has been held.
    const later = await staleness().report(ALL, new Date(NOW.getTime() + 70 * DAY))
    expect(later.noRecentMeeting.map(x => x.areaId)).toEqual(['test-n01', 'test-n02'])
  })

  it('counts queries answered late in the last quarter, and any still waiting past 72 hours', async () => {
    const r = await staleness().report(ALL)
    const figures = r.rows.map(x => [x.areaId, x.queries, x.lateQueries, x.overdueOpen])
    expect(figures).toEqual([
      ['test-n01', 3, 1, 0],
      ['test-n02', 1, 2, 2],
      ['test-s01', 2, 1, 0],
    ])
    expect(r.lateQueries.map(x => x.areaId)).toEqual(['test-n02', 'test-n01', 'test-s01'])
    // A day later the one within 72 hours is overdue too.
    const later = await staleness().report(ALL, new Date(NOW.getTime() + DAY))
    expect(later.rows.find(x => x.areaId === 'test-n01')).toMatchObject({ lateQueries: 2, overdueOpen: 1 })
  })

  it('covers only the neighbourhoods in the given subtrees', async () => {
    const north = await staleness().report(['/test-force/north/'])
    expect(north.rows.map(x => x.areaId)).toEqual(['test-n01', 'test-n02'])
    expect((await staleness().report([])).rows).toEqual([])
  })
})
