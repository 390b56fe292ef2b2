/**
 * Benchmark: build the neighbourhood spatial index over ≥5,000 realistic polygons and run
 * ≥1,000,000 random point lookups on one core. Prints readable lines, then one JSON line.
 *   npm run bench:locate            (or: node bench/locate.ts [lookups])
 */
import { performance } from 'node:perf_hooks'
import { createSpatialIndex } from '../src/platform/geo/spatial-index.ts'
import { seededRandom } from '../src/platform/geo/seeded-random.ts'
import { nationalTiling } from './locate-data.ts'

const lookups = Number(process.argv[2] ?? 1_000_000)

const generateStart = performance.now()
const { items, bbox } = nationalTiling()
const generateMs = performance.now() - generateStart

const buildStart = performance.now()
const index = createSpatialIndex(items)
const buildMs = performance.now() - buildStart

// Points are drawn before timing so the figure measures lookups, not the random generator.
const random = seededRandom(7)
const lats = new Float64Array(lookups)
const lngs = new Float64Array(lookups)
for (let i = 0; i < lookups; i++) {
  lats[i] = bbox.minLat + random() * (bbox.maxLat - bbox.minLat)
  lngs[i] = bbox.minLng + random() * (bbox.maxLng - bbox.minLng)
}

// A short warm-up lets the JIT optimise the hot loop before it is measured.
for (let i = 0; i < Math.min(50_000, lookups); i++) index.locate(lats[i]!, lngs[i]!)

let found = 0
const runStart = performance.now()
for (let i = 0; i < lookups; i++) if (index.locate(lats[i]!, lngs[i]!) !== null) found++
const runMs = performance.now() - runStart

const lookupsPerSecond = Math.round(lookups / (runMs / 1000))
const heapMb = Math.round((process.memoryUsage().heapUsed / 1024 / 1024) * 10) / 10
const verticesAvg = Math.round(index.vertexCount / index.size)

console.log(`polygons           ${index.size.toLocaleString('en-GB')} (generated in ${generateMs.toFixed(0)} ms)`)
console.log(`vertices           ${index.vertexCount.toLocaleString('en-GB')} (average ${verticesAvg} per polygon)`)
console.log(`index build        ${buildMs.toFixed(1)} ms`)
console.log(`lookups            ${lookups.toLocaleString('en-GB')} in ${runMs.toFixed(0)} ms, ${(found / lookups * 100).toFixed(1)}% inside a polygon`)
console.log(`throughput         ${lookupsPerSecond.toLocaleString('en-GB')} lookups/s on one core`)
console.log(`heap used          ${heapMb} MB`)
console.log(
  JSON.stringify({
    polygons: index.size,
    vertices_avg: verticesAvg,
    build_ms: Math.round(buildMs * 10) / 10,
    lookups,
    found_ratio: Math.round((found / lookups) * 1000) / 1000,
    lookups_per_s: lookupsPerSecond,
    heap_mb: heapMb,
    node: process.version,
  }),
)
