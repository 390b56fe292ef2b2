import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { parseForm } from '../../../../../platform/http/forms.ts'
import { findSchema, looksLikePostcode } from './schema.ts'

const view = 'modules/areas/web/public/find/view.njk'
const resultsView = 'modules/areas/web/public/find/results.njk'

/**
 * The home page: find your neighbourhood by postcode or place name, or from the list.
 * Searching is a GET form (bookmarkable, no CSRF token needed); a failed search is
 * shown on the same page with the error summary and what was typed.
 */
export function findController({ services, config }: RouteOptions) {
  const neighbourhoodOptions = async () =>
    (await services.areas.listNeighbourhoods()).map(n => ({ value: n.id, text: `${n.name} (${n.districtName})` }))

  const render = async (reply: FastifyReply, q: string, errors?: Record<string, string>, status = 200) =>
    reply.page(
      view,
      { title: 'Find your local policing team', section: 'find', values: { q }, errors, neighbourhoods: await neighbourhoodOptions() },
      errors ? (status === 200 ? 400 : status) : status,
    )

  return {
    home: async (_req: FastifyRequest, reply: FastifyReply) => render(reply, ''),

    find: async (req: FastifyRequest<{ Querystring: Record<string, string> }>, reply: FastifyReply) => {
      const form = parseForm(findSchema, req.query)
      if (!form.ok) return render(reply, String(req.query.q ?? ''), form.errors)
      const q = form.data.q
      if (looksLikePostcode(q)) {
        const found = await services.areas.findPostcode(q)
        switch (found.status) {
          case 'found':
            return reply.redirect(`/neighbourhoods/${encodeURIComponent(found.neighbourhood.id)}`, 303)
          case 'invalid':
            return render(reply, q, { q: 'Enter a full UK postcode, like DS1 1AA' })
          case 'unknown':
            return render(reply, q, { q: `We could not find the postcode ${q.toUpperCase()}. Check it, or choose your neighbourhood from the list` })
          case 'outside':
            return render(reply, q, {
              q: `${found.postcode} is outside the ${config.brand.forceName} area. Contact the police force for that area, or call 101`,
            })
        }
      }
      const places = await services.areas.searchPlaces(q)
      if (places.length === 0)
        return render(reply, q, { q: `We could not find a place called ${q}. Check the spelling, try a postcode, or choose from the list` })
      const first = places[0]!
      const single = places.length === 1 || places.filter(p => p.neighbourhood.id !== first.neighbourhood.id).length === 0
      if (single) return reply.redirect(`/neighbourhoods/${encodeURIComponent(first.neighbourhood.id)}`, 303)
      return reply.page(resultsView, { title: `Places matching ${q}`, section: 'find', q, places })
    },

    /** The no-JavaScript list choice on the home page. */
    choose: async (req: FastifyRequest<{ Querystring: Record<string, string> }>, reply: FastifyReply) => {
      const id = String(req.query.neighbourhood ?? '')
      const area = id ? await services.areas.getArea(id) : null
      if (!area || area.kind !== 'neighbourhood') return render(reply, '', { neighbourhood: 'Choose your neighbourhood from the list' })
      return reply.redirect(`/neighbourhoods/${encodeURIComponent(area.id)}`, 303)
    },
  }
}
