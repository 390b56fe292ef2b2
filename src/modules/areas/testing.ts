/**
 * Fixtures for the areas tests: a small force of square neighbourhoods near 54°N 1.9°W, as a
 * GeoJSON FeatureCollection following the import contract. Not used by the application.
 */
import type { Position } from '../../platform/geo/types.ts'

/** An anticlockwise closed square ring with its south-west corner at (lng, lat). */
export const squareRing = (lng: number, lat: number, size: number): Position[] => [
  [lng, lat],
  [lng + size, lat],
  [lng + size, lat + size],
  [lng, lat + size],
  [lng, lat],
]

export interface FixtureFeature {
  type: 'Feature'
  properties: Record<string, unknown>
  geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown } | null
}

/** A GeoJSON feature with the given properties and a one-ring Polygon (or no geometry). */
export const feature = (properties: Record<string, unknown>, ring: Position[] | null): FixtureFeature => ({
  type: 'Feature',
  properties,
  geometry: ring ? { type: 'Polygon', coordinates: [ring] } : null,
})

/**
 * Test Shire: force "ts" (lng −2.0…−1.8, lat 54.0…54.2); districts "ts-west" and "ts-east";
 * neighbourhoods "ts-nw", "ts-sw" (west) and "ts-ne", "ts-se" (east), each 0.1° square.
 */
export function testShire(): { type: 'FeatureCollection'; features: FixtureFeature[] } {
  return {
    type: 'FeatureCollection',
    features: [
      feature({ id: 'ts', name: 'Test Shire', type: 'force' }, squareRing(-2.0, 54.0, 0.2)),
      feature({ id: 'ts-west', name: 'Westdale', type: 'district', parent: 'ts' }, null),
      feature({ id: 'ts-east', name: 'Eastmoor', type: 'district', parent: 'ts' }, null),
      feature({ id: 'ts-nw', name: 'Northwick', type: 'neighbourhood', parent: 'ts-west', population: 5000 }, squareRing(-2.0, 54.1, 0.1)),
      feature({ id: 'ts-sw', name: 'Southam', type: 'neighbourhood', parent: 'ts-west', population: 6000 }, squareRing(-2.0, 54.0, 0.1)),
      feature({ id: 'ts-ne', name: 'Ashby', type: 'neighbourhood', parent: 'ts-east' }, squareRing(-1.9, 54.1, 0.1)),
      feature({ id: 'ts-se', name: 'Ashby Moor', type: 'neighbourhood', parent: 'ts-east' }, squareRing(-1.9, 54.0, 0.1)),
    ],
  }
}
