import { createHash } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { notFound } from '../../../../../platform/errors.ts'
import type { AreaRow } from '../../../../areas/service.ts'
import { writeCalendar } from '../../../ics.ts'
import { eventCard, PRODID, toCalendarEvent } from '../event/format.ts'

const VIEW = 'modules/neighbourhoods/web/public/events/view.njk'

type AreaRequest = FastifyRequest<{ Params: { id: string } }>

/** How far back the list shows past meetings, and the feed keeps them. */
const PAST_LIST_DAYS = 365
const FEED_PAST_DAYS = 90
/** Calendar apps poll feeds; a short shared cache spares the database without keeping changes back long. */
const FEED_MAX_AGE_SECONDS = 900

/**
 * A neighbourhood's events: the list page (coming up, and recent meetings with their
 * records) and its iCalendar feed to subscribe to, with an ETag so a calendar app that
 * already has the latest version gets a 304.
 */
export function publicEventsController({ services, config }: RouteOptions) {
  const events = services.neighbourhoods.events

  async function neighbourhood(request: AreaRequest): Promise<AreaRow> {
    const area = await services.areas.getArea(request.params.id)
    if (!area || area.kind !== 'neighbourhood') throw notFound('Neighbourhood')
    return area
  }

  return {
    list: async (request: AreaRequest, reply: FastifyReply) => {
      const area = await neighbourhood(request)
      const { upcoming, past } = await events.listForArea(area.id, {
        upcomingLimit: 50,
        pastLimit: 12,
        pastSince: new Date(Date.now() - PAST_LIST_DAYS * 86_400_000),
      })
      const feedPath = `/neighbourhoods/${encodeURIComponent(area.id)}/events.ics`
      return reply.page(VIEW, {
        title: `Events and meetings in ${area.name}`,
        area,
        upcoming: upcoming.map(eventCard),
        past: past.map(eventCard),
        feedUrl: `${config.baseUrl}${feedPath}`,
        webcalUrl: `${config.baseUrl.replace(/^https?:/, 'webcal:')}${feedPath}`,
      })
    },

    feed: async (request: AreaRequest, reply: FastifyReply) => {
      const area = await neighbourhood(request)
      const rows = await events.forCalendar(area.id, new Date(Date.now() - FEED_PAST_DAYS * 86_400_000))
      const body = writeCalendar(
        {
          prodId: PRODID,
          name: `${area.name}: police events and meetings`,
          description: `Neighbourhood policing events and meetings in ${area.name}, from ${config.brand.forceName}.`,
          refreshHours: 6,
        },
        rows.map(e => toCalendarEvent(config, e)),
      )
      // Every line of the body comes from stored data (DTSTAMP is each event's last change), so
      // the same data always gives the same bytes and the same ETag.
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`
      reply
        .header('etag', etag)
        .header('cache-control', `public, max-age=${FEED_MAX_AGE_SECONDS}`)
        .header('content-type', 'text/calendar; charset=utf-8')
        .header('content-disposition', `inline; filename="${area.id.replace(/[^A-Za-z0-9-]+/g, '-')}-events.ics"`)
      const match = request.headers['if-none-match']
      if (match && match.split(',').some(t => t.trim() === etag || t.trim() === `W/${etag}`)) return reply.code(304).send()
      return reply.send(body)
    },
  }
}
