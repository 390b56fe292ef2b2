import type { BBox, MultiPolygon, Polygon, Position, Ring } from './types.ts'

/** True when the ring's last position repeats its first, as GeoJSON requires. */
export function isRingClosed(ring: readonly Position[]): boolean {
  if (ring.length < 2) return false
  const first = ring[0]!
  const last = ring[ring.length - 1]!
  return first[0] === last[0] && first[1] === last[1]
}

/** Wraps a single Polygon as a MultiPolygon so the rest of the code handles one shape. */
export function toMultiPolygon(geometry: Polygon | MultiPolygon): MultiPolygon {
  return geometry.type === 'MultiPolygon' ? geometry : { type: 'MultiPolygon', coordinates: [geometry.coordinates] }
}

/** The bounding box of every position in the geometry, or null when it has none. */
export function bbox(geometry: MultiPolygon): BBox | null {
  let minX = Infinity
  let minY = Infinity
  let maxX = -Infinity
  let maxY = -Infinity
  for (const polygon of geometry.coordinates)
    for (const ring of polygon)
      for (const p of ring) {
        if (p[0] < minX) minX = p[0]
        if (p[0] > maxX) maxX = p[0]
        if (p[1] < minY) minY = p[1]
        if (p[1] > maxY) maxY = p[1]
      }
  return minX === Infinity ? null : [minX, minY, maxX, maxY]
}

/**
 * Shoelace area in square degrees: positive when the ring runs anticlockwise (an outer ring
 * under RFC 7946), negative when clockwise. Works whether or not the ring repeats its first point.
 */
export function ringSignedArea(ring: readonly Position[]): number {
  let sum = 0
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[j]!
    const b = ring[i]!
    sum += a[0] * b[1] - b[0] * a[1]
  }
  return sum / 2
}

/**
 * Planar area in square degrees: outer rings minus holes, whichever way each ring is wound.
 * Good for comparing and weighting shapes, not for reporting hectares (see approximateAreaKm2).
 */
export function area(geometry: MultiPolygon): number {
  let total = 0
  for (const polygon of geometry.coordinates)
    polygon.forEach((ring, i) => {
      const a = Math.abs(ringSignedArea(ring))
      total += i === 0 ? a : -a
    })
  return total
}

const KM_PER_DEGREE_LAT = 111.32

/**
 * Area in km², scaling longitude by the cosine of the shape's latitude. Within 1% for
 * neighbourhood- and county-sized areas in the UK, which is all a staff page needs.
 */
export function approximateAreaKm2(geometry: MultiPolygon): number {
  const box = bbox(geometry)
  if (!box) return 0
  const midLat = ((box[1] + box[3]) / 2) * (Math.PI / 180)
  return area(geometry) * KM_PER_DEGREE_LAT * KM_PER_DEGREE_LAT * Math.cos(midLat)
}

/**
 * Area-weighted centroid as {lat, lng}: each ring's centroid weighted by its signed area, holes
 * subtracting. Falls back to the mean of the positions for degenerate (zero-area) shapes.
 */
export function centroid(geometry: MultiPolygon): { lat: number; lng: number } | null {
  let sumArea = 0
  let sumX = 0
  let sumY = 0
  for (const polygon of geometry.coordinates)
    polygon.forEach((ring, i) => {
      const { area: a, x, y } = ringCentroid(ring)
      // Outer rings add, holes subtract, regardless of winding order in the source data.
      const weight = i === 0 ? Math.abs(a) : -Math.abs(a)
      sumArea += weight
      sumX += x * weight
      sumY += y * weight
    })
  if (Math.abs(sumArea) > 1e-18) return { lng: sumX / sumArea, lat: sumY / sumArea }
  return meanPosition(geometry)
}

function ringCentroid(ring: Ring): { area: number; x: number; y: number } {
  // Shifting to the first vertex keeps the cross products small, so rounding error stays tiny.
  const origin = ring[0]
  if (!origin) return { area: 0, x: 0, y: 0 }
  const [ox, oy] = origin
  let a2 = 0
  let cx = 0
  let cy = 0
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const x0 = ring[j]![0] - ox
    const y0 = ring[j]![1] - oy
    const x1 = ring[i]![0] - ox
    const y1 = ring[i]![1] - oy
    const cross = x0 * y1 - x1 * y0
    a2 += cross
    cx += (x0 + x1) * cross
    cy += (y0 + y1) * cross
  }
  if (a2 === 0) return { area: 0, x: ox, y: oy }
  return { area: a2 / 2, x: ox + cx / (3 * a2), y: oy + cy / (3 * a2) }
}

function meanPosition(geometry: MultiPolygon): { lat: number; lng: number } | null {
  let n = 0
  let x = 0
  let y = 0
  for (const polygon of geometry.coordinates)
    for (const ring of polygon)
      for (const p of ring) {
        n++
        x += p[0]
        y += p[1]
      }
  return n ? { lng: x / n, lat: y / n } : null
}

/** Number of positions in the geometry, counting each ring's repeated closing position. */
export function vertexCount(geometry: MultiPolygon): number {
  let n = 0
  for (const polygon of geometry.coordinates) for (const ring of polygon) n += ring.length
  return n
}
