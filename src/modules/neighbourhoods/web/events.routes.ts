import type { FastifyInstance } from 'fastify'
import type { RouteOptions } from '../../../app.ts'
import { rateLimitError } from '../../../platform/auth/web/shared.ts'
import { publicEventsController } from './public/events/controller.ts'
import { publicEventController } from './public/event/controller.ts'
import { staffEventsController } from './staff/events/controller.ts'
import { staffEventController } from './staff/event/controller.ts'
import { recordController } from './staff/event/record/controller.ts'

/** Questions are cheap to send: generous for a household, tight for a script. */
const questionLimit = { rateLimit: { max: 10, timeWindow: '10 minutes', errorResponseBuilder: rateLimitError } }
/** Calendar apps poll feeds; a busy one behind a shared address must still get through. */
const feedLimit = { rateLimit: { max: 120, timeWindow: '1 minute', errorResponseBuilder: rateLimitError } }

/**
 * Events and meetings. Public: a neighbourhood's list and iCalendar feed, each event's page,
 * its calendar file and the question form. Staff (NEIGHBOURHOOD_ROLES, within their grants):
 * the list, adding one-off or repeating events, changing or cancelling one date or the rest
 * of a series, and recording a meeting.
 */
export async function eventsRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  const list = publicEventsController(opts)
  const page = publicEventController(opts)
  const staffList = staffEventsController(opts)
  const staffEvent = staffEventController(opts)
  const record = recordController(opts)

  // The list is the same for every visitor (no form, nothing personal): the page cache may serve it.
  app.get('/neighbourhoods/:id/events', { config: { pageCache: true } }, list.list)
  app.get('/neighbourhoods/:id/events.ics', { config: feedLimit }, list.feed)
  app.get('/events/:eventId', page.show)
  app.get('/events/:eventId/calendar.ics', { config: feedLimit }, page.calendar)
  app.post('/events/:eventId/questions', { config: questionLimit }, page.ask)

  app.get('/staff/neighbourhoods/:id/events', staffList.list)
  app.get('/staff/neighbourhoods/:id/events/new', staffList.newForm)
  app.post('/staff/neighbourhoods/:id/events/new', staffList.create)
  app.get('/staff/events/:eventId', staffEvent.show)
  app.post('/staff/events/:eventId', staffEvent.update)
  app.post('/staff/events/:eventId/cancel', staffEvent.cancel)
  app.post('/staff/events/:eventId/reinstate', staffEvent.reinstate)
  app.get('/staff/events/:eventId/record', record.show)
  app.post('/staff/events/:eventId/record', record.save)
}
