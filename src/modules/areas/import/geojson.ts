import { checkGeometry, isObject } from './geometry-checks.ts'
import { ProblemList } from './problems.ts'
import { AREA_KINDS, checkId, checkPopulation, type LocatedRecord } from './records.ts'
import type { AreaKind } from '../service.ts'

export interface ParsedBoundaries {
  records: LocatedRecord[]
  problems: ProblemList
}

/**
 * Reads a GeoJSON FeatureCollection of area boundaries (WGS84, [longitude, latitude]).
 * Property contract, per feature (see docs/areas.md):
 *   id          required  letters, digits, . _ - (a feature-level "id" is used if absent)
 *   name        required
 *   type        required  force | district | neighbourhood ("kind" is accepted too)
 *   parent      the parent area's id; required for districts and neighbourhoods
 *   population  optional whole number
 *   description optional text
 * Geometry is a Polygon or MultiPolygon; forces and districts may have none.
 * Every feature is checked and every problem reported, each with where it is.
 */
export function parseGeoJsonBoundaries(text: string): ParsedBoundaries {
  const problems = new ProblemList()
  const records: LocatedRecord[] = []
  let document: unknown
  try {
    document = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch (err) {
    problems.add('file', `is not valid JSON: ${(err as Error).message}`)
    return { records, problems }
  }
  const features = isObject(document) && document.type === 'Feature' ? [document] : isObject(document) ? document.features : undefined
  if (!isObject(document) || (document.type !== 'FeatureCollection' && document.type !== 'Feature') || !Array.isArray(features)) {
    problems.add('file', 'is not a GeoJSON FeatureCollection (expected {"type": "FeatureCollection", "features": [...]})')
    return { records, problems }
  }
  if (features.length === 0) problems.add('file', 'has no features')
  features.forEach((feature: unknown, i) => {
    const record = readFeature(feature, i, problems)
    if (record) records.push(record)
  })
  return { records, problems }
}

function readFeature(feature: unknown, i: number, problems: ProblemList): LocatedRecord | null {
  let where = `feature ${i + 1}`
  if (!isObject(feature) || feature.type !== 'Feature') {
    problems.add(where, 'is not a GeoJSON Feature')
    return null
  }
  const props = isObject(feature.properties) ? feature.properties : {}
  const rawId = props.id ?? feature.id
  if (typeof rawId === 'string' || typeof rawId === 'number') where += ` (id ${rawId})`
  const before = problems.size
  const id = checkId(rawId, 'id', where, problems)
  const name = typeof props.name === 'string' ? props.name.trim() : ''
  if (!name) problems.add(where, 'missing property name')
  else if (name.length > 200) problems.add(where, 'name is longer than 200 characters')
  const rawKind = props.type ?? props.kind
  const kind = typeof rawKind === 'string' ? (rawKind.trim().toLowerCase() as AreaKind) : undefined
  if (rawKind === undefined) problems.add(where, 'missing property type (force, district or neighbourhood)')
  else if (!kind || !AREA_KINDS.includes(kind)) problems.add(where, `type ${JSON.stringify(rawKind)} is not force, district or neighbourhood`)
  const parentId = props.parent === undefined || props.parent === null || props.parent === '' ? null : checkId(props.parent, 'parent', where, problems)
  const population = checkPopulation(props.population, where, problems)
  const description = typeof props.description === 'string' ? props.description.trim() || null : undefined
  const geometry =
    (feature.geometry === null || feature.geometry === undefined) && kind !== 'neighbourhood' ? null : checkGeometry(feature.geometry, where, problems)
  if (problems.size > before || !id || !kind) return null
  return { where, id, kind, parentId, name, population, description, boundary: geometry }
}
