import type { MultiPolygon as MultiPolygonGeometry, Position } from '../../../../../platform/geo/types.ts'

export interface MapLayer {
  geometry: MultiPolygonGeometry
  /** 'area' is the subject of the map; 'context' shapes are drawn behind it */
  role: 'area' | 'context'
}

const WIDTH = 640

/**
 * Draws boundaries as an SVG map, projected equirectangularly with longitude scaled by
 * cos(latitude) so shapes keep their proportions at UK latitudes. Server-rendered so
 * the map needs no JavaScript and no tile server; the page always pairs it with a
 * written description and a list of places.
 */
export function renderBoundarySvg(layers: MapLayer[], title: string, description: string): string {
  const all = layers.flatMap(l => l.geometry.coordinates.flat(2))
  const subject = layers.filter(l => l.role === 'area').flatMap(l => l.geometry.coordinates.flat(2))
  const frame = subject.length ? subject : all
  if (!frame.length) return ''
  const lats = frame.map(p => p[1])
  const lngs = frame.map(p => p[0])
  const midLat = (Math.min(...lats) + Math.max(...lats)) / 2
  const k = Math.cos((midLat * Math.PI) / 180)
  // Frame the subject with a margin so its neighbours show around it.
  const pad = 0.35
  const minX = Math.min(...lngs) * k
  const maxX = Math.max(...lngs) * k
  const minY = -Math.max(...lats)
  const maxY = -Math.min(...lats)
  const w = maxX - minX || 1e-6
  const h = maxY - minY || 1e-6
  const x0 = minX - w * pad
  const y0 = minY - h * pad
  const vw = w * (1 + 2 * pad)
  const vh = h * (1 + 2 * pad)
  const scale = WIDTH / vw
  const height = Math.round(vh * scale)
  const point = (p: Position) => `${((p[0] * k - x0) * scale).toFixed(1)},${((-p[1] - y0) * scale).toFixed(1)}`
  const pathOf = (g: MultiPolygonGeometry) =>
    g.coordinates.map(poly => poly.map(ring => `M${ring.map(point).join('L')}Z`).join('')).join('')
  const shapes = [...layers]
    .sort((a, b) => (a.role === b.role ? 0 : a.role === 'context' ? -1 : 1))
    .map(l => `<path class="beacon-map__${l.role}" fill-rule="evenodd" d="${pathOf(l.geometry)}"/>`)
    .join('')
  return `<svg class="beacon-map" role="img" aria-labelledby="map-title map-desc" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" xmlns="http://www.w3.org/2000/svg"><title id="map-title">${escapeXml(title)}</title><desc id="map-desc">${escapeXml(description)}</desc>${shapes}</svg>`
}

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!)
}

/** Approximate area in km² (spherical excess is negligible at neighbourhood scale). */
export function areaKm2(g: MultiPolygonGeometry): number {
  const R = 6371.0088
  let total = 0
  for (const poly of g.coordinates) {
    poly.forEach((ring, i) => {
      let s = 0
      for (let j = 0; j < ring.length - 1; j++) {
        const [x1, y1] = ring[j]!
        const [x2, y2] = ring[j + 1]!
        s += ((x2 - x1) * Math.PI) / 180 * (2 + Math.sin((y1 * Math.PI) / 180) + Math.sin((y2 * Math.PI) / 180))
      }
      const a = Math.abs((s * R * R) / 2)
      total += i === 0 ? a : -a
    })
  }
  return total
}

/**
 * Neighbourhoods that share at least one boundary vertex with `g`. Boundaries that tile
 * share their vertices exactly, as imported data from one source does.
 */
export function sharesBoundary(g: MultiPolygonGeometry, other: MultiPolygonGeometry): boolean {
  const keys = new Set(g.coordinates.flat(2).map(p => `${p[0].toFixed(6)},${p[1].toFixed(6)}`))
  return other.coordinates.flat(2).some(p => keys.has(`${p[0].toFixed(6)},${p[1].toFixed(6)}`))
}
