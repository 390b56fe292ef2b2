import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { createSpatialIndex } from './spatial-index.ts'
import { classifyPoint, compileShape, PointPosition } from './point-in-polygon.ts'
import type { MultiPolygon, Polygon, Ring } from './types.ts'

const square = (x: number, y: number, size: number): Ring => [
  [x, y],
  [x + size, y],
  [x + size, y + size],
  [x, y + size],
  [x, y],
]
const poly = (...rings: Ring[]): Polygon => ({ type: 'Polygon', coordinates: rings })

// Note the argument order of locate: (lat, lng) = (y, x).
describe('createSpatialIndex', () => {
  it('finds the polygon containing a point and null outside all of them', () => {
    const index = createSpatialIndex([
      { id: 'a', geometry: poly(square(0, 0, 1)) },
      { id: 'b', geometry: poly(square(2, 0, 1)) },
    ])
    expect(index.size).toBe(2)
    expect(index.locate(0.5, 0.5)).toBe('a')
    expect(index.locate(0.5, 2.5)).toBe('b')
    expect(index.locate(0.5, 1.5)).toBeNull()
    expect(index.locate(5, 5)).toBeNull()
    expect(index.locate(Number.NaN, 0.5)).toBeNull()
  })

  it('treats holes as outside, and an island inside a hole as its own shape', () => {
    const index = createSpatialIndex([
      { id: 'ring', geometry: poly(square(0, 0, 10), square(3, 3, 4)) },
      { id: 'island', geometry: poly(square(4, 4, 2)) },
    ])
    expect(index.locate(1, 1)).toBe('ring')
    expect(index.locate(3.5, 3.5)).toBeNull() // in the hole, off the island
    expect(index.locate(5, 5)).toBe('island')
    expect(index.locate(8, 8)).toBe('ring')
  })

  it('handles a hole wound the "wrong" way and an unclosed ring the same', () => {
    const hole = [...square(3, 3, 4)].reverse()
    const open = square(0, 0, 10).slice(0, 4)
    const index = createSpatialIndex([{ id: 'x', geometry: poly(open, hole) }])
    expect(index.locate(5, 5)).toBeNull()
    expect(index.locate(1, 1)).toBe('x')
  })

  it('locates points in every part of a MultiPolygon', () => {
    const multi: MultiPolygon = { type: 'MultiPolygon', coordinates: [[square(0, 0, 1)], [square(5, 5, 1)]] }
    const index = createSpatialIndex([{ id: 'm', geometry: multi }])
    expect(index.locate(0.5, 0.5)).toBe('m')
    expect(index.locate(5.5, 5.5)).toBe('m')
    expect(index.locate(3, 3)).toBeNull() // inside the box around both parts, but in neither
  })

  it('counts points on an outer edge or vertex as inside, on every side', () => {
    const index = createSpatialIndex([{ id: 's', geometry: poly(square(0, 0, 1)) }])
    for (const [lat, lng] of [
      [0.5, 0], [0.5, 1], [0, 0.5], [1, 0.5], // edges
      [0, 0], [1, 1], [0, 1], [1, 0], // corners
    ] as const)
      expect(index.locate(lat, lng), `${lat},${lng}`).toBe('s')
    expect(index.locate(0.5, 1.000001)).toBeNull()
  })

  it('counts a point on a slanted edge as inside', () => {
    const triangle = poly([[0, 0], [3, 0], [0, 3], [0, 0]])
    const index = createSpatialIndex([{ id: 't', geometry: triangle }])
    expect(index.locate(1.7, 1.3)).toBe('t') // on x + y = 3, not exactly representable
    expect(index.locate(1.71, 1.31)).toBeNull()
  })

  it('counts a point on the edge of a hole as inside', () => {
    const index = createSpatialIndex([{ id: 'ring', geometry: poly(square(0, 0, 10), square(3, 3, 4)) }])
    expect(index.locate(5, 3)).toBe('ring')
  })

  it('resolves a shared edge to the same neighbour whatever the input order', () => {
    const left = { id: 'left', geometry: poly(square(0, 0, 1)) }
    const right = { id: 'right', geometry: poly(square(1, 0, 1)) }
    const forward = createSpatialIndex([left, right])
    const backward = createSpatialIndex([right, left])
    for (const lat of [0, 0.25, 0.5, 1]) {
      expect(forward.locate(lat, 1)).toBe('left')
      expect(backward.locate(lat, 1)).toBe('left')
    }
    // Off the shared edge each side still wins its own points.
    expect(forward.locate(0.5, 0.999)).toBe('left')
    expect(forward.locate(0.5, 1.001)).toBe('right')
  })

  it('refuses duplicate ids and copes with no shapes', () => {
    expect(() => createSpatialIndex([{ id: 'a', geometry: poly(square(0, 0, 1)) }, { id: 'a', geometry: poly(square(1, 0, 1)) }])).toThrow(/duplicate/)
    const empty = createSpatialIndex([])
    expect(empty.size).toBe(0)
    expect(empty.locate(0, 0)).toBeNull()
  })

  it('property: every convex combination of a convex polygon’s vertices is located in it', () => {
    const convexPolygon = fc
      .record({
        cx: fc.double({ min: -8, max: 2, noNaN: true }),
        cy: fc.double({ min: 49, max: 61, noNaN: true }),
        r: fc.double({ min: 0.001, max: 1, noNaN: true }),
        angles: fc.uniqueArray(fc.double({ min: 0, max: 2 * Math.PI, noNaN: true, maxExcluded: true }), { minLength: 3, maxLength: 40 }),
      })
      .map(({ cx, cy, r, angles }) => {
        // Points on a circle in angle order always make a convex polygon.
        const ring: Ring = [...angles].sort((a, b) => a - b).map(a => [cx + r * Math.cos(a), cy + r * Math.sin(a)])
        ring.push(ring[0]!)
        return ring
      })
      .filter(ring => Math.abs(shoelace(ring)) > 1e-10)
    fc.assert(
      fc.property(convexPolygon, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 40 }), (ring, weights) => {
        const index = createSpatialIndex([{ id: 'p', geometry: poly(ring) }])
        const vertices = ring.slice(0, -1)
        const w = vertices.map((_, i) => weights[i % weights.length]! + 1e-6)
        const total = w.reduce((a, b) => a + b, 0)
        const x = vertices.reduce((s, v, i) => s + v[0] * w[i]!, 0) / total
        const y = vertices.reduce((s, v, i) => s + v[1] * w[i]!, 0) / total
        return index.locate(y, x) === 'p'
      }),
      { numRuns: 300 },
    )
  })

  it('property: on a grid of squares every point is located in exactly the cell that holds it', () => {
    const n = 6
    const items = []
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) items.push({ id: `${i}-${j}`, geometry: poly(square(i, j, 1)) })
    const index = createSpatialIndex(items)
    fc.assert(
      fc.property(fc.double({ min: 0, max: n, noNaN: true, maxExcluded: true }), fc.double({ min: 0, max: n, noNaN: true, maxExcluded: true }), (x, y) => {
        const found = index.locate(y, x)
        const [i, j] = found!.split('-').map(Number) as [number, number]
        // Strictly inside cells must match exactly; on a grid line either touching cell is right.
        return x >= i && x <= i + 1 && y >= j && y <= j + 1 && (Number.isInteger(x) || i === Math.floor(x)) && (Number.isInteger(y) || j === Math.floor(y))
      }),
      { numRuns: 2000 },
    )
  })

  it('property: the index agrees with testing every shape one by one', () => {
    const items = [
      { id: 'ring', geometry: poly(square(0, 0, 10), square(3, 3, 4)) },
      { id: 'island', geometry: poly(square(4, 4, 2)) },
      { id: 'tri', geometry: poly([[10, 0], [14, 0], [10, 6], [10, 0]]) },
    ]
    const index = createSpatialIndex(items)
    const compiled = items.map(item => ({ id: item.id, shape: compileShape({ type: 'MultiPolygon', coordinates: [item.geometry.coordinates] })! }))
    fc.assert(
      fc.property(fc.double({ min: -1, max: 15, noNaN: true }), fc.double({ min: -1, max: 11, noNaN: true }), (x, y) => {
        const hits = compiled.filter(c => classifyPoint(c.shape, x, y) !== PointPosition.outside).map(c => c.id)
        const found = index.locate(y, x)
        return found === null ? hits.length === 0 : hits.includes(found)
      }),
      { numRuns: 3000 },
    )
  })
})

function shoelace(ring: Ring): number {
  let s = 0
  for (let i = 0; i < ring.length - 1; i++) s += ring[i]![0] * ring[i + 1]![1] - ring[i + 1]![0] * ring[i]![1]
  return s / 2
}
