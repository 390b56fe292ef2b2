import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../../../test/helpers.ts'
import { FIXTURE, seedApiFixture } from './fixtures.testing.ts'

/**
 * "An existing data.police.uk client pointed at Beacon's base URL must work unchanged."
 * This is a client written the way the published ones are (rkhleics/police-api-client-python,
 * which powered police.uk, and the PHP and Haskell clients): a base URL ending in /api/, the
 * method path appended, GET over HTTP, JSON parsed, hyphenated priority keys, dates parsed
 * with the strict '%Y-%m-%dT%H:%M:%S' format, coordinates and population parsed from strings,
 * and any non-2xx status raised as an error. Nothing in it knows about Beacon.
 */
class APIError extends Error {
  status: number
  constructor(status: number, url: string) {
    super(`${status} for ${url}`)
    this.status = status
  }
}

/** Python's datetime.strptime(value, '%Y-%m-%dT%H:%M:%S'): anything else raises. */
function strptime(value: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(value)
  if (!m) throw new Error(`time data '${value}' does not match format '%Y-%m-%dT%H:%M:%S'`)
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!))
}

/** Python's float(): a numeric string only. */
function float(value: unknown): number {
  if (typeof value !== 'string' || !/^\s*-?(\d+\.?\d*|\.\d+)(e-?\d+)?\s*$/i.test(value)) throw new Error(`could not convert to float: ${JSON.stringify(value)}`)
  return Number(value)
}

class PoliceAPI {
  baseUrl: string
  constructor(config: { base_url?: string } = {}) {
    this.baseUrl = config.base_url ?? 'https://data.police.uk/api/'
  }

  private async request<T>(method: string): Promise<T> {
    const url = this.baseUrl + method
    const res = await fetch(url, { headers: { 'User-Agent': 'police-api-client/1.0' } })
    if (!res.ok) throw new APIError(res.status, url)
    return (await res.json()) as T
  }

  async getForces() {
    return (await this.request<{ id: string; name: string }[]>('forces')).map(f => ({ slug: f.id, name: f.name }))
  }

  async getForce(slug: string) {
    const d = await this.request<Record<string, unknown>>(`forces/${slug}`)
    const fields = ['description', 'telephone', 'name', 'engagement_methods', 'url'] as const
    return Object.fromEntries(fields.map(f => [f, d[f]])) as {
      description: string | null
      telephone: string | null
      name: string
      url: string | null
      engagement_methods: { url: string; type: string; title: string; description: string | null }[]
    }
  }

  async getNeighbourhoods(force: string) {
    const list = await this.request<{ id: string; name: string }[]>(`${force}/neighbourhoods`)
    return list.map(n => ({ id: n.id, name: n.name })).sort((a, b) => (a.name < b.name ? -1 : 1))
  }

  async getNeighbourhood(force: string, id: string) {
    if (id === 'neighbourhoods') throw new Error('"neighbourhoods" is not a neighbourhood')
    const d = await this.request<Record<string, any>>(`${force}/${id}`)
    return {
      name: d.name as string,
      description: d.description as string | null,
      url_force: d.url_force as string,
      population: d.population !== null && d.population !== undefined ? Number.parseInt(d.population, 10) : null,
      centre: { latitude: float(d.centre.latitude), longitude: float(d.centre.longitude) },
      links: d.links as { url: string; title: string }[],
      locations: (d.locations as Record<string, string>[]).map(l => ({ ...l, latitude: float(l.latitude), longitude: float(l.longitude) })),
      contact_details: d.contact_details as Record<string, string>,
    }
  }

  async boundary(force: string, id: string) {
    const points = await this.request<{ latitude: string; longitude: string }[]>(`${force}/${id}/boundary`)
    return points.map(p => [float(p.latitude), float(p.longitude)] as const)
  }

  async officers(force: string, id: string) {
    const people = await this.request<Record<string, any>[]>(`${force}/${id}/people`)
    return people.map(p => ({ name: p.name as string, rank: p.rank as string, bio: p.bio as string | null, email: p.contact_details.email as string | undefined }))
  }

  async events(force: string, id: string) {
    const events = await this.request<Record<string, any>[]>(`${force}/${id}/events`)
    return events.map(e => ({ title: e.title as string, type: e.type as string, address: e.address as string | null, start_date: strptime(e.start_date) }))
  }

  async priorities(force: string, id: string) {
    const rows = await this.request<Record<string, any>[]>(`${force}/${id}/priorities`)
    return rows
      .map(r => ({
        issue: r.issue as string,
        action: r.action as string | null,
        issue_date: r['issue-date'] ? strptime(r['issue-date']) : null,
        action_date: r['action-date'] ? strptime(r['action-date']) : null,
      }))
      .sort((a, b) => (b.issue_date?.getTime() ?? 0) - (a.issue_date?.getTime() ?? 0))
  }

  async locateNeighbourhood(lat: number, lng: number) {
    try {
      const result = await this.request<{ force: string; neighbourhood: string }>(`locate-neighbourhood?q=${lat},${lng}`)
      return { force: result.force, id: result.neighbourhood }
    } catch (err) {
      if (err instanceof APIError) return null
      throw err
    }
  }
}

describe('a data.police.uk client pointed at Beacon', () => {
  let t: TestApp
  let api: PoliceAPI

  beforeAll(async () => {
    t = await createTestApp()
    await seedApiFixture(t.db, t.services.areas)
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' })
    // The only change a user makes: the base URL.
    api = new PoliceAPI({ base_url: `${address}/api/` })
  })
  afterAll(async () => t.close())

  it('walks forces → neighbourhoods → a neighbourhood and its team, events, priorities and boundary', async () => {
    const forces = await api.getForces()
    expect(forces.map(f => f.slug)).toEqual(['leicestershire', 'rutland'])

    const force = await api.getForce('leicestershire')
    expect(force.name).toBe('Leicestershire Police')
    expect(force.telephone).toBe('101')
    expect(force.engagement_methods[0]).toMatchObject({ type: 'facebook', title: 'facebook' })

    const neighbourhoods = await api.getNeighbourhoods('leicestershire')
    expect(neighbourhoods.map(n => n.id)).toEqual(['NC05', 'NC04'])

    const n = await api.getNeighbourhood('leicestershire', 'NC04')
    expect(n.population).toBe(7985)
    expect(n.centre).toEqual({ latitude: 52.6389, longitude: -1.13619 })
    expect(n.locations[0]).toMatchObject({ name: 'Mansfield House', type: 'station', latitude: 52.6405, longitude: -1.13 })
    expect(n.contact_details.email).toBe('centralleicester.npa@leicestershire.pnn.police.uk')

    const officers = await api.officers('leicestershire', 'NC04')
    expect(officers.map(o => o.name)).toEqual(['Kim Lee', 'Sam Patel', 'Jane Smith'])

    const events = await api.events('leicestershire', 'NC04')
    expect(events.map(e => e.type)).toEqual(['street briefing', 'meeting', 'meeting'])
    expect(events[2]!.start_date.toISOString()).toBe('2099-07-01T19:00:00.000Z') // naive local time, as police.uk

    const priorities = await api.priorities('leicestershire', 'NC04')
    expect(priorities.map(p => p.issue_date?.toISOString().slice(0, 10))).toEqual(['2026-02-20', '2026-01-10', '2025-06-01'])
    expect(priorities[0]!.action_date).toBeNull()
    expect(priorities[1]!.action_date?.toISOString().slice(0, 10)).toBe('2026-03-05')

    const boundary = await api.boundary('leicestershire', 'NC04')
    expect(boundary).toHaveLength(5)
    expect(boundary[0]).toEqual([52.6289, -1.14619])
  })

  it('locates a point, and gets nothing (not a crash) outside every neighbourhood', async () => {
    expect(await api.locateNeighbourhood(FIXTURE.point.lat, FIXTURE.point.lng)).toEqual({ force: 'leicestershire', id: 'NC04' })
    expect(await api.locateNeighbourhood(FIXTURE.outside.lat, FIXTURE.outside.lng)).toBeNull()
  })

  it('gets an APIError for an unknown force or neighbourhood, as from data.police.uk', async () => {
    await expect(api.getForce('nowhere')).rejects.toMatchObject({ status: 404 })
    await expect(api.getNeighbourhood('leicestershire', 'nope')).rejects.toMatchObject({ status: 404 })
  })

  it('can be called from a web page on another origin', async () => {
    const res = await fetch(`${api.baseUrl}forces`, { headers: { Origin: 'https://example.org' } })
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
  })
})
