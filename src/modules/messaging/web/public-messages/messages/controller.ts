import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { AppError } from '../../../../../platform/errors.ts'
import { markdownToHtml } from '../../../markdown.ts'
import { organisationName } from '../../../render.ts'

/** The public list of messages marked public, and one message's page. */
export function publicMessagesController({ services, config }: RouteOptions) {
  return {
    list: async (_request: FastifyRequest, reply: FastifyReply) => {
      const rows = await services.messaging.messages.listPublic({ limit: 50 })
      return reply.page('modules/messaging/web/public-messages/messages/view.njk', { title: 'Community messages', rows })
    },

    show: async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
      const message = await services.messaging.messages.getPublic(request.params.id)
      if (!message) throw new AppError('NOT_FOUND', 'Message not found')
      const welsh = message.translations.find(t => t.language === 'cy')
      return reply.page('modules/messaging/web/public-messages/message/view.njk', {
        title: message.title,
        message,
        from: organisationName(config, message.organisation),
        bodyHtml: markdownToHtml(message.bodyMarkdown),
        welsh: welsh ? { title: welsh.title, bodyHtml: markdownToHtml(welsh.bodyMarkdown) } : null,
      })
    },
  }
}
