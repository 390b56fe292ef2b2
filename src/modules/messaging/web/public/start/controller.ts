import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { residentPage } from '../shared.ts'
import { PUBLIC_WORDS, pageLang } from '../words.ts'

const VIEW = 'modules/messaging/web/public/start/view.njk'

/** The start page for community alerts (Welsh with ?lang=cy). */
export function startController(_opts: RouteOptions) {
  return {
    show: async (request: FastifyRequest, reply: FastifyReply) => {
      const lang = pageLang(request)
      return residentPage(reply, lang, VIEW, { title: PUBLIC_WORDS[lang].start.title })
    },
  }
}
