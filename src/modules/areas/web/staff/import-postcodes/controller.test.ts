import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Browser, createTestApp, type TestApp } from '../../../../../../test/helpers.ts'
import { createTestStaff, signInAs } from '../../../../../platform/auth/testing.ts'
import { importBoundaries } from '../../../import/boundaries.ts'
import { parseGeoJsonBoundaries } from '../../../import/geojson.ts'
import { testShire } from '../../../testing.ts'
import { errorSummary, problemRows, upload } from '../upload-testing.ts'
import { uploadLimits } from '../uploads.ts'

const URL = '/staff/imports/postcodes'
const file = (filename: string, content: string) => ({ name: 'file', filename, content, contentType: 'text/csv' })
const count = async (t: TestApp) => (await t.db.query<{ n: number }>(`select count(*)::int as n from postcodes`))[0]!.n

describe('postcode import page', () => {
  let t: TestApp
  let admin: Browser
  const defaults = { ...uploadLimits }
  beforeAll(async () => {
    t = await createTestApp()
    await importBoundaries(t.db, parseGeoJsonBoundaries(JSON.stringify(testShire())), t.services.areas)
    admin = new Browser(t.app)
    await signInAs(admin, t.services, await createTestStaff(t.services, 'admin@example.org', [['administrator', 'ts']]))
  })
  afterEach(() => Object.assign(uploadLimits, defaults))
  afterAll(async () => t.close())

  it('is for administrators only', async () => {
    const officer = new Browser(t.app)
    await signInAs(officer, t.services, await createTestStaff(t.services, 'officer@example.org', [['neighbourhood_officer', 'ts-nw']]))
    expect((await officer.get(URL)).statusCode).toBe(403)
  })

  it('imports a CSV, resolving each postcode to its neighbourhood, and audits it', async () => {
    const csv = 'pcd,pcds,lat,long,pfa\nTS1 1AA,TS1 1AA,54.05,-1.95,E23000003\nTS1 1AB,TS1 1AB,54.150000,-1.850000,E23000003\nTS9 9ZZ,TS9 9ZZ,55.2,-1.5,\nTS8 8ZZ,TS8 8ZZ,99.999999,0.000000,\n'
    const res = await upload(admin, URL, [file('onspd-extract.csv', csv)])
    expect(res.statusCode).toBe(303)
    const page = await admin.get(URL)
    expect(page.body).toContain('Imported 3 postcodes from 4 rows; 1 lie outside every neighbourhood; 1 without a location were skipped.')
    expect(await t.services.areas.findPostcode('ts1 1ab')).toMatchObject({ status: 'found', neighbourhood: { id: 'ts-ne' } })
    expect(await t.services.areas.findPostcode('TS9 9ZZ')).toMatchObject({ status: 'outside' })
    const [entry] = await t.db.query(`select actor_email, action, entity_id from audit_log where entity_type = 'postcodes'`)
    expect(entry).toEqual({ actor_email: 'admin@example.org', action: 'import', entity_id: 'onspd-extract.csv' })
  })

  it('lists bad rows by row number, imports nothing, and answers 400', async () => {
    const before = await count(t)
    const res = await upload(admin, URL, [file('bad.csv', 'pcds,lat,long\nTS2 2AA,54.05,-1.95\nTS2 2X,54.05,-1.95\nTS2 2AB,north,-1.95\n')])
    expect(res.statusCode).toBe(400)
    expect(errorSummary(res.body)).toContain('bad.csv has 2 rows with problems. Nothing was imported.')
    expect(problemRows(res.body)).toEqual(['row 3 | postcode "TS2 2X" is not a valid UK postcode', 'row 4 | lat "north" is not a number'])
    expect(await count(t)).toBe(before)
  })

  it('names a missing column', async () => {
    const res = await upload(admin, URL, [file('wrong.csv', 'pcds,latitude,long\nTS2 2AA,54.05,-1.95\n')])
    expect(res.statusCode).toBe(400)
    expect(problemRows(res.body)).toEqual(['row 1 (header) | missing column lat'])
  })

  it('explains a missing or wrong-type file', async () => {
    const none = await upload(admin, URL, [file('', '')])
    expect(errorSummary(none.body)).toContain('Select a postcode file')
    const wrong = await upload(admin, URL, [file('boundaries.geojson', '{}')])
    expect(wrong.statusCode).toBe(400)
    expect(errorSummary(wrong.body)).toContain('The selected file must be a CSV file (.csv)')
  })

  it('rolls back a file cut short by the size limit and says so', async () => {
    const before = await count(t)
    // The cut falls exactly after the second row, so what arrives is a valid, shorter file:
    // only the size check stands between it and a silently partial import.
    const header = 'pcds,lat,long\n'
    const row = (i: number) => `TS3 ${i}AA,54.05,-1.95`
    uploadLimits.postcodeBytes = header.length + 2 * (row(0).length + 1)
    const rows = Array.from({ length: 10 }, (_, i) => row(i)).join('\n')
    const res = await upload(admin, URL, [file('big.csv', `${header}${rows}\n`)])
    expect(res.statusCode).toBe(413)
    expect(errorSummary(res.body)).toContain('The selected file must be smaller than 54 bytes')
    expect(await count(t)).toBe(before)
  })
})
