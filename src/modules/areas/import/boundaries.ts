import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { Database } from '../../../platform/db/client.ts'
import { createAreasService, type AreaKind, type AreasService } from '../service.ts'
import { parseGeoJsonBoundaries, type ParsedBoundaries } from './geojson.ts'
import { parseKmlBoundaries } from './kml.ts'
import type { ImportProblem } from './problems.ts'
import { checkTree, checkWithin } from './records.ts'
import { writeAreas } from './write-areas.ts'

export type BoundaryFormat = 'geojson' | 'kml'

export interface BoundaryImportOptions {
  /** taken from the file name (.geojson, .json, .kml) or its first character when omitted */
  format?: BoundaryFormat | undefined
  /** KML only: the district the neighbourhoods belong to */
  parentId?: string | undefined
  /**
   * The subtrees (materialised paths) the importer may change; every area in the file must
   * lie inside one, before and after. Omitted for the command line, which may change anything.
   */
  within?: readonly string[] | undefined
}

export interface BoundaryImportCounts {
  created: number
  updated: number
  byKind: Record<AreaKind, number>
  /** stored postcodes whose neighbourhood changed with the new boundaries */
  postcodesReassigned: number
  placesReassigned: number
  /** neighbourhoods in the spatial index afterwards */
  indexed: number
}

/** What an import did, or why it did nothing: every problem, each with where it is. */
export interface BoundaryImportReport {
  ok: boolean
  problems: ImportProblem[]
  /** one line for people: what was imported, or that nothing was */
  summary: string
  counts: BoundaryImportCounts | null
}

/** Thrown inside the transaction to roll it back when the checks against stored areas fail. */
class RejectedImport extends Error {
  readonly problems: ImportProblem[]
  constructor(problems: ImportProblem[]) {
    super('import rejected')
    this.problems = problems
  }
}

/**
 * Imports parsed boundaries: checks them as a tree against the stored areas, then upserts
 * them all in one transaction (nothing is written if anything is wrong), recomputes paths and
 * centres, rebuilds the spatial index and re-resolves stored postcodes and places.
 */
export async function importBoundaries(
  db: Database,
  parsed: ParsedBoundaries,
  areas?: AreasService,
  opts: Pick<BoundaryImportOptions, 'within'> = {},
): Promise<BoundaryImportReport> {
  if (parsed.problems.size) return rejected(parsed.problems.problems)
  const { records } = parsed
  let created = 0
  try {
    await db.transaction(async q => {
      const storedRows = await q<{ id: string; kind: AreaKind; path: string }>(`select id, kind, path from areas`)
      const stored = new Map(storedRows.map(r => [r.id, r]))
      checkTree(records, stored, parsed.problems)
      if (!parsed.problems.size && opts.within) checkWithin(records, new Map(storedRows.map(r => [r.id, r.path])), opts.within, parsed.problems)
      if (parsed.problems.size) throw new RejectedImport(parsed.problems.problems)
      created = records.filter(r => !stored.has(r.id)).length
      await writeAreas(q, records)
    })
  } catch (err) {
    if (err instanceof RejectedImport) return rejected(err.problems)
    throw err
  }
  const service = areas ?? (await createAreasService(db))
  if (areas) await areas.rebuildIndex()
  const moved = await service.reassignLocations()
  const byKind = { force: 0, district: 0, neighbourhood: 0 }
  for (const r of records) byKind[r.kind]++
  const counts: BoundaryImportCounts = {
    created,
    updated: records.length - created,
    byKind,
    postcodesReassigned: moved.postcodesChanged,
    placesReassigned: moved.placesChanged,
    indexed: service.indexStats().neighbourhoods,
  }
  return { ok: true, problems: [], summary: describe(counts), counts }
}

/** Reads boundaries from text in either format; see parseGeoJsonBoundaries and parseKmlBoundaries for what is expected. */
export function parseBoundaries(text: string, format: BoundaryFormat, opts: BoundaryImportOptions = {}): ParsedBoundaries {
  return format === 'kml' ? parseKmlBoundaries(text, { parent: opts.parentId }) : parseGeoJsonBoundaries(text)
}

/** The format from a file name, else from the first non-blank character ("{" or "<"); null if neither says. */
export function detectBoundaryFormat(fileName: string | undefined, text: string): BoundaryFormat | null {
  const ext = path.extname(fileName ?? '').toLowerCase()
  if (ext === '.geojson' || ext === '.json') return 'geojson'
  if (ext === '.kml') return 'kml'
  const first = text.trimStart()[0]
  return first === '{' ? 'geojson' : first === '<' ? 'kml' : null
}

/** Imports boundaries from text (an upload): detects the format, parses, checks and writes. */
export async function importBoundariesFromText(
  db: Database,
  text: string,
  opts: BoundaryImportOptions & { fileName?: string | undefined },
  areas?: AreasService,
): Promise<BoundaryImportReport> {
  const format = opts.format ?? detectBoundaryFormat(opts.fileName, text)
  if (!format) return rejected([{ where: 'file', message: 'is not GeoJSON or KML: use a .geojson, .json or .kml file' }])
  return importBoundaries(db, parseBoundaries(text, format, opts), areas, opts)
}

/**
 * Imports a boundary file from disk (the `beacon import-boundaries` command). The format comes
 * from the extension (.geojson, .json, .kml) unless given.
 */
export async function importBoundariesFromFile(
  db: Database,
  filePath: string,
  opts: BoundaryImportOptions = {},
  areas?: AreasService,
): Promise<BoundaryImportReport> {
  const text = await readFile(filePath, 'utf8')
  return importBoundariesFromText(db, text, { ...opts, fileName: filePath }, areas)
}

function rejected(problems: ImportProblem[]): BoundaryImportReport {
  return {
    ok: false,
    problems,
    summary: `Nothing was imported: ${problems.length} problem${problems.length === 1 ? '' : 's'} found.`,
    counts: null,
  }
}

function describe(c: BoundaryImportCounts): string {
  const parts = (['force', 'district', 'neighbourhood'] as const)
    .filter(k => c.byKind[k])
    .map(k => `${c.byKind[k]} ${k === 'neighbourhood' ? (c.byKind[k] === 1 ? 'neighbourhood' : 'neighbourhoods') : c.byKind[k] === 1 ? k : `${k}s`}`)
  return (
    `Imported ${parts.join(', ')} (${c.created} new, ${c.updated} updated). ` +
    `${c.indexed} neighbourhoods are now searchable` +
    (c.postcodesReassigned ? `; ${c.postcodesReassigned} postcodes moved to a different neighbourhood.` : '.')
  )
}
