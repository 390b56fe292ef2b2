import type { BBox, MultiPolygon } from './types.ts'

/**
 * How far (in degrees, about 0.1 mm on the ground) a point may be from an edge and still be
 * "on" it. Boundary data is never that precise, so this only absorbs floating-point rounding.
 */
export const EDGE_TOLERANCE = 1e-9

export const PointPosition = { outside: 0, boundary: 1, inside: 2 } as const
export type PointPosition = (typeof PointPosition)[keyof typeof PointPosition]

/**
 * A MultiPolygon flattened for fast repeated tests: all rings' positions in one Float64Array
 * (x, y pairs, without the repeated closing position) and a bounding box per ring, so rings
 * far from the point are skipped without touching their vertices.
 */
export interface CompiledShape {
  readonly coords: Float64Array
  /** ring r covers points ringStarts[r] … ringStarts[r + 1] - 1 */
  readonly ringStarts: Uint32Array
  /** minX, minY, maxX, maxY per ring */
  readonly ringBoxes: Float64Array
  readonly ringCount: number
  readonly bbox: BBox
  readonly vertexCount: number
}

/** Flattens a MultiPolygon for classifyPoint; null when it has no positions at all. */
export function compileShape(geometry: MultiPolygon): CompiledShape | null {
  const rings = geometry.coordinates.flat().filter(ring => ring.length > 0)
  if (rings.length === 0) return null
  const pointCounts = rings.map(ring => (ring.length > 1 && sameXY(ring[0]!, ring[ring.length - 1]!) ? ring.length - 1 : ring.length))
  const total = pointCounts.reduce((a, b) => a + b, 0)
  const coords = new Float64Array(total * 2)
  const ringStarts = new Uint32Array(rings.length + 1)
  const ringBoxes = new Float64Array(rings.length * 4)
  const box: BBox = [Infinity, Infinity, -Infinity, -Infinity]
  let p = 0
  rings.forEach((ring, r) => {
    ringStarts[r] = p
    let minX = Infinity
    let minY = Infinity
    let maxX = -Infinity
    let maxY = -Infinity
    for (let i = 0; i < pointCounts[r]!; i++) {
      const [x, y] = ring[i]!
      coords[p * 2] = x
      coords[p * 2 + 1] = y
      p++
      if (x < minX) minX = x
      if (x > maxX) maxX = x
      if (y < minY) minY = y
      if (y > maxY) maxY = y
    }
    ringBoxes.set([minX, minY, maxX, maxY], r * 4)
    if (minX < box[0]) box[0] = minX
    if (minY < box[1]) box[1] = minY
    if (maxX > box[2]) box[2] = maxX
    if (maxY > box[3]) box[3] = maxY
  })
  ringStarts[rings.length] = p
  return { coords, ringStarts, ringBoxes, ringCount: rings.length, bbox: box, vertexCount: total }
}

const sameXY = (a: readonly number[], b: readonly number[]) => a[0] === b[0] && a[1] === b[1]

/**
 * Where (x, y) = (lng, lat) lies relative to the shape. Even-odd ray casting over every ring
 * of every polygon, so holes (and islands inside holes) need no special handling; a point on
 * or within EDGE_TOLERANCE of any edge is `boundary`, which callers treat as inside.
 */
export function classifyPoint(shape: CompiledShape, x: number, y: number): PointPosition {
  const { coords: c, ringStarts: starts, ringBoxes: boxes } = shape
  const eps = EDGE_TOLERANCE
  let inside = false
  for (let r = 0; r < shape.ringCount; r++) {
    const b = r * 4
    // A ring whose box excludes the point cannot contain it, so its crossings cancel out.
    if (x < boxes[b]! - eps || y < boxes[b + 1]! - eps || x > boxes[b + 2]! + eps || y > boxes[b + 3]! + eps) continue
    const start = starts[r]!
    const end = starts[r + 1]!
    let jx = c[(end - 1) * 2]!
    let jy = c[(end - 1) * 2 + 1]!
    for (let i = start; i < end; i++) {
      const ix = c[i * 2]!
      const iy = c[i * 2 + 1]!
      // Most edges fail this band test, which keeps the loop cheap.
      if (y >= (iy < jy ? iy : jy) - eps && y <= (iy > jy ? iy : jy) + eps) {
        if (onSegment(x, y, jx, jy, ix, iy, eps)) return PointPosition.boundary
        if (iy > y !== jy > y) {
          // Always interpolate from the lower end, so two neighbours sharing this edge (in
          // opposite directions) compute the identical crossing and never disagree by a bit.
          const xCross = iy < jy ? ix + ((y - iy) * (jx - ix)) / (jy - iy) : jx + ((y - jy) * (ix - jx)) / (iy - jy)
          if (x < xCross) inside = !inside
        }
      }
      jx = ix
      jy = iy
    }
  }
  return inside ? PointPosition.inside : PointPosition.outside
}

function onSegment(x: number, y: number, ax: number, ay: number, bx: number, by: number, eps: number): boolean {
  if (x < (ax < bx ? ax : bx) - eps || x > (ax > bx ? ax : bx) + eps) return false
  const dx = bx - ax
  const dy = by - ay
  // |cross| / length is the distance from the line; |dx| + |dy| ≥ length, so this errs towards "on".
  const cross = dx * (y - ay) - dy * (x - ax)
  return Math.abs(cross) <= eps * (Math.abs(dx) + Math.abs(dy)) || (dx === 0 && dy === 0)
}
