import type { FastifyInstance } from 'fastify'
import type { RouteOptions } from '../../../../app.ts'
import { requireStaff } from '../../access.ts'
import type { Role } from '../../schema.ts'
import { roleInSentence } from '../../service.ts'

export interface Capability {
  text: string
  href?: string
}

/**
 * What each role is for, in the words of the engagement strategy. Links appear only for
 * pages that exist; the rest describe work the role will do as modules arrive.
 */
export const CAPABILITIES: Record<Role, Capability[]> = {
  administrator: [
    { text: 'Manage staff users, their roles and areas', href: '/staff/users' },
    { text: 'Import area boundaries and postcodes', href: '/staff/imports/boundaries' },
    { text: 'Search the audit log', href: '/staff/audit' },
    { text: 'Read messages in the development outbox', href: '/staff/outbox' },
  ],
  engagement_lead: [
    { text: 'Send force-wide messages and appeals' },
    { text: 'Plan campaigns and run consultations' },
    { text: 'Read the engagement dashboard and prepare board reports' },
  ],
  neighbourhood_officer: [
    { text: 'Keep your neighbourhood team page, priorities and meetings up to date' },
    { text: 'Send local alerts to residents who signed up' },
    { text: 'Answer replies and contact-us messages within 72 hours' },
    { text: 'Log engagement you have done' },
  ],
  opcc_officer: [
    { text: 'Run statutory consultations such as the precept and the Police and Crime Plan' },
    { text: 'Organise Question Time and surgeries' },
    { text: 'Handle complaint reviews and dip sampling' },
  ],
  board_member: [{ text: 'Approve campaigns' }, { text: 'Read the engagement dashboard and reports' }],
  partner: [{ text: 'Take part in joint consultations' }, { text: 'See shared results and messages in your area' }],
}

/** GET /staff: what the signed-in person's roles let them do, and where. */
export async function homeRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  const { services } = opts
  app.get('/staff', async (request, reply) => {
    const staff = requireStaff(request)
    const user = await services.auth.getUser(staff.userId)
    const grants = user?.grants ?? []
    const roles = [...new Set(grants.map(g => g.role))]
    const sections = roles.map(role => ({
      role,
      label: roleInSentence(role),
      capabilities: CAPABILITIES[role],
      areas: grants.filter(g => g.role === role).map(g => g.areaName ?? g.areaId),
    }))
    return reply.page('platform/auth/web/home/view.njk', {
      title: 'Staff home',
      user,
      grants,
      sections,
      everyone: [{ text: 'See areas, neighbourhoods and their boundaries', href: '/staff/areas' }],
      totpEnabled: request.staffSession?.totpEnabled ?? false,
    })
  })
}
