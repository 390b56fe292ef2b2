import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Browser, createTestApp, type TestApp } from '../../../../../../test/helpers.ts'
import { createTestStaff, signInAs } from '../../../../../platform/auth/testing.ts'
import { importBoundaries } from '../../../import/boundaries.ts'
import { parseGeoJsonBoundaries } from '../../../import/geojson.ts'
import { testShire } from '../../../testing.ts'

const links = (html: string) => [...html.matchAll(/href="\/staff\/areas\/([^"]+)"/g)].map(m => decodeURIComponent(m[1]!))
const errorSummary = (html: string) => /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? ''

describe('staff area pages', () => {
  let t: TestApp
  const as: Record<string, Browser> = {}
  beforeAll(async () => {
    t = await createTestApp()
    await importBoundaries(t.db, parseGeoJsonBoundaries(JSON.stringify(testShire())), t.services.areas)
    const people: [string, Parameters<typeof createTestStaff>[2]][] = [
      ['officer', [['neighbourhood_officer', 'ts-nw']]],
      ['neighbour', [['neighbourhood_officer', 'ts-sw']]],
      ['inspector', [['neighbourhood_officer', 'ts-west']]],
      ['lead', [['engagement_lead', 'ts']]],
      ['opcc', [['opcc_officer', 'ts']]],
    ]
    for (const [who, grants] of people) {
      const id = await createTestStaff(t.services, `${who}@example.org`, grants)
      as[who] = new Browser(t.app)
      await signInAs(as[who]!, t.services, id)
    }
  })
  afterAll(async () => t.close())

  it('lists only the areas inside the user’s grants', async () => {
    expect(links((await as.officer!.get('/staff/areas')).body)).toEqual(['ts-nw'])
    expect(links((await as.inspector!.get('/staff/areas')).body)).toEqual(['ts-west', 'ts-nw', 'ts-sw'])
    expect(links((await as.lead!.get('/staff/areas')).body)).toEqual(['ts', 'ts-east', 'ts-ne', 'ts-se', 'ts-west', 'ts-nw', 'ts-sw'])
  })

  it('shows an officer their own neighbourhood with what Beacon holds about it', async () => {
    const page = await as.officer!.get('/staff/areas/ts-nw')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('<h1 class="govuk-heading-l">Northwick</h1>')
    expect(page.body).toContain('Test Shire › Westdale')
    expect(page.body).toContain('5,000')
    expect(page.body).toMatch(/About [\d.]+ square kilometres/)
  })

  it('answers 404, not 403, for another neighbourhood, its district or an unknown id', async () => {
    const unknown = await as.officer!.get('/staff/areas/no-such-area')
    expect(unknown.statusCode).toBe(404)
    for (const id of ['ts-sw', 'ts-west', 'ts', 'ts-ne']) {
      const res = await as.officer!.get(`/staff/areas/${id}`)
      expect(res.statusCode, id).toBe(404)
      expect(res.body).not.toContain('Southam')
      expect(res.body).toContain('Page not found')
    }
  })

  it('lets an officer change their own neighbourhood, audited, and shows the change', async () => {
    const res = await as.officer!.submit('/staff/areas/ts-nw', { description: 'Moorland villages north of the river.', population: '5,250' })
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe('/staff/areas/ts-nw')
    const page = await as.officer!.get('/staff/areas/ts-nw')
    expect(page.body).toContain('Northwick has been updated')
    expect(page.body).toContain('Moorland villages north of the river.')
    expect(await t.services.areas.getArea('ts-nw')).toMatchObject({ description: 'Moorland villages north of the river.', population: 5250 })
    const [entry] = await t.db.query<{ actor_email: string; action: string; entity_id: string; details: { before: unknown; after: unknown } }>(
      `select actor_email, action, entity_id, details from audit_log where entity_type = 'area' order by id desc limit 1`,
    )
    expect(entry).toMatchObject({
      actor_email: 'officer@example.org',
      action: 'update',
      entity_id: 'ts-nw',
      details: { before: { description: null, population: 5000 }, after: { description: 'Moorland villages north of the river.', population: 5250 } },
    })
  })

  it('refuses a POST straight to another neighbourhood’s id with 404 and changes nothing', async () => {
    const before = await t.services.areas.getArea('ts-sw')
    // A valid form and CSRF token from the officer's own page, sent to the neighbour's URL.
    for (const target of ['/staff/areas/ts-sw', '/staff/areas/ts-west', '/staff/areas/no-such-area']) {
      const res = await as.officer!.submit('/staff/areas/ts-nw', { description: 'Tampered', population: '1' }, target)
      expect(res.statusCode, target).toBe(404)
    }
    expect(await t.services.areas.getArea('ts-sw')).toEqual(before)
    const audited = await t.db.query(`select 1 from audit_log where entity_type = 'area' and entity_id in ('ts-sw', 'ts-west')`)
    expect(audited).toEqual([])
  })

  it('lets the neighbouring officer and a district officer edit their own areas, but not each other’s', async () => {
    expect((await as.neighbour!.get('/staff/areas/ts-nw')).statusCode).toBe(404)
    expect((await as.neighbour!.submit('/staff/areas/ts-sw', { description: '', population: '6100' })).statusCode).toBe(303)
    expect((await as.inspector!.submit('/staff/areas/ts-west', { description: 'The western valleys.', population: '' })).statusCode).toBe(303)
    expect(await t.services.areas.getArea('ts-west')).toMatchObject({ description: 'The western valleys.', population: null })
    expect((await as.inspector!.get('/staff/areas/ts-sw')).statusCode).toBe(200)
    expect((await as.inspector!.get('/staff/areas/ts-ne')).statusCode).toBe(404)
  })

  it('explains a bad population and keeps what was typed', async () => {
    const res = await as.officer!.submit('/staff/areas/ts-nw', { description: 'Kept text', population: 'about 5k' })
    expect(res.statusCode).toBe(303)
    const page = await as.officer!.get(String(res.headers.location))
    expect(errorSummary(page.body)).toContain('Enter the population as a whole number, like 8500')
    expect(page.body).toContain('Kept text</textarea>')
    expect(page.body).toContain('value="about 5k"')
    expect((await t.services.areas.getArea('ts-nw'))!.population).toBe(5250)
  })

  it('keeps roles without area duties, and people not signed in, out', async () => {
    expect((await as.opcc!.get('/staff/areas')).statusCode).toBe(403)
    expect((await as.opcc!.get('/staff/areas/ts')).statusCode).toBe(403)
    const anonymous = await new Browser(t.app).get('/staff/areas/ts-nw')
    expect(anonymous.statusCode).toBe(303)
    expect(anonymous.headers.location).toMatch(/^\/staff\/sign-in/)
  })
})
