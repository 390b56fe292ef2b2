import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../app.ts'

/**
 * GET /api: the open data API described for people, with live example links for this site's
 * first force and neighbourhood. The same for every visitor, so the page cache may keep it.
 */
export function apiPageController({ services, config }: RouteOptions) {
  return {
    show: async (_req: FastifyRequest, reply: FastifyReply) => {
      const api = services.neighbourhoods.api
      const force = (await api.forces())[0] ?? null
      const neighbourhood = force ? ((await api.neighbourhoods(force.id)) ?? [])[0] ?? null : null
      const area = neighbourhood ? await services.areas.getArea(neighbourhood.id) : null
      const point = area?.centreLat != null && area.centreLng != null ? `${area.centreLat.toFixed(4)},${area.centreLng.toFixed(4)}` : '52.6394,-1.1315'
      const f = force?.id ?? '{force}'
      const n = neighbourhood?.id ?? '{id}'
      const methods = [
        { path: '/forces', text: 'Every force: id and name' },
        { path: `/forces/${f}`, text: 'A force: description, website, telephone, engagement methods' },
        { path: `/forces/${f}/people`, text: 'The force-level team' },
        { path: `/${f}/neighbourhoods`, text: "A force's neighbourhoods: id and name" },
        { path: `/${f}/${n}`, text: 'A neighbourhood: description, contact details, links, centre, nearest stations' },
        { path: `/${f}/${n}/boundary`, text: 'Its boundary as latitude and longitude points' },
        { path: `/${f}/${n}/people`, text: 'Its team, named contact first' },
        { path: `/${f}/${n}/events`, text: 'Its events and meetings: recent and upcoming' },
        { path: `/${f}/${n}/priorities`, text: 'Its priorities with the latest action' },
        { path: `/locate-neighbourhood?q=${point}`, text: 'The force and neighbourhood for a point' },
      ].map(m => ({ ...m, live: !m.path.includes('{') }))
      return reply.page('modules/neighbourhoods/web/api/view.njk', {
        title: 'Open data API',
        apiBase: `${config.baseUrl}/api/`,
        methods,
        forceId: f,
        neighbourhoodId: n,
        point,
      })
    },
  }
}
