/**
 * GeoJSON geometry shapes used across Beacon. Positions are [longitude, latitude] in WGS84,
 * as RFC 7946 requires (imports drop any altitude); every function that takes a point separately
 * takes (lat, lng) by name.
 */
export type Position = [number, number]
/** A closed ring: the first position is repeated as the last. */
export type Ring = Position[]
/** The outer ring first, then any holes. */
export type PolygonCoordinates = Ring[]
export type Polygon = { type: 'Polygon'; coordinates: PolygonCoordinates }
export type MultiPolygon = { type: 'MultiPolygon'; coordinates: PolygonCoordinates[] }

/** [minLng, minLat, maxLng, maxLat] */
export type BBox = [number, number, number, number]
