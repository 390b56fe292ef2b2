import type { Database } from '../../../../../platform/db/client.ts'
import type { DistrictGroup } from '../shared.ts'

/**
 * The compose form's area picker, built for forces with thousands of neighbourhoods and for
 * use without JavaScript or with a screen reader:
 *
 * - the areas already chosen come first, each with a Remove button (the hidden `areas`
 *   inputs there are the selection);
 * - then "add" choices (`addAreas` checkboxes): the whole force, whole districts, a
 *   "Find a neighbourhood" search, and neighbourhoods grouped by district in <details>.
 *   A district's neighbourhoods are listed in the page only when the whole list is short
 *   (LIST_ALL_LIMIT); otherwise each district has a "Show its neighbourhoods" button.
 *
 * Without JavaScript, Find, Show and Remove post the whole form back and the page is drawn
 * again with everything typed kept (nothing is saved). With JavaScript (compose.js) the search
 * filters as you type through GET /staff/messages/areas, and ticking or removing updates the
 * chosen list and the live recipient count at once.
 */

/** Up to this many neighbourhoods in the grants, every district's list is in the page. */
export const LIST_ALL_LIMIT = 200
/** Up to this many, the district lists start open (an officer with a handful of neighbourhoods sees them at once). */
export const OPEN_LIMIT = 12
/** Search results shown at most; more means "type more of the name". */
export const SEARCH_LIMIT = 50

export interface AreaRef {
  id: string
  name: string
  kind: 'force' | 'district' | 'neighbourhood'
  /** "Neighbourhood in North District", "District", "The whole force" */
  context: string
}

export interface PickerState {
  /** the chosen area ids, in the order chosen */
  selected: string[]
  /** the search typed into "Find a neighbourhood" */
  query: string
  /** districts whose neighbourhoods were asked for ("Show its neighbourhoods") */
  expanded: string[]
}

export interface SearchResult {
  id: string
  name: string
  kind: 'district' | 'neighbourhood'
  district: string | null
}

interface Choices {
  forces: { id: string; name: string }[]
  districts: DistrictGroup[]
}

/** Every area the staff member may target, by id, with the words that place it. */
export function areaIndex(choices: Choices): Map<string, AreaRef> {
  const index = new Map<string, AreaRef>()
  for (const f of choices.forces) index.set(f.id, { id: f.id, name: f.name, kind: 'force', context: 'The whole force' })
  for (const d of choices.districts) {
    if (d.selectable) index.set(d.id, { id: d.id, name: d.name, kind: 'district', context: 'District' })
    for (const n of d.neighbourhoods) index.set(n.id, { id: n.id, name: n.name, kind: 'neighbourhood', context: `Neighbourhood in ${d.name}` })
  }
  return index
}

/** What the view draws. */
export function buildPicker(choices: Choices, state: PickerState, search: { results: SearchResult[]; total: number } | null) {
  const index = areaIndex(choices)
  const chosen = new Set(state.selected)
  const total = choices.districts.reduce((n, d) => n + d.neighbourhoods.length, 0)
  const listAll = total <= LIST_ALL_LIMIT
  const expanded = new Set(state.expanded)
  return {
    // An id outside the grants (a tampered form) is kept so saving can refuse it plainly.
    selected: state.selected.map(id => index.get(id) ?? { id, name: id, kind: 'neighbourhood' as const, context: 'Not one of your areas' }),
    forces: choices.forces.filter(f => !chosen.has(f.id)),
    districts: choices.districts.filter(d => d.selectable && !chosen.has(d.id)).map(d => ({ id: d.id, name: d.name })),
    groups: choices.districts.map(d => {
      const listed = listAll || expanded.has(d.id)
      const remaining = d.neighbourhoods.filter(n => !chosen.has(n.id))
      return {
        id: d.id,
        name: d.name,
        count: d.neighbourhoods.length,
        listed,
        open: expanded.has(d.id) || total <= OPEN_LIMIT || choices.districts.length === 1,
        neighbourhoods: listed ? remaining : [],
        allChosen: remaining.length === 0,
      }
    }),
    listAll,
    expanded: state.expanded.filter(id => choices.districts.some(d => d.id === id)),
    query: state.query,
    search: search && {
      query: state.query,
      total: search.total,
      results: search.results.map(r => ({ ...r, chosen: chosen.has(r.id) })),
    },
  }
}

/**
 * Districts and neighbourhoods inside the grants whose name contains the words typed (case
 * and accents as typed are ignored only for case), best first: names that start with the
 * search, then the rest, alphabetically. One indexed scan; no LIKE, so % and _ match literally.
 */
export async function searchAreas(db: Database, paths: readonly string[], query: string, limit = SEARCH_LIMIT): Promise<{ results: SearchResult[]; total: number }> {
  const q = query.trim().toLowerCase().slice(0, 100)
  if (!q || !paths.length) return { results: [], total: 0 }
  const rows = await db.query<{ id: string; name: string; kind: 'district' | 'neighbourhood'; district: string | null; total: number }>(
    `select a.id, a.name, a.kind, case when a.kind = 'neighbourhood' then p.name end as district, count(*) over ()::int as total
       from areas a left join areas p on p.id = a.parent_id
      where a.kind in ('district', 'neighbourhood')
        and position($2 in lower(a.name)) > 0
        and exists (select 1 from unnest($1::text[]) as g(path) where left(a.path, length(g.path)) = g.path)
      order by (position($2 in lower(a.name)) = 1) desc, a.kind, lower(a.name), a.id
      limit $3`,
    [paths, q, limit],
  )
  return { results: rows.map(({ total: _t, ...r }) => r), total: rows[0]?.total ?? 0 }
}
