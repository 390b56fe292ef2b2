import type { Database } from '../../platform/db/client.ts'
import { AppError } from '../../platform/errors.ts'
import { createSpatialIndex, type SpatialIndex } from '../../platform/geo/spatial-index.ts'
import type { MultiPolygon } from '../../platform/geo/types.ts'
import { formatPostcode, normalisePostcode } from './postcode-format.ts'

export { formatPostcode, normalisePostcode } from './postcode-format.ts'

export type AreaKind = 'force' | 'district' | 'neighbourhood'

/** An area without its boundary (boundaries are large; ask getBoundary for one). */
export interface AreaRow {
  id: string
  kind: AreaKind
  parentId: string | null
  /** materialised path, e.g. "/demo-shire/kelmoor-vale/ashby/" */
  path: string
  name: string
  description: string | null
  population: number | null
  centreLat: number | null
  centreLng: number | null
  hasBoundary: boolean
  updatedAt: Date
}

/** An area in tree order, with its depth (0 for a force). */
export interface AreaTreeRow extends AreaRow {
  depth: number
}

/** A neighbourhood with its district (every neighbourhood has one: imports insist). */
export interface NeighbourhoodRow extends AreaRow {
  districtId: string
  districtName: string
}

/** What the in-memory index knows about a neighbourhood: enough to link to it without a query. */
export interface NeighbourhoodRef {
  id: string
  name: string
  path: string
  districtId: string
  districtName: string
}

export type PostcodeLookup =
  | { status: 'found'; postcode: string; location: LatLng; neighbourhood: NeighbourhoodRow }
  | { status: 'invalid' }
  | { status: 'unknown'; postcode: string }
  | { status: 'outside'; postcode: string; location: LatLng }

export interface LatLng {
  lat: number
  lng: number
}

/**
 * A search hit for what a resident typed, always leading to one neighbourhood: a place in it,
 * the neighbourhood by name, or a district by name (one hit per neighbourhood of the district).
 */
export interface PlaceMatch {
  kind: 'place' | 'neighbourhood' | 'district'
  /** the name that matched */
  name: string
  neighbourhood: { id: string; name: string }
  districtName: string
  /** the whole name matched, not just its start */
  exact: boolean
}

/** A named place inside a neighbourhood. */
export interface PlaceRow {
  name: string
  lat: number
  lng: number
}

export interface AreaChanges {
  description: string | null
  population: number | null
}

export interface AreaCounts {
  forces: number
  districts: number
  neighbourhoods: number
  neighbourhoodsWithBoundary: number
  postcodes: number
  postcodesOutside: number
  places: number
}

const AREA_COLUMNS = `a.id, a.kind, a.parent_id as "parentId", a.path, a.name, a.description, a.population,
  a.centre_lat as "centreLat", a.centre_lng as "centreLng", a.boundary is not null as "hasBoundary", a.updated_at as "updatedAt"`

const NEIGHBOURHOOD_COLUMNS = `${AREA_COLUMNS}, d.id as "districtId", d.name as "districtName"`
const NEIGHBOURHOOD_FROM = `areas a join areas d on d.id = a.parent_id`

/** Rows per statement when re-resolving stored postcodes after new boundaries arrive. */
const REASSIGN_BATCH = 10_000

/**
 * Areas (force → district → neighbourhood), their boundaries, postcodes and places, and the
 * in-memory spatial index that answers "which neighbourhood is this point in?" without a query.
 * The index is built from the database when the service is created and rebuilt after imports.
 */
export async function createAreasService(db: Database) {
  let index: SpatialIndex = createSpatialIndex([])
  let refs = new Map<string, NeighbourhoodRef>()
  let builtFrom = ''

  /** Changes whenever any area is added, removed or updated: cheap enough to ask every minute. */
  const areasSignature = async () =>
    (await db.query<{ s: string }>(`select count(*)::text || ':' || coalesce(max(updated_at)::text, '') as s from areas`))[0]!.s

  async function rebuildIndex(): Promise<{ neighbourhoods: number; vertices: number }> {
    // Taken before reading, so a change made during the read shows up at the next check.
    const signature = await areasSignature()
    const rows = await db.query<NeighbourhoodRef & { boundary: MultiPolygon | string }>(
      `select n.id, n.name, n.path, d.id as "districtId", d.name as "districtName", n.boundary
         from areas n join areas d on d.id = n.parent_id
        where n.kind = 'neighbourhood' and n.boundary is not null`,
    )
    const nextRefs = new Map<string, NeighbourhoodRef>()
    const items = rows.map(({ boundary, ...ref }) => {
      nextRefs.set(ref.id, ref)
      return { id: ref.id, geometry: typeof boundary === 'string' ? (JSON.parse(boundary) as MultiPolygon) : boundary }
    })
    // Built fully before the swap, so lookups in flight always see a whole index.
    const next = createSpatialIndex(items)
    index = next
    refs = nextRefs
    builtFrom = signature
    return { neighbourhoods: next.size, vertices: next.vertexCount }
  }

  const getArea = async (id: string): Promise<AreaRow | null> =>
    (await db.query<AreaRow>(`select ${AREA_COLUMNS} from areas a where a.id = $1`, [id]))[0] ?? null

  const getNeighbourhood = async (id: string): Promise<NeighbourhoodRow | null> =>
    (
      await db.query<NeighbourhoodRow>(
        `select ${NEIGHBOURHOOD_COLUMNS} from ${NEIGHBOURHOOD_FROM} where a.id = $1 and a.kind = 'neighbourhood'`,
        [id],
      )
    )[0] ?? null

  async function updateArea(id: string, changes: AreaChanges): Promise<AreaRow> {
    const [row] = await db.query<AreaRow>(
      `update areas a set description = $2, population = $3, updated_at = now() where a.id = $1 returning ${AREA_COLUMNS}`,
      [id, changes.description, changes.population],
    )
    if (!row) throw new AppError('NOT_FOUND', 'Area not found')
    return row
  }

  await rebuildIndex()

  return {
    getArea,
    getNeighbourhood,

    /** The stored boundary as a GeoJSON MultiPolygon, or null when none was imported. */
    async getBoundary(id: string): Promise<MultiPolygon | null> {
      const [row] = await db.query<{ boundary: MultiPolygon | null }>(`select boundary from areas where id = $1`, [id])
      return row?.boundary ?? null
    },

    /** Every neighbourhood with its district's name, by district name then name. */
    listNeighbourhoods: (): Promise<NeighbourhoodRow[]> =>
      db.query<NeighbourhoodRow>(
        `select ${NEIGHBOURHOOD_COLUMNS} from ${NEIGHBOURHOOD_FROM}
          where a.kind = 'neighbourhood' order by d.name, d.id, a.name, a.id`,
      ),

    /** Every area in tree order: each force, then each of its districts (by name) followed by its neighbourhoods. */
    listAreas: (): Promise<AreaTreeRow[]> => listTree(db, null),

    /**
     * The areas inside any of the given subtrees (materialised paths from a staff member's
     * grants), in tree order. An empty list of paths gives no areas.
     */
    listAreasWithin: (paths: readonly string[]): Promise<AreaTreeRow[]> => (paths.length ? listTree(db, paths) : Promise.resolve([])),

    /** The direct children of an area, by name. */
    children: (id: string): Promise<AreaRow[]> =>
      db.query<AreaRow>(`select ${AREA_COLUMNS} from areas a where a.parent_id = $1 order by a.name, a.id`, [id]),

    /** The areas above this one, the force first; empty for a force or an unknown id. */
    ancestors: (id: string): Promise<AreaRow[]> =>
      db.query<AreaRow>(
        `select ${AREA_COLUMNS} from areas a, areas self
          where self.id = $1 and a.id <> self.id and left(self.path, length(a.path)) = a.path
          order by length(a.path)`,
        [id],
      ),

    /** True until any area has been loaded (the app offers demo data or an import then). */
    async isEmpty(): Promise<boolean> {
      const [row] = await db.query<{ any: boolean }>(`select exists (select 1 from areas) as any`)
      return !row?.any
    },

    /** How much geography is loaded, for the import pages. */
    async counts(): Promise<AreaCounts> {
      const [row] = await db.query<AreaCounts>(
        `select
           (select count(*)::int from areas where kind = 'force') as forces,
           (select count(*)::int from areas where kind = 'district') as districts,
           (select count(*)::int from areas where kind = 'neighbourhood') as neighbourhoods,
           (select count(*)::int from areas where kind = 'neighbourhood' and boundary is not null) as "neighbourhoodsWithBoundary",
           (select count(*)::int from postcodes) as postcodes,
           (select count(*)::int from postcodes where neighbourhood_id is null) as "postcodesOutside",
           (select count(*)::int from places) as places`,
      )
      return row!
    },

    /**
     * Looks up what someone typed as a postcode: malformed → invalid; well formed but not in the
     * imported directory → unknown; in the directory but in no neighbourhood → outside.
     */
    async findPostcode(text: string): Promise<PostcodeLookup> {
      const key = normalisePostcode(text)
      if (!key) return { status: 'invalid' }
      const [row] = await db.query<{ display: string; lat: number; lng: number; neighbourhoodId: string | null }>(
        `select display, lat, lng, neighbourhood_id as "neighbourhoodId" from postcodes where postcode = $1`,
        [key],
      )
      if (!row) return { status: 'unknown', postcode: formatPostcode(key) }
      const location = { lat: row.lat, lng: row.lng }
      const neighbourhood = row.neighbourhoodId ? await getNeighbourhood(row.neighbourhoodId) : null
      if (!neighbourhood) return { status: 'outside', postcode: row.display, location }
      return { status: 'found', postcode: row.display, location, neighbourhood }
    },

    /**
     * Places, neighbourhoods and districts whose name matches what was typed: whole-name
     * matches first, then names starting with it; places before neighbourhoods before
     * districts; at most 10. Places outside every neighbourhood are left out: a postcode
     * search is the way to be told "outside the force area".
     */
    async searchPlaces(text: string): Promise<PlaceMatch[]> {
      const key = text.trim().replace(/\s+/g, ' ').toLowerCase()
      if (!key) return []
      const prefix = `${key.replace(/[\\%_]/g, m => `\\${m}`)}%`
      const rows = await db.query<{ kind: PlaceMatch['kind']; name: string; nid: string; nname: string; dname: string; exact: boolean }>(
        `select * from (
           select 'place' as kind, 0 as rank, p.name, n.id as nid, n.name as nname, d.name as dname, p.name_key = $1 as exact
             from places p join areas n on n.id = p.neighbourhood_id join areas d on d.id = n.parent_id
            where p.name_key like $2
           union all
           select 'neighbourhood', 1, n.name, n.id, n.name, d.name, lower(n.name) = $1
             from areas n join areas d on d.id = n.parent_id
            where n.kind = 'neighbourhood' and lower(n.name) like $2
           union all
           select 'district', 2, d.name, n.id, n.name, d.name, lower(d.name) = $1
             from areas d join areas n on n.parent_id = d.id
            where d.kind = 'district' and lower(d.name) like $2
         ) m
         order by exact desc, rank, name, nname, nid
         limit 10`,
        [key, prefix],
      )
      return rows.map(r => ({ kind: r.kind, name: r.name, neighbourhood: { id: r.nid, name: r.nname }, districtName: r.dname, exact: r.exact }))
    },

    /** How many imported postcodes fall in the area (in any neighbourhood beneath it). */
    async postcodeCount(id: string): Promise<number> {
      const [row] = await db.query<{ n: number }>(
        `select count(*)::int as n
           from postcodes p join areas n on n.id = p.neighbourhood_id, areas a
          where a.id = $1 and left(n.path, length(a.path)) = a.path`,
        [id],
      )
      return row?.n ?? 0
    },

    /** The named places in a neighbourhood, by name. */
    placesIn: (neighbourhoodId: string): Promise<PlaceRow[]> =>
      db.query<PlaceRow>(`select name, lat, lng from places where neighbourhood_id = $1 order by name, id`, [neighbourhoodId]),

    /** The neighbourhood containing the point, from memory (no query); null outside them all. */
    locate(lat: number, lng: number): NeighbourhoodRef | null {
      const id = index.locate(lat, lng)
      return id ? (refs.get(id) ?? null) : null
    },

    /** The id of the neighbourhood containing the point; what imports store against postcodes. */
    locateId: (lat: number, lng: number): string | null => index.locate(lat, lng),

    /** Size of the live index. */
    indexStats: () => ({ neighbourhoods: index.size, vertices: index.vertexCount }),

    rebuildIndex,

    /**
     * Rebuilds the index if areas changed since it was built, e.g. by an import in another
     * web process; answers whether it did. Multi-process deployments call it on a timer.
     */
    async refreshIndexIfChanged(): Promise<boolean> {
      if ((await areasSignature()) === builtFrom) return false
      await rebuildIndex()
      return true
    },

    /**
     * Re-resolves every stored postcode and place against the current index, after boundaries
     * change. Walks postcodes in key order in batches, so memory stays flat on a full directory.
     */
    async reassignLocations(): Promise<{ postcodesChanged: number; placesChanged: number }> {
      let postcodesChanged = 0
      let after = ''
      for (;;) {
        const rows = await db.query<{ postcode: string; lat: number; lng: number }>(
          `select postcode, lat, lng from postcodes where postcode > $1 order by postcode limit ${REASSIGN_BATCH}`,
          [after],
        )
        if (rows.length === 0) break
        after = rows[rows.length - 1]!.postcode
        const changed = await db.query<{ postcode: string }>(
          `update postcodes p set neighbourhood_id = v.neighbourhood_id
             from unnest($1::text[], $2::text[]) as v(postcode, neighbourhood_id)
            where p.postcode = v.postcode and p.neighbourhood_id is distinct from v.neighbourhood_id
            returning p.postcode`,
          [rows.map(r => r.postcode), rows.map(r => index.locate(r.lat, r.lng))],
        )
        postcodesChanged += changed.length
      }
      const places = await db.query<{ id: number; lat: number; lng: number }>(`select id, lat, lng from places`)
      const placesChanged = places.length
        ? (
            await db.query<{ id: number }>(
              `update places p set neighbourhood_id = v.neighbourhood_id
                 from unnest($1::int[], $2::text[]) as v(id, neighbourhood_id)
                where p.id = v.id and p.neighbourhood_id is distinct from v.neighbourhood_id
                returning p.id`,
              [places.map(p => p.id), places.map(p => index.locate(p.lat, p.lng))],
            )
          ).length
        : 0
      return { postcodesChanged, placesChanged }
    },

    /** Changes an area's description and population (the staff edit page); NOT_FOUND if it does not exist. */
    updateArea,

    /** As updateArea, for neighbourhoods only: NOT_FOUND for any other kind of area. */
    async updateNeighbourhood(id: string, changes: AreaChanges): Promise<AreaRow> {
      const area = await getArea(id)
      if (!area || area.kind !== 'neighbourhood') throw new AppError('NOT_FOUND', 'Neighbourhood not found')
      return updateArea(id, changes)
    },
  }
}

export type AreasService = Awaited<ReturnType<typeof createAreasService>>

/**
 * Areas in tree order, optionally only inside the given subtrees. Sorting on the array of
 * names from the root down puts each area straight after its parent and siblings by name.
 */
function listTree(db: Database, paths: readonly string[] | null): Promise<AreaTreeRow[]> {
  return db.query<AreaTreeRow>(
    `with recursive tree as (
       select a.id, array[a.name, a.id] as sort_key, 0 as depth from areas a where a.parent_id is null
       union all
       select a.id, tree.sort_key || array[a.name, a.id], tree.depth + 1 from areas a join tree on a.parent_id = tree.id
     )
     select ${AREA_COLUMNS}, tree.depth
       from tree join areas a on a.id = tree.id
      where $1::text[] is null or exists (select 1 from unnest($1::text[]) as g(path) where left(a.path, length(g.path)) = g.path)
      order by tree.sort_key`,
    [paths],
  )
}
