import { isRingClosed } from '../../../platform/geo/geometry.ts'
import type { MultiPolygon, Position } from '../../../platform/geo/types.ts'
import type { ProblemList } from './problems.ts'

/**
 * Checks a GeoJSON geometry (as parsed from a file, so of unknown shape) and returns it as a
 * MultiPolygon, or null after adding every problem found to `problems` under `where`.
 * Catches the usual mistakes in boundary files: wrong geometry type, rings not closed or
 * with too few points, coordinates out of range, [lat, lng] order, and British National Grid
 * eastings/northings where WGS84 degrees were expected.
 */
export function checkGeometry(geometry: unknown, where: string, problems: ProblemList): MultiPolygon | null {
  if (!isObject(geometry)) {
    problems.add(where, 'has no geometry: expected a Polygon or MultiPolygon')
    return null
  }
  const type = geometry.type
  if (type !== 'Polygon' && type !== 'MultiPolygon') {
    problems.add(where, `geometry type is ${typeof type === 'string' ? type : 'missing'}: expected Polygon or MultiPolygon`)
    return null
  }
  const coordinates = geometry.coordinates
  if (!Array.isArray(coordinates) || coordinates.length === 0) {
    problems.add(where, 'geometry has no coordinates')
    return null
  }
  const polygons: unknown[] = type === 'Polygon' ? [coordinates] : coordinates
  const before = problems.size
  const positions: Position[] = []
  const checked = polygons.map((polygon, p) => {
    const polygonLabel = type === 'MultiPolygon' ? `polygon ${p + 1}` : 'polygon'
    if (!Array.isArray(polygon) || polygon.length === 0) {
      problems.add(where, `${polygonLabel} has no rings`)
      return []
    }
    const ringPrefix = type === 'MultiPolygon' ? `${polygonLabel}, ` : ''
    return polygon.map((ring, r) => checkRing(ring, `${ringPrefix}ring ${r + 1}`, where, problems, positions))
  })
  if (problems.size > before) return null
  if (!checkCoordinateSystem(positions, where, problems)) return null
  return { type: 'MultiPolygon', coordinates: checked }
}

function checkRing(ring: unknown, label: string, where: string, problems: ProblemList, all: Position[]): Position[] {
  if (!Array.isArray(ring)) {
    problems.add(where, `${label} is not a list of positions`)
    return []
  }
  const positions: Position[] = []
  ring.forEach((value, i) => {
    if (!Array.isArray(value) || value.length < 2 || value.length > 3 || !value.every(v => typeof v === 'number' && Number.isFinite(v))) {
      problems.add(where, `${label}, point ${i + 1} is not a [longitude, latitude] pair of numbers`, `${label}:shape`)
      return
    }
    // Altitude, when present, means nothing for a boundary and is dropped.
    positions.push([value[0], value[1]])
  })
  if (positions.length !== ring.length) return positions
  if (ring.length < 4) problems.add(where, `${label} has ${ring.length} point${ring.length === 1 ? '' : 's'}: a closed ring needs at least 4 (the first repeated as the last)`)
  else if (!isRingClosed(positions)) problems.add(where, `${label} is not closed: its last point must repeat its first`)
  all.push(...positions)
  return positions
}

/** UK latitudes and longitudes, used to recognise coordinates given the wrong way round. */
const UK_LAT = [49, 61] as const
const UK_LNG = [-9, 2] as const
const within = (v: number, [lo, hi]: readonly [number, number]) => v >= lo && v <= hi

/**
 * Whole-geometry checks that would otherwise drown the report in one line per point: a
 * swapped axis order or a projected grid shows up in every position, so it is said once.
 */
function checkCoordinateSystem(positions: Position[], where: string, problems: ProblemList): boolean {
  if (positions.length === 0) return true
  if (positions.every(p => Math.abs(p[0]) > 1000 && Math.abs(p[1]) > 1000)) {
    problems.add(
      where,
      `coordinates look like British National Grid eastings and northings (e.g. ${positions[0]![0]}, ${positions[0]![1]}): convert the file to WGS84 longitude and latitude (EPSG:4326)`,
    )
    return false
  }
  if (positions.every(p => within(p[0], UK_LAT) && within(p[1], UK_LNG))) {
    problems.add(where, 'coordinates look like [lat, lng]: expected [longitude, latitude], as GeoJSON requires')
    return false
  }
  let ok = true
  for (const [lng, lat] of positions) {
    if (lng < -180 || lng > 180) {
      problems.add(where, `longitude ${lng} is out of range (−180 to 180)`, 'lng-range')
      ok = false
    }
    if (lat < -90 || lat > 90) {
      problems.add(where, `latitude ${lat} is out of range (−90 to 90)`, 'lat-range')
      ok = false
    }
  }
  return ok
}

/** True for a plain JSON object (not null, not an array). */
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
