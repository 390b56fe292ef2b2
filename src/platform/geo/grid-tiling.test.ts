import { describe, expect, it } from 'vitest'
import { createGridTiling } from './grid-tiling.ts'
import { seededRandom } from './seeded-random.ts'
import { createSpatialIndex } from './spatial-index.ts'
import { area, isRingClosed, ringSignedArea } from './geometry.ts'

const tiling = (seed = 1, cols = 8, rows = 6) =>
  createGridTiling({ cols, rows, origin: { lat: 53.5, lng: -3 }, cellSize: { lat: 0.05, lng: 0.08 }, segments: 6, random: seededRandom(seed) })

describe('createGridTiling', () => {
  it('is fully determined by its random source', () => {
    expect(tiling(7).cell(3, 2)).toEqual(tiling(7).cell(3, 2))
    expect(tiling(7).cell(3, 2)).not.toEqual(tiling(8).cell(3, 2))
  })

  it('makes closed anticlockwise cells with the bent points along each edge', () => {
    const cell = tiling().cell(1, 1)
    expect(cell.coordinates).toHaveLength(1)
    const [ring] = cell.coordinates[0]!
    expect(isRingClosed(ring!)).toBe(true)
    expect(ring!.length).toBe(4 * 6 + 1)
    expect(ringSignedArea(ring!)).toBeGreaterThan(0)
  })

  it('tiles without gaps or overlaps: every point in the grid lies in exactly one cell', () => {
    const t = tiling()
    const cells = []
    for (let row = 0; row < t.rows; row++) for (let col = 0; col < t.cols; col++) cells.push({ col, row, geometry: t.cell(col, row) })
    const compiledOne = cells.map(c => createSpatialIndex([{ id: `${c.col},${c.row}`, geometry: c.geometry }]))
    const random = seededRandom(99)
    // Stay one cell inside the rectangle, where jittered outer corners cannot leave gaps.
    for (let n = 0; n < 3000; n++) {
      const lat = 53.5 + 0.05 * (1 + random() * (t.rows - 2))
      const lng = -3 + 0.08 * (1 + random() * (t.cols - 2))
      const hits = compiledOne.filter(index => index.locate(lat, lng) !== null)
      expect(hits.length, `${lat},${lng}`).toBe(1)
    }
  })

  it('merges cells: the union’s area is the sum of the cells’ areas, with one ring', () => {
    const t = tiling()
    const keys = [t.key(1, 1), t.key(2, 1), t.key(2, 2), t.key(3, 2)]
    const merged = t.union(keys)
    expect(merged.coordinates).toHaveLength(1)
    expect(merged.coordinates[0]).toHaveLength(1)
    const sum = keys.reduce((s, k) => s + area(t.cell(k % t.cols, Math.floor(k / t.cols))), 0)
    expect(area(merged)).toBeCloseTo(sum, 12)
  })

  it('traces a ring of cells as an outer ring with a hole', () => {
    const t = tiling()
    const keys = []
    for (let row = 1; row <= 3; row++) for (let col = 1; col <= 3; col++) if (!(row === 2 && col === 2)) keys.push(t.key(col, row))
    const merged = t.union(keys)
    expect(merged.coordinates).toHaveLength(1)
    const [outer, hole] = merged.coordinates[0]!
    expect(ringSignedArea(outer!)).toBeGreaterThan(0)
    expect(ringSignedArea(hole!)).toBeLessThan(0)
    expect(area(merged)).toBeCloseTo(area(t.union([...keys, t.key(2, 2)])) - area(t.cell(2, 2)), 12)
    const centre = t.cellCentre(2, 2)
    expect(createSpatialIndex([{ id: 'doughnut', geometry: merged }]).locate(centre.lat, centre.lng)).toBeNull()
  })

  it('splits cells that only touch at a corner into separate polygons', () => {
    const t = tiling()
    const merged = t.union([t.key(1, 1), t.key(2, 2)])
    expect(merged.coordinates).toHaveLength(2)
    for (const polygon of merged.coordinates) expect(polygon).toHaveLength(1)
  })

  it('puts each cell centre inside its own cell', () => {
    const t = tiling(3)
    const items = []
    for (let row = 0; row < t.rows; row++) for (let col = 0; col < t.cols; col++) items.push({ id: `${col},${row}`, geometry: t.cell(col, row) })
    const index = createSpatialIndex(items)
    for (let row = 0; row < t.rows; row++)
      for (let col = 0; col < t.cols; col++) {
        const c = t.cellCentre(col, row)
        expect(index.locate(c.lat, c.lng)).toBe(`${col},${row}`)
      }
  })
})
