import type { Database } from '../../platform/db/client.ts'
import { bbox, centroid } from '../../platform/geo/geometry.ts'
import { createGridTiling } from '../../platform/geo/grid-tiling.ts'
import { classifyPoint, compileShape, PointPosition, type CompiledShape } from '../../platform/geo/point-in-polygon.ts'
import { randomInt, seededRandom, shuffled } from '../../platform/geo/seeded-random.ts'
import type { MultiPolygon } from '../../platform/geo/types.ts'
import { createNamer, slug } from './demo-names.ts'
import { writeAreas, type AreaRecord } from './import/write-areas.ts'
import { formatPostcode } from './postcode-format.ts'
import type { AreasService } from './service.ts'

export const DEMO_FORCE_ID = 'demo-shire'
export const DEMO_FORCE_NAME = 'Demo Shire'

export interface DemoPlace {
  name: string
  lat: number
  lng: number
  neighbourhoodId: string
}

export interface DemoPostcode {
  /** normalised key, e.g. "DS41AB" */
  postcode: string
  /** printed form, e.g. "DS4 1AB" */
  display: string
  lat: number
  lng: number
  /** null for the few postcodes placed just outside the force area */
  neighbourhoodId: string | null
}

export interface DemoArea {
  seed: number
  /** the force, then its districts, then its neighbourhoods */
  areas: AreaRecord[]
  places: DemoPlace[]
  postcodes: DemoPostcode[]
}

// The county sits inland on the Lancashire–Yorkshire border; cells are about 5.5 km square.
const GRID = { cols: 13, rows: 13 }
const CELL = { lat: 0.05, lng: 0.085 }
const CENTRE = { lat: 53.9, lng: -2.3 }
const MIN_NEIGHBOURHOODS = 48
// Unit letters of an inward code never include C, I, K, M, O or V.
const UNIT_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ'
const OUTSIDE_POSTCODES = 6

/**
 * A fictional force area, fully determined by the seed: a county of jittered grid cells
 * grouped into 40+ neighbourhoods (single cells or merged blocks) and 3–5 contiguous
 * districts, whose shared edges are the very same points, so the boundaries tile with no gaps
 * or overlaps. Each neighbourhood has 1–3 named places and dozens of valid-format postcodes
 * ("DS4 1AB"); a few postcodes lie just outside the force area.
 */
export function generateDemoArea(seed: number): DemoArea {
  const random = seededRandom(seed)
  const origin = { lat: CENTRE.lat - (GRID.rows * CELL.lat) / 2, lng: CENTRE.lng - (GRID.cols * CELL.lng) / 2 }
  const tiling = createGridTiling({ ...GRID, origin, cellSize: CELL, segments: r => randomInt(r, 5, 12), random })
  const neighboursOf = (cell: number) => gridNeighbours(cell, GRID.cols, GRID.rows)

  const county = countyCells(random)
  const groups = groupCells(random, county, neighboursOf)
  const districtOf = growDistricts(random, groups, neighboursOf)
  const districtCount = Math.max(...districtOf) + 1

  const namer = createNamer(random)
  const shapes = groups.map(cells => tiling.union(cells))
  const compiled = shapes.map(shape => compileShape(shape)!)

  const neighbourhoods = groups.map((cells, g) => {
    const placeNames = [namer.town(), ...Array.from({ length: randomInt(random, 0, 2) }, () => namer.village())]
    const name = placeNames.length > 1 && random() < 0.3 ? `${placeNames[0]} and ${placeNames[1]}` : placeNames[0]!
    return {
      id: slug(name),
      name,
      placeNames,
      cells,
      district: districtOf[g]!,
      population: Math.round(randomInt(random, 3000, 15000) / 10) * 10,
      boundary: shapes[g]!,
    }
  })

  const districts = Array.from({ length: districtCount }, (_, d) => {
    const members = neighbourhoods.filter(n => n.district === d)
    // Named after its most populous neighbourhood's town, as real districts often are.
    const biggest = members.reduce((a, b) => (b.population > a.population ? b : a))
    const name = namer.district(biggest.placeNames[0]!)
    return {
      id: slug(name),
      name,
      members,
      population: members.reduce((s, n) => s + n.population, 0),
      boundary: tiling.union(members.flatMap(n => n.cells)),
    }
  })

  const forceBoundary = tiling.union(county)
  const areas: AreaRecord[] = [
    {
      id: DEMO_FORCE_ID,
      kind: 'force',
      parentId: null,
      name: DEMO_FORCE_NAME,
      description: `${DEMO_FORCE_NAME} is a fictional county used to show what Beacon does. Its towns, postcodes and people are made up.`,
      population: districts.reduce((s, d) => s + d.population, 0),
      boundary: forceBoundary,
    },
    ...districts.map(d => ({
      id: d.id,
      kind: 'district' as const,
      parentId: DEMO_FORCE_ID,
      name: d.name,
      description: `${d.members.length} neighbourhoods in the ${d.name.replace(/ and District$/, '')} area.`,
      population: d.population,
      boundary: d.boundary,
    })),
    ...neighbourhoods.map(n => ({
      id: n.id,
      kind: 'neighbourhood' as const,
      parentId: districts[n.district]!.id,
      name: n.name,
      description: `Covers ${listOf(n.placeNames)}${n.placeNames.length > 1 ? '' : ' and the surrounding area'}.`,
      population: n.population,
      boundary: n.boundary,
    })),
  ]

  const places: DemoPlace[] = neighbourhoods.flatMap((n, g) =>
    n.placeNames.map(name => ({ name, ...pointInside(random, compiled[g]!), neighbourhoodId: n.id })),
  )

  // Outward codes run from the north-west (DS1) to the south-east, like a real postcode area.
  const byPosition = neighbourhoods
    .map((n, g) => ({ n, g, c: centroid(n.boundary)! }))
    .sort((a, b) => Math.round(b.c.lat / CELL.lat) - Math.round(a.c.lat / CELL.lat) || a.c.lng - b.c.lng)
  const postcodes: DemoPostcode[] = []
  byPosition.forEach(({ n, g }, i) => {
    const outward = `DS${i + 1}`
    for (const inward of inwardCodes(random, randomInt(random, 40, 90)))
      postcodes.push(postcode(outward, inward, pointInside(random, compiled[g]!), n.id))
  })

  const force = compileShape(forceBoundary)!
  const countySet = new Set(county)
  const fringe = shuffled(
    random,
    [...new Set(county.flatMap(neighboursOf))].filter(cell => !countySet.has(cell)).sort((a, b) => a - b),
  )
  const outsideCodes = inwardCodes(random, OUTSIDE_POSTCODES)
  fringe.slice(0, OUTSIDE_POSTCODES).forEach((cell, k) => {
    const at = pointOutside(random, tiling.cell(cell % GRID.cols, Math.floor(cell / GRID.cols)), force)
    postcodes.push(postcode(`DS${90 + (k % 3)}`, outsideCodes[k]!, at, null))
  })

  return { seed, areas, places, postcodes }
}

/** Postcodes, places and neighbourhoods from the demo data that documentation and tests can name. */
export interface DemoExamples {
  forceName: string
  /** one postcode in each of three districts, with the neighbourhood it belongs to */
  postcodes: { postcode: string; neighbourhoodId: string; neighbourhoodName: string; districtName: string }[]
  /** places a resident might type instead of a postcode */
  places: { name: string; neighbourhoodId: string; neighbourhoodName: string }[]
  /** in the directory but outside the force area */
  outsidePostcodes: string[]
  /** well formed but not in the directory */
  unknownPostcode: string
}

/** Examples from the demo data for a seed, stable as long as the seed is. */
export function demoExamples(seed: number): DemoExamples {
  const demo = generateDemoArea(seed)
  const byId = new Map(demo.areas.map(a => [a.id, a]))
  const neighbourhoods = demo.areas.filter(a => a.kind === 'neighbourhood')
  const districts = demo.areas.filter(a => a.kind === 'district').sort((a, b) => a.name.localeCompare(b.name))
  const postcodes = districts.slice(0, 3).map(d => {
    const n = neighbourhoods.filter(x => x.parentId === d.id).sort((a, b) => a.name.localeCompare(b.name))[0]!
    const p = demo.postcodes.filter(x => x.neighbourhoodId === n.id).sort((a, b) => a.postcode.localeCompare(b.postcode))[0]!
    return { postcode: p.display, neighbourhoodId: n.id, neighbourhoodName: n.name, districtName: d.name }
  })
  const used = new Set(postcodes.map(p => p.neighbourhoodId))
  // Villages make better examples than towns: their neighbourhood has a different name.
  const places = demo.places
    .filter(p => !used.has(p.neighbourhoodId) && !byId.get(p.neighbourhoodId)!.name.startsWith(p.name))
    .filter((p, i, all) => all.findIndex(q => q.neighbourhoodId === p.neighbourhoodId) === i)
    .slice(0, 3)
    .map(p => ({ name: p.name, neighbourhoodId: p.neighbourhoodId, neighbourhoodName: byId.get(p.neighbourhoodId)!.name }))
  return {
    forceName: DEMO_FORCE_NAME,
    postcodes,
    places,
    outsidePostcodes: demo.postcodes.filter(p => p.neighbourhoodId === null).map(p => p.display),
    unknownPostcode: 'DS99 9ZZ',
  }
}

export interface DemoLoadSummary {
  areas: number
  neighbourhoods: number
  places: number
  postcodes: number
}

/** Rows per postcode insert. */
const POSTCODE_BATCH = 5000

/**
 * Writes the demo area for a seed in one transaction (areas upserted by id, its places
 * replaced, postcodes upserted). With the areas service it then rebuilds that service's
 * spatial index and re-resolves any other stored postcodes; without it, call
 * `areas.rebuildIndex()` yourself. Safe to run again.
 */
export async function loadDemoArea(db: Database, seed: number, areas?: AreasService): Promise<DemoLoadSummary> {
  const demo = generateDemoArea(seed)
  const neighbourhoodIds = demo.areas.filter(a => a.kind === 'neighbourhood').map(a => a.id)
  await db.transaction(async q => {
    await writeAreas(q, demo.areas)
    await q(`delete from places where neighbourhood_id = any($1::text[]) or name_key = any($2::text[])`, [
      neighbourhoodIds,
      demo.places.map(p => p.name.toLowerCase()),
    ])
    await q(
      `insert into places (name, name_key, lat, lng, neighbourhood_id)
       select v.name, lower(v.name), v.lat, v.lng, v.neighbourhood_id
         from unnest($1::text[], $2::float8[], $3::float8[], $4::text[]) as v(name, lat, lng, neighbourhood_id)`,
      [demo.places.map(p => p.name), demo.places.map(p => p.lat), demo.places.map(p => p.lng), demo.places.map(p => p.neighbourhoodId)],
    )
    for (let start = 0; start < demo.postcodes.length; start += POSTCODE_BATCH) {
      const batch = demo.postcodes.slice(start, start + POSTCODE_BATCH)
      await q(
        `insert into postcodes (postcode, display, lat, lng, neighbourhood_id)
         select * from unnest($1::text[], $2::text[], $3::float8[], $4::float8[], $5::text[])
         on conflict (postcode) do update set display = excluded.display, lat = excluded.lat, lng = excluded.lng,
           neighbourhood_id = excluded.neighbourhood_id`,
        [batch.map(p => p.postcode), batch.map(p => p.display), batch.map(p => p.lat), batch.map(p => p.lng), batch.map(p => p.neighbourhoodId)],
      )
    }
  })
  if (areas) {
    await areas.rebuildIndex()
    // Postcodes from an earlier import may now fall inside (or outside) the demo neighbourhoods.
    await areas.reassignLocations()
  }
  return { areas: demo.areas.length, neighbourhoods: neighbourhoodIds.length, places: demo.places.length, postcodes: demo.postcodes.length }
}

/** Cells whose centres fall inside a wobbly circle: a county outline, connected, without islands. */
function countyCells(random: () => number): number[] {
  const cx = GRID.cols / 2
  const cy = GRID.rows / 2
  const harmonics = [2, 3, 5].map((k, i) => ({ k, amplitude: [0.16, 0.1, 0.06][i]! * (0.6 + random() * 0.8), phase: random() * Math.PI * 2 }))
  const radius = (theta: number) => Math.min(5.9, 4.9 * (1 + harmonics.reduce((s, h) => s + h.amplitude * Math.sin(h.k * theta + h.phase), 0)))
  const inside = new Set<number>()
  for (let row = 0; row < GRID.rows; row++)
    for (let col = 0; col < GRID.cols; col++) {
      const dx = col + 0.5 - cx
      const dy = row + 0.5 - cy
      if (Math.hypot(dx, dy) < radius(Math.atan2(dy, dx))) inside.add(row * GRID.cols + col)
    }
  // Keep only cells reachable from the middle, so the county is one piece.
  const start = Math.floor(cy) * GRID.cols + Math.floor(cx)
  const reached = new Set([start])
  const queue = [start]
  while (queue.length) {
    const cell = queue.shift()!
    for (const next of gridNeighbours(cell, GRID.cols, GRID.rows))
      if (inside.has(next) && !reached.has(next)) {
        reached.add(next)
        queue.push(next)
      }
  }
  return [...reached].sort((a, b) => a - b)
}

/** Groups county cells into neighbourhoods: mostly single cells, some merged pairs and L-shapes. */
function groupCells(random: () => number, county: number[], neighboursOf: (cell: number) => number[]): number[][] {
  const inCounty = new Set(county)
  const taken = new Set<number>()
  const groups: number[][] = []
  let merges = Math.max(0, county.length - MIN_NEIGHBOURHOODS)
  for (const cell of shuffled(random, county)) {
    if (taken.has(cell)) continue
    const group = [cell]
    taken.add(cell)
    for (const chance of [0.45, 0.25]) {
      if (merges === 0 || random() >= chance) break
      const free = group.flatMap(neighboursOf).filter(c => inCounty.has(c) && !taken.has(c))
      if (!free.length) break
      const next = free[Math.floor(random() * free.length)]!
      group.push(next)
      taken.add(next)
      merges--
    }
    groups.push(group.sort((a, b) => a - b))
  }
  return groups
}

/**
 * Assigns neighbourhoods to 3–5 districts that each stay in one piece: seeds spread far apart,
 * then each district in turn (smallest first) takes the nearest unassigned neighbour.
 */
function growDistricts(random: () => number, groups: number[][], neighboursOf: (cell: number) => number[]): number[] {
  const groupOfCell = new Map<number, number>()
  groups.forEach((cells, g) => cells.forEach(c => groupOfCell.set(c, g)))
  const adjacent = groups.map((cells, g) => [...new Set(cells.flatMap(neighboursOf).map(c => groupOfCell.get(c)).filter((x): x is number => x !== undefined && x !== g))])
  const centre = groups.map(cells => ({
    x: cells.reduce((s, c) => s + (c % GRID.cols), 0) / cells.length,
    y: cells.reduce((s, c) => s + Math.floor(c / GRID.cols), 0) / cells.length,
  }))
  const distance = (a: number, b: number) => Math.hypot(centre[a]!.x - centre[b]!.x, centre[a]!.y - centre[b]!.y)

  const count = randomInt(random, 3, 5)
  const seeds = [Math.floor(random() * groups.length)]
  while (seeds.length < count) {
    let best = 0
    let bestDistance = -1
    groups.forEach((_, g) => {
      const d = Math.min(...seeds.map(s => distance(s, g)))
      if (d > bestDistance) [best, bestDistance] = [g, d]
    })
    seeds.push(best)
  }
  const districtOf = groups.map(() => -1)
  const sizes = seeds.map(() => 1)
  seeds.forEach((g, d) => (districtOf[g] = d))
  let unassigned = groups.length - seeds.length
  while (unassigned > 0) {
    let grew = false
    for (const d of seeds.map((_, d) => d).sort((a, b) => sizes[a]! - sizes[b]! || a - b)) {
      const frontier = groups.map((_, g) => g).filter(g => districtOf[g] === -1 && adjacent[g]!.some(n => districtOf[n] === d))
      if (!frontier.length) continue
      const next = frontier.reduce((a, b) => (distance(seeds[d]!, b) < distance(seeds[d]!, a) ? b : a))
      districtOf[next] = d
      sizes[d]!++
      unassigned--
      grew = true
      break
    }
    if (!grew) throw new Error('demo county is not connected')
  }
  return districtOf
}

function gridNeighbours(cell: number, cols: number, rows: number): number[] {
  const col = cell % cols
  const row = Math.floor(cell / cols)
  const out: number[] = []
  if (col > 0) out.push(cell - 1)
  if (col < cols - 1) out.push(cell + 1)
  if (row > 0) out.push(cell - cols)
  if (row < rows - 1) out.push(cell + cols)
  return out
}

const round6 = (v: number) => Math.round(v * 1e6) / 1e6

/** A random point strictly inside the shape (checked after rounding to stored precision). */
function pointInside(random: () => number, shape: CompiledShape): { lat: number; lng: number } {
  const [minX, minY, maxX, maxY] = shape.bbox
  for (;;) {
    const lng = round6(minX + random() * (maxX - minX))
    const lat = round6(minY + random() * (maxY - minY))
    if (classifyPoint(shape, lng, lat) === PointPosition.inside) return { lat, lng }
  }
}

/** A random point inside the cell but strictly outside the force area. */
function pointOutside(random: () => number, cell: MultiPolygon, force: CompiledShape): { lat: number; lng: number } {
  const shape = compileShape(cell)!
  const [minX, minY, maxX, maxY] = bbox(cell)!
  for (;;) {
    const lng = round6(minX + random() * (maxX - minX))
    const lat = round6(minY + random() * (maxY - minY))
    if (classifyPoint(shape, lng, lat) === PointPosition.inside && classifyPoint(force, lng, lat) === PointPosition.outside) return { lat, lng }
  }
}

/** Distinct inward codes ("3FX"), in order. */
function inwardCodes(random: () => number, count: number): string[] {
  const codes = new Set<string>()
  while (codes.size < count) {
    const letter = () => UNIT_LETTERS[Math.floor(random() * UNIT_LETTERS.length)]
    codes.add(`${randomInt(random, 1, 9)}${letter()}${letter()}`)
  }
  return [...codes].sort()
}

function postcode(outward: string, inward: string, at: { lat: number; lng: number }, neighbourhoodId: string | null): DemoPostcode {
  const key = outward + inward
  return { postcode: key, display: formatPostcode(key), lat: at.lat, lng: at.lng, neighbourhoodId }
}

const listOf = (names: string[]) => (names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names[0]!)
