import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as cheerio from 'cheerio'
import { createTestApp, type TestApp } from '../../../../../../test/helpers.ts'
import { demoExamples, loadDemoArea } from '../../../demo.ts'

const SEED = 2026
const ex = demoExamples(SEED)

describe('finding a neighbourhood (public pages)', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp()
    await loadDemoArea(t.db, SEED, t.services.areas)
  })
  afterAll(async () => t.close())

  const find = (q: string) => t.app.inject(`/find?q=${encodeURIComponent(q)}`)
  const errorOf = (html: string) => cheerio.load(html)('.govuk-error-summary__list a[href="#q"]').text().trim()
  const typedValue = (html: string) => cheerio.load(html)('input#q').attr('value')

  it('takes a postcode to its neighbourhood, however it is typed', async () => {
    const { postcode, neighbourhoodId } = ex.postcodes[0]!
    for (const typed of [postcode, postcode.toLowerCase(), postcode.replace(' ', ''), `  ${postcode.replace(' ', '   ')} `]) {
      const res = await find(typed)
      expect(res.statusCode, typed).toBe(303)
      expect(res.headers.location).toBe(`/neighbourhoods/${neighbourhoodId}`)
    }
  })

  it('takes a place name to the neighbourhood it is in', async () => {
    const { name, neighbourhoodId } = ex.places[0]!
    const res = await find(name.toUpperCase())
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe(`/neighbourhoods/${neighbourhoodId}`)
  })

  it('asks for something when nothing was typed', async () => {
    const res = await find('   ')
    expect(res.statusCode).toBe(400)
    expect(errorOf(res.body)).toBe('Enter a postcode or the name of a place')
  })

  it('explains a malformed postcode and keeps what was typed', async () => {
    const res = await find('DS1 1A')
    expect(res.statusCode).toBe(400)
    expect(errorOf(res.body)).toBe('Enter a full UK postcode, like DS1 1AA')
    expect(typedValue(res.body)).toBe('DS1 1A')
    expect(res.body).toContain('<title>Error: ')
  })

  it('says when a well-formed postcode is not known', async () => {
    const res = await find(ex.unknownPostcode)
    expect(res.statusCode).toBe(400)
    expect(errorOf(res.body)).toContain(`We could not find the postcode ${ex.unknownPostcode}`)
    expect(typedValue(res.body)).toBe(ex.unknownPostcode)
  })

  it('says when a postcode is outside the force area', async () => {
    const res = await find(ex.outsidePostcodes[0]!)
    expect(res.statusCode).toBe(400)
    expect(errorOf(res.body)).toBe(`${ex.outsidePostcodes[0]} is outside the Demo Shire Police area. Contact the police force for that area, or call 101`)
  })

  it('says when no place matches', async () => {
    const res = await find('Atlantis')
    expect(res.statusCode).toBe(400)
    expect(errorOf(res.body)).toContain('We could not find a place called Atlantis')
  })

  it('lets a resident choose from the list without JavaScript', async () => {
    const home = cheerio.load((await t.app.inject('/')).body)
    const options = home('select#neighbourhood option').map((_, o) => home(o).attr('value')).get().filter(Boolean)
    expect(options.length).toBeGreaterThanOrEqual(40)
    const res = await t.app.inject(`/neighbourhoods/choose?neighbourhood=${options[5]}`)
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe(`/neighbourhoods/${options[5]}`)
    const none = await t.app.inject('/neighbourhoods/choose?neighbourhood=')
    expect(none.statusCode).toBe(400)
    expect(none.body).toContain('Choose your neighbourhood from the list')
  })

  it('lists every neighbourhood by district', async () => {
    const $ = cheerio.load((await t.app.inject('/neighbourhoods')).body)
    expect($('h2.govuk-heading-m').length).toBeGreaterThanOrEqual(3)
    expect($('main a[href^="/neighbourhoods/"]').length).toBe((await t.services.areas.listNeighbourhoods()).length)
  })

  it("shows a neighbourhood's name, district, population and a map with a text alternative", async () => {
    const { neighbourhoodId, neighbourhoodName, districtName } = ex.postcodes[0]!
    const area = await t.services.areas.getArea(neighbourhoodId)
    const res = await t.app.inject(`/neighbourhoods/${neighbourhoodId}`)
    expect(res.statusCode).toBe(200)
    const $ = cheerio.load(res.body)
    expect($('h1').text().trim()).toBe(neighbourhoodName)
    expect($('.govuk-caption-l').text()).toContain(districtName)
    expect($('.govuk-summary-list').text()).toContain(area!.population!.toLocaleString('en-GB'))
    const svg = $('svg.beacon-map')
    expect(svg.attr('role')).toBe('img')
    expect(svg.find('title').text()).toBe(`Map of the ${neighbourhoodName} neighbourhood boundary`)
    expect(svg.find('path.beacon-map__area').attr('d')).toMatch(/^M[\d.,L]+Z/)
    const caption = $('figcaption').text()
    expect(caption).toMatch(new RegExp(`^${neighbourhoodName} covers about [\\d.]+ square kilometres in the ${districtName} district`))
    expect(caption).toMatch(/It borders /)
    expect($('main a[href^="/neighbourhoods/"]').length).toBeGreaterThan(0)
  })

  it('answers 404 for an unknown neighbourhood or a district id', async () => {
    expect((await t.app.inject('/neighbourhoods/no-such-place')).statusCode).toBe(404)
    const district = (await t.services.areas.listAreas()).find(a => a.kind === 'district')!
    expect((await t.app.inject(`/neighbourhoods/${district.id}`)).statusCode).toBe(404)
  })
})
