import Flatbush from 'flatbush'
import { toMultiPolygon } from './geometry.ts'
import { classifyPoint, compileShape, EDGE_TOLERANCE, PointPosition, type CompiledShape } from './point-in-polygon.ts'
import type { BBox, MultiPolygon, Polygon } from './types.ts'

export interface SpatialItem {
  id: string
  geometry: MultiPolygon | Polygon
}

export interface SpatialIndex {
  /**
   * The id of the shape containing the point, or null. A point on an edge counts as inside;
   * on an edge shared by two shapes it always resolves to the same one (the smaller id).
   */
  locate(lat: number, lng: number): string | null
  /** Number of shapes indexed (shapes without any positions are left out). */
  readonly size: number
  /** Total vertices across all shapes, for benchmarks and health pages. */
  readonly vertexCount: number
  /** The box around everything indexed, or null when empty. */
  readonly bbox: BBox | null
}

/**
 * Builds an in-memory index: a packed R-tree (flatbush) over each shape's bounding box narrows
 * a lookup to a few candidates, then an exact point-in-polygon test decides. Immutable: build a
 * new one when boundaries change, then swap it in.
 */
export function createSpatialIndex(items: readonly SpatialItem[]): SpatialIndex {
  // Sorting by id makes tie-breaks on shared edges independent of the order rows arrived in.
  const sorted = [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const ids: string[] = []
  const shapes: CompiledShape[] = []
  for (let i = 0; i < sorted.length; i++) {
    const item = sorted[i]!
    if (i > 0 && sorted[i - 1]!.id === item.id) throw new Error(`duplicate id in spatial index: ${item.id}`)
    const shape = compileShape(toMultiPolygon(item.geometry))
    if (!shape) continue
    ids.push(item.id)
    shapes.push(shape)
  }
  if (shapes.length === 0) return { locate: () => null, size: 0, vertexCount: 0, bbox: null }

  const tree = new Flatbush(shapes.length)
  for (const s of shapes) tree.add(s.bbox[0], s.bbox[1], s.bbox[2], s.bbox[3])
  tree.finish()

  // Query state lives here rather than in a per-call closure so a lookup allocates nothing.
  let qx = 0
  let qy = 0
  let insideHit = -1
  let boundaryHit = -1
  const test = (i: number): boolean => {
    const position = classifyPoint(shapes[i]!, qx, qy)
    if (position === PointPosition.inside) {
      insideHit = i
      return true // tiles do not overlap, so the first strict hit is the answer
    }
    if (position === PointPosition.boundary && (boundaryHit < 0 || i < boundaryHit)) boundaryHit = i
    return false
  }

  const eps = EDGE_TOLERANCE
  return {
    locate(lat: number, lng: number): string | null {
      if (!Number.isFinite(lat) || !Number.isFinite(lng)) return null
      qx = lng
      qy = lat
      insideHit = -1
      boundaryHit = -1
      tree.collides(lng - eps, lat - eps, lng + eps, lat + eps, test)
      const hit = insideHit >= 0 ? insideHit : boundaryHit
      return hit >= 0 ? ids[hit]! : null
    },
    size: shapes.length,
    vertexCount: shapes.reduce((n, s) => n + s.vertexCount, 0),
    bbox: [tree.minX, tree.minY, tree.maxX, tree.maxY],
  }
}
