import { describe, expect, it } from 'vitest'
import { parseKmlBoundaries } from './kml.ts'

const coords = (ring: [number, number][], alt = true) => ring.map(([x, y]) => (alt ? `${x},${y},0` : `${x},${y}`)).join(' ')
const square = (x: number, y: number, s = 0.1): [number, number][] => [[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]
const polygon = (outer: [number, number][], ...holes: [number, number][][]) =>
  `<Polygon><outerBoundaryIs><LinearRing><coordinates>${coords(outer)}</coordinates></LinearRing></outerBoundaryIs>${holes
    .map(h => `<innerBoundaryIs><LinearRing><coordinates>\n  ${coords(h, false)}\n</coordinates></LinearRing></innerBoundaryIs>`)
    .join('')}</Polygon>`
const kml = (...placemarks: string[]) =>
  `<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document><Folder>${placemarks.join('')}</Folder></Document></kml>`

describe('parseKmlBoundaries', () => {
  it('reads placemarks with polygons, holes and multi-geometries', () => {
    const text = kml(
      `<Placemark><name>N07</name>${polygon(square(-2, 54, 0.3), square(-1.9, 54.1))}</Placemark>`,
      `<Placemark><name>Kelby North</name><MultiGeometry>${polygon(square(-1, 54))}${polygon(square(-0.5, 54))}</MultiGeometry></Placemark>`,
      `<Placemark id="pm-3"><name>Third</name><ExtendedData><Data name="population"><value>4,200</value></Data></ExtendedData>${polygon(square(0, 54))}</Placemark>`,
      `<Placemark><name>Fourth</name><ExtendedData><SchemaData><SimpleData name="id">E05000001</SimpleData><SimpleData name="parent">other-district</SimpleData></SchemaData></ExtendedData>${polygon(square(0.5, 54))}</Placemark>`,
    )
    const { records, problems } = parseKmlBoundaries(text, { parent: 'north' })
    expect(problems.problems).toEqual([])
    expect(records.map(r => [r.id, r.name, r.kind, r.parentId])).toEqual([
      ['N07', 'N07', 'neighbourhood', 'north'],
      ['kelby-north', 'Kelby North', 'neighbourhood', 'north'],
      ['pm-3', 'Third', 'neighbourhood', 'north'],
      ['E05000001', 'Fourth', 'neighbourhood', 'other-district'],
    ])
    expect(records[0]!.boundary!.coordinates).toEqual([[square(-2, 54, 0.3), square(-1.9, 54.1)]])
    expect(records[1]!.boundary!.coordinates).toHaveLength(2)
    expect(records[2]!.population).toBe(4200)
  })

  it('matches elements by local name, so prefixed KML works too', () => {
    const text = `<kml:kml xmlns:kml="http://www.opengis.net/kml/2.2"><kml:Placemark><kml:name>A1</kml:name><kml:Polygon><kml:outerBoundaryIs><kml:LinearRing><kml:coordinates>${coords(square(-2, 54))}</kml:coordinates></kml:LinearRing></kml:outerBoundaryIs></kml:Polygon></kml:Placemark></kml:kml>`
    expect(parseKmlBoundaries(text, { parent: 'd' }).records.map(r => r.id)).toEqual(['A1'])
  })

  it('reports every problem with the placemark it is in', () => {
    const open = square(-2, 54).slice(0, 4)
    const swapped = square(-2, 54).map(([x, y]) => [y, x] as [number, number])
    const text = kml(
      `<Placemark><name>Open</name>${polygon(open)}</Placemark>`,
      `<Placemark><name>Swapped</name>${polygon(swapped)}</Placemark>`,
      `<Placemark><name>Station</name><Point><coordinates>-2,54</coordinates></Point></Placemark>`,
      `<Placemark>${polygon(square(-2, 54))}</Placemark>`,
      `<Placemark><name>Garbled</name><Polygon><outerBoundaryIs><LinearRing><coordinates>-2,54 x,54 -1.9;54.1 -2,54</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>`,
    )
    const found = parseKmlBoundaries(text, { parent: 'd' }).problems.problems.map(p => `${p.where}: ${p.message}`)
    expect(found).toEqual([
      'placemark 1 (Open): ring 1 is not closed: its last point must repeat its first',
      'placemark 2 (Swapped): coordinates look like [lat, lng]: expected [longitude, latitude], as GeoJSON requires',
      'placemark 3 (Station): has no geometry: expected a Polygon or MultiPolygon',
      'placemark 4: missing <name>',
      'placemark 4: missing property id',
      'placemark 5 (Garbled): ring 1, point 2 "x,54" is not longitude,latitude[,altitude] (and 1 more like it)',
    ])
  })

  it('asks for a parent district when none is given', () => {
    const { problems } = parseKmlBoundaries(kml(`<Placemark><name>A1</name>${polygon(square(-2, 54))}</Placemark>`))
    expect(problems.problems).toEqual([{ where: 'placemark 1 (A1)', message: 'no parent: choose the district these areas belong to' }])
  })

  it('reports files that are not well-formed KML', () => {
    expect(parseKmlBoundaries('<kml><Placemark>', { parent: 'd' }).problems.problems[0]!.message).toMatch(/^is not well-formed XML/)
    expect(parseKmlBoundaries('<gpx></gpx>', { parent: 'd' }).problems.problems).toEqual([{ where: 'file', message: 'is not a KML document (expected a <kml> root element)' }])
    expect(parseKmlBoundaries(kml(), { parent: 'd' }).problems.problems).toEqual([{ where: 'file', message: 'has no <Placemark> elements' }])
  })
})
