import { compileShape, classifyPoint, PointPosition } from './point-in-polygon.ts'
import { ringSignedArea } from './geometry.ts'
import type { MultiPolygon, Position, Ring } from './types.ts'

/**
 * A jittered grid whose cells tile a rectangle with no gaps or overlaps: neighbouring cells
 * share their corner positions and the wobbly points along each edge exactly, so any set of
 * cells can be merged by tracing the edges that only one of its cells uses. Demo data and
 * the locate benchmark both build realistic-looking boundaries from it.
 */
export interface GridTilingOptions {
  cols: number
  rows: number
  /** south-west corner of the grid */
  origin: { lat: number; lng: number }
  /** nominal size of one cell in degrees */
  cellSize: { lat: number; lng: number }
  /** segments along each cell edge; a function lets edges vary */
  segments: number | ((random: () => number) => number)
  random: () => number
  /** how far corners move, as a fraction of a cell (default 0.18) */
  jitter?: number
  /** how far edges bend, as a fraction of a cell (default 0.08) */
  wobble?: number
  /** decimal places kept in coordinates (default 6, about 0.1 m) */
  precision?: number
}

export interface GridTiling {
  readonly cols: number
  readonly rows: number
  /** the cell's key, used by union(): row * cols + col */
  key(col: number, row: number): number
  /** one cell's boundary */
  cell(col: number, row: number): MultiPolygon
  /** the merged boundary of a set of cells (outer rings anticlockwise, holes clockwise) */
  union(keys: Iterable<number>): MultiPolygon
  /** a point safely inside the cell: the mean of its four corners */
  cellCentre(col: number, row: number): { lat: number; lng: number }
}

/** Directions of grid edges, anticlockwise: east, north, west, south. */
const E = 0
const N = 1
const W = 2
const S = 3

interface GridEdge {
  from: number
  to: number
  dir: number
  /** points between the two corners, in travel order */
  inner: Position[]
}

/** Builds the grid. All random numbers are drawn up front, in a fixed order, so a seed fully determines the shapes. */
export function createGridTiling(opts: GridTilingOptions): GridTiling {
  const { cols, rows, origin, cellSize, random } = opts
  const jitter = opts.jitter ?? 0.18
  const wobble = opts.wobble ?? 0.08
  const scale = 10 ** (opts.precision ?? 6)
  const round = (v: number) => Math.round(v * scale) / scale
  const toPosition = (gx: number, gy: number): Position => [round(origin.lng + gx * cellSize.lng), round(origin.lat + gy * cellSize.lat)]
  const segmentsFor = typeof opts.segments === 'number' ? () => opts.segments as number : opts.segments

  const vertexIndex = (i: number, j: number) => j * (cols + 1) + i
  const gridX = new Float64Array((cols + 1) * (rows + 1))
  const gridY = new Float64Array((cols + 1) * (rows + 1))
  const corners: Position[] = []
  for (let j = 0; j <= rows; j++)
    for (let i = 0; i <= cols; i++) {
      const v = vertexIndex(i, j)
      gridX[v] = i + (random() - 0.5) * 2 * jitter
      gridY[v] = j + (random() - 0.5) * 2 * jitter
      corners[v] = toPosition(gridX[v]!, gridY[v]!)
    }

  // Intermediate points of each edge, stored once in the forward (east or north) direction.
  const bend = (a: number, b: number): Position[] => {
    const segments = Math.max(1, Math.round(segmentsFor(random)))
    const ax = gridX[a]!
    const ay = gridY[a]!
    const dx = gridX[b]! - ax
    const dy = gridY[b]! - ay
    const length = Math.hypot(dx, dy)
    const nx = -dy / length
    const ny = dx / length
    const phase = random() * Math.PI * 2
    const sway = random() * 0.6
    const points: Position[] = []
    for (let m = 1; m < segments; m++) {
      const t = m / segments
      // sin(πt) pins both ends to the corners, so bends never cross at a corner; the smooth term
      // looks like a road or river, the noise like a field boundary. |offset| ≤ wobble.
      const offset = wobble * Math.sin(Math.PI * t) * (sway * Math.sin(2 * Math.PI * t + phase) + (1 - sway) * (random() - 0.5))
      points.push(toPosition(ax + dx * t + nx * offset, ay + dy * t + ny * offset))
    }
    return points
  }
  const horizontal: Position[][] = [] // from (i, j) to (i + 1, j)
  const vertical: Position[][] = [] // from (i, j) to (i, j + 1)
  for (let j = 0; j <= rows; j++) for (let i = 0; i < cols; i++) horizontal[j * cols + i] = bend(vertexIndex(i, j), vertexIndex(i + 1, j))
  for (let j = 0; j < rows; j++) for (let i = 0; i <= cols; i++) vertical[j * (cols + 1) + i] = bend(vertexIndex(i, j), vertexIndex(i, j + 1))

  /** The four edges of a cell, anticlockwise, each with the neighbour across it. */
  const cellEdges = (i: number, j: number): { edge: GridEdge; neighbour: [number, number] }[] => [
    { edge: { from: vertexIndex(i, j), to: vertexIndex(i + 1, j), dir: E, inner: horizontal[j * cols + i]! }, neighbour: [i, j - 1] },
    { edge: { from: vertexIndex(i + 1, j), to: vertexIndex(i + 1, j + 1), dir: N, inner: vertical[j * (cols + 1) + i + 1]! }, neighbour: [i + 1, j] },
    { edge: { from: vertexIndex(i + 1, j + 1), to: vertexIndex(i, j + 1), dir: W, inner: [...horizontal[(j + 1) * cols + i]!].reverse() }, neighbour: [i, j + 1] },
    { edge: { from: vertexIndex(i, j + 1), to: vertexIndex(i, j), dir: S, inner: [...vertical[j * (cols + 1) + i]!].reverse() }, neighbour: [i - 1, j] },
  ]

  const key = (col: number, row: number) => row * cols + col

  function union(keys: Iterable<number>): MultiPolygon {
    const members = new Set(keys)
    const outgoing = new Map<number, GridEdge[]>()
    const boundary: GridEdge[] = []
    for (const k of [...members].sort((a, b) => a - b)) {
      const i = k % cols
      const j = Math.floor(k / cols)
      for (const { edge, neighbour } of cellEdges(i, j)) {
        const [ni, nj] = neighbour
        const inside = ni >= 0 && nj >= 0 && ni < cols && nj < rows && members.has(key(ni, nj))
        if (inside) continue
        boundary.push(edge)
        const list = outgoing.get(edge.from) ?? []
        list.push(edge)
        outgoing.set(edge.from, list)
      }
    }
    const used = new Set<GridEdge>()
    const rings: Ring[] = []
    for (const start of boundary) {
      if (used.has(start)) continue
      const ring: Ring = []
      let edge: GridEdge | undefined = start
      while (edge) {
        used.add(edge)
        ring.push(corners[edge.from]!, ...edge.inner)
        const dir: number = edge.dir
        const options: GridEdge[] = (outgoing.get(edge.to) ?? []).filter(e => !used.has(e))
        // Where the set touches itself at a corner, turning left keeps each ring simple.
        edge = [(dir + 1) % 4, dir, (dir + 3) % 4].map(d => options.find(e => e.dir === d)).find(e => e !== undefined)
      }
      ring.push(ring[0]!)
      rings.push(ring)
    }
    return { type: 'MultiPolygon', coordinates: nestRings(rings) }
  }

  return {
    cols,
    rows,
    key,
    cell: (col, row) => union([key(col, row)]),
    union,
    cellCentre(col, row) {
      const vs = [vertexIndex(col, row), vertexIndex(col + 1, row), vertexIndex(col + 1, row + 1), vertexIndex(col, row + 1)]
      const gx = vs.reduce((s, v) => s + gridX[v]!, 0) / 4
      const gy = vs.reduce((s, v) => s + gridY[v]!, 0) / 4
      const [lng, lat] = toPosition(gx, gy)
      return { lat, lng }
    },
  }
}

/** Groups traced rings into polygons: each clockwise ring (a hole) joins the smallest outer ring around it. */
function nestRings(rings: Ring[]): Ring[][] {
  const outers = rings.filter(r => ringSignedArea(r) > 0).map(ring => ({ ring, area: ringSignedArea(ring), holes: [] as Ring[] }))
  outers.sort((a, b) => a.area - b.area)
  const compiled = outers.map(o => compileShape({ type: 'MultiPolygon', coordinates: [[o.ring]] })!)
  for (const hole of rings.filter(r => ringSignedArea(r) < 0)) {
    // Any vertex of a hole lies inside (or on) the ring that encloses it and outside smaller ones.
    const probe = holeProbe(hole)
    const owner = compiled.findIndex(shape => classifyPoint(shape, probe[0], probe[1]) === PointPosition.inside)
    ;(outers[owner >= 0 ? owner : outers.length - 1]?.holes ?? []).push(hole)
  }
  return outers.map(o => [o.ring, ...o.holes])
}

/** A point just inside the hole's region: the midpoint of its first edge nudged to the right (outside the set). */
function holeProbe(hole: Ring): [number, number] {
  const [ax, ay] = hole[0]!
  const [bx, by] = hole[1]!
  const dx = bx - ax
  const dy = by - ay
  const len = Math.hypot(dx, dy) || 1
  // The set lies to the left of every traced edge, so a step right is inside the hole.
  const step = len * 1e-3
  return [(ax + bx) / 2 + (dy / len) * step, (ay + by) / 2 - (dx / len) * step]
}
