import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../../../test/helpers.ts'
import type { Database } from '../../../platform/db/client.ts'
import { createAreasService, type AreasService } from '../service.ts'
import { testShire } from '../testing.ts'
import { importBoundaries } from './boundaries.ts'
import { parseGeoJsonBoundaries } from './geojson.ts'
import { importPostcodes, importPostcodesFromFile } from './postcodes.ts'

const csv = (...lines: string[]) => Readable.from([lines.join('\r\n') + '\r\n'])
// A few of the ONS directory's many columns, in its order, around the three we read.
const HEADER = 'pcd,pcd2,pcds,dointr,doterm,oseast1m,osnrth1m,lat,long,pfa'
const row = (pcds: string, lat: string | number, long: string | number) =>
  `"${pcds.replace(' ', '')}","${pcds}","${pcds}","202001","","400000","450000",${lat},${long},"E23000003"`
const count = async (db: Database) => (await db.query<{ n: number }>(`select count(*)::int as n from postcodes`))[0]!.n

describe('importPostcodes', () => {
  let db: Database
  let areas: AreasService
  beforeAll(async () => {
    db = await createTestDatabase()
    areas = await createAreasService(db)
    await importBoundaries(db, parseGeoJsonBoundaries(JSON.stringify(testShire())), areas)
  })
  afterAll(async () => db.close())

  it('imports rows, resolving each to its neighbourhood and counting those outside and without a location', async () => {
    const report = await importPostcodes(
      db,
      csv(
        '\uFEFF' + HEADER,
        row('TS1 1AA', 54.05, -1.95),
        row('TS1 1AB', '54.150000', '-1.850000'),
        row('TS9 9ZZ', 55.2, -1.5),
        row('TS8 8ZZ', 99.999999, '0.000000'),
      ),
      areas,
    )
    expect(report).toMatchObject({ ok: true, rows: 4, imported: 3, skippedNoLocation: 1, outside: 1, problems: [], problemRows: 0 })
    expect(report.summary).toBe('Imported 3 postcodes from 4 rows; 1 lie outside every neighbourhood; 1 without a location were skipped.')
    expect(await areas.findPostcode('ts11aa')).toMatchObject({ status: 'found', postcode: 'TS1 1AA', neighbourhood: { id: 'ts-sw' } })
    expect(await areas.findPostcode('TS1 1AB')).toMatchObject({ status: 'found', neighbourhood: { id: 'ts-ne' } })
    expect(await areas.findPostcode('TS9 9ZZ')).toMatchObject({ status: 'outside' })
    expect(await areas.findPostcode('TS8 8ZZ')).toMatchObject({ status: 'unknown' })
  })

  it('updates postcodes already held, and lets the last of a repeated row win', async () => {
    const report = await importPostcodes(db, csv('pcds,lat,long', 'TS1 1AA,54.15,-1.95', 'TS1 1AA,54.05,-1.85'), areas, { batchSize: 1 })
    expect(report.ok).toBe(true)
    expect(await areas.findPostcode('TS1 1AA')).toMatchObject({ location: { lat: 54.05, lng: -1.85 }, neighbourhood: { id: 'ts-se' } })
  })

  it('imports nothing when any row is bad, listing bad rows with their row numbers', async () => {
    const before = await count(db)
    const report = await importPostcodes(
      db,
      csv(
        HEADER,
        row('TS2 2AA', 54.05, -1.95),
        row('NOT A CODE', 54.05, -1.95),
        row('TS2 2AB', 'abc', -1.95),
        row('TS2 2AD', -1.95, 54.05),
        row('TS2 2AE', 40.1, -1.95),
        row('TS2 2AF', 54.05, 12),
        row('TS2 2AG', '', -1.95),
        row('TS2 2AH', 54.05, -1.95),
      ),
      areas,
      { batchSize: 1 },
    )
    expect(report.ok).toBe(false)
    expect(report.imported).toBe(0)
    expect(report.summary).toBe('Nothing was imported: 6 rows with problems.')
    expect(report.problems).toEqual([
      { where: 'row 3', message: 'postcode "NOT A CODE" is not a valid UK postcode' },
      { where: 'row 4', message: 'lat "abc" is not a number' },
      { where: 'row 5', message: 'lat -1.95 and long 54.05 look swapped' },
      { where: 'row 6', message: 'lat 40.1 is outside the UK (49 to 61)' },
      { where: 'row 7', message: 'long 12 is outside the UK (-9 to 2)' },
      { where: 'row 8', message: 'lat is empty' },
    ])
    // Row 2 was good and written in its own batch before the bad rows: the rollback undid it.
    expect(await count(db)).toBe(before)
    expect(await areas.findPostcode('TS2 2AA')).toMatchObject({ status: 'unknown' })
  })

  it('lists only the first problems but counts them all', async () => {
    const lines = [HEADER, ...Array.from({ length: 120 }, (_, i) => row(`TS${i} 1ZZ`, 'x', -1.9))]
    const report = await importPostcodes(db, csv(...lines), areas, { maxProblems: 5 })
    expect(report.problems.map(p => p.where)).toEqual(['row 2', 'row 3', 'row 4', 'row 5', 'row 6'])
    expect(report.problemRows).toBe(120)
    expect(report.rows).toBe(120)
  })

  it('says which required column is missing', async () => {
    const report = await importPostcodes(db, csv('pcds,lat,longitude', 'TS1 1AA,54,-1.9'), areas)
    expect(report.problems).toEqual([{ where: 'row 1 (header)', message: 'missing column long' }])
    const both = await importPostcodes(db, csv('postcode,latitude,longitude', 'TS1 1AA,54,-1.9'), areas)
    expect(both.problems.map(p => p.message)).toEqual(['missing column pcds', 'missing column lat', 'missing column long'])
  })

  it('reports an empty file and one that is not CSV', async () => {
    expect((await importPostcodes(db, Readable.from(['']), areas)).problems).toEqual([
      { where: 'file', message: 'is empty: expected a header row with pcds, lat and long' },
    ])
    const broken = await importPostcodes(db, csv('pcds,lat,long', 'TS1 1AA,54.05,-1.95', '"TS1 1AB,54.05,-1.95'), areas)
    expect(broken.ok).toBe(false)
    expect(broken.problems[0]!.message).toMatch(/^could not be read as CSV/)
  })

  it('rolls back when the final check fails (an upload cut short by the size limit)', async () => {
    const before = await count(db)
    const report = await importPostcodes(db, csv('pcds,lat,long', 'TS3 3AA,54.05,-1.95'), areas, {
      beforeCommit: () => ({ where: 'file', message: 'is larger than the limit' }),
    })
    expect(report).toMatchObject({ ok: false, imported: 0, problems: [{ where: 'file', message: 'is larger than the limit' }] })
    expect(await count(db)).toBe(before)
  })

  it('reports a file that cannot be read', async () => {
    await expect(importPostcodesFromFile(db, '/no/such/file.csv', areas)).resolves.toMatchObject({
      ok: false,
      problems: [{ where: 'file', message: expect.stringMatching(/^could not be read: ENOENT/) }],
    })
  })
})
