import type { FastifyInstance } from 'fastify'
import type { RouteOptions } from '../../../../app.ts'
import { composeController } from './compose/controller.ts'
import { messageController } from './message/controller.ts'
import { messagesListController } from './messages/controller.ts'
import { publicMessagesController } from '../public-messages/messages/controller.ts'
import { feedController } from '../public-messages/feed/controller.ts'

/** Public pages and feeds are cheap to serve but worth a ceiling per address. */
const publicLimit = { rateLimit: { max: 120, timeWindow: '1 minute' } }

/**
 * Composing and sending messages (staff), and the public messages pages and Atom feeds.
 * Static paths are registered beside `:id` ones; Fastify's router prefers the static match.
 */
export async function messagingComposeRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  const list = messagesListController(opts)
  const compose = composeController(opts)
  const message = messageController(opts)
  app.get('/staff/messages', list.list)
  app.get('/staff/messages/approvals', list.approvals)
  app.get('/staff/messages/reviews', list.reviews)
  app.get('/staff/messages/count', compose.count)
  app.get('/staff/messages/areas', compose.areas)
  app.get('/staff/messages/new', compose.newForm)
  app.post('/staff/messages/new', compose.create)
  app.get('/staff/messages/:id', message.show)
  app.get('/staff/messages/:id/edit', compose.editForm)
  app.post('/staff/messages/:id/edit', compose.update)
  app.get('/staff/messages/:id/preview', message.preview)
  app.post('/staff/messages/:id/test', message.sendTest)
  app.post('/staff/messages/:id/submit', message.submit)
  app.post('/staff/messages/:id/cancel', message.cancel)
  app.post('/staff/messages/:id/approve', message.approve)
  app.post('/staff/messages/:id/reject', message.reject)
  app.post('/staff/messages/:id/review', message.review)

  const pub = publicMessagesController(opts)
  const feed = feedController(opts)
  app.get('/messages', { config: publicLimit }, pub.list)
  app.get('/messages.atom', { config: publicLimit }, feed.force)
  app.get('/messages/:id', { config: publicLimit }, pub.show)
  app.get('/neighbourhoods/:id/messages.atom', { config: publicLimit }, feed.area)
}
