import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { grantedPaths, requireStaff, type StaffContext } from '../../../../../platform/auth/access.ts'
import { actorFrom } from '../../../../../platform/audit/service.ts'
import { importBoundariesFromText } from '../../../import/boundaries.ts'
import type { ImportProblem } from '../../../import/problems.ts'
import { IMPORT_ROLES } from '../access.ts'
import { extensionOf, isTooLarge, isUpload, sizeText, uploadLimits } from '../uploads.ts'

const VIEW = 'modules/areas/web/staff/import-boundaries/view.njk'
const URL = '/staff/imports/boundaries'
const EXTENSIONS = ['.geojson', '.json', '.kml']

/**
 * Boundary import (administrators): upload GeoJSON or KML; every problem is listed with where
 * it is and nothing is imported, or everything is and the index is rebuilt at once. The file
 * is read whole (parsing needs it) up to the size limit; only the administrator's own areas
 * can be changed.
 */
export function importBoundariesController({ services }: RouteOptions) {
  async function context(staff: StaffContext) {
    const within = await services.areas.listAreasWithin(grantedPaths(staff, IMPORT_ROLES))
    return {
      title: 'Import boundaries',
      counts: await services.areas.counts(),
      limit: sizeText(uploadLimits.boundaryBytes),
      districtItems: [
        { value: '', text: 'Not needed for GeoJSON' },
        ...within.filter(a => a.kind === 'district').map(d => ({ value: d.id, text: d.name })),
      ],
    }
  }

  const fail = async (
    reply: FastifyReply,
    staff: StaffContext,
    status: number,
    errors: Record<string, string>,
    extra: { values?: Record<string, unknown>; problems?: ImportProblem[]; fileName?: string } = {},
  ) =>
    reply.page(
      VIEW,
      { ...(await context(staff)), errors, values: extra.values ?? {}, problems: extra.problems, problemTotal: extra.problems?.length, fileName: extra.fileName },
      status,
    )

  return {
    form: async (request: FastifyRequest, reply: FastifyReply) => {
      const staff = requireStaff(request, IMPORT_ROLES)
      return reply.page(VIEW, await context(staff))
    },

    upload: async (request: FastifyRequest, reply: FastifyReply) => {
      const staff = requireStaff(request, IMPORT_ROLES)
      if (!isUpload(request)) return fail(reply, staff, 400, { file: 'Select a boundary file' })
      let fileName = ''
      let content: Buffer | null = null
      const fields: Record<string, string> = {}
      try {
        for await (const part of request.parts({ limits: { fileSize: uploadLimits.boundaryBytes } })) {
          if (part.type === 'file') {
            const buffer = await part.toBuffer()
            if (part.filename && !content) {
              fileName = part.filename
              content = buffer
            }
          } else fields[part.fieldname] = String(part.value ?? '')
        }
      } catch (err) {
        if (!isTooLarge(err)) throw err
        return fail(reply, staff, 413, { file: `The selected file must be smaller than ${sizeText(uploadLimits.boundaryBytes)}` })
      }
      const values = { parentId: fields.parentId ?? '' }
      if (!content) return fail(reply, staff, 400, { file: 'Select a boundary file' }, { values })
      if (!EXTENSIONS.includes(extensionOf(fileName)))
        return fail(reply, staff, 400, { file: 'The selected file must be GeoJSON (.geojson or .json) or KML (.kml)' }, { values })
      if (content.length === 0) return fail(reply, staff, 400, { file: 'The selected file is empty' }, { values })
      let text: string
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(content)
      } catch {
        return fail(reply, staff, 400, { file: 'The selected file must be a text file (GeoJSON or KML), not a spreadsheet or zip' }, { values })
      }

      const report = await importBoundariesFromText(
        services.db,
        text,
        { fileName, parentId: values.parentId || undefined, within: grantedPaths(staff, IMPORT_ROLES) },
        services.areas,
      )
      if (!report.ok) {
        const count = report.problems.length
        const errors: Record<string, string> = { problems: `${fileName} has ${count} ${count === 1 ? 'problem' : 'problems'}. Nothing was imported.` }
        if (report.problems.some(p => p.message.startsWith('no parent:')))
          errors.parentId = 'Select the district the neighbourhoods in this KML file belong to'
        return fail(reply, staff, 400, errors, { values, problems: report.problems, fileName })
      }
      await services.audit.record(actorFrom(request), {
        action: 'import',
        entityType: 'boundaries',
        entityId: fileName,
        summary: `Imported boundaries from ${fileName}: ${report.summary}`,
        details: { ...report.counts },
      })
      return reply.redirectWithNotice(URL, report.summary)
    },
  }
}
