import { Readable } from 'node:stream'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../../../test/helpers.ts'
import type { Database } from '../../../platform/db/client.ts'
import { seededRandom } from '../../../platform/geo/seeded-random.ts'
import { createAreasService, type AreasService } from '../service.ts'
import { testShire } from '../testing.ts'
import { importBoundaries } from './boundaries.ts'
import { parseGeoJsonBoundaries } from './geojson.ts'
import { importPostcodes } from './postcodes.ts'

// Forcing a collection before each reading makes the figure what is retained, not garbage.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const heapMb = () => {
  gc()
  return process.memoryUsage().heapUsed / 2 ** 20
}

const ROWS = 200_000
const UNIT = 'ABDEFGHJLNPQRSTUWXYZ'
/** Filler columns make each row about as wide as a real ONS directory row (~450 bytes). */
const FILLER = Array.from({ length: 40 }, (_, i) => `col${i}`)

/** An ONS-shaped CSV generated a chunk at a time, so the test itself never holds the file. */
function onsCsv(rows: number): Readable {
  const random = seededRandom(5)
  return Readable.from(
    (function* () {
      yield `pcds,${FILLER.join(',')},lat,long\n`
      for (let start = 0; start < rows; start += 1000) {
        let chunk = ''
        for (let i = start; i < Math.min(rows, start + 1000); i++) {
          // Distinct postcodes: district 1–99, sector 0–9, unit pair from i.
          const district = 1 + (i % 99)
          const rest = Math.floor(i / 99)
          const postcode = `TS${district} ${rest % 10}${UNIT[Math.floor(rest / 10) % 20]}${UNIT[Math.floor(rest / 200) % 20]}`
          const lat = (54.0 + random() * 0.2).toFixed(6)
          const lng = (-2.0 + random() * 0.2).toFixed(6)
          chunk += `${postcode},${FILLER.map(() => 'E0100' + Math.floor(random() * 1e5)).join(',')},${lat},${lng}\n`
        }
        yield chunk
      }
    })(),
  )
}

describe('importPostcodes on a large file', () => {
  let db: Database
  let areas: AreasService
  beforeAll(async () => {
    db = await createTestDatabase()
    areas = await createAreasService(db)
    await importBoundaries(db, parseGeoJsonBoundaries(JSON.stringify(testShire())), areas)
  })
  afterAll(async () => db.close())

  it(`streams ${ROWS.toLocaleString('en-GB')} rows with the heap staying flat`, { timeout: 180_000 }, async () => {
    const baseline = heapMb()
    const samples: number[] = []
    const report = await importPostcodes(db, onsCsv(ROWS), areas, { onProgress: () => samples.push(heapMb()) })
    expect(report).toMatchObject({ ok: true, rows: ROWS, imported: ROWS, problemRows: 0 })
    const [{ n }] = (await db.query<{ n: number }>(`select count(*)::int as n from postcodes where neighbourhood_id is not null`)) as [{ n: number }]
    expect(n).toBe(ROWS)

    // The file is ~90 MB and its rows, if kept, would need several times that on the heap.
    // Streaming keeps one batch (5,000 rows) at a time, so the retained heap barely moves.
    const peak = Math.max(...samples)
    const quarter = samples[Math.floor(samples.length / 4)]!
    const last = samples.at(-1)!
    expect(samples.length).toBeGreaterThanOrEqual(ROWS / 5000)
    expect(peak - baseline, `baseline ${baseline.toFixed(1)} MB, peak ${peak.toFixed(1)} MB`).toBeLessThan(24)
    // Flat, not merely small: the second three-quarters of the file adds (almost) nothing.
    expect(last - quarter, `at 25% ${quarter.toFixed(1)} MB, at the end ${last.toFixed(1)} MB`).toBeLessThan(8)
  })
})
