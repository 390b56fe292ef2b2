import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type nunjucks from 'nunjucks'
import type { Config } from '../../config.ts'
import { redirectWithFlash, takeFlash, type Flash } from './forms.ts'

declare module 'fastify' {
  interface FastifyReply {
    /** Renders a page template with the locals every layout needs. */
    page(template: string, context?: Record<string, unknown>, status?: number): FastifyReply
    /**
     * Post/redirect/get for a form that failed validation: back to `location` with the errors
     * and what was typed. If that will not fit in a cookie the form is rendered in place.
     */
    formErrors(location: string, flash: Flash, fallback: { template: string; context?: Record<string, unknown> }): FastifyReply
    /** Redirect with a one-off notice banner on the next page. */
    redirectWithNotice(location: string, text: string): FastifyReply
  }
}

/** Locals added by other plugins (staff user, navigation) before a page renders. */
export type LocalsProvider = (request: FastifyRequest, reply: FastifyReply) => Record<string, unknown>

export const renderPlugin = fp(
  async (app: FastifyInstance, opts: { env: nunjucks.Environment; config: Config; locals: LocalsProvider[] }) => {
    const { env, config } = opts
    app.decorateReply('page', function (this: FastifyReply, template: string, context: Record<string, unknown> = {}, status?: number) {
      const request = this.request
      const flash = takeFlash(request, this)
      const locals: Record<string, unknown> = {
        brand: config.brand,
        cspNonce: this.cspNonce?.script,
        csrfToken: this.generateCsrf(),
        currentPath: request.url.split('?')[0],
        errors: flash.errors,
        values: flash.values ?? {},
        notice: flash.notice,
      }
      for (const provide of opts.locals) Object.assign(locals, provide(request, this))
      const html = env.render(template, { ...locals, ...context })
      if (status) this.code(status)
      return this.type('text/html; charset=utf-8').send(html)
    })

    app.decorateReply('formErrors', function (this: FastifyReply, location, flash, fallback) {
      return (
        redirectWithFlash(this, location, flash) ??
        this.page(fallback.template, { ...fallback.context, errors: flash.errors, values: flash.values ?? {} }, 400)
      )
    })

    app.decorateReply('redirectWithNotice', function (this: FastifyReply, location: string, text: string) {
      return redirectWithFlash(this, location, { notice: { text, success: true } }) ?? this.redirect(location, 303)
    })
  },
  { name: 'render' },
)

