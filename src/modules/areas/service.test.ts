import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../../test/helpers.ts'
import type { Database } from '../../platform/db/client.ts'
import { importBoundaries } from './import/boundaries.ts'
import { parseGeoJsonBoundaries } from './import/geojson.ts'
import { createAreasService, normalisePostcode, type AreasService } from './service.ts'
import { feature, squareRing, testShire } from './testing.ts'

describe('areas service', () => {
  let db: Database
  let areas: AreasService
  beforeAll(async () => {
    db = await createTestDatabase()
    areas = await createAreasService(db)
  })
  afterAll(async () => db.close())

  it('starts empty, with an empty index', async () => {
    expect(await areas.isEmpty()).toBe(true)
    expect(areas.locate(54.05, -1.95)).toBeNull()
    expect(await areas.listAreas()).toEqual([])
  })

  it('loads areas and answers locate synchronously from the rebuilt index', async () => {
    const report = await importBoundaries(db, parseGeoJsonBoundaries(JSON.stringify(testShire())), areas)
    expect(report.problems).toEqual([])
    expect(await areas.isEmpty()).toBe(false)
    expect(areas.locate(54.05, -1.95)).toEqual({ id: 'ts-sw', name: 'Southam', path: '/ts/ts-west/ts-sw/', districtId: 'ts-west', districtName: 'Westdale' })
    expect(areas.locate(54.15, -1.85)?.id).toBe('ts-ne')
    expect(areas.locate(54.5, -1.85)).toBeNull()
    expect(areas.indexStats().neighbourhoods).toBe(4)
  })

  it('builds its index from the database when created, and refreshes it when another process changes areas', async () => {
    const other = await createAreasService(db)
    expect(other.locate(54.15, -1.95)?.id).toBe('ts-nw')
    expect(await other.refreshIndexIfChanged()).toBe(false)
    // This service renames a district; the other one's index still has the old name until it checks.
    await db.query(`update areas set name = 'West Dale', updated_at = now() + interval '1 second' where id = 'ts-west'`)
    expect(other.locate(54.15, -1.95)?.districtName).toBe('Westdale')
    expect(await other.refreshIndexIfChanged()).toBe(true)
    expect(other.locate(54.15, -1.95)?.districtName).toBe('West Dale')
    expect(await other.refreshIndexIfChanged()).toBe(false)
    await db.query(`update areas set name = 'Westdale' where id = 'ts-west'`)
    await areas.rebuildIndex()
  })

  it('reads one area, its boundary, children and ancestors', async () => {
    const area = await areas.getArea('ts-nw')
    expect(area).toMatchObject({ id: 'ts-nw', kind: 'neighbourhood', parentId: 'ts-west', path: '/ts/ts-west/ts-nw/', population: 5000, hasBoundary: true })
    expect(area!.centreLat).toBeCloseTo(54.15, 10)
    expect(area!.centreLng).toBeCloseTo(-1.95, 10)
    expect(await areas.getArea('nope')).toBeNull()
    expect((await areas.getBoundary('ts-nw'))?.coordinates[0]![0]).toEqual(squareRing(-2.0, 54.1, 0.1))
    expect(await areas.getBoundary('ts-west')).toBeNull()
    expect((await areas.children('ts')).map(a => a.name)).toEqual(['Eastmoor', 'Westdale'])
    expect((await areas.ancestors('ts-nw')).map(a => a.id)).toEqual(['ts', 'ts-west'])
    expect(await areas.ancestors('ts')).toEqual([])
  })

  it('lists neighbourhoods by district name then name, with the district', async () => {
    const list = await areas.listNeighbourhoods()
    expect(list.map(n => `${n.districtName}/${n.name}`)).toEqual(['Eastmoor/Ashby', 'Eastmoor/Ashby Moor', 'Westdale/Northwick', 'Westdale/Southam'])
  })

  it('lists areas in tree order with depth, optionally only inside granted subtrees', async () => {
    const tree = await areas.listAreas()
    expect(tree.map(a => `${a.depth}:${a.name}`)).toEqual(['0:Test Shire', '1:Eastmoor', '2:Ashby', '2:Ashby Moor', '1:Westdale', '2:Northwick', '2:Southam'])
    expect((await areas.listAreasWithin(['/ts/ts-west/'])).map(a => a.id)).toEqual(['ts-west', 'ts-nw', 'ts-sw'])
    expect((await areas.listAreasWithin(['/ts/ts-west/ts-nw/', '/ts/ts-east/ts-se/'])).map(a => a.id)).toEqual(['ts-se', 'ts-nw'])
    expect(await areas.listAreasWithin([])).toEqual([])
  })

  describe('postcodes', () => {
    beforeAll(async () => {
      await db.query(
        `insert into postcodes (postcode, display, lat, lng, neighbourhood_id) values
           ('TS11AA', 'TS1 1AA', 54.05, -1.95, 'ts-sw'), ('TS991ZZ', 'TS99 1ZZ', 55.5, -1.5, null)`,
      )
    })

    it('normalises case and spacing', () => {
      expect(normalisePostcode('ts1 1aa')).toBe('TS11AA')
      expect(normalisePostcode('TS1   1AA ')).toBe('TS11AA')
    })

    it('finds a postcode however it is typed, with its neighbourhood and district', async () => {
      for (const typed of ['TS1 1AA', 'ts11aa', ' ts1  1AA '])
        expect(await areas.findPostcode(typed)).toMatchObject({
          status: 'found',
          postcode: 'TS1 1AA',
          location: { lat: 54.05, lng: -1.95 },
          neighbourhood: { id: 'ts-sw', name: 'Southam', districtName: 'Westdale' },
        })
    })

    it('tells malformed, unknown and outside postcodes apart', async () => {
      expect(await areas.findPostcode('TS1')).toEqual({ status: 'invalid' })
      expect(await areas.findPostcode('not a postcode')).toEqual({ status: 'invalid' })
      expect(await areas.findPostcode('ts2 2bb')).toEqual({ status: 'unknown', postcode: 'TS2 2BB' })
      expect(await areas.findPostcode('TS99 1ZZ')).toEqual({ status: 'outside', postcode: 'TS99 1ZZ', location: { lat: 55.5, lng: -1.5 } })
    })
  })

  describe('searchPlaces', () => {
    beforeAll(async () => {
      await db.query(
        `insert into places (name, name_key, lat, lng, neighbourhood_id) values
           ('Ashby', 'ashby', 54.15, -1.85, 'ts-ne'), ('Ashby Parva', 'ashby parva', 54.05, -1.85, 'ts-se'),
           ('Ashwell', 'ashwell', 54.05, -1.95, 'ts-sw'), ('Ashton-on-Sea', 'ashton-on-sea', 56, -1, null)`,
      )
    })

    it('puts whole-name matches first, then names that start with the text, and leaves out places outside the force', async () => {
      const found = await areas.searchPlaces('  ASHBY ')
      expect(found.map(m => `${m.kind}:${m.name}>${m.neighbourhood.id}:${m.exact}`)).toEqual([
        'place:Ashby>ts-ne:true',
        'neighbourhood:Ashby>ts-ne:true',
        'place:Ashby Parva>ts-se:false',
        'neighbourhood:Ashby Moor>ts-se:false',
      ])
      expect((await areas.searchPlaces('ash')).map(m => m.name)).not.toContain('Ashton-on-Sea')
    })

    it('leads a district name to each of its neighbourhoods', async () => {
      const found = await areas.searchPlaces('westdale')
      expect(found.map(m => [m.kind, m.neighbourhood.name, m.districtName])).toEqual([
        ['district', 'Northwick', 'Westdale'],
        ['district', 'Southam', 'Westdale'],
      ])
    })

    it('treats LIKE wildcards as text and caps results at 10', async () => {
      expect(await areas.searchPlaces('%')).toEqual([])
      expect(await areas.searchPlaces('_shby')).toEqual([])
      expect(await areas.searchPlaces('')).toEqual([])
      await db.query(
        `insert into places (name, name_key, lat, lng, neighbourhood_id)
         select 'Zed ' || g, 'zed ' || g, 54.05, -1.95, 'ts-sw' from generate_series(1, 15) g`,
      )
      expect(await areas.searchPlaces('zed')).toHaveLength(10)
    })

    it('lists the places in a neighbourhood', async () => {
      expect((await areas.placesIn('ts-se')).map(p => p.name)).toEqual(['Ashby Parva'])
    })
  })

  it('re-resolves stored postcodes and places when boundaries move', async () => {
    // Southam grows east over the point (54.05, -1.85) that Ashby Moor held.
    const moved = {
      type: 'FeatureCollection',
      features: [
        feature({ id: 'ts-sw', name: 'Southam', type: 'neighbourhood', parent: 'ts-west' }, [[-2.0, 54.0], [-1.8, 54.0], [-1.8, 54.1], [-2.0, 54.1], [-2.0, 54.0]]),
        feature({ id: 'ts-se', name: 'Ashby Moor', type: 'neighbourhood', parent: 'ts-east' }, squareRing(-1.7, 54.0, 0.1)),
      ],
    }
    await db.query(`insert into postcodes (postcode, display, lat, lng, neighbourhood_id) values ('TS22AB', 'TS2 2AB', 54.05, -1.85, 'ts-se')`)
    const report = await importBoundaries(db, parseGeoJsonBoundaries(JSON.stringify(moved)), areas)
    expect(report.ok).toBe(true)
    expect(report.counts?.postcodesReassigned).toBe(1)
    expect(areas.locate(54.05, -1.85)?.id).toBe('ts-sw')
    expect(await areas.findPostcode('TS2 2AB')).toMatchObject({ status: 'found', neighbourhood: { id: 'ts-sw' } })
    expect((await areas.placesIn('ts-sw')).map(p => p.name)).toContain('Ashby Parva')
    // Population was not in the file, so what was stored stays.
    expect((await areas.getArea('ts-sw'))?.population).toBe(6000)
  })

  it('updates description and population, and refuses unknown ids and non-neighbourhoods for updateNeighbourhood', async () => {
    const updated = await areas.updateNeighbourhood('ts-nw', { description: 'Hills and a reservoir.', population: 5100 })
    expect(updated).toMatchObject({ description: 'Hills and a reservoir.', population: 5100 })
    expect(await areas.getArea('ts-nw')).toMatchObject({ description: 'Hills and a reservoir.', population: 5100 })
    await expect(areas.updateNeighbourhood('ts-west', { description: null, population: null })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(areas.updateArea('nope', { description: null, population: null })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect(await areas.updateArea('ts-west', { description: 'The west.', population: null })).toMatchObject({ description: 'The west.' })
  })

  it('counts what is loaded', async () => {
    expect(await areas.counts()).toMatchObject({ forces: 1, districts: 2, neighbourhoods: 4, neighbourhoodsWithBoundary: 4, postcodes: 3, postcodesOutside: 1 })
  })
})
