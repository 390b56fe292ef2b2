import type { FastifyInstance } from 'fastify'
import type { RouteOptions } from '../../../app.ts'
import { messagingPublicRoutes } from './public/routes.ts'
import { messagingComposeRoutes } from './staff/compose-routes.ts'
import { messagingInboxRoutes } from './staff/inbox-routes.ts'
import { messagingDispatchRoutes } from './staff/dispatch-routes.ts'
import { signLink, verifyLink, verifyShortManage } from '../links.ts'
import { notFound } from '../../../platform/errors.ts'
import { deliveryRefParams, deliveryRefWhere, parseDeliveryRef } from '../delivery-ref.ts'

/** Every messaging page; each part registers its own routes. */
export async function messagingRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  await app.register(messagingPublicRoutes, opts)
  await app.register(messagingComposeRoutes, opts)
  await app.register(messagingInboxRoutes, opts)
  await app.register(messagingDispatchRoutes, opts)

  // The short manage link in text messages: checked, then on to the full manage page,
  // which checks the link version like any other manage link.
  app.get<{ Params: { token: string } }>('/a/:token', { config: { rateLimit: { max: 60, timeWindow: '1 minute' } } }, async (req, reply) => {
    const claims = verifyShortManage(opts.config, req.params.token)
    if (!claims) throw notFound('Link')
    const token = signLink(opts.config, { purpose: 'manage', subscriberId: claims.subscriberId, linkVersion: claims.linkVersion })
    return reply.redirect(`/alerts/manage/${token}`, 303)
  })

  // A tracked link in a message body: note the first click on that delivery, then go on.
  app.get<{ Params: { token: string } }>('/alerts/c/:token', { config: { rateLimit: { max: 120, timeWindow: '1 minute' } } }, async (req, reply) => {
    const check = verifyLink(opts.config, req.params.token, 'click')
    const url = check.ok ? check.claims.url : undefined
    if (!check.ok || !url || !/^https?:\/\//.test(url)) throw notFound('Link')
    // A link sent before migration 0010 names its delivery by a number that no longer
    // exists: it still goes where it pointed, uncounted.
    const delivery = parseDeliveryRef(check.claims.delivery)
    if (delivery)
      await opts.services.db.query(`update msg_deliveries set clicked_at = coalesce(clicked_at, now()) where ${deliveryRefWhere(1)}`, deliveryRefParams(delivery))
    return reply.redirect(url, 302)
  })
}
