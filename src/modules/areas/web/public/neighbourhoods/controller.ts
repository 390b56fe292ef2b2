import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'

/** Every neighbourhood, grouped by district: the route to a neighbourhood that needs no map and no JavaScript. */
export function neighbourhoodsController({ services }: RouteOptions) {
  return {
    list: async (_req: FastifyRequest, reply: FastifyReply) => {
      const all = await services.areas.listNeighbourhoods()
      const districts: { name: string; id: string; neighbourhoods: typeof all }[] = []
      for (const n of all) {
        let d = districts.at(-1)
        if (!d || d.id !== n.parentId) {
          d = { id: n.parentId ?? '', name: n.districtName, neighbourhoods: [] }
          districts.push(d)
        }
        d.neighbourhoods.push(n)
      }
      return reply.page('modules/areas/web/public/neighbourhoods/view.njk', { title: 'All neighbourhoods', section: 'list', districts })
    },
  }
}
