import type { NeighbourhoodsDeps } from './deps.ts'
import type { ContactDetails, EventType, LocationType, ProfileLink } from './schema.ts'

/*
 * The open data API's reads, in data.police.uk's shapes (see docs/api.md and
 * ../shared/reference/police-uk-api.md): the same field names (hyphenated `issue-date` and
 * `action-date`), coordinates and population as strings, dates as `YYYY-MM-DDTHH:MM:SS`
 * in UK local time. Read-only SQL straight on the tables; every method answers null for an
 * unknown force or neighbourhood so the route can say 404.
 */

// --- response shapes ---------------------------------------------------------------------------

export interface PoliceForceRef {
  id: string
  name: string
}

export interface PoliceEngagementMethod {
  url: string
  /** data.police.uk also sends it: "facebook", "twitter", … or "website" (from the URL) */
  type: string
  title: string
  description: string | null
}

export interface PoliceForce {
  id: string
  name: string
  description: string | null
  url: string | null
  telephone: string | null
  engagement_methods: PoliceEngagementMethod[]
}

export type PoliceContactDetails = Partial<Record<keyof ContactDetails, string>>

export interface PoliceLatLng {
  latitude: string
  longitude: string
}

export interface PoliceLink {
  url: string
  title: string
  description: string | null
}

export interface PoliceLocation {
  name: string
  type: string
  address: string
  postcode: string | null
  latitude: string
  longitude: string
  description: string | null
}

export interface PoliceNeighbourhood {
  id: string
  name: string
  description: string | null
  url_force: string
  population: string
  welcome_message: string | null
  contact_details: PoliceContactDetails
  links: PoliceLink[]
  centre: { latitude: string | null; longitude: string | null }
  locations: PoliceLocation[]
}

export interface PolicePerson {
  name: string
  rank: string
  bio: string | null
  contact_details: PoliceContactDetails
}

export interface PoliceEvent {
  title: string
  description: string | null
  address: string | null
  type: string
  start_date: string
  end_date: string
  contact_details: PoliceContactDetails
}

export interface PolicePriority {
  issue: string
  'issue-date': string
  action: string | null
  'action-date': string | null
}

export interface PoliceLocateResult {
  force: string
  neighbourhood: string
}

// --- value formats -------------------------------------------------------------------------------

/**
 * Beacon's event types as data.police.uk's single free-text `type`. Meetings of every kind
 * (PACT, panels, online meetings) are "meeting", as data.police.uk's own examples are.
 */
export const EVENT_TYPE_NAMES: Record<EventType, string> = {
  pact: 'meeting',
  panel: 'meeting',
  online_meeting: 'meeting',
  surgery: 'surgery',
  street_briefing: 'street briefing',
  open_day: 'open day',
  other: 'other',
}

/** Station kinds: "station" as on data.police.uk; the others keep Beacon's name. */
export const LOCATION_TYPE_NAMES: Record<LocationType, string> = {
  station: 'station',
  front_counter: 'front counter',
  other: 'other',
}

/** How many of the force's stations and front counters a neighbourhood lists, nearest first. */
export const NEAREST_LOCATIONS = 3
/** Events are listed from this many days back (recent meetings), then everything upcoming. */
export const EVENTS_RECENT_DAYS = 30
export const EVENTS_LIMIT = 100

/** A coordinate as data.police.uk writes it: a decimal string, at most 7 places, never exponent notation. */
export function coordinate(n: number): string {
  const s = n.toFixed(7).replace(/\.?0+$/, '')
  return s === '-0' ? '0' : s
}

const londonParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
})

/** An instant as data.police.uk's `2016-09-17T12:00:00`: UK local time, no zone (as police.uk shows it). */
export function policeDateTime(at: Date): string {
  const p = Object.fromEntries(londonParts.formatToParts(at).map(x => [x.type, x.value]))
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`
}

/** A calendar date (YYYY-MM-DD) as data.police.uk's `2016-09-17T00:00:00`. */
export const policeDate = (isoDate: string): string => `${isoDate.slice(0, 10)}T00:00:00`

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/**
 * data.police.uk's `description`, `bio`, `issue` and `action` are HTML (`<p>…</p>`), and
 * clients render them as such. Beacon keeps plain text, so it is escaped and each paragraph
 * (separated by a blank line) wrapped in <p>, single line breaks as <br>: safe to render, and
 * what a client expects to strip or show.
 */
export function htmlParagraphs(text: string | null | undefined): string | null {
  const trimmed = text?.replace(/\r\n?/g, '\n').trim()
  if (!trimmed) return null
  return trimmed
    .split(/\n\s*\n/)
    .map(p => `<p>${escapeHtml(p.trim()).replace(/\n/g, '<br>')}</p>`)
    .join('')
}

const CONTACT_KEYS: readonly (keyof ContactDetails)[] = ['email', 'telephone', 'mobile', 'twitter', 'facebook', 'instagram', 'youtube', 'web', 'address']

/** Only the keys that have a value, as data.police.uk leaves the others out. */
export function contactDetails(stored: unknown, only: readonly (keyof ContactDetails)[] = CONTACT_KEYS): PoliceContactDetails {
  const source = (typeof stored === 'string' ? JSON.parse(stored) : (stored ?? {})) as Record<string, unknown>
  const out: PoliceContactDetails = {}
  for (const key of only) {
    const v = source[key]
    if (typeof v === 'string' && v.trim()) out[key] = v.trim()
  }
  return out
}

const jsonArray = <T,>(v: unknown): T[] => {
  const parsed = typeof v === 'string' ? (JSON.parse(v) as unknown) : v
  return Array.isArray(parsed) ? (parsed as T[]) : []
}

const ENGAGEMENT_TYPES: [RegExp, string][] = [
  [/(^|\.)facebook\.com$/, 'facebook'],
  [/(^|\.)(twitter|x)\.com$/, 'twitter'],
  [/(^|\.)instagram\.com$/, 'instagram'],
  [/(^|\.)(youtube\.com|youtu\.be)$/, 'youtube'],
  [/(^|\.)nextdoor\.(com|co\.uk)$/, 'nextdoor'],
  [/(^|\.)flickr\.com$/, 'flickr'],
]

/** data.police.uk's engagement method `type`, from where the link goes. */
export function engagementType(url: string): string {
  if (/^mailto:/i.test(url)) return 'email'
  if (/^tel:/i.test(url)) return 'telephone'
  let host = ''
  try {
    host = new URL(url).hostname.toLowerCase()
  } catch {
    return 'website'
  }
  if (/(rss|feed)/i.test(url)) return 'rss'
  return ENGAGEMENT_TYPES.find(([re]) => re.test(host))?.[1] ?? 'website'
}

/** Metres between two points, near enough for "nearest station" (equirectangular). */
function distance(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = Math.PI / 180
  const x = (b.lng - a.lng) * rad * Math.cos(((a.lat + b.lat) / 2) * rad)
  const y = (b.lat - a.lat) * rad
  return Math.sqrt(x * x + y * y) * 6_371_000
}

// --- the service -------------------------------------------------------------------------------

interface AreaRef {
  id: string
  name: string
  path: string
  description: string | null
  population: number | null
  centreLat: number | null
  centreLng: number | null
}

type Geometry = { type: 'MultiPolygon'; coordinates: [number, number][][][] } | { type: 'Polygon'; coordinates: [number, number][][] }

/** How long the force list used by locate-neighbourhood is kept (it changes with imports only). */
const FORCES_MEMO_MS = 30_000

export function createApiService(deps: NeighbourhoodsDeps) {
  const { db, config } = deps
  const now = deps.now ?? (() => new Date())

  const findForce = async (forceId: string): Promise<AreaRef | null> =>
    (
      await db.query<AreaRef>(
        `select id, name, path, description, population, centre_lat as "centreLat", centre_lng as "centreLng"
           from areas where id = $1 and kind = 'force'`,
        [forceId],
      )
    )[0] ?? null

  /** The neighbourhood, only if it lies within that force (its path starts with the force's). */
  const findNeighbourhood = async (forceId: string, id: string): Promise<(AreaRef & { forcePath: string }) | null> =>
    (
      await db.query<AreaRef & { forcePath: string }>(
        `select n.id, n.name, n.path, n.description, n.population, n.centre_lat as "centreLat", n.centre_lng as "centreLng",
                f.path as "forcePath"
           from areas n join areas f on f.id = $1 and f.kind = 'force'
          where n.id = $2 and n.kind = 'neighbourhood' and left(n.path, length(f.path)) = f.path`,
        [forceId, id],
      )
    )[0] ?? null

  const profileOf = async (areaId: string) =>
    (
      await db.query<{ welcomeMessage: string | null; contactDetails: unknown; links: unknown }>(
        `select welcome_message as "welcomeMessage", contact_details as "contactDetails", links from nbh_profiles where area_id = $1`,
        [areaId],
      )
    )[0] ?? null

  const peopleOf = async (areaId: string): Promise<PolicePerson[]> => {
    const rows = await db.query<{ name: string; rank: string; bio: string | null; email: string | null; telephone: string | null }>(
      `select name, rank, bio, email, telephone from nbh_team_members
        where area_id = $1 order by is_named_contact desc, sort_order, name, id`,
      [areaId],
    )
    return rows.map(r => ({
      name: r.name,
      rank: r.rank,
      bio: htmlParagraphs(r.bio),
      contact_details: contactDetails({ email: r.email, telephone: r.telephone }),
    }))
  }

  let forcesMemo: { at: number; rows: { id: string; path: string }[] } | null = null
  const forcePaths = async () => {
    const t = now().getTime()
    if (!forcesMemo || t - forcesMemo.at > FORCES_MEMO_MS || t < forcesMemo.at)
      forcesMemo = { at: t, rows: await db.query<{ id: string; path: string }>(`select id, path from areas where kind = 'force'`) }
    return forcesMemo.rows
  }

  return {
    /** `GET /forces`: every force, by name. */
    forces: (): Promise<PoliceForceRef[]> => db.query<PoliceForceRef>(`select id, name from areas where kind = 'force' order by name, id`),

    /** `GET /forces/{force}`: url and telephone from the force's profile contact details, engagement methods from its links. */
    async force(forceId: string): Promise<PoliceForce | null> {
      const force = await findForce(forceId)
      if (!force) return null
      const profile = await profileOf(force.id)
      const contact = contactDetails(profile?.contactDetails)
      return {
        id: force.id,
        name: force.name,
        description: htmlParagraphs(force.description),
        url: contact.web ?? null,
        telephone: contact.telephone ?? null,
        engagement_methods: jsonArray<ProfileLink>(profile?.links).map(l => ({
          url: l.url,
          type: engagementType(l.url),
          title: l.title,
          description: l.description?.trim() ? l.description : null,
        })),
      }
    },

    /** `GET /forces/{force}/people`: the force-level team (chief officers), as data.police.uk's senior officers. */
    async forcePeople(forceId: string): Promise<PolicePerson[] | null> {
      const force = await findForce(forceId)
      return force ? peopleOf(force.id) : null
    },

    /** `GET /{force}/neighbourhoods`: the force's neighbourhoods, by name. */
    async neighbourhoods(forceId: string): Promise<PoliceForceRef[] | null> {
      const force = await findForce(forceId)
      if (!force) return null
      return db.query<PoliceForceRef>(
        `select id, name from areas where kind = 'neighbourhood' and left(path, length($1)) = $1 order by name, id`,
        [force.path],
      )
    },

    /** `GET /{force}/{id}`. */
    async neighbourhood(forceId: string, id: string): Promise<PoliceNeighbourhood | null> {
      const area = await findNeighbourhood(forceId, id)
      if (!area) return null
      const [profile, stations] = await Promise.all([
        profileOf(area.id),
        db.query<{ name: string; type: LocationType; address: string; postcode: string | null; lat: number; lng: number; description: string | null }>(
          `select l.name, l.type, l.address, l.postcode, l.lat, l.lng, l.description
             from nbh_locations l join areas a on a.id = l.area_id
            where left(a.path, length($1)) = $1
            order by l.name, l.id`,
          [area.forcePath],
        ),
      ])
      const centre = area.centreLat != null && area.centreLng != null ? { lat: area.centreLat, lng: area.centreLng } : null
      const nearest = centre
        ? stations.map(s => ({ s, d: distance(centre, s) })).sort((a, b) => a.d - b.d).map(x => x.s)
        : stations
      return {
        id: area.id,
        name: area.name,
        description: htmlParagraphs(area.description),
        url_force: `${config.baseUrl}/neighbourhoods/${encodeURIComponent(area.id)}`,
        // data.police.uk sends "0" when it does not know.
        population: String(area.population ?? 0),
        welcome_message: htmlParagraphs(profile?.welcomeMessage),
        contact_details: contactDetails(profile?.contactDetails),
        links: jsonArray<ProfileLink>(profile?.links).map(l => ({
          url: l.url,
          title: l.title,
          description: l.description?.trim() ? l.description : null,
        })),
        centre: { latitude: centre ? coordinate(centre.lat) : null, longitude: centre ? coordinate(centre.lng) : null },
        locations: nearest.slice(0, NEAREST_LOCATIONS).map(s => ({
          name: s.name,
          type: LOCATION_TYPE_NAMES[s.type] ?? s.type,
          address: s.address,
          postcode: s.postcode,
          latitude: coordinate(s.lat),
          longitude: coordinate(s.lng),
          description: htmlParagraphs(s.description),
        })),
      }
    },

    /**
     * `GET /{force}/{id}/boundary`: the outer ring of each part of the boundary, one after
     * another (data.police.uk's format has no room for holes or separate parts).
     */
    async boundary(forceId: string, id: string): Promise<PoliceLatLng[] | null> {
      const area = await findNeighbourhood(forceId, id)
      if (!area) return null
      const [row] = await db.query<{ boundary: Geometry | string | null }>(`select boundary from areas where id = $1`, [area.id])
      const raw = row?.boundary
      const geometry = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Geometry | null
      if (!geometry) return []
      const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates
      return polygons.flatMap(rings => (rings[0] ?? []).map(([lng, lat]) => ({ latitude: coordinate(lat), longitude: coordinate(lng) })))
    },

    /** `GET /{force}/{id}/people`: the team, the named contact first, then in the team's own order. */
    async people(forceId: string, id: string): Promise<PolicePerson[] | null> {
      const area = await findNeighbourhood(forceId, id)
      return area ? peopleOf(area.id) : null
    },

    /**
     * `GET /{force}/{id}/events`: events that ended in the last EVENTS_RECENT_DAYS days and
     * everything after, by start; cancelled events are left out. `contact_details` are the
     * team's email and telephone; an online-only event's `address` says "Online" and its platform.
     */
    async events(forceId: string, id: string): Promise<PoliceEvent[] | null> {
      const area = await findNeighbourhood(forceId, id)
      if (!area) return null
      const since = new Date(now().getTime() - EVENTS_RECENT_DAYS * 86_400_000)
      const [profile, rows] = await Promise.all([
        profileOf(area.id),
        db.query<{
          type: EventType
          title: string
          description: string | null
          address: string | null
          onlineUrl: string | null
          onlinePlatform: string | null
          startsAt: Date | string
          endsAt: Date | string
        }>(
          `select type, title, description, address, online_url as "onlineUrl", online_platform as "onlinePlatform",
                  starts_at as "startsAt", ends_at as "endsAt"
             from nbh_events
            where area_id = $1 and cancelled_at is null and ends_at >= $2
            order by starts_at, id
            limit ${EVENTS_LIMIT}`,
          [area.id, since],
        ),
      ])
      const contact = contactDetails(profile?.contactDetails, ['email', 'telephone'])
      return rows.map(e => ({
        title: e.title,
        description: htmlParagraphs(e.description),
        address: e.address?.trim() ? e.address : e.onlineUrl ? (e.onlinePlatform ? `Online (${e.onlinePlatform})` : 'Online') : null,
        type: EVENT_TYPE_NAMES[e.type] ?? 'other',
        start_date: policeDateTime(new Date(e.startsAt)),
        end_date: policeDateTime(new Date(e.endsAt)),
        contact_details: contact,
      }))
    },

    /**
     * `GET /{force}/{id}/priorities`: current priorities (open, in progress) then resolved ones,
     * newest first; `action` is the latest action update, null (with its date) when there is none.
     */
    async priorities(forceId: string, id: string): Promise<PolicePriority[] | null> {
      const area = await findNeighbourhood(forceId, id)
      if (!area) return null
      const rows = await db.query<{ issue: string; issueDate: string; action: string | null; actionDate: string | null }>(
        `select p.issue, to_char(p.issue_date, 'YYYY-MM-DD') as "issueDate",
                u.action, to_char(u.action_date, 'YYYY-MM-DD') as "actionDate"
           from nbh_priorities p
           left join lateral (
             select action, action_date from nbh_priority_updates
              where priority_id = p.id order by action_date desc, created_at desc, id desc limit 1
           ) u on true
          where p.area_id = $1
          order by (p.status = 'resolved'), p.issue_date desc, p.created_at desc, p.id`,
        [area.id],
      )
      return rows.map(r => ({
        issue: htmlParagraphs(r.issue) ?? '',
        'issue-date': policeDate(r.issueDate),
        action: htmlParagraphs(r.action),
        'action-date': r.action && r.actionDate ? policeDate(r.actionDate) : null,
      }))
    },

    /**
     * `GET /locate-neighbourhood?q=lat,lng`: from the areas module's in-memory index, the force
     * from the neighbourhood's path. No query unless the force list has to be refreshed.
     */
    async locate(lat: number, lng: number): Promise<PoliceLocateResult | null> {
      const ref = deps.areas.locate(lat, lng)
      if (!ref) return null
      let force = (await forcePaths()).find(f => ref.path.startsWith(f.path))
      // A force added since the list was read: read it again (at most once a second).
      if (!force && forcesMemo && now().getTime() - forcesMemo.at > 1000) {
        forcesMemo = null
        force = (await forcePaths()).find(f => ref.path.startsWith(f.path))
      }
      return force ? { force: force.id, neighbourhood: ref.id } : null
    },
  }
}

export type ApiService = ReturnType<typeof createApiService>
