import path from 'node:path'
import type { FastifyRequest } from 'fastify'

/**
 * Upload size limits for the import pages. Read on each request, so tests can lower them to
 * exercise the too-large path without sending 100 MB.
 */
export const uploadLimits = {
  boundaryBytes: 50 * 1024 * 1024,
  postcodeBytes: 100 * 1024 * 1024,
}

/** "50 MB", "1.5 KB": a limit said the way GOV.UK error messages say it. */
export function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KB`
  return `${bytes} bytes`
}

/** The file's extension, lower-cased, with its dot (".kml"); empty when it has none. */
export const extensionOf = (fileName: string) => path.extname(fileName).toLowerCase()

/** True for multipart requests; anything else posted to an upload page has no file in it. */
export const isUpload = (request: FastifyRequest) => request.isMultipart()

/** A multipart error for a file over the limit (the plugin's code for it). */
export const isTooLarge = (err: unknown) => (err as { code?: string } | null)?.code === 'FST_REQ_FILE_TOO_LARGE'
