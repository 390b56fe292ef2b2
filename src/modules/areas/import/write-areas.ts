import type { Database } from '../../../platform/db/client.ts'
import { centroid } from '../../../platform/geo/geometry.ts'
import type { MultiPolygon } from '../../../platform/geo/types.ts'
import type { AreaKind } from '../service.ts'

/** One area as an import (or the demo generator) supplies it. */
export interface AreaRecord {
  id: string
  kind: AreaKind
  parentId: string | null
  name: string
  /** undefined keeps what is stored */
  description?: string | null | undefined
  /** undefined keeps what is stored */
  population?: number | null | undefined
  /** null keeps any stored boundary (files that only name forces or districts) */
  boundary: MultiPolygon | null
}

type Query = Database['query']

/** Rows per insert: boundaries can be large, so batches stay modest. */
const BATCH = 200

/**
 * Upserts areas by id, then recomputes every materialised path from the parent links so moved
 * areas take their subtrees with them. Call inside a transaction; parents must exist by the end.
 */
export async function writeAreas(q: Query, records: readonly AreaRecord[]): Promise<void> {
  for (let start = 0; start < records.length; start += BATCH) {
    const batch = records.slice(start, start + BATCH)
    const centres = batch.map(r => (r.boundary ? centroid(r.boundary) : null))
    // New rows get a placeholder path no real path can equal ('#' never starts one); the
    // recursive update below replaces it before the transaction ends.
    await q(
      `insert into areas (id, kind, parent_id, path, name, description, population, boundary, centre_lat, centre_lng)
       select v.id, v.kind, v.parent_id, '#' || v.id, v.name, v.description, v.population, v.boundary::jsonb, v.centre_lat, v.centre_lng
         from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::float8[], $9::float8[])
              as v(id, kind, parent_id, name, description, population, boundary, centre_lat, centre_lng)
       on conflict (id) do update set
         kind = excluded.kind,
         parent_id = excluded.parent_id,
         name = excluded.name,
         -- ids listed in $10 / $11 did not say, so what is stored stays
         description = case when excluded.id = any($10::text[]) then areas.description else excluded.description end,
         population = case when excluded.id = any($11::text[]) then areas.population else excluded.population end,
         boundary = coalesce(excluded.boundary, areas.boundary),
         centre_lat = coalesce(excluded.centre_lat, areas.centre_lat),
         centre_lng = coalesce(excluded.centre_lng, areas.centre_lng),
         updated_at = now()`,
      [
        batch.map(r => r.id),
        batch.map(r => r.kind),
        batch.map(r => r.parentId),
        batch.map(r => r.name),
        batch.map(r => r.description ?? null),
        batch.map(r => r.population ?? null),
        batch.map(r => (r.boundary ? JSON.stringify(r.boundary) : null)),
        centres.map(c => c?.lat ?? null),
        centres.map(c => c?.lng ?? null),
        batch.filter(r => r.description === undefined).map(r => r.id),
        batch.filter(r => r.population === undefined).map(r => r.id),
      ],
    )
  }
  await recomputePaths(q)
}

/**
 * Rebuilds every path from the parent links in one statement. Paths always end in their own
 * id, so no row's new path can clash with another row's old one mid-update.
 */
export async function recomputePaths(q: Query): Promise<void> {
  await q(
    `with recursive tree as (
       select id, '/' || id || '/' as path from areas where parent_id is null
       union all
       select a.id, tree.path || a.id || '/' from areas a join tree on a.parent_id = tree.id
     )
     update areas set path = tree.path from tree where areas.id = tree.id and areas.path <> tree.path`,
  )
  const orphans = await q<{ id: string }>(`select id from areas where path like '#%' limit 5`)
  if (orphans.length) throw new Error(`areas without a reachable parent: ${orphans.map(o => o.id).join(', ')}`)
}
