import { describe, expect, it } from 'vitest'
import { parseGeoJsonBoundaries } from './geojson.ts'
import { feature, squareRing, testShire } from '../testing.ts'

const parse = (doc: unknown) => parseGeoJsonBoundaries(typeof doc === 'string' ? doc : JSON.stringify(doc))
const collection = (...features: unknown[]) => ({ type: 'FeatureCollection', features })
const messages = (doc: unknown) => parse(doc).problems.problems.map(p => `${p.where}: ${p.message}`)

describe('parseGeoJsonBoundaries', () => {
  it('reads a valid file into area records', () => {
    const { records, problems } = parse(testShire())
    expect(problems.problems).toEqual([])
    expect(records.map(r => [r.id, r.kind, r.parentId])).toEqual([
      ['ts', 'force', null],
      ['ts-west', 'district', 'ts'],
      ['ts-east', 'district', 'ts'],
      ['ts-nw', 'neighbourhood', 'ts-west'],
      ['ts-sw', 'neighbourhood', 'ts-west'],
      ['ts-ne', 'neighbourhood', 'ts-east'],
      ['ts-se', 'neighbourhood', 'ts-east'],
    ])
    expect(records[3]).toMatchObject({ name: 'Northwick', population: 5000, boundary: { type: 'MultiPolygon', coordinates: [[squareRing(-2.0, 54.1, 0.1)]] } })
    expect(records[5]!.population).toBeUndefined()
  })

  it('accepts a MultiPolygon, numeric ids, a feature-level id, "kind", and drops altitude', () => {
    const ring3d = squareRing(-2, 54, 0.1).map(([x, y]) => [x, y, 120])
    const { records, problems } = parse(
      collection(
        { type: 'Feature', id: 'N07', properties: { name: 'Seven', kind: 'Neighbourhood', parent: 42 }, geometry: { type: 'MultiPolygon', coordinates: [[ring3d], [squareRing(-1, 54, 0.1)]] } },
      ),
    )
    expect(problems.problems).toEqual([])
    expect(records[0]).toMatchObject({ id: 'N07', kind: 'neighbourhood', parentId: '42' })
    expect(records[0]!.boundary!.coordinates[0]![0]![0]).toEqual([-2, 54])
  })

  it('reports a file that is not JSON or not a FeatureCollection', () => {
    expect(messages('{"type": "Feature')[0]).toMatch(/^file: is not valid JSON/)
    expect(messages({ type: 'Topology' })).toEqual(['file: is not a GeoJSON FeatureCollection (expected {"type": "FeatureCollection", "features": [...]})'])
    expect(messages(collection())).toEqual(['file: has no features'])
  })

  it('reports every problem in every feature, each with where it is', () => {
    const open = squareRing(-2, 54, 0.1).slice(0, 4)
    const swapped = squareRing(-2, 54, 0.1).map(([x, y]) => [y, x])
    const farOut = squareRing(-2, 54, 0.1).map(([x, y], i) => [i === 1 || i === 2 ? 200 : x, y])
    const found = messages(
      collection(
        feature({ id: 'N01', name: 'Fine', type: 'neighbourhood', parent: 'd' }, squareRing(-2, 54, 0.1)),
        feature({ id: 'N02', type: 'neighbourhood', parent: 'd' }, squareRing(-2, 54, 0.1)),
        { type: 'Feature', properties: { id: 'N03', name: 'Open', type: 'neighbourhood', parent: 'd' }, geometry: { type: 'Polygon', coordinates: [open] } },
        { type: 'Feature', properties: { id: 'N04', name: 'Swapped', type: 'neighbourhood', parent: 'd' }, geometry: { type: 'Polygon', coordinates: [swapped] } },
        { type: 'Feature', properties: { id: 'N05', name: 'Far', type: 'neighbourhood', parent: 'd' }, geometry: { type: 'Polygon', coordinates: [farOut] } },
        { type: 'Feature', properties: { id: 'N06', name: 'Tiny', type: 'neighbourhood', parent: 'd' }, geometry: { type: 'Polygon', coordinates: [[[-2, 54], [-1.9, 54], [-2, 54]]] } },
        { type: 'Feature', properties: { id: 'N07', name: 'Point', type: 'neighbourhood', parent: 'd' }, geometry: { type: 'Point', coordinates: [-2, 54] } },
        feature({ id: 'N 08', name: 'Bad id', type: 'ward', population: -4 }, squareRing(-2, 54, 0.1)),
        feature({ id: 'N09', name: 'No shape', type: 'neighbourhood', parent: 'd' }, null),
        { type: 'Feature', properties: { id: 'N10', name: 'Grid', type: 'neighbourhood', parent: 'd' }, geometry: { type: 'Polygon', coordinates: [[[345000, 456000], [346000, 456000], [346000, 457000], [345000, 456000]]] } },
        { type: 'Feature', properties: { id: 'N11', name: 'Strings', type: 'neighbourhood', parent: 'd' }, geometry: { type: 'Polygon', coordinates: [[['-2', '54'], [-1.9, 54], [-1.9, 54.1], [-2, 54]]] } },
      ),
    )
    expect(found).toEqual([
      'feature 2 (id N02): missing property name',
      'feature 3 (id N03): ring 1 is not closed: its last point must repeat its first',
      'feature 4 (id N04): coordinates look like [lat, lng]: expected [longitude, latitude], as GeoJSON requires',
      'feature 5 (id N05): longitude 200 is out of range (−180 to 180) (and 1 more like it)',
      'feature 6 (id N06): ring 1 has 3 points: a closed ring needs at least 4 (the first repeated as the last)',
      'feature 7 (id N07): geometry type is Point: expected Polygon or MultiPolygon',
      'feature 8 (id N 08): id "N 08" may only use letters, digits, dots, hyphens and underscores (up to 100)',
      'feature 8 (id N 08): type "ward" is not force, district or neighbourhood',
      'feature 8 (id N 08): population -4 is not a whole number from 0 to 100,000,000',
      'feature 9 (id N09): has no geometry: expected a Polygon or MultiPolygon',
      'feature 10 (id N10): coordinates look like British National Grid eastings and northings (e.g. 345000, 456000): convert the file to WGS84 longitude and latitude (EPSG:4326)',
      'feature 11 (id N11): ring 1, point 1 is not a [longitude, latitude] pair of numbers',
    ])
    // Only the good feature becomes a record, and the importer refuses the lot when any problem exists.
    expect(parse(collection(feature({ id: 'N01', name: 'Fine', type: 'neighbourhood', parent: 'd' }, squareRing(-2, 54, 0.1)))).records).toHaveLength(1)
  })

  it('labels rings inside a MultiPolygon by polygon', () => {
    const found = messages(
      collection({
        type: 'Feature',
        properties: { id: 'M', name: 'Multi', type: 'neighbourhood', parent: 'd' },
        geometry: { type: 'MultiPolygon', coordinates: [[squareRing(-2, 54, 0.1)], [squareRing(-1, 54, 0.1), squareRing(-1, 54, 0.1).slice(0, 4)]] },
      }),
    )
    expect(found).toEqual(['feature 1 (id M): polygon 2, ring 2 is not closed: its last point must repeat its first'])
  })
})
