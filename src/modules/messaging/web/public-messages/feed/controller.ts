import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { AppError } from '../../../../../platform/errors.ts'
import { markdownToHtml } from '../../../markdown.ts'
import type { Message } from '../../../messages.service.ts'
import { organisationName } from '../../../render.ts'

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')

/** An Atom 1.0 feed (RFC 4287) of public messages: for the force, or those reaching one area. */
export function atomFeed(opts: { baseUrl: string; selfPath: string; title: string; author: string; messages: (Message & { areaName: string })[]; from: (m: Message) => string }): string {
  const updated = opts.messages.reduce((max, m) => Math.max(max, new Date(m.sentAt ?? m.updatedAt).getTime()), 0)
  const entries = opts.messages.map(m => {
    const link = `${opts.baseUrl}/messages/${m.id}`
    const when = new Date(m.sentAt ?? m.updatedAt).toISOString()
    return `  <entry>
    <id>urn:uuid:${m.id}</id>
    <title>${xml(m.title)}</title>
    <link rel="alternate" type="text/html" href="${xml(link)}"/>
    <published>${when}</published>
    <updated>${new Date(m.updatedAt).toISOString()}</updated>
    <author><name>${xml(opts.from(m))}</name></author>
    <category term="${xml(m.category)}"/>
    <content type="html">${xml(markdownToHtml(m.bodyMarkdown))}</content>
  </entry>`
  })
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>${xml(opts.baseUrl + opts.selfPath)}</id>
  <title>${xml(opts.title)}</title>
  <updated>${new Date(updated || 0).toISOString()}</updated>
  <author><name>${xml(opts.author)}</name></author>
  <link rel="self" type="application/atom+xml" href="${xml(opts.baseUrl + opts.selfPath)}"/>
  <link rel="alternate" type="text/html" href="${xml(opts.baseUrl)}/messages"/>
${entries.join('\n')}
</feed>
`
}

/** /messages.atom for the force and /neighbourhoods/:id/messages.atom per area. */
export function feedController({ services, config }: RouteOptions) {
  const from = (m: Message) => organisationName(config, m.organisation)
  const send = (reply: FastifyReply, body: string) =>
    reply.type('application/atom+xml; charset=utf-8').header('cache-control', 'public, max-age=300').send(body)
  return {
    force: async (_request: FastifyRequest, reply: FastifyReply) =>
      send(
        reply,
        atomFeed({
          baseUrl: config.baseUrl,
          selfPath: '/messages.atom',
          title: `${config.brand.forceName}: community messages`,
          author: config.brand.forceName,
          messages: await services.messaging.messages.listPublic({ limit: 50 }),
          from,
        }),
      ),

    area: async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
      const area = await services.areas.getArea(request.params.id)
      if (!area) throw new AppError('NOT_FOUND', 'Area not found')
      return send(
        reply,
        atomFeed({
          baseUrl: config.baseUrl,
          selfPath: `/neighbourhoods/${encodeURIComponent(area.id)}/messages.atom`,
          title: `${area.name}: community messages`,
          author: config.brand.forceName,
          messages: await services.messaging.messages.listPublic({ areaId: area.id, limit: 50 }),
          from,
        }),
      )
    },
  }
}
