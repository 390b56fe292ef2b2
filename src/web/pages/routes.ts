import type { FastifyInstance } from 'fastify'
import type { RouteOptions } from '../../app.ts'

/** Site-wide pages that belong to no module. */
export async function sitePages(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  app.get('/accessibility', async (_req, reply) => reply.page('web/pages/accessibility/view.njk', { title: 'Accessibility statement' }))
  app.get('/privacy', async (_req, reply) =>
    reply.page('web/pages/privacy/view.njk', {
      title: 'Privacy notice',
      contactRetentionDays: opts.config.neighbourhoods.contactRetentionDays,
      sessionHours: opts.config.auth.sessionHours,
    }),
  )
}
