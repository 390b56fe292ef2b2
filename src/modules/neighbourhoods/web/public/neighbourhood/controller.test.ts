import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import * as cheerio from 'cheerio'
import Fastify from 'fastify'
import { pageRoutes } from '../../page.routes.ts'
import { createTestApp, type TestApp } from '../../../../../../test/helpers.ts'
import { demoExamples, loadDemoArea } from '../../../../areas/demo.ts'
import { loadDemoTeams } from '../../../demo-team.ts'
import type { EventSummary } from '../../../events.service.ts'

const SEED = 2026
const ex = demoExamples(SEED)

describe('the public neighbourhood page', () => {
  let t: TestApp
  let home: { id: string; name: string }
  let other: { id: string; name: string }

  beforeAll(async () => {
    t = await createTestApp()
    await loadDemoArea(t.db, SEED, t.services.areas)
    await loadDemoTeams(t.services, { seed: SEED, now: new Date() })
    const all = await t.services.areas.listNeighbourhoods()
    home = all[0]!
    other = all[1]!
  })
  afterAll(async () => t.close())

  const load = async (url: string) => {
    const res = await t.app.inject(url)
    return { res, $: cheerio.load(res.body) }
  }

  it('keeps the name, district, population, map with its text alternative and neighbouring areas', async () => {
    const { neighbourhoodId, neighbourhoodName, districtName } = ex.postcodes[0]!
    const { res, $ } = await load(`/neighbourhoods/${neighbourhoodId}`)
    expect(res.statusCode).toBe(200)
    expect($('h1').text().trim()).toBe(neighbourhoodName)
    expect($('title').text()).toContain(`${neighbourhoodName} neighbourhood`)
    expect($('.govuk-caption-l').first().text()).toBe(`${districtName} district`)
    const area = await t.services.areas.getArea(neighbourhoodId)
    expect($('main').text()).toMatch(new RegExp(`Population\\s+${area!.population!.toLocaleString('en-GB')}`))
    const svg = $('svg.beacon-map')
    expect(svg.attr('role')).toBe('img')
    expect(svg.find('title').text()).toBe(`Map of the ${neighbourhoodName} neighbourhood boundary`)
    expect($('figcaption')).toHaveLength(1)
    expect($('figcaption').text()).toMatch(new RegExp(`^${neighbourhoodName} covers about [\\d.]+ square kilometres in the ${districtName} district.* It borders `))
    expect($('h3:contains("Neighbouring areas") + ul a').length).toBeGreaterThan(0)
  })

  it('shows the team with the named contact marked and photos described, and how to contact and meet them', async () => {
    const { $ } = await load(`/neighbourhoods/${home.id}`)
    const members = await t.services.neighbourhoods.team.listMembers(home.id)
    const named = members.find(m => m.isNamedContact)!
    expect($('.govuk-inset-text').text()).toContain(`Your named contact is ${named.name}`)
    const cards = $('ul.beacon-team > li')
    expect(cards.map((_, li) => $(li).find('h3').text()).get()).toEqual(members.map(m => m.name))
    const namedCard = cards.filter((_, li) => $(li).find('h3').text() === named.name)
    expect(namedCard.find('.govuk-tag').text().trim()).toBe('Named contact')
    expect(cards.find('.govuk-tag').length).toBe(1)
    const img = namedCard.find('img')
    expect(img.attr('alt')).toBe(named.photoAlt)
    expect(img.attr('src')).toMatch(new RegExp(`^/neighbourhoods/${home.id}/team/${named.id}/photo\\?v=\\w+$`))

    expect($(`a[href="/neighbourhoods/${home.id}/contact"]`).length).toBeGreaterThan(0)
    expect($('.govuk-warning-text').text()).toMatch(/emergency call 999.*call 101/)
    expect($('#engagement ~ p').first().text()).toMatch(/PACT/)
    expect($('dt:contains("Email") + dd a').attr('href')).toBe(`mailto:${home.id}.team@police.demo.beacon.example`)
  })

  it('lists current priorities with the latest action and last review, and links to all of them and to having your say', async () => {
    const { $ } = await load(`/neighbourhoods/${home.id}`)
    const current = await t.services.neighbourhoods.priorities.current(home.id)
    expect(current.length).toBeGreaterThan(0)
    const section = $('#priorities').nextUntil('#events')
    for (const p of current) {
      const block = section.filter('div').filter((_, d) => $(d).find('h3').text() === p.issue)
      expect(block.text()).toContain(p.latestUpdate!.action)
      expect(block.find('dt:contains("Last reviewed") + dd').text().trim()).toMatch(/^\d{1,2} \w+ \d{4}$/)
    }
    expect(section.find(`a[href="/neighbourhoods/${home.id}/priorities"]`).text()).toMatch(/including 1 past priority/)
    expect(section.find(`a[href="/neighbourhoods/${home.id}/have-your-say"]`).text()).toBe('Have your say on priorities')
  })

  it('shows the nearest stations with opening hours and a directions link', async () => {
    const { $ } = await load(`/neighbourhoods/${home.id}`)
    const stations = await t.services.neighbourhoods.team.nearest(home.id, 3)
    expect(stations.length).toBeGreaterThan(0)
    const first = stations[0]!
    expect($('#stations ~ h3').first().text()).toBe(first.name)
    expect($(`caption:contains("Opening hours at ${first.name}")`).closest('table').text()).toMatch(/Monday to Friday\s+08:00 to 20:00/)
    expect($(`a[href^="https://www.google.com/maps/dir/?api=1&destination=${first.lat}"]`).length).toBe(1)
    expect($('a[href^="https://www.openstreetmap.org/directions?to="]').length).toBe(stations.length)
  })

  it('lists upcoming events with links to each, the list and the calendar feed', async () => {
    const upcoming = vi.spyOn(t.services.neighbourhoods.events, 'upcoming')
    const event: EventSummary = {
      id: '00000000-0000-4000-8000-000000000001',
      areaId: home.id,
      type: 'pact',
      title: 'PACT meeting',
      startsAt: new Date('2026-06-10T18:00:00Z'),
      endsAt: new Date('2026-06-10T19:00:00Z'),
      address: 'Community centre',
      onlineUrl: 'https://meet.example/pact',
      onlinePlatform: 'Microsoft Teams',
      cancelled: false,
    }
    upcoming.mockResolvedValueOnce([event])
    const { $ } = await load(`/neighbourhoods/${home.id}`)
    expect(upcoming).toHaveBeenCalledWith(home.id, 5)
    const section = $('#events').nextUntil('#boundary')
    expect(section.find(`a[href="/events/${event.id}"]`).text()).toBe('PACT meeting')
    expect(section.text()).toMatch(/10 Jun 2026, 19:00, Community centre, online \(Microsoft Teams\)/)
    expect(section.find(`a[href="/neighbourhoods/${home.id}/events"]`).length).toBe(1)
    expect(section.find(`a[href="/neighbourhoods/${home.id}/events.ics"]`).length).toBe(1)
    upcoming.mockRestore()
  })

  it('is the same for everyone: no form, no CSRF token', async () => {
    const { res, $ } = await load(`/neighbourhoods/${home.id}`)
    expect($('form').length).toBe(0)
    expect(res.body).not.toContain('_csrf')
    // The page cache serves routes that say so; check this one does.
    const probe = Fastify()
    const routes: { method: string | string[]; url: string; config?: unknown }[] = []
    probe.addHook('onRoute', r => void routes.push(r))
    await probe.register(pageRoutes, { services: t.services, config: t.config })
    await probe.ready()
    const cached = routes.filter(r => (r.config as { pageCache?: boolean } | undefined)?.pageCache).map(r => `${r.method} ${r.url}`)
    expect(cached.filter(r => r.startsWith('GET'))).toEqual(['GET /neighbourhoods/:id', 'GET /neighbourhoods/:id/priorities'])
    await probe.close()
  })

  it('works out the map once per area version, not on every view', async () => {
    await load(`/neighbourhoods/${other.id}`)
    const boundary = vi.spyOn(t.services.areas, 'getBoundary')
    const children = vi.spyOn(t.services.areas, 'children')
    for (let i = 0; i < 3; i++) expect((await load(`/neighbourhoods/${other.id}`)).res.statusCode).toBe(200)
    expect(boundary).not.toHaveBeenCalled()
    expect(children).not.toHaveBeenCalled()
    // A change to the area is seen at once.
    await t.services.areas.updateArea(other.id, { description: 'Changed', population: 1234 })
    const { $ } = await load(`/neighbourhoods/${other.id}`)
    expect(boundary).toHaveBeenCalled()
    expect($('figcaption').text()).toContain(other.name)
    boundary.mockRestore()
    children.mockRestore()
  })

  it('reads well with nothing published yet', async () => {
    const [bare] = await t.db.query<{ id: string }>(
      `insert into areas (id, kind, parent_id, path, name) select 'bare-nbh', 'neighbourhood', d.id, d.path || 'bare-nbh/', 'Bare' from areas d where d.kind = 'district' order by d.id limit 1 returning id`,
    )
    const { res, $ } = await load(`/neighbourhoods/${bare!.id}`)
    expect(res.statusCode).toBe(200)
    expect($('main').text()).toContain('The team’s details have not been published yet.')
    expect($('main').text()).toContain('There are no current priorities.')
    expect($('main').text()).toContain('The boundary of this neighbourhood has not been published yet.')
    expect($('main').text()).toContain('No events or meetings are planned at the moment.')
  })

  it('answers 404 for an unknown neighbourhood or a district id', async () => {
    expect((await load('/neighbourhoods/no-such-place')).res.statusCode).toBe(404)
    const district = (await t.services.areas.listAreas()).find(a => a.kind === 'district')!
    expect((await load(`/neighbourhoods/${district.id}`)).res.statusCode).toBe(404)
    expect((await load(`/neighbourhoods/${district.id}/priorities`)).res.statusCode).toBe(404)
  })
})

describe('the public priorities page and team photos', () => {
  let t: TestApp
  let home: { id: string; name: string }

  beforeAll(async () => {
    t = await createTestApp()
    await loadDemoArea(t.db, SEED, t.services.areas)
    await loadDemoTeams(t.services, { seed: SEED, now: new Date() })
    home = (await t.services.areas.listNeighbourhoods())[0]!
  })
  afterAll(async () => t.close())

  it('shows current and past priorities, each with every dated action', async () => {
    const res = await t.app.inject(`/neighbourhoods/${home.id}/priorities`)
    expect(res.statusCode).toBe(200)
    const $ = cheerio.load(res.body)
    expect($('h1').text()).toBe('Neighbourhood priorities')
    const { current, past } = await t.services.neighbourhoods.priorities.listForArea(home.id, { withUpdates: true })
    const issues = (id: string) => $(`#${id}`).nextUntil('h2').find('h3').map((_, h) => $(h).text()).get()
    expect(issues('current')).toEqual(current.map(p => p.issue))
    expect(issues('past')).toEqual(past.map(p => p.issue))
    for (const p of [...current, ...past]) {
      const table = $(`caption:contains("What has been done about ${p.issue}")`).closest('table')
      expect(table.find('tbody tr')).toHaveLength(p.updates!.length)
    }
    expect($('#past').nextUntil('h2').text()).toMatch(/Resolved on/)
  })

  it('serves a photo with its checked type, cache headers and an ETag', async () => {
    const [m] = (await t.services.neighbourhoods.team.listMembers(home.id)).filter(x => x.hasPhoto)
    const url = `/neighbourhoods/${home.id}/team/${m!.id}/photo`
    const page = cheerio.load((await t.app.inject(`/neighbourhoods/${home.id}`)).body)
    const src = page(`img[src^="${url}"]`).attr('src')!
    const res = await t.app.inject(src)
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('image/png')
    expect(res.headers['cache-control']).toBe('public, max-age=86400')
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.rawPayload.subarray(0, 4).toString('hex')).toBe('89504e47')
    const etag = String(res.headers.etag)
    expect(etag).toMatch(/^"[\w-]+"$/)
    const again = await t.app.inject({ url, headers: { 'if-none-match': etag } })
    expect(again.statusCode).toBe(304)
    expect(again.headers['cache-control']).toBe('public, max-age=0, must-revalidate')
    expect(again.body).toBe('')
  })

  it('answers 404 for a member of another neighbourhood, one without a photo, or nonsense', async () => {
    const [, second] = await t.services.areas.listNeighbourhoods()
    const [m] = (await t.services.neighbourhoods.team.listMembers(home.id)).filter(x => x.hasPhoto)
    expect((await t.app.inject(`/neighbourhoods/${second!.id}/team/${m!.id}/photo`)).statusCode).toBe(404)
    const [plain] = await t.services.neighbourhoods.team.listMembers(second!.id)
    expect((await t.app.inject(`/neighbourhoods/${second!.id}/team/${plain!.id}/photo`)).statusCode).toBe(404)
    expect((await t.app.inject(`/neighbourhoods/${home.id}/team/not-an-id/photo`)).statusCode).toBe(404)
  })
})
