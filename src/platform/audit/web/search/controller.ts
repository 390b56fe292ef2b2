import type { FastifyInstance } from 'fastify'
import type { RouteOptions } from '../../../../app.ts'
import { requireStaff } from '../../../auth/access.ts'
import { actorFrom } from '../../service.ts'
import { PAGE_SIZE, readAuditQuery, type AuditFilters } from './schema.ts'

const VIEW = 'platform/audit/web/search/view.njk'

/** Actions Beacon writes today; the select also offers any other recent action it finds. */
const KNOWN_ACTIONS = [
  'create', 'update', 'delete', 'view', 'export', 'import', 'search',
  'sign-in', 'sign-in-failed', 'lockout', 'sign-out',
  'grant', 'revoke', 'invite', 'deactivate', 'reactivate',
  'set-password', 'password-reset-requested', 'password-reset', 'two-factor-enabled', 'reset-two-factor',
]
const KNOWN_TYPES = ['staff_user', 'role_grant', 'area', 'audit_log']

/** "staff_user" → "Staff user". */
const humanise = (s: string) => (s.charAt(0).toUpperCase() + s.slice(1)).replaceAll('_', ' ')

/** The query string for a page of the same search. */
function pageHref(values: Record<string, unknown>, page: number): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(values)) if (k !== 'page' && typeof v === 'string' && v !== '') params.set(k, v)
  if (page > 1) params.set('page', String(page))
  const qs = params.toString()
  return qs ? `/staff/audit?${qs}` : '/staff/audit'
}

/** GOV.UK pagination: previous/next and page numbers around the current one, with ellipses. */
export function paginationFor(values: Record<string, unknown>, page: number, total: number) {
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE))
  if (pages === 1) return null
  const wanted = new Set([1, pages, page - 1, page, page + 1].filter(p => p >= 1 && p <= pages))
  const items: ({ number: number; href: string; current: boolean } | { ellipsis: true })[] = []
  let last = 0
  for (const p of [...wanted].sort((a, b) => a - b)) {
    if (p - last > 1) items.push({ ellipsis: true })
    items.push({ number: p, href: pageHref(values, p), current: p === page })
    last = p
  }
  return {
    items,
    previous: page > 1 ? { href: pageHref(values, page - 1) } : undefined,
    next: page < pages ? { href: pageHref(values, page + 1) } : undefined,
  }
}

/**
 * GET /staff/audit: search the audit log by words, action, record type, who and when. A GET
 * form, so a search can be bookmarked or shared with another administrator. Reading the log
 * shows personal data, so each search is itself recorded.
 */
export async function auditSearchRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  const { services } = opts

  async function recent(column: 'action' | 'entity_type'): Promise<string[]> {
    // The most recent entries only: a scan of the whole log would grow with it.
    const rows = await services.db.query<{ v: string }>(
      `select distinct ${column} as v from (select ${column} from audit_log order by at desc limit 5000) recent`,
    )
    return rows.map(r => r.v)
  }

  const options = (known: string[], found: string[], chosen: string | undefined, anyText: string) => {
    const all = [...new Set([...known, ...found, ...(chosen ? [chosen] : [])])].sort()
    return [{ value: '', text: anyText }, ...all.map(v => ({ value: v, text: humanise(v) }))]
  }

  app.get('/staff/audit', async (request, reply) => {
    requireStaff(request, ['administrator'])
    const { filters, errors, values } = readAuditQuery(request.query)
    const hasErrors = Object.keys(errors).length > 0
    const searched = !hasErrors && Object.entries(values).some(([k, v]) => k !== 'page' && typeof v === 'string' && v !== '')

    let rows: Awaited<ReturnType<typeof services.audit.search>>['rows'] = []
    let total = 0
    if (!hasErrors) {
      const page = filters.page
      const result = await services.audit.search({ ...searchOf(filters), limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE })
      rows = result.rows
      total = result.total
    }

    const areaIds = [...new Set(rows.map(r => r.area_id).filter((id): id is string => !!id))]
    const areaNames = new Map(
      areaIds.length
        ? (await services.db.query<{ id: string; name: string }>('select id, name from areas where id = any($1::text[])', [areaIds])).map(a => [a.id, a.name])
        : [],
    )

    if (searched)
      await services.audit.record(actorFrom(request), {
        action: 'search',
        entityType: 'audit_log',
        summary: 'Searched the audit log',
        details: Object.fromEntries(Object.entries(values).filter(([, v]) => typeof v === 'string' && v !== '')),
      })

    return reply.page(
      VIEW,
      {
        title: 'Audit log',
        errors: hasErrors ? errors : undefined,
        values,
        actionItems: options(KNOWN_ACTIONS, await recent('action'), filters.action, 'Any action'),
        typeItems: options(KNOWN_TYPES, await recent('entity_type'), filters.entityType, 'Any record type'),
        rows: rows.map(r => ({
          ...r,
          typeName: humanise(r.entity_type),
          actionName: humanise(r.action),
          areaName: r.area_id ? (areaNames.get(r.area_id) ?? r.area_id) : '',
        })),
        total,
        firstShown: total ? (filters.page - 1) * PAGE_SIZE + 1 : 0,
        lastShown: Math.min(total, filters.page * PAGE_SIZE),
        pagination: hasErrors ? null : paginationFor(values, filters.page, total),
      },
      hasErrors ? 400 : undefined,
    )
  })
}

function searchOf(f: AuditFilters) {
  return { text: f.text, action: f.action, entityType: f.entityType, actor: f.actor, from: f.from, to: f.to }
}
