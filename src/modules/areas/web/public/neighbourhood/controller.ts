import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { notFound } from '../../../../../platform/errors.ts'
import type { MultiPolygonGeometry } from '../../../schema.ts'
import { areaKm2, renderBoundarySvg, sharesBoundary, type MapLayer } from './map.ts'

/** A neighbourhood's public page: name, district, boundary map with a written alternative, population. */
export function neighbourhoodController({ services }: RouteOptions) {
  return {
    show: async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
      const area = await services.areas.getArea(req.params.id)
      if (!area || area.kind !== 'neighbourhood') throw notFound('Neighbourhood')
      const district = area.parentId ? await services.areas.getArea(area.parentId) : null
      const boundary = await services.areas.getBoundary(area.id)
      const siblings = district ? (await services.areas.children(district.id)).filter(a => a.id !== area.id) : []
      const siblingShapes = (
        await Promise.all(siblings.map(async s => ({ area: s, geometry: await services.areas.getBoundary(s.id) })))
      ).filter((s): s is { area: typeof s.area; geometry: MultiPolygonGeometry } => Boolean(s.geometry))
      const bordering = boundary ? siblingShapes.filter(s => sharesBoundary(boundary, s.geometry)).map(s => s.area) : []
      const places = await services.areas.placesIn(area.id)

      let map = ''
      let mapDescription = ''
      if (boundary) {
        const km2 = areaKm2(boundary)
        mapDescription =
          `${area.name} covers about ${km2 < 10 ? km2.toFixed(1) : Math.round(km2)} square kilometres` +
          (district ? ` in the ${district.name} district` : '') +
          (places.length ? `, including ${joinNames(places.map(p => p.name))}` : '') +
          '.' +
          (bordering.length ? ` It borders ${joinNames(bordering.map(b => b.name))}.` : '')
        const layers: MapLayer[] = [
          ...siblingShapes.map(s => ({ geometry: s.geometry, role: 'context' as const })),
          { geometry: boundary, role: 'area' },
        ]
        map = renderBoundarySvg(layers, `Map of the ${area.name} neighbourhood boundary`, mapDescription)
      }
      return reply.page('modules/areas/web/public/neighbourhood/view.njk', {
        title: `${area.name} neighbourhood`,
        area,
        district,
        map,
        mapDescription,
        bordering,
        places,
      })
    },
  }
}

function joinNames(names: string[]): string {
  if (names.length <= 1) return names.join('')
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`
}
