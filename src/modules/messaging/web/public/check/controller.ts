import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { parseForm } from '../../../../../platform/http/forms.ts'
import { PENDING_COOKIE, readPending, residentPage, type Pending } from '../shared.ts'
import { errorIn, langContext, langSuffix, pageLang, PUBLIC_WORDS, type Lang } from '../words.ts'
import { codeSchema, resendSchema } from './schema.ts'

const VIEW = 'modules/messaging/web/public/check/view.njk'
const NONE_VIEW = 'modules/messaging/web/public/check/no-sign-up.njk'
export const CONFIRMED_VIEW = 'modules/messaging/web/public/check/confirmed.njk'
const URL = '/alerts/check'

/** Why a code was not accepted, in the page's language. */
export function codeProblem(lang: Lang, result: { reason: string; attemptsLeft?: number | undefined }): string {
  const e = PUBLIC_WORDS[lang].errors
  if (result.reason === 'wrong') return e.codeWrong(result.attemptsLeft ?? 0)
  if (result.reason === 'expired') return e.codeExpired
  if (result.reason === 'too-many') return e.codeTooMany
  return e.codeNone
}

/**
 * After sign-up: "check your email" and the SMS code form. Which sign-up is waiting is kept in
 * a signed cookie, so the code page never shows or takes a subscriber id. The page is in the
 * language the sign-up page was in (kept in the cookie), or as `?lang=` asks.
 */
export function checkController({ services }: RouteOptions) {
  const subscribers = () => services.messaging.subscribers
  const langOf = (request: FastifyRequest, pending: Pending | null) => pageLang(request, pending?.lang)
  const page = (request: FastifyRequest, lang: Lang, pending: Pending) => ({ ...langContext(request, lang), title: PUBLIC_WORDS[lang].check.title, section: 'alerts', pending })
  const none = (request: FastifyRequest, reply: FastifyReply, lang: Lang) => residentPage(reply, lang, NONE_VIEW, { title: PUBLIC_WORDS[lang].check.noSignUpTitle }, 404)

  return {
    show: async (request: FastifyRequest, reply: FastifyReply) => {
      const pending = readPending(request)
      const lang = langOf(request, pending)
      if (!pending) return none(request, reply, lang)
      return reply.page(VIEW, page(request, lang, pending))
    },

    code: async (request: FastifyRequest, reply: FastifyReply) => {
      const pending = readPending(request)
      const lang = langOf(request, pending)
      if (!pending) return none(request, reply, lang)
      const fail = (code: string) => reply.formErrors(URL + langSuffix(request, lang), { errors: { code } }, { template: VIEW, context: page(request, lang, pending) })
      const form = parseForm(codeSchema, request.body)
      if (!form.ok) return fail(errorIn(lang, form.errors.code ?? PUBLIC_WORDS.en.errors.codeEnter))
      const result = await subscribers().confirmSmsCode(pending.id, form.data.code)
      if (!result.ok) return fail(codeProblem(lang, result))
      // Confirmed: the pending sign-up is done (an email link may still be waiting, and works on its own).
      if (!pending.email) reply.clearCookie(PENDING_COOKIE, { path: '/alerts' })
      return residentPage(reply, lang, CONFIRMED_VIEW, {
        title: PUBLIC_WORDS[lang].confirmed.smsTitle,
        channel: 'sms',
        managePath: new globalThis.URL(result.manageUrl).pathname,
      })
    },

    resend: async (request: FastifyRequest, reply: FastifyReply) => {
      const pending = readPending(request)
      const lang = langOf(request, pending)
      if (!pending) return none(request, reply, lang)
      const url = URL + langSuffix(request, lang)
      const form = parseForm(resendSchema, request.body)
      if (!form.ok) return reply.redirect(url, 303)
      const { channel } = form.data
      const result = await subscribers().resendConfirmation(pending.id, channel)
      const t = PUBLIC_WORDS[lang]
      if (!result.ok && result.reason === 'too-many')
        return reply.formErrors(
          url,
          { errors: channel === 'sms' ? { code: t.errors.tooManyCodes } : { resendEmail: t.errors.tooManyEmails } },
          { template: VIEW, context: page(request, lang, pending) },
        )
      // Already confirmed or nothing to send: say the same, so the page reveals nothing.
      return reply.redirectWithNotice(url, channel === 'email' ? t.check.sentEmailAgain : t.check.sentNewCode)
    },
  }
}
