/**
 * A force and its neighbourhoods modelled on data.police.uk's documented examples
 * (Leicestershire, "City Centre" NC04), written straight into the areas and nbh_ tables so
 * the API tests depend on no other part's services. Dates far ahead keep "upcoming" events
 * upcoming; the recent and old ones are placed relative to now.
 */
import type { Database } from '../../../../platform/db/client.ts'
import { contentChanged } from '../../../../platform/http/page-cache.ts'
import type { AreasService } from '../../../areas/service.ts'

const square = (lat: number, lng: number, d: number) => ({
  type: 'MultiPolygon',
  coordinates: [
    [
      [
        [lng - d, lat - d],
        [lng + d, lat - d],
        [lng + d, lat + d],
        [lng - d, lat + d],
        [lng - d, lat - d],
      ],
    ],
  ],
})

export const FIXTURE = {
  force: 'leicestershire',
  otherForce: 'rutland',
  cityCentre: 'NC04',
  castle: 'NC05',
  otherNeighbourhood: 'R01',
  /** inside NC04 */
  point: { lat: 52.6389, lng: -1.13619 },
  /** inside rutland's R01 */
  otherPoint: { lat: 52.67, lng: -0.72 },
  /** inside no neighbourhood */
  outside: { lat: 51.5, lng: -0.1 },
} as const

export async function seedApiFixture(db: Database, areas: AreasService): Promise<void> {
  const area = (id: string, kind: string, parent: string | null, path: string, name: string, extra: Record<string, unknown> = {}) =>
    db.query(
      `insert into areas (id, kind, parent_id, path, name, description, population, boundary, centre_lat, centre_lng)
       values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10)`,
      [id, kind, parent, path, name, extra.description ?? null, extra.population ?? null, extra.boundary ? JSON.stringify(extra.boundary) : null, extra.lat ?? null, extra.lng ?? null],
    )
  await area('leicestershire', 'force', null, '/leicestershire/', 'Leicestershire Police', {
    description: 'Leicestershire Police serves Leicester, Leicestershire & Rutland.',
  })
  await area('leicester-city', 'district', 'leicestershire', '/leicestershire/leicester-city/', 'Leicester City')
  await area('NC04', 'neighbourhood', 'leicester-city', '/leicestershire/leicester-city/NC04/', 'City Centre', {
    description: 'The city centre, including the Cultural Quarter.\n\nBusy at night & at weekends.',
    population: 7985,
    boundary: square(52.6389, -1.13619, 0.01),
    lat: 52.6389,
    lng: -1.13619,
  })
  await area('NC05', 'neighbourhood', 'leicester-city', '/leicestershire/leicester-city/NC05/', 'Castle')
  await area('rutland', 'force', null, '/rutland/', 'Rutland Constabulary')
  await area('R01', 'neighbourhood', 'rutland', '/rutland/R01/', 'Oakham', { boundary: square(52.67, -0.72, 0.02), lat: 52.67, lng: -0.72, population: 1200 })

  const profile = (areaId: string, p: { welcome?: string; contact?: Record<string, string>; links?: unknown[] }) =>
    db.query(`insert into nbh_profiles (area_id, welcome_message, contact_details, links) values ($1, $2, $3::jsonb, $4::jsonb)`, [
      areaId,
      p.welcome ?? null,
      JSON.stringify(p.contact ?? {}),
      JSON.stringify(p.links ?? []),
    ])
  await profile('leicestershire', {
    contact: { web: 'https://www.leics.police.uk', telephone: '101', email: '' },
    links: [
      { url: 'https://www.facebook.com/leicspolice', title: 'facebook' },
      { url: 'https://www.leics.police.uk/feeds/news', title: 'News feed', description: 'Latest news' },
    ],
  })
  await profile('NC04', {
    welcome: 'Welcome to the City Centre team.\nWe are here to help.',
    contact: {
      email: 'centralleicester.npa@leicestershire.pnn.police.uk',
      telephone: '101',
      twitter: 'http://www.twitter.com/leicesterpolice',
      facebook: '  ',
    },
    links: [{ url: 'http://www.leicester.gov.uk/', title: 'Leicester City Council', description: null }],
  })

  const station = (areaId: string, name: string, type: string, lat: number, lng: number, postcode: string | null, description: string | null = null) =>
    db.query(`insert into nbh_locations (area_id, name, type, address, postcode, lat, lng, description) values ($1, $2, $3, $4, $5, $6, $7, $8)`, [
      areaId,
      name,
      type,
      `${name}, Leicester`,
      postcode,
      lat,
      lng,
      description,
    ])
  await station('leicester-city', 'Mansfield House', 'station', 52.6405, -1.13, 'LE1 3GG', 'Open every day.')
  await station('NC04', 'Town Hall Square desk', 'front_counter', 52.6345, -1.1335, 'LE1 9BG')
  await station('leicestershire', 'Euston Street', 'station', 52.625, -1.145, 'LE2 7BX')
  await station('leicestershire', 'Loughborough', 'station', 52.77, -1.2, 'LE11 1AF')
  await station('rutland', 'Oakham Police Station', 'station', 52.6389, -1.1362, 'LE15 6AA')

  const member = (areaId: string, name: string, rank: string, sort: number, extra: { bio?: string; email?: string; telephone?: string; named?: boolean } = {}) =>
    db.query(
      `insert into nbh_team_members (area_id, name, rank, bio, email, telephone, is_named_contact, sort_order) values ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [areaId, name, rank, extra.bio ?? null, extra.email ?? null, extra.telephone ?? null, extra.named ?? false, sort],
    )
  await member('NC04', 'Jane Smith', 'Police Constable', 2, { bio: 'Jane is <b>bold</b> & brave.', email: 'jane.smith@leicestershire.pnn.police.uk' })
  await member('NC04', 'Sam Patel', 'Sergeant', 1, { telephone: '101' })
  await member('NC04', 'Kim Lee', 'Police Community Support Officer', 3, { named: true, email: 'kim.lee@leicestershire.pnn.police.uk', telephone: '07700 900123' })
  await member('leicestershire', 'Rob Nixon', 'Chief Constable', 0, { bio: 'Chief Constable since 2024.' })

  const event = (e: { type: string; title: string; starts: Date; ends: Date; address?: string | null; url?: string; platform?: string; description?: string; cancelled?: boolean; area?: string }) =>
    db.query(
      `insert into nbh_events (area_id, type, title, description, address, online_url, online_platform, starts_at, ends_at, cancelled_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [e.area ?? 'NC04', e.type, e.title, e.description ?? null, e.address ?? null, e.url ?? null, e.platform ?? null, e.starts, e.ends, e.cancelled ? new Date() : null],
    )
  const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000)
  await event({
    type: 'pact',
    title: 'City Centre PACT meeting',
    description: 'Tell us what matters.',
    address: 'Town Hall, Town Hall Square, Leicester',
    starts: new Date('2099-07-01T18:00:00Z'),
    ends: new Date('2099-07-01T19:30:00Z'),
  })
  await event({
    type: 'online_meeting',
    title: 'Online neighbourhood panel',
    url: 'https://teams.example/join/abc',
    platform: 'Microsoft Teams',
    starts: new Date('2099-01-15T19:00:00Z'),
    ends: new Date('2099-01-15T20:00:00Z'),
  })
  await event({ type: 'surgery', title: 'Cancelled surgery', address: 'Library', starts: new Date('2099-02-01T10:00:00Z'), ends: new Date('2099-02-01T11:00:00Z'), cancelled: true })
  await event({ type: 'street_briefing', title: 'Recent street briefing', address: 'Clock Tower', starts: daysAgo(10), ends: new Date(daysAgo(10).getTime() + 3_600_000) })
  await event({ type: 'open_day', title: 'Old open day', address: 'Mansfield House', starts: daysAgo(60), ends: new Date(daysAgo(60).getTime() + 3_600_000) })
  await event({ type: 'surgery', title: 'Castle surgery', address: 'Castle Gardens', starts: new Date('2099-03-01T10:00:00Z'), ends: new Date('2099-03-01T11:00:00Z'), area: 'NC05' })

  const priority = async (issue: string, date: string, status: string, updates: [string, string][] = []) => {
    const [p] = await db.query<{ id: string }>(`insert into nbh_priorities (area_id, issue, issue_date, status) values ('NC04', $1, $2, $3) returning id`, [issue, date, status])
    for (const [action, on] of updates)
      await db.query(`insert into nbh_priority_updates (priority_id, action, action_date, status) values ($1, $2, $3, $4)`, [p!.id, action, on, status])
  }
  await priority('Anti-social behaviour in Victoria Park', '2026-01-10', 'in_progress', [
    ['Patrols increased in the evenings', '2026-02-01'],
    ['Dispersal order granted', '2026-03-05'],
  ])
  await priority('Speeding on London Road', '2026-02-20', 'open')
  await priority('Cycle theft at the railway station', '2025-06-01', 'resolved', [['Secure racks fitted & marking events held', '2025-09-12']])

  await areas.rebuildIndex()
  contentChanged()
}
