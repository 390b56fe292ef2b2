import type { RouteOptions } from '../../../../app.ts'
import { grantedPaths, type StaffContext } from '../../../../platform/auth/access.ts'
import { COMPOSE_ROLES, organisationsFor } from '../../messages.service.ts'
import type { AreaTreeRow } from '../../../areas/service.ts'

export interface DistrictGroup {
  id: string
  name: string
  /** the district itself is selectable ("All of …") when it is inside the grants */
  selectable: boolean
  neighbourhoods: { id: string; name: string }[]
}

/** What the compose form offers a staff member: areas within their grants by district, interests, groups. */
export async function composeChoices({ services }: Pick<RouteOptions, 'services'>, staff: StaffContext) {
  const paths = grantedPaths(staff, COMPOSE_ROLES)
  const tree: AreaTreeRow[] = await services.areas.listAreasWithin(paths)
  const forces = tree.filter(a => a.kind === 'force')
  const districts = new Map<string, DistrictGroup>()
  for (const a of tree) if (a.kind === 'district') districts.set(a.id, { id: a.id, name: a.name, selectable: true, neighbourhoods: [] })
  for (const a of tree) {
    if (a.kind !== 'neighbourhood') continue
    let d = districts.get(a.parentId ?? '')
    if (!d) {
      // Granted a neighbourhood but not its district: group it under the district's name anyway.
      const parent = a.parentId ? await services.areas.getArea(a.parentId) : null
      d = { id: a.parentId ?? 'none', name: parent?.name ?? 'Other', selectable: false, neighbourhoods: [] }
      districts.set(d.id, d)
    }
    d.neighbourhoods.push({ id: a.id, name: a.name })
  }
  const [interests, groups] = await Promise.all([
    services.db.query<{ id: string; name: string }>(`select id, name from msg_interests where active order by sort_order, name`),
    paths.length
      ? services.db.query<{ id: string; name: string; areaName: string }>(
          `select g.id::text, g.name, a.name as "areaName" from msg_groups g join areas a on a.id = g.area_id
            where exists (select 1 from unnest($1::text[]) as p(path) where left(a.path, length(p.path)) = p.path)
            order by g.name`,
          [paths],
        )
      : Promise.resolve([]),
  ])
  return { forces, districts: [...districts.values()], interests, groups, organisations: organisationsFor(staff) }
}

export const ORGANISATION_NAMES = { force: 'The police force', opcc: 'The Police and Crime Commissioner’s office' } as const
export const PRIORITY_NAMES = { emergency: 'Emergency', high: 'High', normal: 'Normal' } as const
export const STATUS_TAGS: Record<string, { text: string; classes: string }> = {
  draft: { text: 'Draft', classes: 'govuk-tag--grey' },
  pending_approval: { text: 'Waiting for approval', classes: 'govuk-tag--yellow' },
  scheduled: { text: 'Scheduled', classes: 'govuk-tag--blue' },
  sending: { text: 'Sending', classes: 'govuk-tag--light-blue' },
  sent: { text: 'Sent', classes: 'govuk-tag--green' },
  cancelled: { text: 'Cancelled', classes: 'govuk-tag--red' },
}
