import type { NeighbourhoodsDeps } from './deps.ts'
import type { Database } from '../../platform/db/client.ts'
import type { AuditActor } from '../../platform/audit/service.ts'
import { AppError } from '../../platform/errors.ts'
import type { ContactDetails, LocationType, OpeningHours, ProfileLink } from './schema.ts'
import { reviewDueCutoff } from './priorities.service.ts'

/** A neighbourhood's (or any area's) public profile. */
export interface Profile {
  areaId: string
  welcomeMessage: string | null
  engagement: string | null
  contactDetails: ContactDetails
  links: ProfileLink[]
  updatedAt: Date | null
}

export interface ProfileInput {
  welcomeMessage: string | null
  engagement: string | null
  contactDetails: ContactDetails
  links: ProfileLink[]
}

/** A team member without the photo bytes (ask `getPhoto` for those). */
export interface TeamMember {
  id: string
  areaId: string
  name: string
  rank: string
  role: string | null
  bio: string | null
  email: string | null
  telephone: string | null
  isNamedContact: boolean
  sortOrder: number
  hasPhoto: boolean
  photoAlt: string | null
  updatedAt: Date
}

export interface TeamMemberInput {
  name: string
  rank: string
  role: string | null
  bio: string | null
  email: string | null
  telephone: string | null
  isNamedContact: boolean
  sortOrder: number
}

/** An uploaded photo, checked by `checkPhoto` before it is stored. */
export interface PhotoUpload {
  bytes: Buffer
  alt: string
}

export interface StoredPhoto {
  bytes: Buffer
  type: PhotoType
  /** changes whenever the member (and so possibly the photo) changes: the ETag's basis */
  version: string
}

/** A police station or front counter; `distanceKm` is set by `nearest`. */
export interface Station {
  id: string
  areaId: string
  areaName?: string
  name: string
  type: LocationType
  address: string
  postcode: string | null
  lat: number
  lng: number
  openingHours: OpeningHours[]
  description: string | null
  updatedAt: Date
  distanceKm?: number | null
}

export interface StationInput {
  areaId: string
  name: string
  type: LocationType
  address: string
  postcode: string | null
  lat: number
  lng: number
  openingHours: OpeningHours[]
  description: string | null
}

/** One neighbourhood in a staff member's list, with simple health figures. */
export interface NeighbourhoodHealth {
  id: string
  name: string
  districtName: string
  hasNamedContact: boolean
  teamSize: number
  openPriorities: number
  reviewDue: number
}

export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const
export type PhotoType = (typeof PHOTO_TYPES)[number]

/** Largest photo accepted: a head-and-shoulders picture never needs more. */
export const MAX_PHOTO_BYTES = 2 * 1024 * 1024

export const PHOTO_MESSAGES = {
  tooLarge: 'The photo must be smaller than 2 MB',
  wrongType: 'The photo must be a JPEG, PNG or WebP image',
  empty: 'The selected photo is empty',
  noAlt: 'Describe the photo for people who cannot see it',
} as const

/**
 * What the file really is, from its first bytes (its name and the browser's content type are
 * only claims): JPEG starts FF D8 FF, PNG with its 8-byte signature, WebP is a RIFF container
 * with "WEBP" at byte 8. Anything else is null.
 */
export function sniffImageType(bytes: Uint8Array): PhotoType | null {
  const b = (i: number) => bytes[i]
  if (bytes.length >= 3 && b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff) return 'image/jpeg'
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
  if (bytes.length >= 8 && png.every((v, i) => b(i) === v)) return 'image/png'
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to))
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp'
  return null
}

/** Checks an upload; throws INVALID/TOO_LARGE with a `photo` field error a person can act on. */
export function checkPhoto(bytes: Uint8Array, opts: { truncated?: boolean } = {}): PhotoType {
  if (opts.truncated || bytes.length > MAX_PHOTO_BYTES) throw new AppError('TOO_LARGE', PHOTO_MESSAGES.tooLarge, { photo: PHOTO_MESSAGES.tooLarge })
  if (bytes.length === 0) throw new AppError('INVALID', PHOTO_MESSAGES.empty, { photo: PHOTO_MESSAGES.empty })
  const type = sniffImageType(bytes)
  if (!type) throw new AppError('INVALID', PHOTO_MESSAGES.wrongType, { photo: PHOTO_MESSAGES.wrongType })
  return type
}

const MEMBER_COLUMNS = `m.id, m.area_id as "areaId", m.name, m.rank, m.role, m.bio, m.email, m.telephone,
  m.is_named_contact as "isNamedContact", m.sort_order as "sortOrder", m.photo is not null as "hasPhoto",
  m.photo_alt as "photoAlt", m.updated_at as "updatedAt"`

const STATION_COLUMNS = `l.id, l.area_id as "areaId", l.name, l.type, l.address, l.postcode, l.lat, l.lng,
  l.opening_hours as "openingHours", l.description, l.updated_at as "updatedAt"`

/** Great-circle distance in km from ($lat, $lng) params to a row's lat/lng columns (haversine). */
const distanceSql = (lat: string, lng: string, rowLat: string, rowLng: string) =>
  `(12742 * asin(least(1, sqrt(power(sin(radians(${rowLat} - ${lat}) / 2), 2)
     + cos(radians(${lat})) * cos(radians(${rowLat})) * power(sin(radians(${rowLng} - ${lng}) / 2), 2)))))`

/** SQL true when `a.path` is inside one of the paths in param `$n` (a text[]). */
export const withinPaths = (n: number, alias = 'a') =>
  `exists (select 1 from unnest($${n}::text[]) as g(path) where left(${alias}.path, length(g.path)) = g.path)`

const parseJson = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v)

/**
 * Two officers making different people the named contact at the same moment would both
 * unset the old one and both set theirs, and the second commit would hit the one-named-
 * contact index (a 500). A transaction lock per neighbourhood makes the second wait for the
 * first, then unset the first one's choice: the last to save wins, as people expect.
 */
async function lockNamedContact(q: Database['query'], areaId: string): Promise<void> {
  await q(`select pg_advisory_xact_lock(hashtext($1))`, [`nbh-named-contact:${areaId}`])
}

/**
 * Profiles, team members (with photos and the one named contact) and police stations.
 * Changes take the acting staff member and are audited here, so no caller can forget.
 */
export function createTeamService(deps: NeighbourhoodsDeps) {
  const { db, audit } = deps
  const now = () => deps.now?.() ?? new Date()

  const getMember = async (id: string): Promise<TeamMember | null> => {
    if (!isUuid(id)) return null
    return (await db.query<TeamMember>(`select ${MEMBER_COLUMNS} from nbh_team_members m where m.id = $1`, [id]))[0] ?? null
  }

  /** The member, if it belongs to the area; NOT_FOUND otherwise (an id from another area is never confirmed). */
  async function memberIn(areaId: string, id: string): Promise<TeamMember> {
    const member = await getMember(id)
    if (!member || member.areaId !== areaId) throw new AppError('NOT_FOUND', 'Team member not found')
    return member
  }

  const getStation = async (id: string): Promise<Station | null> => {
    if (!isUuid(id)) return null
    const [row] = await db.query<Station>(
      `select ${STATION_COLUMNS}, a.name as "areaName" from nbh_locations l left join areas a on a.id = l.area_id where l.id = $1`,
      [id],
    )
    return row ? { ...row, openingHours: parseJson(row.openingHours) } : null
  }

  return {
    // --- profiles --------------------------------------------------------------------------

    async getProfile(areaId: string): Promise<Profile | null> {
      const [row] = await db.query<Profile>(
        `select area_id as "areaId", welcome_message as "welcomeMessage", engagement, contact_details as "contactDetails",
                links, updated_at as "updatedAt"
           from nbh_profiles where area_id = $1`,
        [areaId],
      )
      return row ? { ...row, contactDetails: parseJson(row.contactDetails), links: parseJson(row.links) } : null
    },

    /** Creates or replaces an area's profile. */
    async saveProfile(actor: AuditActor, areaId: string, input: ProfileInput): Promise<void> {
      await db.query(
        `insert into nbh_profiles (area_id, welcome_message, engagement, contact_details, links, updated_by, updated_at)
         values ($1, $2, $3, $4::jsonb, $5::jsonb, $6, now())
         on conflict (area_id) do update set welcome_message = excluded.welcome_message, engagement = excluded.engagement,
           contact_details = excluded.contact_details, links = excluded.links, updated_by = excluded.updated_by, updated_at = now()`,
        [areaId, input.welcomeMessage, input.engagement, JSON.stringify(input.contactDetails), JSON.stringify(input.links), actor.userId],
      )
      await audit.record(actor, {
        action: 'update',
        entityType: 'nbh_profile',
        entityId: areaId,
        areaId,
        summary: 'Updated the neighbourhood profile',
        details: { ...input },
      })
    },

    // --- team members ----------------------------------------------------------------------

    /** An area's team in display order (sort order, then name). */
    listMembers: (areaId: string): Promise<TeamMember[]> =>
      db.query<TeamMember>(`select ${MEMBER_COLUMNS} from nbh_team_members m where m.area_id = $1 order by m.sort_order, m.name, m.id`, [areaId]),

    getMember,
    memberIn,

    /**
     * Adds a member. Making them the named contact unsets the previous one in the same
     * transaction (the partial unique index guarantees there is never two). A photo, if given,
     * is checked first: a bad one stops the whole add.
     */
    async addMember(actor: AuditActor, areaId: string, input: TeamMemberInput, photo?: PhotoUpload | null): Promise<TeamMember> {
      const type = photo ? checkPhoto(photo.bytes) : null
      if (photo && !photo.alt.trim()) throw new AppError('INVALID', PHOTO_MESSAGES.noAlt, { photoAlt: PHOTO_MESSAGES.noAlt })
      const id = await db.transaction(async q => {
        if (input.isNamedContact) await lockNamedContact(q, areaId)
        if (input.isNamedContact)
          await q(`update nbh_team_members set is_named_contact = false, updated_at = now() where area_id = $1 and is_named_contact`, [areaId])
        const [row] = await q<{ id: string }>(
          `insert into nbh_team_members (area_id, name, rank, role, bio, email, telephone, is_named_contact, sort_order, photo, photo_type, photo_alt)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning id`,
          [areaId, input.name, input.rank, input.role, input.bio, input.email, input.telephone, input.isNamedContact, input.sortOrder,
            photo ? Buffer.from(photo.bytes) : null, type, photo ? photo.alt.trim() : null],
        )
        return row!.id
      })
      await audit.record(actor, {
        action: 'create',
        entityType: 'nbh_team_member',
        entityId: id,
        areaId,
        summary: `Added ${input.name} to the team${input.isNamedContact ? ' as the named contact' : ''}`,
        details: { ...input, photo: Boolean(photo) },
      })
      return (await getMember(id))!
    },

    /**
     * Changes a member's details; `photo` replaces the photo, `removePhoto` drops it, and a
     * changed `photoAlt` alone updates the description of the photo already held.
     */
    async updateMember(
      actor: AuditActor,
      areaId: string,
      id: string,
      input: TeamMemberInput,
      opts: { photo?: PhotoUpload | null; removePhoto?: boolean; photoAlt?: string | null } = {},
    ): Promise<TeamMember> {
      const before = await memberIn(areaId, id)
      const photo = opts.photo ?? null
      const type = photo ? checkPhoto(photo.bytes) : null
      const alt = (photo ? photo.alt : (opts.photoAlt ?? before.photoAlt ?? '')).trim()
      if ((photo || (before.hasPhoto && !opts.removePhoto)) && !alt)
        throw new AppError('INVALID', PHOTO_MESSAGES.noAlt, { photoAlt: PHOTO_MESSAGES.noAlt })
      await db.transaction(async q => {
        // Whatever `before` said: someone may have named another contact since it was read.
        if (input.isNamedContact) await lockNamedContact(q, areaId)
        if (input.isNamedContact)
          await q(`update nbh_team_members set is_named_contact = false, updated_at = now() where area_id = $1 and is_named_contact and id <> $2`, [areaId, id])
        await q(
          `update nbh_team_members set name = $2, rank = $3, role = $4, bio = $5, email = $6, telephone = $7, is_named_contact = $8,
             sort_order = $9, updated_at = now() where id = $1`,
          [id, input.name, input.rank, input.role, input.bio, input.email, input.telephone, input.isNamedContact, input.sortOrder],
        )
        if (photo) await q(`update nbh_team_members set photo = $2, photo_type = $3, photo_alt = $4 where id = $1`, [id, Buffer.from(photo.bytes), type, alt])
        else if (opts.removePhoto) await q(`update nbh_team_members set photo = null, photo_type = null, photo_alt = null where id = $1`, [id])
        else if (before.hasPhoto) await q(`update nbh_team_members set photo_alt = $2 where id = $1`, [id, alt])
      })
      await audit.record(actor, {
        action: 'update',
        entityType: 'nbh_team_member',
        entityId: id,
        areaId,
        summary: `Updated ${input.name}'s details${photo ? ' and photo' : opts.removePhoto ? ' and removed the photo' : ''}`,
        details: { before: { ...before, updatedAt: undefined }, after: input },
      })
      return (await getMember(id))!
    },

    /** Makes one member the named contact (unsetting any other), or nobody with null. */
    async setNamedContact(actor: AuditActor, areaId: string, memberId: string | null): Promise<void> {
      const member = memberId ? await memberIn(areaId, memberId) : null
      await db.transaction(async q => {
        await lockNamedContact(q, areaId)
        await q(`update nbh_team_members set is_named_contact = false, updated_at = now() where area_id = $1 and is_named_contact and id is distinct from $2`, [
          areaId,
          member?.id ?? null,
        ])
        if (member) await q(`update nbh_team_members set is_named_contact = true, updated_at = now() where id = $1`, [member.id])
      })
      await audit.record(actor, {
        action: 'update',
        entityType: 'nbh_team_member',
        entityId: member?.id ?? null,
        areaId,
        summary: member ? `Made ${member.name} the named contact` : 'Removed the named contact',
      })
    },

    async removeMember(actor: AuditActor, areaId: string, id: string): Promise<void> {
      const member = await memberIn(areaId, id)
      await db.query(`delete from nbh_team_members where id = $1`, [id])
      await audit.record(actor, {
        action: 'delete',
        entityType: 'nbh_team_member',
        entityId: id,
        areaId,
        summary: `Removed ${member.name} from the team${member.isNamedContact ? ' (they were the named contact)' : ''}`,
        details: { name: member.name, rank: member.rank, wasNamedContact: member.isNamedContact },
      })
    },

    /** A member's photo, if they are in the area and have one. */
    async getPhoto(areaId: string, memberId: string): Promise<StoredPhoto | null> {
      if (!isUuid(memberId)) return null
      const [row] = await db.query<{ photo: Uint8Array; type: PhotoType; updatedAt: Date }>(
        `select photo, photo_type as type, updated_at as "updatedAt" from nbh_team_members
          where id = $1 and area_id = $2 and photo is not null`,
        [memberId, areaId],
      )
      if (!row) return null
      return { bytes: Buffer.isBuffer(row.photo) ? row.photo : Buffer.from(row.photo), type: row.type, version: photoVersion(row.updatedAt) }
    },

    // --- stations and front counters ------------------------------------------------------

    /** Stations in areas inside any of the given subtrees (a staff member's grants), by name. */
    listStations: async (paths: readonly string[]): Promise<Station[]> => {
      if (!paths.length) return []
      const rows = await db.query<Station>(
        `select ${STATION_COLUMNS}, a.name as "areaName" from nbh_locations l join areas a on a.id = l.area_id
          where ${withinPaths(1)} order by l.name, l.id`,
        [paths],
      )
      return rows.map(r => ({ ...r, openingHours: parseJson(r.openingHours) }))
    },

    getStation,

    async createStation(actor: AuditActor, input: StationInput): Promise<Station> {
      const [row] = await db.query<{ id: string }>(
        `insert into nbh_locations (area_id, name, type, address, postcode, lat, lng, opening_hours, description)
         values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9) returning id`,
        [input.areaId, input.name, input.type, input.address, input.postcode, input.lat, input.lng, JSON.stringify(input.openingHours), input.description],
      )
      await audit.record(actor, {
        action: 'create',
        entityType: 'nbh_location',
        entityId: row!.id,
        areaId: input.areaId,
        summary: `Added the ${input.type === 'front_counter' ? 'front counter' : 'station'} ${input.name}`,
        details: { ...input },
      })
      return (await getStation(row!.id))!
    },

    async updateStation(actor: AuditActor, id: string, input: StationInput): Promise<Station> {
      const before = await getStation(id)
      if (!before) throw new AppError('NOT_FOUND', 'Station not found')
      await db.query(
        `update nbh_locations set area_id = $2, name = $3, type = $4, address = $5, postcode = $6, lat = $7, lng = $8,
           opening_hours = $9::jsonb, description = $10, updated_at = now() where id = $1`,
        [id, input.areaId, input.name, input.type, input.address, input.postcode, input.lat, input.lng, JSON.stringify(input.openingHours), input.description],
      )
      await audit.record(actor, {
        action: 'update',
        entityType: 'nbh_location',
        entityId: id,
        areaId: input.areaId,
        summary: `Updated ${input.name}`,
        details: { before: { ...before, updatedAt: undefined, areaName: undefined }, after: input },
      })
      return (await getStation(id))!
    },

    async removeStation(actor: AuditActor, id: string): Promise<void> {
      const before = await getStation(id)
      if (!before) throw new AppError('NOT_FOUND', 'Station not found')
      await db.query(`delete from nbh_locations where id = $1`, [id])
      await audit.record(actor, {
        action: 'delete',
        entityType: 'nbh_location',
        entityId: id,
        areaId: before.areaId,
        summary: `Removed ${before.name}`,
        details: { name: before.name, address: before.address },
      })
    },

    /**
     * The `n` stations and front counters nearest the area's centre, among those of the same
     * force (any area under the same root), nearest first with `distanceKm`. An area without a
     * centre gets its force's stations by name.
     */
    async nearest(areaId: string, n: number): Promise<Station[]> {
      const rows = await db.query<Station>(
        `with n as (select centre_lat as lat, centre_lng as lng, split_part(path, '/', 2) as force from areas where id = $1)
         select ${STATION_COLUMNS},
                case when n.lat is null then null else ${distanceSql('n.lat', 'n.lng', 'l.lat', 'l.lng')} end as "distanceKm"
           from nbh_locations l join areas a on a.id = l.area_id cross join n
          where split_part(a.path, '/', 2) = n.force
          order by "distanceKm" nulls last, l.name, l.id
          limit $2`,
        [areaId, Math.max(0, Math.min(n, 50))],
      )
      return rows.map(r => ({ ...r, openingHours: parseJson(r.openingHours), distanceKm: r.distanceKm == null ? null : Number(r.distanceKm) }))
    },

    // --- staff overview --------------------------------------------------------------------

    /**
     * The neighbourhoods inside the given subtrees, by district and name, each with whether it
     * has a named contact, its team size, open priorities and how many are due a review.
     */
    async healthWithin(paths: readonly string[]): Promise<NeighbourhoodHealth[]> {
      if (!paths.length) return []
      return db.query<NeighbourhoodHealth>(
        `select a.id, a.name, d.name as "districtName",
                exists (select 1 from nbh_team_members m where m.area_id = a.id and m.is_named_contact) as "hasNamedContact",
                (select count(*)::int from nbh_team_members m where m.area_id = a.id) as "teamSize",
                (select count(*)::int from nbh_priorities p where p.area_id = a.id and p.status <> 'resolved') as "openPriorities",
                (select count(*)::int from nbh_priorities p where p.area_id = a.id and p.status <> 'resolved' and p.last_reviewed_at < $2)
                  as "reviewDue"
           from areas a join areas d on d.id = a.parent_id
          where a.kind = 'neighbourhood' and ${withinPaths(1)}
          order by d.name, d.id, a.name, a.id`,
        [paths, reviewDueCutoff(now())],
      )
    },
  }
}

export type TeamService = ReturnType<typeof createTeamService>

/** The photo's version string: its ETag and the `?v=` on the page's image address. */
export const photoVersion = (updatedAt: Date | string) => new Date(updatedAt).getTime().toString(36)

export const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s)

/** Directions from wherever the resident is, in Google Maps and OpenStreetMap (plain links, nothing embedded). */
export function directionsLinks(s: { lat: number; lng: number }): { google: string; osm: string } {
  const at = `${round6(s.lat)},${round6(s.lng)}`
  return {
    google: `https://www.google.com/maps/dir/?api=1&destination=${at}`,
    osm: `https://www.openstreetmap.org/directions?to=${encodeURIComponent(at)}`,
  }
}

const round6 = (v: number) => Math.round(v * 1e6) / 1e6
