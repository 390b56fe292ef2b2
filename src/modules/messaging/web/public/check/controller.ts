import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { parseForm } from '../../../../../platform/http/forms.ts'
import { PENDING_COOKIE, readPending } from '../shared.ts'
import { codeSchema, resendSchema } from './schema.ts'

const VIEW = 'modules/messaging/web/public/check/view.njk'
const NONE_VIEW = 'modules/messaging/web/public/check/no-sign-up.njk'
export const CONFIRMED_VIEW = 'modules/messaging/web/public/check/confirmed.njk'
const URL = '/alerts/check'

const CODE_ERRORS = {
  expired: 'The code has expired. Send a new code',
  'too-many': 'You have entered a wrong code too many times. Send a new code',
  'no-code': 'There is no code waiting for this number. Send a new code',
} as const

/**
 * After sign-up: "check your email" and the SMS code form. Which sign-up is waiting is kept in
 * a signed cookie, so the code page never shows or takes a subscriber id.
 */
export function checkController({ services }: RouteOptions) {
  const subscribers = () => services.messaging.subscribers
  const title = 'Confirm your contact details'

  return {
    show: async (request: FastifyRequest, reply: FastifyReply) => {
      const pending = readPending(request)
      if (!pending) return reply.page(NONE_VIEW, { title: 'No sign-up to confirm', section: 'alerts' }, 404)
      return reply.page(VIEW, { title, section: 'alerts', pending })
    },

    code: async (request: FastifyRequest, reply: FastifyReply) => {
      const pending = readPending(request)
      if (!pending) return reply.page(NONE_VIEW, { title: 'No sign-up to confirm', section: 'alerts' }, 404)
      const fail = (code: string) => reply.formErrors(URL, { errors: { code } }, { template: VIEW, context: { title, section: 'alerts', pending } })
      const form = parseForm(codeSchema, request.body)
      if (!form.ok) return fail(form.errors.code ?? 'Enter the 6-digit code from the text message')
      const result = await subscribers().confirmSmsCode(pending.id, form.data.code)
      if (!result.ok) {
        if (result.reason === 'wrong')
          return fail(`The code is not correct. You can try ${result.attemptsLeft} more ${result.attemptsLeft === 1 ? 'time' : 'times'}`)
        return fail(CODE_ERRORS[result.reason as keyof typeof CODE_ERRORS] ?? CODE_ERRORS['no-code'])
      }
      // Confirmed: the pending sign-up is done (an email link may still be waiting, and works on its own).
      if (!pending.email) reply.clearCookie(PENDING_COOKIE, { path: '/alerts' })
      return reply.page(CONFIRMED_VIEW, { title: 'Mobile number confirmed', section: 'alerts', channel: 'sms', managePath: new globalThis.URL(result.manageUrl).pathname })
    },

    resend: async (request: FastifyRequest, reply: FastifyReply) => {
      const pending = readPending(request)
      if (!pending) return reply.page(NONE_VIEW, { title: 'No sign-up to confirm', section: 'alerts' }, 404)
      const form = parseForm(resendSchema, request.body)
      if (!form.ok) return reply.redirect(URL, 303)
      const { channel } = form.data
      const result = await subscribers().resendConfirmation(pending.id, channel)
      const what = channel === 'email' ? 'email' : 'code'
      if (!result.ok && result.reason === 'too-many')
        return reply.formErrors(
          URL,
          { errors: { [channel === 'sms' ? 'code' : 'resendEmail']: `You have asked for 3 ${what}s in the last hour. Wait an hour and try again` } },
          { template: VIEW, context: { title, section: 'alerts', pending } },
        )
      // Already confirmed or nothing to send: say the same, so the page reveals nothing.
      return reply.redirectWithNotice(URL, channel === 'email' ? 'We have sent the email again' : 'We have sent a new code')
    },
  }
}
