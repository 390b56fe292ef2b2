import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './cli.ts'
import { createDatabase } from './platform/db/client.ts'
import { demoExamples } from './modules/areas/demo.ts'

/**
 * The `beacon` commands against a PGlite data directory of their own, as an operator
 * would run them (each command opens and closes the database).
 */
describe('beacon CLI', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'beacon-cli-'))
  const saved = { ...process.env }
  const lines: string[] = []
  const run = async (...argv: string[]) => {
    lines.length = 0
    return runCli(argv, l => lines.push(l))
  }
  beforeAll(() => {
    process.env.DATA_DIR = path.join(dir, 'data')
    process.env.DEMO_PASSWORD = 'cli-demo-password'
    delete process.env.DATABASE_URL
    delete process.env.BASE_URL // Vite sets it to '/' for its own use
  })
  afterAll(() => {
    process.env = saved
  })

  it('prints usage for no command and fails for an unknown one', async () => {
    expect(await run()).toBe(0)
    expect(lines.join('\n')).toContain('import-postcodes FILE')
    expect(await run('frobnicate')).toBe(2)
  })

  it('migrates, seeds the demo once, and refuses to seed twice', async () => {
    expect(await run('migrate')).toBe(0)
    expect(await run('seed', '--demo')).toBe(0)
    expect(lines.join('\n')).toContain('admin@demo.beacon.example')
    expect(lines.join('\n')).not.toContain('shown once') // DEMO_PASSWORD was given
    expect(await run('seed', '--demo')).toBe(1)
    expect(lines[0]).toContain('already holds areas')
  })

  it('rejects a bad boundary file with a report and imports nothing', async () => {
    const file = path.join(dir, 'bad.geojson')
    writeFileSync(
      file,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [{ type: 'Feature', properties: { id: 'x1', type: 'neighbourhood' }, geometry: { type: 'Polygon', coordinates: [[[-2.6, 53.9], [-2.5, 53.9], [-2.5, 54.0], [-2.6, 54.0]]] } }],
      }),
    )
    expect(await run('import-boundaries', file)).toBe(1)
    const out = lines.join('\n')
    expect(out).toContain('Nothing was imported')
    expect(out).toMatch(/feature 1 \(id x1\): .*name/)
    expect(out).toMatch(/ring 1 is not closed/)
  })

  it('imports postcodes from an ONS-format CSV, resolving each to its neighbourhood', async () => {
    const ex = demoExamples(2026)
    const file = path.join(dir, 'onspd.csv')
    const db = await createDatabase({ dataDir: process.env.DATA_DIR })
    const [known] = await db.query<{ lat: number; lng: number }>('select lat, lng from postcodes where display = $1', [ex.postcodes[0]!.postcode])
    await db.close()
    writeFileSync(file, `pcd,pcds,dointr,lat,long\nXX,DS13 9YY,202001,${known!.lat},${known!.lng}\nXX,DS13 9YZ,202001,99.999999,0.000000\n`)
    expect(await run('import-postcodes', file)).toBe(0)
    const check = await createDatabase({ dataDir: process.env.DATA_DIR })
    const [row] = await check.query<{ neighbourhood_id: string }>('select neighbourhood_id from postcodes where postcode = $1', ['DS139YY'])
    await check.close()
    expect(row?.neighbourhood_id).toBe(ex.postcodes[0]!.neighbourhoodId)
  })

  it('reports a postcode file with a missing column', async () => {
    const file = path.join(dir, 'nolat.csv')
    writeFileSync(file, 'pcds,long\nDS1 1AA,-2.6\n')
    expect(await run('import-postcodes', file)).toBe(1)
    expect(lines.join('\n')).toMatch(/lat/)
  })

  it('creates an administrator with a one-off password', async () => {
    expect(await run('create-admin', 'new.admin@example.org', '--name', 'New Admin')).toBe(0)
    expect(lines[0]).toMatch(/Administrator new\.admin@example\.org created\. One-off password .*: \S{12,}/)
    // The entry point prints an AppError's message and exits 1.
    await expect(run('create-admin', 'new.admin@example.org')).rejects.toThrow('A staff user with this email address already exists')
  })

  it('says which file is missing', async () => {
    await expect(run('import-boundaries', path.join(dir, 'nope.geojson'))).rejects.toThrow(/No such file/)
  })
})
