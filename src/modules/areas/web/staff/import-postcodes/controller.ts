import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { requireStaff } from '../../../../../platform/auth/access.ts'
import { actorFrom } from '../../../../../platform/audit/service.ts'
import { importPostcodes, type PostcodeImportReport } from '../../../import/postcodes.ts'
import { IMPORT_ROLES } from '../access.ts'
import { extensionOf, isUpload, sizeText, uploadLimits } from '../uploads.ts'

const VIEW = 'modules/areas/web/staff/import-postcodes/view.njk'
const URL = '/staff/imports/postcodes'

/**
 * Postcode import (administrators): an ONS Postcode Directory CSV, streamed from the upload
 * straight into one transaction, so a bad row means nothing is imported and the page lists
 * the first bad rows. A file over the limit is rolled back whole; the full national
 * directory goes through the command line instead.
 */
export function importPostcodesController({ services }: RouteOptions) {
  const context = async () => ({
    title: 'Import postcodes',
    counts: await services.areas.counts(),
    limit: sizeText(uploadLimits.postcodeBytes),
  })

  const fail = async (reply: FastifyReply, status: number, errors: Record<string, string>, report?: PostcodeImportReport, fileName?: string) =>
    reply.page(VIEW, { ...(await context()), errors, problems: report?.problems, problemTotal: report?.problemRows, fileName }, status)

  return {
    form: async (request: FastifyRequest, reply: FastifyReply) => {
      requireStaff(request, IMPORT_ROLES)
      return reply.page(VIEW, await context())
    },

    upload: async (request: FastifyRequest, reply: FastifyReply) => {
      requireStaff(request, IMPORT_ROLES)
      if (!isUpload(request)) return fail(reply, 400, { file: 'Select a postcode file' })
      const file = await request.file({ limits: { fileSize: uploadLimits.postcodeBytes } })
      if (!file || !file.filename) {
        await file?.toBuffer()
        return fail(reply, 400, { file: 'Select a postcode file' })
      }
      if (extensionOf(file.filename) !== '.csv') {
        file.file.resume()
        return fail(reply, 400, { file: 'The selected file must be a CSV file (.csv)' })
      }
      const tooLarge = `The selected file must be smaller than ${sizeText(uploadLimits.postcodeBytes)}. For the whole ONS directory use the command line: npx beacon import-postcodes FILE`
      const report = await importPostcodes(services.db, file.file, services.areas, {
        // The upload stops at the limit; what arrived would be a silently partial import.
        beforeCommit: () => (file.file.truncated ? { where: 'file', message: tooLarge } : null),
      })
      if (file.file.truncated) return fail(reply, 413, { file: tooLarge })
      if (!report.ok) {
        const n = report.problemRows
        return fail(reply, 400, { problems: `${file.filename} has ${n.toLocaleString('en-GB')} ${n === 1 ? 'row' : 'rows'} with problems. Nothing was imported.` }, report, file.filename)
      }
      await services.audit.record(actorFrom(request), {
        action: 'import',
        entityType: 'postcodes',
        entityId: file.filename,
        summary: `Imported postcodes from ${file.filename}: ${report.summary}`,
        details: { rows: report.rows, imported: report.imported, outside: report.outside, skippedNoLocation: report.skippedNoLocation },
      })
      return reply.redirectWithNotice(URL, report.summary)
    },
  }
}
