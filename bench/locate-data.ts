import { createGridTiling } from '../src/platform/geo/grid-tiling.ts'
import { randomInt, seededRandom } from '../src/platform/geo/seeded-random.ts'
import type { SpatialItem } from '../src/platform/geo/spatial-index.ts'

export interface NationalTiling {
  items: SpatialItem[]
  bbox: { minLat: number; minLng: number; maxLat: number; maxLng: number }
}

/**
 * A national-scale set of neighbourhood shapes: a jittered grid over Great Britain's extent
 * (about 7.8° of longitude by 8.5° of latitude) whose edges bend through 3 to 60 points each,
 * so shapes carry tens to a couple of hundred vertices like real neighbourhood boundaries.
 */
export function nationalTiling(opts: { cols?: number; rows?: number; seed?: number } = {}): NationalTiling {
  const cols = opts.cols ?? 75
  const rows = opts.rows ?? 70
  const origin = { lat: 50.0, lng: -6.0 }
  const cellSize = { lat: 8.5 / rows, lng: 7.8 / cols }
  const tiling = createGridTiling({
    cols,
    rows,
    origin,
    cellSize,
    segments: random => randomInt(random, 3, 60),
    random: seededRandom(opts.seed ?? 2026),
  })
  const items: SpatialItem[] = []
  for (let row = 0; row < rows; row++) for (let col = 0; col < cols; col++) items.push({ id: `N${row}-${col}`, geometry: tiling.cell(col, row) })
  return {
    items,
    bbox: { minLat: origin.lat, minLng: origin.lng, maxLat: origin.lat + rows * cellSize.lat, maxLng: origin.lng + cols * cellSize.lng },
  }
}
