import type { FastifyInstance } from 'fastify'
import type { RouteOptions } from '../../../../app.ts'
import { areaController } from './area/controller.ts'
import { areasController } from './areas/controller.ts'
import { importBoundariesController } from './import-boundaries/controller.ts'
import { importPostcodesController } from './import-postcodes/controller.ts'

/**
 * Staff pages for areas: the list and one area's page (view and edit description and
 * population) for administrators, engagement leads and neighbourhood officers within their
 * grants, and the boundary and postcode imports for administrators.
 */
export async function areasStaffRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  const areas = areasController(opts)
  const area = areaController(opts)
  const boundaries = importBoundariesController(opts)
  const postcodes = importPostcodesController(opts)
  app.get('/staff/areas', areas.list)
  app.get('/staff/areas/:id', area.show)
  app.post('/staff/areas/:id', area.update)
  app.get('/staff/imports/boundaries', boundaries.form)
  app.post('/staff/imports/boundaries', boundaries.upload)
  app.get('/staff/imports/postcodes', postcodes.form)
  app.post('/staff/imports/postcodes', postcodes.upload)
}
