// The import entry points the CLI and the staff pages use.
export {
  importBoundaries,
  importBoundariesFromFile,
  importBoundariesFromText,
  parseBoundaries,
  detectBoundaryFormat,
  type BoundaryFormat,
  type BoundaryImportOptions,
  type BoundaryImportReport,
  type BoundaryImportCounts,
} from './boundaries.ts'
export { importPostcodes, importPostcodesFromFile, type PostcodeImportOptions, type PostcodeImportReport } from './postcodes.ts'
export { parseGeoJsonBoundaries, type ParsedBoundaries } from './geojson.ts'
export { parseKmlBoundaries, type KmlOptions } from './kml.ts'
export type { ImportProblem } from './problems.ts'
