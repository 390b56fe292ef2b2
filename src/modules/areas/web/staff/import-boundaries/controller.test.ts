import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Browser, createTestApp, type TestApp } from '../../../../../../test/helpers.ts'
import { createTestStaff, signInAs } from '../../../../../platform/auth/testing.ts'
import { feature, squareRing, testShire } from '../../../testing.ts'
import { errorSummary, problemRows, upload } from '../upload-testing.ts'
import { uploadLimits } from '../uploads.ts'

const URL = '/staff/imports/boundaries'
const geojson = (...features: unknown[]) => JSON.stringify({ type: 'FeatureCollection', features })
const file = (filename: string, content: string | Buffer) => ({ name: 'file', filename, content })
const areaRows = (t: TestApp) => t.db.query(`select id, parent_id, name, path, boundary from areas order by id`)

describe('boundary import page', () => {
  let t: TestApp
  let admin: Browser
  let eastAdmin: Browser
  let lead: Browser
  const defaults = { ...uploadLimits }
  beforeAll(async () => {
    t = await createTestApp()
    // The administrator's grant needs an area to hang on: the force, created bare.
    await t.db.query(`insert into areas (id, kind, path, name) values ('ts', 'force', '/ts/', 'Test Shire')`)
    await t.services.areas.rebuildIndex()
    admin = new Browser(t.app)
    await signInAs(admin, t.services, await createTestStaff(t.services, 'admin@example.org', [['administrator', 'ts']]))
    lead = new Browser(t.app)
    await signInAs(lead, t.services, await createTestStaff(t.services, 'lead@example.org', [['engagement_lead', 'ts']]))
  })
  afterEach(() => Object.assign(uploadLimits, defaults))
  afterAll(async () => t.close())

  it('is for administrators only', async () => {
    expect((await lead.get(URL)).statusCode).toBe(403)
    const page = await admin.get(URL)
    expect(page.statusCode).toBe(200)
    expect(page.body).toMatch(/action="\/staff\/imports\/boundaries\?_csrf=[^"]+" enctype="multipart\/form-data"/)
  })

  it('imports a GeoJSON file, makes it searchable at once and audits it', async () => {
    const res = await upload(admin, URL, [file('test-shire.geojson', JSON.stringify(testShire())), { name: 'parentId', value: '' }])
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe(URL)
    const page = await admin.get(URL)
    expect(page.body).toContain('Imported 1 force, 2 districts, 4 neighbourhoods (6 new, 1 updated). 4 neighbourhoods are now searchable.')
    expect(t.services.areas.locate(54.15, -1.85)?.id).toBe('ts-ne')
    const [entry] = await t.db.query(`select actor_email, action, entity_type, entity_id from audit_log where entity_type = 'boundaries'`)
    expect(entry).toEqual({ actor_email: 'admin@example.org', action: 'import', entity_type: 'boundaries', entity_id: 'test-shire.geojson' })
  })

  it('lists every problem with where it is, imports nothing, and answers 400', async () => {
    const before = await areaRows(t)
    const res = await upload(admin, URL, [
      file(
        'broken.geojson',
        geojson(
          feature({ id: 'ts-x1', name: 'Fine', type: 'neighbourhood', parent: 'ts-east' }, squareRing(-1.7, 54, 0.1)),
          feature({ id: 'ts-x2', type: 'neighbourhood', parent: 'ts-east' }, squareRing(-1.6, 54, 0.1)),
          feature({ id: 'ts-x3', name: 'Open', type: 'neighbourhood', parent: 'ts-east' }, squareRing(-1.5, 54, 0.1).slice(0, 4)),
        ),
      ),
    ])
    expect(res.statusCode).toBe(400)
    expect(errorSummary(res.body)).toContain('href="#problems"')
    expect(errorSummary(res.body)).toContain('broken.geojson has 2 problems. Nothing was imported.')
    expect(problemRows(res.body)).toEqual([
      'feature 2 (id ts-x2) | missing property name',
      'feature 3 (id ts-x3) | ring 1 is not closed: its last point must repeat its first',
    ])
    expect(await areaRows(t)).toEqual(before)
  })

  it('imports KML into the district chosen, and asks for one when none is', async () => {
    const ring = squareRing(-1.7, 54.1, 0.1)
      .map(([x, y]) => `${x},${y},0`)
      .join(' ')
    const kml = `<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>Far East</name><Polygon><outerBoundaryIs><LinearRing><coordinates>${ring}</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark></Document></kml>`
    const missing = await upload(admin, URL, [file('east.kml', kml), { name: 'parentId', value: '' }])
    expect(missing.statusCode).toBe(400)
    expect(errorSummary(missing.body)).toContain('Select the district the neighbourhoods in this KML file belong to')
    const page = await admin.get(URL)
    expect(page.body).toContain('<option value="ts-east">Eastmoor</option>')
    const res = await upload(admin, URL, [file('east.kml', kml), { name: 'parentId', value: 'ts-east' }])
    expect(res.statusCode).toBe(303)
    expect(t.services.areas.locate(54.15, -1.65)).toMatchObject({ id: 'far-east', districtName: 'Eastmoor' })
  })

  it('explains a missing, wrong-type, binary, empty or oversize file', async () => {
    const cases: [Parameters<typeof file>, number, string][] = [
      [['', ''], 400, 'Select a boundary file'],
      [['postcodes.csv', 'pcds,lat,long'], 400, 'The selected file must be GeoJSON (.geojson or .json) or KML (.kml)'],
      [['empty.geojson', ''], 400, 'The selected file is empty'],
      [['zipped.geojson', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0xff, 0xfe, 0x00, 0x80])], 400, 'must be a text file (GeoJSON or KML), not a spreadsheet or zip'],
    ]
    for (const [args, status, message] of cases) {
      const res = await upload(admin, URL, [file(...args)])
      expect(res.statusCode, message).toBe(status)
      expect(errorSummary(res.body), message).toContain(message)
    }
    uploadLimits.boundaryBytes = 1024
    const big = await upload(admin, URL, [file('big.geojson', JSON.stringify(testShire()))])
    expect(big.statusCode).toBe(413)
    expect(errorSummary(big.body)).toContain('The selected file must be smaller than 1 KB')
  })

  it('refuses an upload without the CSRF token', async () => {
    const res = await upload(admin, URL, [file('test-shire.geojson', JSON.stringify(testShire()))], { withToken: false })
    expect(res.statusCode).toBe(403)
  })

  it('lets an administrator of one district change only that district', async () => {
    eastAdmin = new Browser(t.app)
    await signInAs(eastAdmin, t.services, await createTestStaff(t.services, 'east@example.org', [['administrator', 'ts-east']]))
    const res = await upload(eastAdmin, URL, [
      file(
        'mixed.geojson',
        geojson(
          feature({ id: 'ts-ne', name: 'Ashby Central', type: 'neighbourhood', parent: 'ts-east' }, squareRing(-1.9, 54.1, 0.1)),
          feature({ id: 'ts-nw', name: 'Northwick', type: 'neighbourhood', parent: 'ts-west' }, squareRing(-2.0, 54.1, 0.1)),
        ),
      ),
    ])
    expect(res.statusCode).toBe(400)
    expect(problemRows(res.body)).toEqual(['feature 2 (id ts-nw) | ts-nw is outside the areas you administer'])
    expect((await t.services.areas.getArea('ts-ne'))!.name).toBe('Ashby')
    // Their district list offers only their own district.
    expect((await eastAdmin.get(URL)).body).not.toContain('<option value="ts-west">')
  })
})
