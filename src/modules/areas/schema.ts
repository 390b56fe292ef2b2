import { pgTable, text, integer, doublePrecision, jsonb, timestamp, index, check } from 'drizzle-orm/pg-core'
import { sql } from 'drizzle-orm'

/**
 * Areas form a tree: force → district → neighbourhood. `path` is a materialised
 * path ("/force/district/nbh/") so a grant on any node covers its subtree with a
 * single indexed LIKE, on PGlite and PostgreSQL alike (no ltree needed).
 */
export const areas = pgTable(
  'areas',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: ['force', 'district', 'neighbourhood'] }).notNull(),
    parentId: text('parent_id'),
    path: text('path').notNull().unique(),
    name: text('name').notNull(),
    description: text('description'),
    population: integer('population'),
    /** GeoJSON MultiPolygon geometry in WGS84 (lng, lat order), or null when not yet imported. */
    boundary: jsonb('boundary').$type<MultiPolygonGeometry | null>(),
    centreLat: doublePrecision('centre_lat'),
    centreLng: doublePrecision('centre_lng'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  t => [
    index('areas_parent_idx').on(t.parentId),
    index('areas_kind_idx').on(t.kind),
    check('areas_kind_check', sql`${t.kind} in ('force','district','neighbourhood')`),
  ],
)

/** Postcodes from an ONS Postcode Directory extract, resolved to a neighbourhood at import. */
export const postcodes = pgTable(
  'postcodes',
  {
    /** Normalised: upper case, no spaces ("LA11AA"). */
    postcode: text('postcode').primaryKey(),
    /** As printed, with its single space ("LA1 1AA"). */
    display: text('display').notNull(),
    lat: doublePrecision('lat').notNull(),
    lng: doublePrecision('lng').notNull(),
    neighbourhoodId: text('neighbourhood_id'),
  },
  t => [index('postcodes_neighbourhood_idx').on(t.neighbourhoodId)],
)

/** Named places (towns, villages, estates) residents may type instead of a postcode. */
export const places = pgTable(
  'places',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    name: text('name').notNull(),
    /** lower-cased name for case-insensitive lookup */
    nameKey: text('name_key').notNull(),
    lat: doublePrecision('lat').notNull(),
    lng: doublePrecision('lng').notNull(),
    neighbourhoodId: text('neighbourhood_id'),
  },
  t => [index('places_name_key_idx').on(t.nameKey)],
)

export type Position = [number, number]
export type MultiPolygonGeometry = { type: 'MultiPolygon'; coordinates: Position[][][] }
