import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../../../test/helpers.ts'
import type { Database } from '../../../platform/db/client.ts'
import { createAreasService, type AreasService } from '../service.ts'
import { feature, squareRing, testShire } from '../testing.ts'
import { detectBoundaryFormat, importBoundaries, importBoundariesFromFile, importBoundariesFromText } from './boundaries.ts'
import { parseGeoJsonBoundaries } from './geojson.ts'

const geojson = (...features: unknown[]) => JSON.stringify({ type: 'FeatureCollection', features })
const snapshot = (db: Database) => db.query(`select id, kind, parent_id, path, name, population, boundary from areas order by id`)

describe('importBoundaries', () => {
  let db: Database
  let areas: AreasService
  let dir: string
  beforeAll(async () => {
    db = await createTestDatabase()
    areas = await createAreasService(db)
    dir = await mkdtemp(path.join(tmpdir(), 'beacon-boundaries-'))
  })
  afterAll(async () => {
    await db.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('imports a whole force and makes it locatable at once', async () => {
    const report = await importBoundaries(db, parseGeoJsonBoundaries(JSON.stringify(testShire())), areas)
    expect(report).toMatchObject({ ok: true, problems: [], counts: { created: 7, updated: 0, byKind: { force: 1, district: 2, neighbourhood: 4 }, indexed: 4 } })
    expect(report.summary).toBe('Imported 1 force, 2 districts, 4 neighbourhoods (7 new, 0 updated). 4 neighbourhoods are now searchable.')
    expect(areas.locate(54.15, -1.85)?.id).toBe('ts-ne')
    const [force] = await db.query<{ centre_lat: number; centre_lng: number }>(`select centre_lat, centre_lng from areas where id = 'ts'`)
    expect(force!.centre_lat).toBeCloseTo(54.1, 10)
    expect(force!.centre_lng).toBeCloseTo(-1.9, 10)
  })

  it('imports nothing when any feature has a problem, and lists them all', async () => {
    const before = await snapshot(db)
    const report = await importBoundariesFromText(
      db,
      geojson(
        feature({ id: 'ts-new', name: 'Good', type: 'neighbourhood', parent: 'ts-west' }, squareRing(-2.1, 54, 0.1)),
        feature({ id: 'ts-nw', name: 'Renamed', type: 'neighbourhood', parent: 'ts-west' }, squareRing(-2.0, 54.1, 0.1)),
        feature({ id: 'x1', name: 'Orphan', type: 'neighbourhood', parent: 'nowhere' }, squareRing(-2.2, 54, 0.1)),
        feature({ id: 'x2', name: 'Wrong parent', type: 'neighbourhood', parent: 'ts' }, squareRing(-2.3, 54, 0.1)),
        feature({ id: 'ts-west', name: 'Now a neighbourhood?', type: 'neighbourhood', parent: 'ts-east' }, squareRing(-2.4, 54, 0.1)),
        feature({ id: 'x3', name: 'Second force', type: 'force', parent: 'ts' }, null),
        feature({ id: 'x1', name: 'Twice', type: 'district', parent: 'ts' }, null),
      ),
      { fileName: 'upload.geojson' },
      areas,
    )
    expect(report.ok).toBe(false)
    expect(report.summary).toBe('Nothing was imported: 5 problems found.')
    expect(report.problems.map(p => `${p.where}: ${p.message}`)).toEqual([
      'feature 7 (id x1): id x1 is used by feature 3 (id x1) as well',
      'feature 3 (id x1): unknown parent nowhere: it is not in this file or already in Beacon',
      'feature 4 (id x2): parent ts is a force; a neighbourhood belongs to a district',
      'feature 5 (id ts-west): ts-west is already a district in Beacon; the file says neighbourhood',
      'feature 6 (id x3): a force cannot have a parent (parent is ts)',
    ])
    expect(await snapshot(db)).toEqual(before)
    expect(areas.locate(54.05, -2.05)).toBeNull()
  })

  it('upserts by id, keeps values the file leaves out, and moves subtrees with their parent', async () => {
    const report = await importBoundariesFromText(
      db,
      geojson(
        feature({ id: 'ts-north', name: 'Northdale', type: 'district', parent: 'ts' }, null),
        // Northwick moves district; its population (5000) is not in the file so stays.
        feature({ id: 'ts-nw', name: 'Northwick', type: 'neighbourhood', parent: 'ts-north', description: 'Moors' }, squareRing(-2.0, 54.1, 0.1)),
      ),
      {},
      areas,
    )
    expect(report.counts).toMatchObject({ created: 1, updated: 1 })
    expect(await areas.getArea('ts-nw')).toMatchObject({ path: '/ts/ts-north/ts-nw/', population: 5000, description: 'Moors' })
    expect(areas.locate(54.15, -1.95)).toMatchObject({ id: 'ts-nw', districtName: 'Northdale' })
    // Moving a whole district to a new force takes its neighbourhoods' paths with it.
    await importBoundariesFromText(
      db,
      geojson(feature({ id: 'os', name: 'Other Shire', type: 'force' }, null), feature({ id: 'ts-north', name: 'Northdale', type: 'district', parent: 'os' }, null)),
      {},
      areas,
    )
    expect((await areas.getArea('ts-nw'))!.path).toBe('/os/ts-north/ts-nw/')
  })

  it('refuses areas outside the subtrees the importer administers', async () => {
    const before = await snapshot(db)
    const report = await importBoundariesFromText(
      db,
      geojson(
        feature({ id: 'ts-ne', name: 'Ashby', type: 'neighbourhood', parent: 'ts-east' }, squareRing(-1.9, 54.1, 0.1)),
        // Moving a neighbourhood out of the granted district, and touching one outside it.
        feature({ id: 'ts-se', name: 'Ashby Moor', type: 'neighbourhood', parent: 'ts-west' }, squareRing(-1.9, 54.0, 0.1)),
        feature({ id: 'ts-sw', name: 'Southam', type: 'neighbourhood', parent: 'ts-west' }, squareRing(-2.0, 54.0, 0.1)),
        feature({ id: 'x9', name: 'New force', type: 'force' }, null),
      ),
      { within: ['/ts/ts-east/'] },
      areas,
    )
    expect(report.problems).toEqual([
      { where: 'feature 2 (id ts-se)', message: 'ts-se is outside the areas you administer' },
      { where: 'feature 3 (id ts-sw)', message: 'ts-sw is outside the areas you administer' },
      { where: 'feature 4 (id x9)', message: 'x9 is outside the areas you administer' },
    ])
    expect(await snapshot(db)).toEqual(before)
    const allowed = await importBoundariesFromText(
      db,
      geojson(feature({ id: 'ts-ne', name: 'Ashby', type: 'neighbourhood', parent: 'ts-east', population: 7000 }, squareRing(-1.9, 54.1, 0.1))),
      { within: ['/ts/ts-east/'] },
      areas,
    )
    expect(allowed.ok).toBe(true)
  })

  it('imports from files, telling the format from the extension', async () => {
    const kmlPath = path.join(dir, 'east.kml')
    const ring = squareRing(-1.7, 54.0, 0.1)
      .map(([x, y]) => `${x},${y},0`)
      .join(' ')
    await writeFile(kmlPath, `<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>Far East</name><Polygon><outerBoundaryIs><LinearRing><coordinates>${ring}</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark></kml>`)
    const report = await importBoundariesFromFile(db, kmlPath, { parentId: 'ts-east' }, areas)
    expect(report.problems).toEqual([])
    expect(areas.locate(54.05, -1.65)?.id).toBe('far-east')

    const jsonPath = path.join(dir, 'bad.json')
    await writeFile(jsonPath, geojson(feature({ id: 'q', name: 'Q', type: 'neighbourhood', parent: 'ts-east' }, squareRing(-1.9, 54, 0.1).slice(0, 3))))
    // Without a service given, one is built for the import.
    expect((await importBoundariesFromFile(db, jsonPath)).problems).toEqual([
      { where: 'feature 1 (id q)', message: 'ring 1 has 3 points: a closed ring needs at least 4 (the first repeated as the last)' },
    ])
  })

  it('detects the format, or says it cannot', async () => {
    expect(detectBoundaryFormat('a.GeoJSON', '')).toBe('geojson')
    expect(detectBoundaryFormat('a.kml', '{')).toBe('kml')
    expect(detectBoundaryFormat(undefined, '  <kml>')).toBe('kml')
    expect(detectBoundaryFormat('a.txt', '{"type":')).toBe('geojson')
    expect(detectBoundaryFormat('a.csv', 'pcds,lat,long')).toBeNull()
    expect((await importBoundariesFromText(db, 'pcds,lat', { fileName: 'x.csv' }, areas)).problems).toEqual([
      { where: 'file', message: 'is not GeoJSON or KML: use a .geojson, .json or .kml file' },
    ])
  })
})
