import { createReadStream } from 'node:fs'
import type { Readable } from 'node:stream'
import { parse } from 'csv-parse'
import type { Database } from '../../../platform/db/client.ts'
import { formatPostcode, normalisePostcode } from '../postcode-format.ts'
import { createAreasService, type AreasService } from '../service.ts'
import type { ImportProblem } from './problems.ts'

export interface PostcodeImportOptions {
  /** rows per insert statement (default 5,000) */
  batchSize?: number
  /** problems listed in the report; the rest are only counted (default 50) */
  maxProblems?: number
  /** called after each batch is written, e.g. to print progress */
  onProgress?: (progress: { rows: number; imported: number }) => void
  /**
   * Asked once every row has been read, before committing: a problem here (an upload cut
   * short by the size limit, say) rolls the whole import back.
   */
  beforeCommit?: () => ImportProblem | null
}

/** What a postcode import did, or why it did nothing. */
export interface PostcodeImportReport {
  ok: boolean
  /** data rows read (not counting the header) */
  rows: number
  /** rows written; 0 when anything was wrong */
  imported: number
  /** ONS rows with no grid reference (lat 99.999999), skipped */
  skippedNoLocation: number
  /** imported rows that lie in no neighbourhood of the force area */
  outside: number
  /** the first problems (maxProblems), each with its row */
  problems: ImportProblem[]
  /** rows with a problem, including those not listed */
  problemRows: number
  summary: string
}

const REQUIRED_COLUMNS = ['pcds', 'lat', 'long'] as const
/** ONS marks postcodes without a grid reference with this latitude (and longitude 0). */
const ONS_NO_LOCATION_LAT = 99.999999
/** Everything in the ONS directory, Channel Islands and Isle of Man included, lies in here. */
const UK_LAT = { min: 49, max: 61 }
const UK_LNG = { min: -9, max: 2 }

/** Thrown to roll the transaction back once the file has been read to the end. */
class RejectedImport extends Error {}

/**
 * Imports an ONS Postcode Directory CSV, streamed: columns pcds, lat and long are required
 * (any others are ignored). Each row is checked and resolved to a neighbourhood with the
 * spatial index, then written in multi-row upserts, all in ONE transaction: a single bad row
 * means nothing is imported, and the report lists the first bad rows with their row numbers
 * (row 1 is the header). Rows are never all held at once, so memory stays flat on the full
 * 2.7-million-row directory; reading waits while each batch is written.
 */
export async function importPostcodes(
  db: Database,
  input: Readable,
  areas?: AreasService,
  opts: PostcodeImportOptions = {},
): Promise<PostcodeImportReport> {
  // Wire the stream up before the first await: a file that fails to open reports its error
  // on the next tick, and pipe() does not pass a source's errors on to the parser.
  const parser = parse({ bom: true, trim: true, skip_empty_lines: true, relax_column_count: true })
  input.on('error', err => parser.destroy(err))
  // Kept rather than thrown: it may come before the loop below starts listening.
  let readError: NodeJS.ErrnoException | null = null
  parser.on('error', err => (readError ??= err))
  input.pipe(parser)
  const service = areas ?? (await createAreasService(db))
  const batchSize = opts.batchSize ?? 5000
  const maxProblems = opts.maxProblems ?? 50
  const report: PostcodeImportReport = {
    ok: false,
    rows: 0,
    imported: 0,
    skippedNoLocation: 0,
    outside: 0,
    problems: [],
    problemRows: 0,
    summary: '',
  }
  const problem = (where: string, message: string) => {
    report.problemRows++
    if (report.problems.length < maxProblems) report.problems.push({ where, message })
  }

  try {
    await db.transaction(async q => {
      // Within a batch the last row for a postcode wins (one upsert cannot touch a row twice).
      let batch = new Map<string, [string, number, number, string | null]>()
      const flush = async () => {
        if (batch.size === 0) return
        const rows = [...batch]
        batch = new Map()
        await q(
          `insert into postcodes (postcode, display, lat, lng, neighbourhood_id)
           select * from unnest($1::text[], $2::text[], $3::float8[], $4::float8[], $5::text[])
           on conflict (postcode) do update set
             display = excluded.display, lat = excluded.lat, lng = excluded.lng, neighbourhood_id = excluded.neighbourhood_id`,
          [rows.map(r => r[0]), rows.map(r => r[1][0]), rows.map(r => r[1][1]), rows.map(r => r[1][2]), rows.map(r => r[1][3])],
        )
        opts.onProgress?.({ rows: report.rows, imported: report.imported })
      }

      let columns: { pcds: number; lat: number; long: number } | null = null
      let rowNumber = 1
      try {
        for await (const record of parser as AsyncIterable<string[]>) {
          if (!columns) {
            const header = record.map(h => h.trim().toLowerCase())
            const missing = REQUIRED_COLUMNS.filter(c => !header.includes(c))
            if (missing.length) {
              for (const c of missing) problem('row 1 (header)', `missing column ${c}`)
              // Drain the rest unread, so an upload still completes and gets its answer.
              input.unpipe(parser)
              input.resume()
              break
            }
            columns = { pcds: header.indexOf('pcds'), lat: header.indexOf('lat'), long: header.indexOf('long') }
            continue
          }
          rowNumber++
          report.rows++
          const row = checkRow(record, columns, `row ${rowNumber}`, problem)
          if (row === 'no-location') {
            report.skippedNoLocation++
            continue
          }
          // After the first problem nothing will be committed, so reading on only gathers the report.
          if (!row || report.problemRows > 0) continue
          const neighbourhoodId = service.locateId(row.lat, row.lng)
          if (!neighbourhoodId) report.outside++
          batch.set(row.postcode, [row.display, row.lat, row.lng, neighbourhoodId])
          report.imported++
          if (batch.size >= batchSize) await flush()
        }
      } catch (err) {
        readError ??= err as NodeJS.ErrnoException
      }
      if (readError) {
        const { code, message } = readError as NodeJS.ErrnoException
        // csv-parse's own errors (code CSV_…) are about the content; anything else is the file itself.
        if (code?.startsWith('CSV_')) problem(`row ${rowNumber + 1}`, `could not be read as CSV: ${message}`)
        else problem('file', `could not be read: ${message}`)
      }
      if (!columns && report.problemRows === 0) problem('file', 'is empty: expected a header row with pcds, lat and long')
      const late = report.problemRows === 0 ? opts.beforeCommit?.() : null
      if (late) problem(late.where, late.message)
      if (report.problemRows > 0) throw new RejectedImport()
      await flush()
    })
  } catch (err) {
    if (!(err instanceof RejectedImport)) throw err
    report.imported = 0
    report.outside = 0
    report.summary = `Nothing was imported: ${report.problemRows.toLocaleString('en-GB')} row${report.problemRows === 1 ? '' : 's'} with problems.`
    return report
  }
  report.ok = true
  report.summary =
    `Imported ${report.imported.toLocaleString('en-GB')} postcodes from ${report.rows.toLocaleString('en-GB')} rows` +
    `; ${report.outside.toLocaleString('en-GB')} lie outside every neighbourhood` +
    `; ${report.skippedNoLocation.toLocaleString('en-GB')} without a location were skipped.`
  return report
}

type CheckedRow = { postcode: string; display: string; lat: number; lng: number }

function checkRow(
  record: string[],
  columns: { pcds: number; lat: number; long: number },
  where: string,
  problem: (where: string, message: string) => void,
): CheckedRow | 'no-location' | null {
  const rawPostcode = record[columns.pcds] ?? ''
  const rawLat = record[columns.lat] ?? ''
  const rawLng = record[columns.long] ?? ''
  const postcode = normalisePostcode(rawPostcode)
  const lat = Number(rawLat)
  const lng = Number(rawLng)
  const messages: string[] = []
  if (!rawPostcode) messages.push('pcds is empty')
  else if (!postcode) messages.push(`postcode "${rawPostcode.slice(0, 20)}" is not a valid UK postcode`)
  if (rawLat === '' || rawLng === '') messages.push(`${rawLat === '' ? 'lat' : 'long'} is empty`)
  else if (!Number.isFinite(lat) || !Number.isFinite(lng)) {
    if (!Number.isFinite(lat)) messages.push(`lat "${rawLat.slice(0, 20)}" is not a number`)
    if (!Number.isFinite(lng)) messages.push(`long "${rawLng.slice(0, 20)}" is not a number`)
  } else if (lat === ONS_NO_LOCATION_LAT) {
    if (messages.length === 0) return 'no-location'
  } else if (inRange(lng, UK_LAT) && inRange(lat, UK_LNG)) messages.push(`lat ${rawLat} and long ${rawLng} look swapped`)
  else {
    if (!inRange(lat, UK_LAT)) messages.push(`lat ${rawLat} is outside the UK (${UK_LAT.min} to ${UK_LAT.max})`)
    if (!inRange(lng, UK_LNG)) messages.push(`long ${rawLng} is outside the UK (${UK_LNG.min} to ${UK_LNG.max})`)
  }
  if (messages.length) {
    problem(where, messages.join('; '))
    return null
  }
  return { postcode: postcode!, display: formatPostcode(postcode!), lat, lng }
}

const inRange = (v: number, r: { min: number; max: number }) => v >= r.min && v <= r.max

/**
 * Imports postcodes from a CSV file path or an already-open stream (the `beacon
 * import-postcodes` command). Builds the areas service (and its index) when none is given.
 */
export async function importPostcodesFromFile(
  db: Database,
  input: string | Readable,
  areas?: AreasService,
  opts: PostcodeImportOptions = {},
): Promise<PostcodeImportReport> {
  return importPostcodes(db, typeof input === 'string' ? createReadStream(input) : input, areas, opts)
}
