import type { FastifyInstance } from 'fastify'
import type { RouteOptions } from '../../../../app.ts'
import { inboxController } from './inbox/controller.ts'
import { replyController } from './reply/controller.ts'
import { reportsController } from './reports/controller.ts'
import { messageReportController } from './message-report/controller.ts'
import { areaReportController } from './area-report/controller.ts'
import { groupsController } from './groups/controller.ts'
import { groupController } from './group/controller.ts'
import { z } from 'zod'
import { createInboundEmail, verifyInbound } from '../../inbound-email.ts'
import { providerWebhookRoutes } from '../webhooks/provider-routes.ts'

/**
 * The replies inbox, the measures (reports) and subscriber groups, plus the inbound-email
 * webhook. Static paths (/staff/messages/inbox, /staff/messages/reports) win over the compose
 * pages' /staff/messages/:id in Fastify's router, so the two sets of routes live side by side.
 */
export async function messagingInboxRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  const inbox = inboxController(opts)
  const reply = replyController(opts)
  const reports = reportsController(opts)
  const messageReport = messageReportController(opts)
  const areaReport = areaReportController(opts)
  const groups = groupsController(opts)
  const group = groupController(opts)

  app.get('/staff/messages/inbox', inbox.list)
  app.get('/staff/messages/inbox/:id', reply.show)
  app.post('/staff/messages/inbox/:id/assign', reply.assign)
  app.post('/staff/messages/inbox/:id/respond', reply.respond)
  app.post('/staff/messages/inbox/:id/actioned', reply.actioned)

  app.get('/staff/messages/reports', reports.show)
  app.get('/staff/messages/reports/messages.csv', reports.csv)
  app.get('/staff/messages/reports/areas', areaReport.show)
  app.get('/staff/messages/reports/areas.csv', areaReport.csv)
  app.get('/staff/messages/:id/report', messageReport.show)
  app.get('/staff/messages/:id/report.csv', messageReport.csv)

  app.get('/staff/messaging/groups', groups.list)
  app.post('/staff/messaging/groups', groups.create)
  app.get('/staff/messaging/groups/:id', group.show)
  app.post('/staff/messaging/groups/:id', group.update)
  app.post('/staff/messaging/groups/:id/members', group.addMember)
  app.post('/staff/messaging/groups/:id/members/remove', group.removeMember)
  app.post('/staff/messaging/groups/:id/delete', group.remove)

  await app.register(inboundEmailWebhook, opts)
  await app.register(providerWebhookRoutes, opts)
}

/** What an inbound adapter posts: the parts of the email Beacon needs. */
const inboundBody = z.object({
  from: z.string().min(3).max(500),
  to: z.union([z.string().max(1000), z.array(z.string().max(1000)).max(50)]),
  subject: z.string().max(1000).optional(),
  text: z.string().max(200_000),
  inReplyTo: z.string().max(2000).optional(),
  references: z.string().max(10_000).optional(),
  headers: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
})

/**
 * POST /webhooks/inbound-email: an inbound-mail adapter posts each received email as JSON,
 * signed with HMAC-SHA256 of "<timestamp>.<body>" keyed by the shared SESSION_SECRET
 * (X-Beacon-Timestamp, X-Beacon-Signature; see signInbound). The raw body is kept for the
 * signature check, so this plugin reads JSON as text in its own scope only.
 */
async function inboundEmailWebhook(app: FastifyInstance, { services, config }: RouteOptions): Promise<void> {
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 512 * 1024 }, (_req, body, done) => done(null, body))
  const inbound = createInboundEmail({ config, db: services.db, audit: services.audit, channels: services.channels, jobs: services.jobs, areas: services.areas })
  app.post('/webhooks/inbound-email', { config: { csrf: false, rateLimit: { max: 600, timeWindow: '1 minute' } } }, async (request, reply) => {
    const raw = typeof request.body === 'string' ? request.body : ''
    const h = request.headers
    if (!verifyInbound(config.sessionSecret, h['x-beacon-timestamp'] as string | undefined, h['x-beacon-signature'] as string | undefined, raw))
      return reply.code(401).send({ status: 401, error: 'Signature missing or wrong' })
    let json: unknown
    try {
      json = JSON.parse(raw)
    } catch {
      return reply.code(400).send({ status: 400, error: 'Body is not JSON' })
    }
    const parsed = inboundBody.safeParse(json)
    if (!parsed.success) return reply.code(400).send({ status: 400, error: 'Body is not an inbound email' })
    const result = await inbound.recordInboundEmail(parsed.data)
    // A refusal is final (the provider must not retry it), so it answers 200 with the reason.
    return reply.code(200).send(result.ok ? { status: 'stored', replyId: result.replyId, duplicate: result.duplicate } : { status: 'refused', reason: result.reason })
  })
}
