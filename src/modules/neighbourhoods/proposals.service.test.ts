import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../../test/helpers.ts'
import { testConfig } from '../../config.ts'
import { createServices, type Services } from '../../services.ts'
import { seedTestAreas } from '../../platform/auth/testing.ts'
import { PROPOSAL_MESSAGES } from './proposals.service.ts'

describe('proposals service', () => {
  let services: Services
  const p = () => services.neighbourhoods.proposals
  const actor = { userId: null, email: 'lead@example.org', ip: null }
  const key = (n: string) => p().supporterKey(n)

  beforeAll(async () => {
    const db = await createTestDatabase()
    await seedTestAreas(db)
    services = await createServices(testConfig(), db)
  })
  afterAll(async () => services.db.close())

  it('keeps only an HMAC of the supporter id, keyed by the server secret', async () => {
    expect(key('abc')).toBe(key('abc'))
    expect(key('abc')).not.toBe(key('abd'))
    expect(key('abc')).not.toContain('abc')
    const other = await createServices(testConfig({ SESSION_SECRET: 'another-secret-that-is-long-enough-0123456789' }), services.db)
    expect(other.neighbourhoods.proposals.supporterKey('abc')).not.toBe(key('abc'))
  })

  it('counts the proposer’s support, and each browser’s support once', async () => {
    const made = await p().propose('test-n01', { issue: '  Speeding   on Mill Lane ', details: '' }, key('proposer'))
    expect(made).toMatchObject({ areaId: 'test-n01', issue: 'Speeding on Mill Lane', details: null, status: 'open', supportCount: 1 })
    expect(await p().support('test-n01', made.id, key('proposer'))).toBe('already')
    expect(await p().support('test-n01', made.id, key('neighbour'))).toBe('added')
    expect(await p().support('test-n01', made.id, key('neighbour'))).toBe('already')
    expect((await p().get(made.id))?.supportCount).toBe(2)
    const stored = await services.db.query<{ supporter_key: string }>(`select supporter_key from nbh_proposal_supports where proposal_id = $1`, [made.id])
    expect(stored.map(s => s.supporter_key).sort()).toEqual([key('neighbour'), key('proposer')].sort())
    expect(await p().supportedBy(key('neighbour'), [made.id])).toEqual(new Set([made.id]))
    expect(await p().supportedBy(key('stranger'), [made.id])).toEqual(new Set())
  })

  it('refuses support through another neighbourhood’s address, and for a decided proposal', async () => {
    const made = await p().propose('test-n01', { issue: 'Litter by the shops' }, key('a'))
    await expect(p().support('test-s01', made.id, key('b'))).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(p().support('test-n01', 'nonsense', key('b'))).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await p().decline(actor, 'test-n01', made.id, 'The council deals with litter; we have passed this on.')
    expect(await p().support('test-n01', made.id, key('b'))).toBe('closed')
    await expect(p().decline(actor, 'test-n01', made.id, 'Again')).rejects.toMatchObject({ code: 'CONFLICT' })
  })

  it('checks what is proposed', async () => {
    await expect(p().propose('test-n01', { issue: '   ' }, key('x'))).rejects.toMatchObject({ fieldErrors: { issue: PROPOSAL_MESSAGES.noIssue } })
    await expect(p().propose('test-n01', { issue: 'x'.repeat(201) }, key('x'))).rejects.toMatchObject({ fieldErrors: { issue: PROPOSAL_MESSAGES.longIssue } })
    await expect(p().propose('test-n01', { issue: 'ok', details: 'x'.repeat(1001) }, key('x'))).rejects.toMatchObject({ fieldErrors: { details: PROPOSAL_MESSAGES.longDetails } })
    await expect(p().propose('test-north', { issue: 'A district' }, key('x'))).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('lists open proposals most supported first, and decided ones with the response', async () => {
    const few = await p().propose('test-s01', { issue: 'Few' }, key('1'))
    const many = await p().propose('test-s01', { issue: 'Many', details: 'Lots of people' }, key('1'))
    for (const n of ['2', '3']) await p().support('test-s01', many.id, key(n))
    const declined = await p().propose('test-s01', { issue: 'No' }, key('1'))
    await p().decline(actor, 'test-s01', declined.id, 'Not a police matter.')
    expect((await p().openForArea('test-s01')).map(x => [x.issue, x.supportCount])).toEqual([
      ['Many', 3],
      ['Few', 1],
    ])
    const list = await p().listForArea('test-s01')
    expect(list.declined.map(x => [x.issue, x.response])).toEqual([['No', 'Not a police matter.']])
    expect(list.adopted).toEqual([])
    // The contract type has exactly its fields.
    expect(Object.keys((await p().get(many.id))!).sort()).toEqual(['areaId', 'createdAt', 'details', 'id', 'issue', 'status', 'supportCount'])
    expect(await p().get('not-a-uuid')).toBeNull()
    expect(await p().get(few.id.replace(/.$/, c => (c === '0' ? '1' : '0')))).toBeNull()
  })

  it('removes a proposal with its supports, keeping its words in the audit log', async () => {
    const made = await p().propose('test-n02', { issue: 'Something abusive' }, key('z'))
    await p().remove(actor, 'test-n02', made.id)
    expect(await p().get(made.id)).toBeNull()
    const [entry] = await services.db.query<{ details: { issue: string } }>(`select details from audit_log where entity_type = 'nbh_proposal' and action = 'delete' and entity_id = $1`, [made.id])
    expect(entry?.details.issue).toBe('Something abusive')
  })
})
