import type { FastifyInstance } from 'fastify'
import type { RouteOptions } from '../../../app.ts'
import { neighbourhoodPageController } from './public/neighbourhood/controller.ts'
import { neighbourhoodsListController } from './staff/neighbourhoods/controller.ts'
import { neighbourhoodHubController } from './staff/neighbourhood/controller.ts'
import { profileController } from './staff/profile/controller.ts'
import { teamController } from './staff/team/controller.ts'
import { prioritiesController } from './staff/priorities/controller.ts'
import { stationsController } from './staff/stations/controller.ts'

/**
 * The neighbourhood page and what feeds it: public pages (the page, its priorities, team
 * photos) and the staff pages for the profile, team, priorities and stations.
 */
export async function pageRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  const page = neighbourhoodPageController(opts)
  // The same for every visitor: no form, no flash, nothing personal.
  const cached = { config: { pageCache: true } }
  app.get('/neighbourhoods/:id', cached, page.show)
  app.get('/neighbourhoods/:id/priorities', cached, page.priorities)
  app.get('/neighbourhoods/:id/team/:memberId/photo', page.photo)

  const list = neighbourhoodsListController(opts)
  const hub = neighbourhoodHubController(opts)
  const profile = profileController(opts)
  const team = teamController(opts)
  const priorities = prioritiesController(opts)
  const stations = stationsController(opts)

  app.get('/staff/neighbourhoods', list.list)
  app.get('/staff/neighbourhoods/:id', hub.show)
  app.get('/staff/neighbourhoods/:id/profile', profile.show)
  app.post('/staff/neighbourhoods/:id/profile', profile.update)

  app.get('/staff/neighbourhoods/:id/team', team.list)
  app.get('/staff/neighbourhoods/:id/team/new', team.newForm)
  app.post('/staff/neighbourhoods/:id/team/new', team.create)
  app.get('/staff/neighbourhoods/:id/team/:memberId', team.editForm)
  app.post('/staff/neighbourhoods/:id/team/:memberId', team.update)
  app.post('/staff/neighbourhoods/:id/team/:memberId/named-contact', team.namedContact)
  app.get('/staff/neighbourhoods/:id/team/:memberId/remove', team.removeForm)
  app.post('/staff/neighbourhoods/:id/team/:memberId/remove', team.remove)

  app.get('/staff/neighbourhoods/:id/priorities', priorities.list)
  app.get('/staff/neighbourhoods/:id/priorities/new', priorities.newForm)
  app.post('/staff/neighbourhoods/:id/priorities/new', priorities.create)
  app.get('/staff/neighbourhoods/:id/priorities/:priorityId', priorities.show)
  app.post('/staff/neighbourhoods/:id/priorities/:priorityId/updates', priorities.addUpdate)
  app.post('/staff/neighbourhoods/:id/priorities/:priorityId/review', priorities.review)
  app.post('/staff/neighbourhoods/:id/priorities/:priorityId/resolve', priorities.resolve)

  app.get('/staff/stations', stations.list)
  app.get('/staff/stations/new', stations.newForm)
  app.post('/staff/stations/new', stations.create)
  app.get('/staff/stations/:stationId', stations.editForm)
  app.post('/staff/stations/:stationId', stations.update)
  app.get('/staff/stations/:stationId/remove', stations.removeForm)
  app.post('/staff/stations/:stationId/remove', stations.remove)
}
