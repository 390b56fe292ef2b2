import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../../test/helpers.ts'
import type { Database } from '../../platform/db/client.ts'
import { bbox } from '../../platform/geo/geometry.ts'
import { classifyPoint, compileShape, PointPosition } from '../../platform/geo/point-in-polygon.ts'
import { seededRandom } from '../../platform/geo/seeded-random.ts'
import { createSpatialIndex } from '../../platform/geo/spatial-index.ts'
import { DEMO_FORCE_ID, demoExamples, generateDemoArea, loadDemoArea } from './demo.ts'
import { normalisePostcode } from './postcode-format.ts'
import { createAreasService, type AreasService } from './service.ts'

const SEED = 2026
const demo = generateDemoArea(SEED)
const neighbourhoods = demo.areas.filter(a => a.kind === 'neighbourhood')
const districts = demo.areas.filter(a => a.kind === 'district')
const force = demo.areas.find(a => a.kind === 'force')!

describe('generateDemoArea', () => {
  it('is the same for the same seed and different for another', () => {
    expect(generateDemoArea(SEED)).toEqual(demo)
    expect(generateDemoArea(SEED + 1).areas.map(a => a.name)).not.toEqual(demo.areas.map(a => a.name))
  })

  it('has one force, 3–5 districts and at least 40 neighbourhoods, for many seeds', () => {
    for (const seed of [1, 2, 3, 42, 2026, 99999]) {
      const d = generateDemoArea(seed)
      const count = (kind: string) => d.areas.filter(a => a.kind === kind).length
      expect(count('force')).toBe(1)
      expect(count('district')).toBeGreaterThanOrEqual(3)
      expect(count('district')).toBeLessThanOrEqual(5)
      expect(count('neighbourhood')).toBeGreaterThanOrEqual(40)
    }
  })

  it('builds a consistent tree with unique ids and populations that add up', () => {
    expect(new Set(demo.areas.map(a => a.id)).size).toBe(demo.areas.length)
    expect(force.id).toBe(DEMO_FORCE_ID)
    for (const d of districts) {
      expect(d.parentId).toBe(force.id)
      const members = neighbourhoods.filter(n => n.parentId === d.id)
      expect(members.length).toBeGreaterThan(0)
      expect(d.population).toBe(members.reduce((s, n) => s + n.population!, 0))
    }
    for (const n of neighbourhoods) {
      expect(districts.map(d => d.id)).toContain(n.parentId)
      expect(n.population).toBeGreaterThanOrEqual(3000)
      expect(n.population).toBeLessThanOrEqual(15000)
    }
    expect(force.population).toBe(districts.reduce((s, d) => s + d.population!, 0))
  })

  it('sits in England, with boundaries of tens of vertices', () => {
    const [minLng, minLat, maxLng, maxLat] = bbox(force.boundary!)!
    expect(minLat).toBeGreaterThan(53)
    expect(maxLat).toBeLessThan(55)
    expect(minLng).toBeGreaterThan(-3.5)
    expect(maxLng).toBeLessThan(-1)
    for (const n of neighbourhoods) expect(n.boundary!.coordinates.flat(2).length).toBeGreaterThanOrEqual(20)
  })

  it('tiles the force area: random points are in at most one neighbourhood, and in exactly one inside the force', () => {
    const shapes = neighbourhoods.map(n => ({ id: n.id, parentId: n.parentId, shape: compileShape(n.boundary!)! }))
    const districtShapes = new Map(districts.map(d => [d.id, compileShape(d.boundary!)!]))
    const forceShape = compileShape(force.boundary!)!
    const [minX, minY, maxX, maxY] = forceShape.bbox
    const random = seededRandom(7)
    let insideForce = 0
    for (let i = 0; i < 20_000; i++) {
      const x = minX + random() * (maxX - minX)
      const y = minY + random() * (maxY - minY)
      const hits = shapes.filter(s => classifyPoint(s.shape, x, y) !== PointPosition.outside)
      const inForce = classifyPoint(forceShape, x, y) !== PointPosition.outside
      expect(hits.length, `overlap at ${y},${x}`).toBeLessThanOrEqual(1)
      if (inForce) {
        insideForce++
        expect(hits.length, `gap at ${y},${x}`).toBe(1)
        expect(classifyPoint(districtShapes.get(hits[0]!.parentId!)!, x, y)).not.toBe(PointPosition.outside)
      } else expect(hits).toHaveLength(0)
    }
    // The county is a blob inside its box, so a fair share of points must have been tested inside it.
    expect(insideForce).toBeGreaterThan(8000)
  })

  it('gives each neighbourhood 1–3 places inside it, with unique names', () => {
    const index = createSpatialIndex(neighbourhoods.map(n => ({ id: n.id, geometry: n.boundary! })))
    for (const n of neighbourhoods) {
      const count = demo.places.filter(p => p.neighbourhoodId === n.id).length
      expect(count).toBeGreaterThanOrEqual(1)
      expect(count).toBeLessThanOrEqual(3)
    }
    for (const p of demo.places) expect(index.locate(p.lat, p.lng)).toBe(p.neighbourhoodId)
    expect(new Set(demo.places.map(p => p.name.toLowerCase())).size).toBe(demo.places.length)
  })

  it('makes a few thousand valid, unique postcodes, each located by the index in its own neighbourhood', () => {
    expect(demo.postcodes.length).toBeGreaterThan(2000)
    expect(new Set(demo.postcodes.map(p => p.postcode)).size).toBe(demo.postcodes.length)
    const index = createSpatialIndex(neighbourhoods.map(n => ({ id: n.id, geometry: n.boundary! })))
    for (const p of demo.postcodes) {
      expect(normalisePostcode(p.display)).toBe(p.postcode)
      expect(index.locate(p.lat, p.lng), p.display).toBe(p.neighbourhoodId)
    }
    const outside = demo.postcodes.filter(p => p.neighbourhoodId === null)
    expect(outside.length).toBeGreaterThanOrEqual(3)
    // "Just outside": within two cells (about 11 km) of the force boundary's box.
    const [minX, minY, maxX, maxY] = bbox(force.boundary!)!
    for (const p of outside) {
      expect(p.lng).toBeGreaterThan(minX - 0.2)
      expect(p.lng).toBeLessThan(maxX + 0.2)
      expect(p.lat).toBeGreaterThan(minY - 0.1)
      expect(p.lat).toBeLessThan(maxY + 0.1)
    }
  })

  it('names examples that exist in the data', () => {
    const examples = demoExamples(SEED)
    expect(examples.postcodes).toHaveLength(3)
    expect(new Set(examples.postcodes.map(p => p.districtName)).size).toBe(3)
    for (const e of examples.postcodes) expect(demo.postcodes.find(p => p.display === e.postcode)?.neighbourhoodId).toBe(e.neighbourhoodId)
    for (const e of examples.places) expect(demo.places.find(p => p.name === e.name)?.neighbourhoodId).toBe(e.neighbourhoodId)
    expect(examples.outsidePostcodes.length).toBeGreaterThan(0)
    expect(demo.postcodes.some(p => p.display === examples.unknownPostcode)).toBe(false)
  })
})

describe('loadDemoArea', () => {
  let db: Database
  let areas: AreasService
  beforeAll(async () => {
    db = await createTestDatabase()
    areas = await createAreasService(db)
  })
  afterAll(async () => db.close())

  it('writes everything and makes it findable at once, and loading twice changes nothing', async () => {
    expect(await areas.isEmpty()).toBe(true)
    const summary = await loadDemoArea(db, SEED, areas)
    expect(summary.neighbourhoods).toBe(neighbourhoods.length)
    const again = await loadDemoArea(db, SEED, areas)
    expect(again).toEqual(summary)
    expect(await areas.counts()).toEqual({
      forces: 1,
      districts: districts.length,
      neighbourhoods: neighbourhoods.length,
      neighbourhoodsWithBoundary: neighbourhoods.length,
      postcodes: demo.postcodes.length,
      postcodesOutside: demo.postcodes.filter(p => !p.neighbourhoodId).length,
      places: demo.places.length,
    })
    const examples = demoExamples(SEED)
    for (const e of examples.postcodes) {
      const found = await areas.findPostcode(e.postcode.toLowerCase().replace(' ', ''))
      expect(found).toMatchObject({ status: 'found', postcode: e.postcode, neighbourhood: { id: e.neighbourhoodId, districtName: e.districtName } })
    }
    expect(await areas.findPostcode(examples.outsidePostcodes[0]!)).toMatchObject({ status: 'outside' })
    expect(await areas.findPostcode(examples.unknownPostcode)).toEqual({ status: 'unknown', postcode: examples.unknownPostcode })
    const place = examples.places[0]!
    expect((await areas.searchPlaces(place.name))[0]).toMatchObject({ kind: 'place', name: place.name, neighbourhood: { id: place.neighbourhoodId }, exact: true })
    const any = demo.postcodes.find(p => p.neighbourhoodId)!
    expect(areas.locate(any.lat, any.lng)?.id).toBe(any.neighbourhoodId)
  })
})
