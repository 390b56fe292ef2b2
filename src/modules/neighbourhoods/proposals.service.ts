import { createHmac } from 'node:crypto'
import type { NeighbourhoodsDeps } from './deps.ts'
import type { AuditActor } from '../../platform/audit/service.ts'
import { AppError } from '../../platform/errors.ts'
import type { ProposalStatus } from './schema.ts'
import { isUuid } from '../../platform/ids.ts'

export interface ProposalSummary {
  id: string
  areaId: string
  issue: string
  details: string | null
  status: ProposalStatus
  supportCount: number
  createdAt: Date
}

/** A proposal with what the team did about it (for the public page and the staff list). */
export interface ProposalRecord extends ProposalSummary {
  /** the team's public response (declined proposals) */
  response: string | null
  /** the priority it became (adopted proposals) */
  priorityId: string | null
  updatedAt: Date
}

/** An area's proposals: open ones most supported first, then what was decided, newest first. */
export interface AreaProposals {
  open: ProposalRecord[]
  adopted: ProposalRecord[]
  declined: ProposalRecord[]
}

export const MAX_ISSUE = 200
export const MAX_DETAILS = 1000
export const MAX_RESPONSE = 1000

export const PROPOSAL_MESSAGES = {
  noIssue: 'Enter the issue you would like the team to work on',
  longIssue: `The issue must be ${MAX_ISSUE} characters or fewer`,
  longDetails: `The details must be ${MAX_DETAILS.toLocaleString('en-GB')} characters or fewer`,
  noResponse: 'Enter the response residents will see, saying why the team is not taking this on',
  longResponse: `The response must be ${MAX_RESPONSE.toLocaleString('en-GB')} characters or fewer`,
  notOpen: 'This proposal has already been decided',
  supported: 'Thank you. Your support has been counted',
  alreadySupported: 'You have already supported this',
  closed: 'This proposal is no longer open for support',
} as const

export type SupportResult = 'added' | 'already' | 'closed'

const invalid = (field: string, message: string) => new AppError('INVALID', message, { [field]: message })

const COLUMNS = `p.id, p.area_id as "areaId", p.issue, p.details, p.status, p.response, p.priority_id as "priorityId",
  p.created_at as "createdAt", p.updated_at as "updatedAt",
  (select count(*)::int from nbh_proposal_supports s where s.proposal_id = p.id) as "supportCount"`

type Row = Omit<ProposalRecord, 'createdAt' | 'updatedAt'> & { createdAt: Date | string; updatedAt: Date | string }
const toRecord = (r: Row): ProposalRecord => ({ ...r, createdAt: new Date(r.createdAt), updatedAt: new Date(r.updatedAt) })
const toSummary = (r: ProposalRecord): ProposalSummary => ({
  id: r.id,
  areaId: r.areaId,
  issue: r.issue,
  details: r.details,
  status: r.status,
  supportCount: r.supportCount,
  createdAt: r.createdAt,
})

/**
 * "Have your say on priorities": residents propose a local issue for their team's next meeting
 * and support each other's proposals; the team adopts one as a priority (the priorities
 * service does that, in one transaction with the new priority) or declines it with a public
 * response.
 *
 * A supporter is a random id kept in a signed cookie in their browser; only its HMAC, keyed by
 * the server's secret, is stored (`supporter_key`). That stops casual double counting without
 * holding anything about the person; it is not meant to stop someone clearing their cookies.
 */
export function createProposalsService(deps: NeighbourhoodsDeps) {
  const { db, audit, config } = deps
  const now = () => deps.now?.() ?? new Date()

  async function find(id: string): Promise<ProposalRecord | null> {
    if (!isUuid(id)) return null
    const [row] = await db.query<Row>(`select ${COLUMNS} from nbh_proposals p where p.id = $1`, [id])
    return row ? toRecord(row) : null
  }

  /** The proposal if it belongs to the area; NOT_FOUND otherwise (a tampered address). */
  async function inArea(areaId: string, id: string): Promise<ProposalRecord> {
    const p = await find(id)
    if (!p || p.areaId !== areaId) throw new AppError('NOT_FOUND', 'Proposal not found')
    return p
  }

  return {
    /** The stored form of a browser's supporter id: HMAC-SHA256 keyed by the server's secret. */
    supporterKey: (supporterId: string): string =>
      createHmac('sha256', `${config.sessionSecret}:beacon-proposal-supporter`).update(supporterId).digest('base64url'),

    /** One proposal with its support count, or null. */
    get: async (id: string): Promise<ProposalSummary | null> => {
      const p = await find(id)
      return p ? toSummary(p) : null
    },

    /** One proposal with the team's decision, or null. */
    getRecord: find,

    /** An area's open proposals, most supported first. */
    openForArea: async (areaId: string): Promise<ProposalSummary[]> => (await listAll(areaId)).open.map(toSummary),

    /** An area's proposals: open ones most supported first (then oldest first), decided ones newest first. */
    listForArea: (areaId: string): Promise<AreaProposals> => listAll(areaId),

    /** Which of these proposals the supporter (by stored key) has already supported. */
    async supportedBy(supporterKey: string, proposalIds: readonly string[]): Promise<Set<string>> {
      if (!proposalIds.length) return new Set()
      const rows = await db.query<{ id: string }>(
        `select proposal_id as id from nbh_proposal_supports where supporter_key = $1 and proposal_id = any($2::uuid[])`,
        [supporterKey, proposalIds],
      )
      return new Set(rows.map(r => r.id))
    },

    /**
     * A resident proposes an issue for their neighbourhood; their own support is counted with
     * it, in the same transaction.
     */
    async propose(areaId: string, input: { issue: string; details?: string | null | undefined }, supporterKey: string): Promise<ProposalSummary> {
      const issue = input.issue.trim().replace(/\s+/g, ' ')
      const details = input.details?.trim() || null
      if (!issue) throw invalid('issue', PROPOSAL_MESSAGES.noIssue)
      if (issue.length > MAX_ISSUE) throw invalid('issue', PROPOSAL_MESSAGES.longIssue)
      if (details && details.length > MAX_DETAILS) throw invalid('details', PROPOSAL_MESSAGES.longDetails)
      const [area] = await db.query(`select 1 from areas where id = $1 and kind = 'neighbourhood'`, [areaId])
      if (!area) throw new AppError('NOT_FOUND', 'Neighbourhood not found')
      const at = now()
      const id = await db.transaction(async q => {
        const [row] = await q<{ id: string }>(
          `insert into nbh_proposals (area_id, issue, details, created_at, updated_at) values ($1, $2, $3, $4, $4) returning id`,
          [areaId, issue, details, at],
        )
        await q(`insert into nbh_proposal_supports (proposal_id, supporter_key, created_at) values ($1, $2, $3)`, [row!.id, supporterKey, at])
        return row!.id
      })
      return { id, areaId, issue, details, status: 'open', supportCount: 1, createdAt: at }
    },

    /** Counts one browser's support for an open proposal of the area, once. */
    async support(areaId: string, proposalId: string, supporterKey: string): Promise<SupportResult> {
      const p = await inArea(areaId, proposalId)
      if (p.status !== 'open') return 'closed'
      const added = await db.query(
        `insert into nbh_proposal_supports (proposal_id, supporter_key, created_at) values ($1, $2, $3)
         on conflict (proposal_id, supporter_key) do nothing returning proposal_id`,
        [proposalId, supporterKey, now()],
      )
      return added.length ? 'added' : 'already'
    },

    /** The team declines an open proposal, with a response residents see on the public page. */
    async decline(actor: AuditActor, areaId: string, proposalId: string, response: string): Promise<void> {
      const p = await inArea(areaId, proposalId)
      const text = response.trim()
      if (!text) throw invalid('response', PROPOSAL_MESSAGES.noResponse)
      if (text.length > MAX_RESPONSE) throw invalid('response', PROPOSAL_MESSAGES.longResponse)
      const done = await db.query(
        `update nbh_proposals set status = 'declined', response = $2, updated_at = $3 where id = $1 and status = 'open' returning id`,
        [proposalId, text, now()],
      )
      if (!done.length) throw new AppError('CONFLICT', PROPOSAL_MESSAGES.notOpen, { response: PROPOSAL_MESSAGES.notOpen })
      await audit.record(actor, {
        action: 'update',
        entityType: 'nbh_proposal',
        entityId: proposalId,
        areaId,
        summary: `Declined the proposal "${truncate(p.issue, 80)}"`,
        details: { response: text, supportCount: p.supportCount },
      })
    },

    /**
     * Removes a proposal that should never have been published (abuse, someone's personal
     * details). Its text is kept only in the audit log, where the removal is recorded.
     */
    async remove(actor: AuditActor, areaId: string, proposalId: string): Promise<void> {
      const p = await inArea(areaId, proposalId)
      if (p.status === 'adopted') throw new AppError('CONFLICT', 'A proposal set as a priority cannot be removed')
      await db.query(`delete from nbh_proposals where id = $1`, [proposalId])
      await audit.record(actor, {
        action: 'delete',
        entityType: 'nbh_proposal',
        entityId: proposalId,
        areaId,
        summary: `Removed the proposal "${truncate(p.issue, 80)}"`,
        details: { issue: p.issue, details: p.details, supportCount: p.supportCount },
      })
    },
  }

  async function listAll(areaId: string): Promise<AreaProposals> {
    const rows = (
      await db.query<Row>(
        `select ${COLUMNS} from nbh_proposals p where p.area_id = $1
          order by case p.status when 'open' then 0 else 1 end, "supportCount" desc, p.created_at, p.id`,
        [areaId],
      )
    ).map(toRecord)
    const decided = (status: ProposalStatus) => rows.filter(r => r.status === status).sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime())
    return { open: rows.filter(r => r.status === 'open'), adopted: decided('adopted'), declined: decided('declined') }
  }
}

const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s)

export type ProposalsService = ReturnType<typeof createProposalsService>
