import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { notFound } from '../../../../../platform/errors.ts'
import type { MultiPolygon } from '../../../../../platform/geo/types.ts'
import type { AreaRow, NeighbourhoodRow, PlaceRow } from '../../../../areas/service.ts'
import { directionsLinks, photoVersion, type Station, type TeamMember } from '../../../team.service.ts'
import { STATUS_NAMES } from '../../../priorities.service.ts'
import type { ContactDetails } from '../../../schema.ts'
import { areaKm2, renderBoundarySvg, sharesBoundary, type MapLayer } from './map.ts'

const VIEW = 'modules/neighbourhoods/web/public/neighbourhood/view.njk'

/** How many stations and events the page shows. */
export const PAGE_STATIONS = 3
export const PAGE_EVENTS = 5

/** The boundary map and what is said about it: the same until the areas change. */
interface MapParts {
  map: string
  mapDescription: string
  bordering: { id: string; name: string }[]
  places: PlaceRow[]
}

/** Map parts are kept this long at most, so another process's boundary import shows up. */
const MAP_TTL_MS = 10 * 60 * 1000
const MAP_MEMO_MAX = 2000

type PageRequest = FastifyRequest<{ Params: { id: string } }>

/**
 * A neighbourhood's public page: the team (the named contact first-marked), how to contact
 * them and how they engage, current priorities, upcoming events, the boundary map with its
 * written alternative, and the nearest stations with opening hours and directions. It is the
 * same for every visitor (no form, nothing personal), so the page cache may serve it.
 *
 * The map, its description and the bordering neighbourhoods need every sibling's boundary:
 * they are worked out once per area version and kept in memory, so a page view costs only
 * a handful of small indexed queries, run side by side.
 */
export function neighbourhoodPageController({ services }: RouteOptions) {
  const memo = new Map<string, { key: string; at: number; value: MapParts }>()

  async function mapParts(area: NeighbourhoodRow): Promise<MapParts> {
    const stats = services.areas.indexStats()
    const key = `${new Date(area.updatedAt).getTime()}|${stats.neighbourhoods}|${stats.vertices}`
    const hit = memo.get(area.id)
    if (hit && hit.key === key && Date.now() - hit.at < MAP_TTL_MS) return hit.value
    const value = await buildMapParts(area)
    if (memo.size >= MAP_MEMO_MAX) memo.clear()
    memo.set(area.id, { key, at: Date.now(), value })
    return value
  }

  async function buildMapParts(area: NeighbourhoodRow): Promise<MapParts> {
    const [boundary, siblings, places] = await Promise.all([
      services.areas.getBoundary(area.id),
      services.areas.children(area.districtId),
      services.areas.placesIn(area.id),
    ])
    if (!boundary) return { map: '', mapDescription: '', bordering: [], places }
    const others = siblings.filter(s => s.id !== area.id && s.hasBoundary)
    const shapes = (await Promise.all(others.map(async s => ({ area: s, geometry: await services.areas.getBoundary(s.id) })))).filter(
      (s): s is { area: AreaRow; geometry: MultiPolygon } => Boolean(s.geometry),
    )
    const bordering = shapes.filter(s => sharesBoundary(boundary, s.geometry)).map(s => ({ id: s.area.id, name: s.area.name }))
    const km2 = areaKm2(boundary)
    const mapDescription =
      `${area.name} covers about ${km2 < 10 ? km2.toFixed(1) : Math.round(km2)} square kilometres in the ${area.districtName} district` +
      (places.length ? `, including ${joinNames(places.map(p => p.name))}` : '') +
      '.' +
      (bordering.length ? ` It borders ${joinNames(bordering.map(b => b.name))}.` : '')
    const layers: MapLayer[] = [...shapes.map(s => ({ geometry: s.geometry, role: 'context' as const })), { geometry: boundary, role: 'area' }]
    const map = renderBoundarySvg(layers, `Map of the ${area.name} neighbourhood boundary`, mapDescription)
    return { map, mapDescription, bordering, places }
  }

  async function neighbourhood(id: string): Promise<NeighbourhoodRow> {
    const area = await services.areas.getNeighbourhood(id)
    if (!area) throw notFound('Neighbourhood')
    return area
  }

  return {
    show: async (req: PageRequest, reply: FastifyReply) => {
      const area = await neighbourhood(req.params.id)
      const nbh = services.neighbourhoods
      const [parts, profile, members, priorities, pastCount, stations, events] = await Promise.all([
        mapParts(area),
        nbh.team.getProfile(area.id),
        nbh.team.listMembers(area.id),
        nbh.priorities.current(area.id),
        nbh.priorities.pastCount(area.id),
        nbh.team.nearest(area.id, PAGE_STATIONS),
        nbh.events.upcoming(area.id, PAGE_EVENTS),
      ])
      const namedContact = members.find(m => m.isNamedContact) ?? null
      return reply.page(VIEW, {
        title: `${area.name} neighbourhood`,
        area,
        district: { id: area.districtId, name: area.districtName },
        ...parts,
        welcome: paragraphs(profile?.welcomeMessage),
        engagement: paragraphs(profile?.engagement),
        contact: contactRows(profile?.contactDetails ?? {}),
        links: (profile?.links ?? []).filter(l => isWebLink(l.url)),
        members: members.map(memberView(area.id)),
        namedContact,
        priorities,
        pastCount,
        statusNames: STATUS_NAMES,
        stations: stations.map(stationView),
        events,
      })
    },

    /** All of a neighbourhood's priorities: current, then past, each with every action update. */
    priorities: async (req: PageRequest, reply: FastifyReply) => {
      const area = await neighbourhood(req.params.id)
      const { current, past } = await services.neighbourhoods.priorities.listForArea(area.id, { withUpdates: true })
      return reply.page('modules/neighbourhoods/web/public/priorities/view.njk', {
        title: `Priorities in ${area.name}`,
        area,
        current,
        past,
        statusNames: STATUS_NAMES,
      })
    },

    /**
     * A team member's photo, with the type its bytes were checked to be. The page links it with
     * `?v=<version>`, so that address can be cached for a day; any other is revalidated (ETag).
     */
    photo: async (req: FastifyRequest<{ Params: { id: string; memberId: string }; Querystring: { v?: string } }>, reply: FastifyReply) => {
      const photo = await services.neighbourhoods.team.getPhoto(req.params.id, req.params.memberId)
      if (!photo) throw notFound('Photo')
      const etag = `"${req.params.memberId}-${photo.version}"`
      reply
        .header('etag', etag)
        .header('cache-control', req.query.v === photo.version ? 'public, max-age=86400' : 'public, max-age=0, must-revalidate')
        .header('x-content-type-options', 'nosniff')
      const match = req.headers['if-none-match']
      if (match && match.split(',').some(t => t.trim().replace(/^W\//, '') === etag)) return reply.code(304).send()
      return reply.type(photo.type).send(photo.bytes)
    },
  }
}

const memberView = (areaId: string) => (m: TeamMember) => ({
  ...m,
  photoUrl: m.hasPhoto
    ? `/neighbourhoods/${encodeURIComponent(areaId)}/team/${m.id}/photo?v=${photoVersion(m.updatedAt)}`
    : null,
  bioParagraphs: paragraphs(m.bio),
})

const stationView = (s: Station) => ({
  ...s,
  typeName: s.type === 'front_counter' ? 'Front counter' : s.type === 'station' ? 'Police station' : 'Police office',
  miles: s.distanceKm == null ? null : Math.round(s.distanceKm * 0.621371 * 10) / 10,
  directions: directionsLinks(s),
  descriptionParagraphs: paragraphs(s.description),
})

/** Plain text into paragraphs at blank lines. */
export function paragraphs(text: string | null | undefined): string[] {
  return (text ?? '')
    .split(/\r?\n\s*\r?\n/)
    .map(p => p.trim())
    .filter(Boolean)
}

const isWebLink = (url: string | undefined) => typeof url === 'string' && /^https?:\/\/[^\s]+$/i.test(url)

const SOCIAL: { key: 'twitter' | 'facebook' | 'instagram' | 'youtube' | 'web'; label: string }[] = [
  { key: 'web', label: 'Website' },
  { key: 'facebook', label: 'Facebook' },
  { key: 'twitter', label: 'X (Twitter)' },
  { key: 'instagram', label: 'Instagram' },
  { key: 'youtube', label: 'YouTube' },
]

/** The profile's contact details as summary-list rows: email and phones as links, social accounts as links. */
function contactRows(c: ContactDetails): { key: string; text?: string; href?: string }[] {
  const rows: { key: string; text?: string; href?: string }[] = []
  if (c.email) rows.push({ key: 'Email', text: c.email, href: `mailto:${c.email}` })
  if (c.telephone) rows.push({ key: 'Telephone', text: c.telephone, href: `tel:${c.telephone.replace(/[^\d+]/g, '')}` })
  if (c.mobile) rows.push({ key: 'Mobile', text: c.mobile, href: `tel:${c.mobile.replace(/[^\d+]/g, '')}` })
  if (c.address) rows.push({ key: 'Address', text: c.address })
  for (const s of SOCIAL) {
    const v = c[s.key]
    if (v && isWebLink(v)) rows.push({ key: s.label, text: v.replace(/^https?:\/\/(www\.)?/i, '').replace(/\/$/, ''), href: v })
  }
  return rows
}

function joinNames(names: string[]): string {
  if (names.length <= 1) return names.join('')
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`
}
