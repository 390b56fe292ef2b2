import { DOMParser, type Element, type Node } from '@xmldom/xmldom'
import { slug } from '../demo-names.ts'
import { checkGeometry } from './geometry-checks.ts'
import { ProblemList } from './problems.ts'
import { checkId, checkPopulation, type LocatedRecord } from './records.ts'
import type { ParsedBoundaries } from './geojson.ts'

export interface KmlOptions {
  /** id of the district the placemarks belong to (an ExtendedData "parent" overrides it per placemark) */
  parent?: string | undefined
  /** what each placemark is; neighbourhood unless told otherwise */
  kind?: 'neighbourhood' | 'district' | undefined
}

/**
 * Reads boundaries from KML as data.police.uk and most GIS tools write it: one Placemark per
 * area, with a <name> and a <Polygon> (or a <MultiGeometry> of them) whose <coordinates> are
 * "lng,lat[,alt]" tuples. The id comes from ExtendedData "id", else the Placemark's id
 * attribute, else the name if it is already code-like ("N07"), else a slug of the name.
 * ExtendedData "population" and "parent" are read when present.
 */
export function parseKmlBoundaries(text: string, opts: KmlOptions = {}): ParsedBoundaries {
  const problems = new ProblemList()
  const records: LocatedRecord[] = []
  let root: Element | null
  try {
    root = new DOMParser({ onError: () => {} }).parseFromString(text.replace(/^\uFEFF/, ''), 'text/xml').documentElement
  } catch (err) {
    problems.add('file', `is not well-formed XML: ${(err as Error).message.split('\n')[0]}`)
    return { records, problems }
  }
  if (!root || root.localName !== 'kml') {
    problems.add('file', 'is not a KML document (expected a <kml> root element)')
    return { records, problems }
  }
  const placemarks = descendants(root, 'Placemark')
  if (placemarks.length === 0) problems.add('file', 'has no <Placemark> elements')
  const kind = opts.kind ?? 'neighbourhood'
  placemarks.forEach((placemark, i) => {
    const name = text0(child(placemark, 'name'))
    const where = `placemark ${i + 1}${name ? ` (${name})` : ''}`
    const before = problems.size
    const data = extendedData(placemark)
    if (!name && !data.get('name')) problems.add(where, 'missing <name>')
    const displayName = (data.get('name') ?? name).trim()
    const rawId = data.get('id') ?? placemark.getAttribute('id') ?? (/^[A-Za-z0-9._-]+$/.test(name) ? name : slug(name))
    const id = checkId(rawId, 'id', where, problems)
    const parentId = data.get('parent') ?? opts.parent ?? null
    const checkedParent = parentId ? checkId(parentId, 'parent', where, problems) : null
    if (!parentId) problems.add(where, `no parent: choose the ${kind === 'neighbourhood' ? 'district' : 'force'} these areas belong to`)
    const population = checkPopulation(data.get('population'), where, problems)
    const beforeGeometry = problems.size
    const raw = readGeometry(placemark, where, problems)
    // Unreadable tuples are already reported; checking the rings left would only add echoes.
    const geometry = problems.size > beforeGeometry ? null : checkGeometry(raw, where, problems)
    if (problems.size > before || !id || !geometry) return
    records.push({ where, id, kind, parentId: checkedParent, name: displayName, population, description: undefined, boundary: geometry })
  })
  return { records, problems }
}

/** The placemark's polygons as GeoJSON-shaped coordinates, for the shared geometry checks. */
function readGeometry(placemark: Element, where: string, problems: ProblemList): unknown {
  const polygons = descendants(placemark, 'Polygon')
  if (polygons.length === 0) return null
  const coordinates = polygons.map((polygon, p) => {
    const outer = descendants(child(polygon, 'outerBoundaryIs') ?? polygon, 'coordinates').slice(0, 1)
    const inner = children(polygon, 'innerBoundaryIs').flatMap(b => descendants(b, 'coordinates'))
    const polygonLabel = polygons.length > 1 ? `polygon ${p + 1}` : 'polygon'
    if (outer.length === 0) problems.add(where, `${polygonLabel} has no outerBoundaryIs coordinates`)
    const ringPrefix = polygons.length > 1 ? `${polygonLabel}, ` : ''
    return [...outer, ...inner].map((node, r) => readCoordinates(text0(node), `${ringPrefix}ring ${r + 1}`, where, problems))
  })
  return coordinates.length === 1 ? { type: 'Polygon', coordinates: coordinates[0] } : { type: 'MultiPolygon', coordinates }
}

/** "lng,lat[,alt] lng,lat …" → positions; bad tuples are reported (once per ring, with a count). */
function readCoordinates(text: string, label: string, where: string, problems: ProblemList): number[][] {
  const tuples = text.split(/\s+/).filter(Boolean)
  const positions: number[][] = []
  tuples.forEach((tuple, i) => {
    const parts = tuple.split(',')
    const values = parts.map(Number)
    if (parts.length < 2 || parts.length > 3 || values.some(v => !Number.isFinite(v)) || parts.some(p => p.trim() === '')) {
      problems.add(where, `${label}, point ${i + 1} "${tuple.slice(0, 40)}" is not longitude,latitude[,altitude]`, `${label}:tuple`)
      return
    }
    positions.push(values.slice(0, 2))
  })
  return positions
}

/** ExtendedData values by name: <Data name="x"><value>…</value></Data> and <SimpleData name="x">…</SimpleData>. */
function extendedData(placemark: Element): Map<string, string> {
  const values = new Map<string, string>()
  const block = child(placemark, 'ExtendedData')
  if (!block) return values
  for (const data of descendants(block, 'Data')) {
    const name = data.getAttribute('name')
    if (name) values.set(name.toLowerCase(), text0(child(data, 'value')))
  }
  for (const data of descendants(block, 'SimpleData')) {
    const name = data.getAttribute('name')
    if (name) values.set(name.toLowerCase(), text0(data))
  }
  return values
}

// KML is usually in the default namespace but sometimes prefixed ("kml:Placemark"), so
// elements are matched by local name rather than with getElementsByTagName.
const isElement = (node: Node): node is Element => node.nodeType === 1

function children(parent: Element, localName: string): Element[] {
  const out: Element[] = []
  for (let node = parent.firstChild; node; node = node.nextSibling) if (isElement(node) && node.localName === localName) out.push(node)
  return out
}

const child = (parent: Element, localName: string): Element | null => children(parent, localName)[0] ?? null

function descendants(parent: Element, localName: string): Element[] {
  const out: Element[] = []
  const walk = (node: Element) => {
    for (let n = node.firstChild; n; n = n.nextSibling)
      if (isElement(n)) {
        if (n.localName === localName) out.push(n)
        walk(n)
      }
  }
  walk(parent)
  return out
}

const text0 = (node: Element | null): string => (node?.textContent ?? '').trim()
