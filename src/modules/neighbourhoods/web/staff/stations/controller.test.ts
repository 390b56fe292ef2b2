import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as cheerio from 'cheerio'
import { Browser, createTestApp, type TestApp } from '../../../../../../test/helpers.ts'
import { createTestStaff, seedTestAreas, signInAs } from '../../../../../platform/auth/testing.ts'
import { errorSummary } from '../../../../areas/web/staff/upload-testing.ts'
import { normaliseTime } from './schema.ts'

const staffBrowser = async (t: TestApp, email: string, grants: Parameters<typeof createTestStaff>[2]) => {
  const b = new Browser(t.app)
  await signInAs(b, t.services, await createTestStaff(t.services, email, grants))
  return b
}

const hours = (rows: [string, string, string, string?][]) => {
  const pad = <T,>(xs: T[], blank: T) => [...xs, ...Array(7 - xs.length).fill(blank)]
  return {
    hoursDays: pad(rows.map(r => r[0]), ''),
    hoursOpens: pad(rows.map(r => r[1]), ''),
    hoursCloses: pad(rows.map(r => r[2]), ''),
    hoursNote: pad(rows.map(r => r[3] ?? ''), ''),
  }
}

describe('normaliseTime', () => {
  it('reads the ways people write 24-hour times', () => {
    expect(['8:00', '08:00', '08.30', '23:59'].map(normaliseTime)).toEqual(['08:00', '08:00', '08:30', '23:59'])
    for (const s of ['24:00', '8', '8am', '08:60', '']) expect(normaliseTime(s), s).toBeNull()
  })
})

describe('staff stations pages', () => {
  let t: TestApp
  let north: Browser, district: Browser, south: Browser

  beforeAll(async () => {
    t = await createTestApp()
    await seedTestAreas(t.db)
    await t.db.query(`insert into postcodes (postcode, display, lat, lng, neighbourhood_id) values ('TS11AA', 'TS1 1AA', 53.95, -2.25, 'test-n01')`)
    north = await staffBrowser(t, 'north@example.org', [['neighbourhood_officer', 'test-n01']])
    district = await staffBrowser(t, 'district@example.org', [['neighbourhood_officer', 'test-north']])
    south = await staffBrowser(t, 'south@example.org', [['neighbourhood_officer', 'test-s01']])
  })
  afterAll(async () => t.close())

  it('offers only areas in the grants, and adds a station with opening hours (position from the postcode)', async () => {
    const form = cheerio.load((await district.get('/staff/stations/new')).body)
    expect(form('#areaId option').map((_, o) => form(o).attr('value')).get()).toEqual(['', 'test-north', 'test-n01', 'test-n02'])
    const res = await district.submit('/staff/stations/new', {
      areaId: 'test-north',
      name: 'Ashby Police Station',
      type: 'station',
      address: '1 High Street, Ashby',
      postcode: 'ts1 1aa',
      lat: '',
      lng: '',
      description: 'Step-free access',
      ...hours([['Monday to Friday', '8:00', '18:00'], ['Saturday', '', '', 'Closed']]),
    })
    expect(res.statusCode).toBe(303)
    expect((await district.get('/staff/stations')).body).toContain('Ashby Police Station has been added')
    const [s] = await t.services.neighbourhoods.team.listStations(['/test-force/'])
    expect(s).toMatchObject({
      areaId: 'test-north',
      postcode: 'TS1 1AA',
      lat: 53.95,
      lng: -2.25,
      openingHours: [
        { days: 'Monday to Friday', opens: '08:00', closes: '18:00', note: null },
        { days: 'Saturday', opens: null, closes: null, note: 'Closed' },
      ],
    })
    const [entry] = await t.db.query(`select actor_email, action from audit_log where entity_type = 'nbh_location' and entity_id = $1`, [s!.id])
    expect(entry).toEqual({ actor_email: 'district@example.org', action: 'create' })
    // A neighbourhood officer sees only stations inside their own neighbourhood, not the district's.
    expect((await north.get('/staff/stations')).body).not.toContain('Ashby Police Station')
  })

  it('refuses bad hours, a missing position and an area outside the grants, keeping what was typed', async () => {
    await north.submit('/staff/stations/new', {
      areaId: 'test-s01',
      name: 'Somewhere',
      type: 'front_counter',
      address: 'Library',
      postcode: '',
      lat: '',
      lng: '200',
      ...hours([['Monday', '18:00', '09:00'], ['', '10:00', '12:00'], ['Friday', '9am', '']]),
    })
    const page = await north.get('/staff/stations/new')
    const summary = errorSummary(page.body)
    expect(summary).toContain('Choose an area you look after')
    expect(summary).toContain('The closing time in row 1 must be after the opening time')
    expect(summary).toContain('Enter the days for row 2 of opening hours')
    expect(summary).toContain('Enter the opening time in row 3 as a 24-hour time')
    expect(summary).toContain('Enter the longitude as a number between -180 and 180')
    const $ = cheerio.load(page.body)
    expect($('#name').val()).toBe('Somewhere')
    expect($('#hoursOpens-0').val()).toBe('18:00')
    expect($('#hoursDays-2').val()).toBe('Friday')
    expect($('input[name="type"][value="front_counter"]').attr('checked')).toBeDefined()
    expect(await t.services.neighbourhoods.team.listStations(['/test-force/'])).toHaveLength(1)
  })

  it('edits and removes within the grants, and is 404 outside them', async () => {
    const [s] = await t.services.neighbourhoods.team.listStations(['/test-force/'])
    const url = `/staff/stations/${s!.id}`
    expect((await north.get(url)).statusCode).toBe(404)
    expect((await south.get(url)).statusCode).toBe(404)
    const token = /name="_csrf" value="([^"]+)"/.exec((await south.get('/staff/stations/new')).body)![1]!
    expect((await south.post(url, { _csrf: token, areaId: 'test-s01', name: 'Mine now', type: 'station', address: 'x', lat: '1', lng: '1' })).statusCode).toBe(404)
    expect((await south.post(`${url}/remove`, { _csrf: token })).statusCode).toBe(404)

    const form = cheerio.load((await district.get(url)).body)
    expect(form('#hoursDays-0').val()).toBe('Monday to Friday')
    await district.submit(url, {
      areaId: 'test-n02', name: 'Ashby Police Station', type: 'station', address: '2 High Street, Ashby', postcode: '', lat: '53.9', lng: '-2.2',
      ...hours([['Every day', '07:00', '22:00']]),
    })
    expect(await t.services.neighbourhoods.team.getStation(s!.id)).toMatchObject({ areaId: 'test-n02', address: '2 High Street, Ashby', lat: 53.9 })
    expect((await district.get(`${url}/remove`)).body).toContain('Remove Ashby Police Station?')
    await district.submit(`${url}/remove`, {})
    expect(await t.services.neighbourhoods.team.getStation(s!.id)).toBeNull()
  })
})
