import type { Role } from '../../platform/auth/schema.ts'
import type { AuditActor } from '../../platform/audit/service.ts'
import { AppError } from '../../platform/errors.ts'
import type { MessagingDeps } from './deps.ts'
import { inScope, isUuid, type Viewer } from './inbox.service.ts'

/**
 * Named groups of subscribers staff can target, such as "Watch coordinators – Aldbridge".
 * A group belongs to an area: who may see and change it follows that area's grants. Members
 * are added by the confirmed email address or mobile number they gave, matched exactly;
 * looking someone up that way is an access to personal data and is audited, found or not.
 */

/** Engagement leads and administrators, and neighbourhood officers within their areas. */
export const GROUP_ROLES: readonly Role[] = ['administrator', 'engagement_lead', 'neighbourhood_officer']

export const MAX_GROUP_NAME = 120
export const MAX_GROUP_DESCRIPTION = 500

export interface GroupRow {
  id: string
  name: string
  description: string | null
  areaId: string
  areaName: string
  areaPath: string
  members: number
  createdAt: Date
}

export interface GroupMember {
  subscriberId: string
  email: string | null
  phone: string | null
  status: string
}

/**
 * A UK mobile number in E.164 (+447…), as subscribers' numbers are stored, or null. Accepts
 * 07700 900123, +44 7700 900123, 0044…, with spaces, dashes or brackets.
 */
export function normaliseUkMobile(input: string): string | null {
  const digits = input.replace(/[\s\-().]/g, '')
  const m = /^(?:\+44|0044|44|0)(7\d{9})$/.exec(digits)
  return m ? `+44${m[1]}` : null
}

type DbGroup = {
  id: string
  name: string
  description: string | null
  area_id: string
  area_name: string
  area_path: string
  members: number
  created_at: Date | string
}

const toGroup = (r: DbGroup): GroupRow => ({
  id: r.id,
  name: r.name,
  description: r.description,
  areaId: r.area_id,
  areaName: r.area_name,
  areaPath: r.area_path,
  members: Number(r.members),
  createdAt: new Date(r.created_at),
})

// Members are counted through msg_subscribers so a resident who deleted their account
// without their memberships being cleared is not counted.
const GROUP_SELECT = `select g.id, g.name, g.description, g.area_id, a.name as area_name, a.path as area_path, g.created_at,
    (select count(*)::int from msg_group_members gm join msg_subscribers s on s.id = gm.subscriber_id where gm.group_id = g.id) as members
  from msg_groups g join areas a on a.id = g.area_id`

export function createGroupsService(deps: MessagingDeps) {
  const { db, audit } = deps

  async function findGroup(viewer: Viewer, id: string): Promise<GroupRow | null> {
    if (!isUuid(id) || !viewer.paths.length) return null
    const [r] = await db.query<DbGroup>(`${GROUP_SELECT} where g.id = $1 and ${inScope('a.path', 2)}`, [id, viewer.paths])
    return r ? toGroup(r) : null
  }

  async function requireGroup(viewer: Viewer, id: string): Promise<GroupRow> {
    const g = await findGroup(viewer, id)
    if (!g) throw new AppError('NOT_FOUND', 'Group not found')
    return g
  }

  function checkFields(input: { name: string; description?: string | null }) {
    const name = input.name.trim()
    const description = input.description?.trim() || null
    const errors: Record<string, string> = {}
    if (!name) errors.name = 'Enter a name for the group'
    else if (name.length > MAX_GROUP_NAME) errors.name = `Name must be ${MAX_GROUP_NAME} characters or fewer`
    if (description && description.length > MAX_GROUP_DESCRIPTION) errors.description = `Description must be ${MAX_GROUP_DESCRIPTION} characters or fewer`
    if (Object.keys(errors).length) throw new AppError('INVALID', Object.values(errors)[0]!, errors)
    return { name, description }
  }

  return {
    findGroup,

    /** Groups whose area lies within the viewer's grants, by area then name. */
    async listGroups(viewer: Viewer): Promise<GroupRow[]> {
      if (!viewer.paths.length) return []
      const rows = await db.query<DbGroup>(`${GROUP_SELECT} where ${inScope('a.path', 1)} order by a.path, lower(g.name), g.id`, [viewer.paths])
      return rows.map(toGroup)
    },

    /** Creates a group owned by an area inside the viewer's grants. */
    async createGroup(viewer: Viewer, actor: AuditActor, input: { name: string; description?: string | null; areaId: string }): Promise<GroupRow> {
      const fields = checkFields(input)
      const [a] = await db.query<{ path: string; name: string }>(`select path, name from areas where id = $1`, [input.areaId])
      if (!a || !viewer.paths.some(p => a.path.startsWith(p)))
        throw new AppError('INVALID', 'Choose an area you work in', { areaId: 'Choose an area you work in' })
      const [row] = await db.query<{ id: string }>(`insert into msg_groups (name, description, area_id) values ($1, $2, $3) returning id`, [
        fields.name,
        fields.description,
        input.areaId,
      ])
      await audit.record(actor, {
        action: 'create',
        entityType: 'msg_group',
        entityId: row!.id,
        areaId: input.areaId,
        summary: `Created the group "${fields.name}" in ${a.name}`,
      })
      return (await findGroup(viewer, row!.id))!
    },

    /** Renames a group or changes its description. */
    async updateGroup(viewer: Viewer, actor: AuditActor, id: string, input: { name: string; description?: string | null }): Promise<void> {
      const group = await requireGroup(viewer, id)
      const fields = checkFields(input)
      await db.query(`update msg_groups set name = $2, description = $3 where id = $1`, [id, fields.name, fields.description])
      await audit.record(actor, {
        action: 'update',
        entityType: 'msg_group',
        entityId: id,
        areaId: group.areaId,
        summary: `Changed the group "${group.name}"`,
        details: { before: { name: group.name, description: group.description }, after: fields },
      })
    },

    /**
     * Deletes a group and its memberships. Messages that targeted it keep their deliveries;
     * a draft still naming it simply reaches nobody through it.
     */
    async deleteGroup(viewer: Viewer, actor: AuditActor, id: string): Promise<void> {
      const group = await requireGroup(viewer, id)
      await db.transaction(async q => {
        await q(`delete from msg_group_members where group_id = $1`, [id])
        await q(`delete from msg_groups where id = $1`, [id])
      })
      await audit.record(actor, {
        action: 'delete',
        entityType: 'msg_group',
        entityId: id,
        areaId: group.areaId,
        summary: `Deleted the group "${group.name}" (${group.members} members)`,
      })
    },

    /** The group's members with their contact details: audited as a view of personal data. */
    async listMembers(viewer: Viewer, actor: AuditActor, id: string): Promise<GroupMember[]> {
      const group = await requireGroup(viewer, id)
      const rows = await db.query<{ subscriber_id: string; email: string | null; phone: string | null; status: string }>(
        `select s.id as subscriber_id, case when s.email_confirmed_at is not null then s.email end as email,
                case when s.phone_confirmed_at is not null then s.phone end as phone, s.status
           from msg_group_members gm join msg_subscribers s on s.id = gm.subscriber_id
          where gm.group_id = $1 order by coalesce(s.email, s.phone), s.id`,
        [id],
      )
      if (rows.length)
        await audit.record(actor, {
          action: 'view',
          entityType: 'msg_group',
          entityId: id,
          areaId: group.areaId,
          summary: `Viewed the members of "${group.name}" (${rows.length})`,
        })
      return rows.map(r => ({ subscriberId: r.subscriber_id, email: r.email, phone: r.phone, status: r.status }))
    },

    /**
     * Adds the subscriber whose confirmed email or mobile number is exactly `contact`. Answers
     * 'added', 'already' (a member already) or throws INVALID when nobody matches.
     */
    async addMember(viewer: Viewer, actor: AuditActor, id: string, contact: string): Promise<'added' | 'already'> {
      const group = await requireGroup(viewer, id)
      const typed = contact.trim()
      const isEmail = typed.includes('@')
      const phone = isEmail ? null : normaliseUkMobile(typed)
      if (!typed) throw new AppError('INVALID', 'Enter an email address or mobile number', { contact: 'Enter an email address or mobile number' })
      if (!isEmail && !phone)
        throw new AppError('INVALID', 'Enter an email address, or a UK mobile number like 07700 900123', {
          contact: 'Enter an email address, or a UK mobile number like 07700 900123',
        })
      const [sub] = isEmail
        ? await db.query<{ id: string }>(`select id from msg_subscribers where email = $1 and email_confirmed_at is not null`, [typed.toLowerCase()])
        : await db.query<{ id: string }>(`select id from msg_subscribers where phone = $1 and phone_confirmed_at is not null`, [phone])
      await audit.record(actor, {
        action: 'view',
        entityType: 'msg_subscriber',
        entityId: sub?.id ?? null,
        areaId: group.areaId,
        summary: `Looked up a subscriber by ${isEmail ? 'email address' : 'mobile number'} to add to "${group.name}"${sub ? '' : ' (no match)'}`,
      })
      if (!sub)
        throw new AppError('INVALID', 'Nobody has signed up and confirmed that email address or mobile number', {
          contact: 'Nobody has signed up and confirmed that email address or mobile number',
        })
      const added = await db.query(
        `insert into msg_group_members (group_id, subscriber_id) values ($1, $2) on conflict do nothing returning group_id`,
        [id, sub.id],
      )
      if (!added.length) return 'already'
      await audit.record(actor, {
        action: 'update',
        entityType: 'msg_group',
        entityId: id,
        areaId: group.areaId,
        summary: `Added a member to "${group.name}"`,
        details: { subscriberId: sub.id },
      })
      return 'added'
    },

    /** Takes a subscriber out of the group. */
    async removeMember(viewer: Viewer, actor: AuditActor, id: string, subscriberId: string): Promise<boolean> {
      const group = await requireGroup(viewer, id)
      if (!isUuid(subscriberId)) return false
      const removed = await db.query(`delete from msg_group_members where group_id = $1 and subscriber_id = $2 returning group_id`, [id, subscriberId])
      if (!removed.length) return false
      await audit.record(actor, {
        action: 'update',
        entityType: 'msg_group',
        entityId: id,
        areaId: group.areaId,
        summary: `Removed a member from "${group.name}"`,
        details: { subscriberId },
      })
      return true
    },
  }
}

export type GroupsService = ReturnType<typeof createGroupsService>

/**
 * The groups service from the messaging services when it is wired there, otherwise one built
 * from the same parts (routes use this so they work either way).
 */
export function groupsFrom(services: Omit<MessagingDeps, 'now'> & { messaging: object }): GroupsService {
  const wired = (services.messaging as { groups?: GroupsService }).groups
  return wired ?? createGroupsService({ config: services.config, db: services.db, audit: services.audit, channels: services.channels, jobs: services.jobs, areas: services.areas })
}
