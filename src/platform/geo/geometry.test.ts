import { describe, expect, it } from 'vitest'
import { approximateAreaKm2, area, bbox, centroid, isRingClosed, ringSignedArea, toMultiPolygon, vertexCount } from './geometry.ts'
import type { MultiPolygon, Ring } from './types.ts'

const square = (x: number, y: number, size: number): Ring => [
  [x, y],
  [x + size, y],
  [x + size, y + size],
  [x, y + size],
  [x, y],
]

describe('geometry', () => {
  it('tells closed rings from open ones', () => {
    expect(isRingClosed(square(0, 0, 1))).toBe(true)
    expect(isRingClosed(square(0, 0, 1).slice(0, 4))).toBe(false)
    expect(isRingClosed([[0, 0]])).toBe(false)
  })

  it('signs ring area by winding: anticlockwise positive', () => {
    const ring = square(0, 0, 2)
    expect(ringSignedArea(ring)).toBe(4)
    expect(ringSignedArea([...ring].reverse())).toBe(-4)
  })

  it('subtracts holes from area whatever their winding', () => {
    const withHole: MultiPolygon = { type: 'MultiPolygon', coordinates: [[square(0, 0, 4), square(1, 1, 2)]] }
    const holeReversed: MultiPolygon = { type: 'MultiPolygon', coordinates: [[square(0, 0, 4), [...square(1, 1, 2)].reverse()]] }
    expect(area(withHole)).toBe(12)
    expect(area(holeReversed)).toBe(12)
  })

  it('weights the centroid by area across polygons and holes', () => {
    // Two squares: 1×1 at x 0..1 and 3×3 at x 10..13 → centroid pulled towards the big one.
    const two: MultiPolygon = { type: 'MultiPolygon', coordinates: [[square(0, 0, 1)], [square(10, 0, 3)]] }
    const c = centroid(two)!
    expect(c.lng).toBeCloseTo((0.5 * 1 + 11.5 * 9) / 10, 10)
    expect(c.lat).toBeCloseTo((0.5 * 1 + 1.5 * 9) / 10, 10)
    // A hole in the left half shifts the centroid right.
    const holed: MultiPolygon = { type: 'MultiPolygon', coordinates: [[square(0, 0, 4), square(0.5, 1.5, 1)]] }
    const h = centroid(holed)!
    expect(h.lng).toBeCloseTo((2 * 16 - 1 * 1) / 15, 10)
    expect(h.lat).toBeCloseTo(2, 10)
  })

  it('keeps precision for shapes far from the origin', () => {
    const ring = square(-2.6, 53.9, 0.001)
    expect(centroid(toMultiPolygon({ type: 'Polygon', coordinates: [ring] }))).toEqual({
      lng: expect.closeTo(-2.5995, 12),
      lat: expect.closeTo(53.9005, 12),
    })
  })

  it('falls back to the mean position for a zero-area shape', () => {
    const flat: MultiPolygon = { type: 'MultiPolygon', coordinates: [[[[0, 0], [2, 0], [0, 0], [0, 0]]]] }
    expect(centroid(flat)).toEqual({ lng: 0.5, lat: 0 })
    expect(centroid({ type: 'MultiPolygon', coordinates: [] })).toBeNull()
  })

  it('computes bounding boxes and counts vertices', () => {
    const g: MultiPolygon = { type: 'MultiPolygon', coordinates: [[square(0, 0, 1)], [square(-3, 5, 2)]] }
    expect(bbox(g)).toEqual([-3, 0, 1, 7])
    expect(bbox({ type: 'MultiPolygon', coordinates: [] })).toBeNull()
    expect(vertexCount(g)).toBe(10)
  })

  it('approximates area in km² at UK latitudes', () => {
    // 0.1° × 0.1° at 54°N is about 11.13 km × 6.54 km ≈ 72.8 km².
    const g = toMultiPolygon({ type: 'Polygon', coordinates: [square(-2.6, 53.95, 0.1)] })
    expect(approximateAreaKm2(g)).toBeGreaterThan(72)
    expect(approximateAreaKm2(g)).toBeLessThan(73.5)
  })
})
