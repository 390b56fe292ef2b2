import type { FastifyReply } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { parseForm } from '../../../../../platform/http/forms.ts'
import { formatUkMobile } from '../../../phone.ts'
import type { Frequency } from '../../../schema.ts'
import type { Subscriber } from '../../../subscribers.service.ts'
import {
  FREQUENCY_ITEMS,
  LANGUAGE_ITEMS,
  fieldErrorsOf,
  interestOptions,
  linkProblem,
  placeOptions,
  typedValues,
  type TokenRequest,
} from '../shared.ts'
import { channelSchema, consentSchema, preferencesSchema } from './schema.ts'
import { codeSchema } from '../check/schema.ts'

const VIEW = 'modules/messaging/web/public/manage/view.njk'
const DELETE_VIEW = 'modules/messaging/web/public/manage/delete.njk'
const DELETED_VIEW = 'modules/messaging/web/public/manage/deleted.njk'

/**
 * Managing alerts from the signed link in every message: contact details, places, interests,
 * frequency, language, consent per organisation, download and deletion. No password: the
 * link is the key, checked against the subscriber's link version on every request.
 */
export function manageController(opts: RouteOptions) {
  const { services, config } = opts
  const subscribers = () => services.messaging.subscribers
  const url = (token: string) => `/alerts/manage/${token}`

  /** The subscriber behind the link, or a link-problem page already sent. */
  async function fromLink(request: TokenRequest, reply: FastifyReply): Promise<Subscriber | null> {
    const link = await subscribers().getByLinkToken(request.params.token, 'manage')
    if (!link.ok) {
      linkProblem(reply, link.reason)
      return null
    }
    return link.subscriber
  }

  async function context(token: string, subscriberId: string) {
    const prefs = await subscribers().preferences(subscriberId)
    const wordings = await subscribers().currentWordings()
    const s = prefs.subscriber
    const home = prefs.places.find(p => p.label === 'home')
    const names: Record<string, [string, string]> = {
      force: [config.brand.forceName, config.brand.forceName],
      opcc: ['The Office of the Police and Crime Commissioner', 'the Police and Crime Commissioner’s office'],
    }
    return {
      title: 'Manage your alerts',
      section: 'alerts',
      token,
      subscriber: s,
      phoneShown: s.phone ? formatUkMobile(s.phone) : null,
      current: {
        email: s.email ?? '',
        phone: s.phone ? formatUkMobile(s.phone) : '',
        homePostcode: home?.postcode ?? '',
        otherPostcodes: prefs.places.filter(p => p.label !== 'home' && p.postcode).map(p => p.postcode).join('\n'),
        areas: prefs.places.filter(p => p.label !== 'home' && !p.postcode).map(p => p.areaId),
        interests: prefs.interests,
        emailFrequency: s.emailFrequency,
        smsFrequency: s.smsFrequency,
        language: s.language,
      },
      consentRows: wordings.map(w => {
        const c = prefs.consents.find(x => x.organisation === w.organisation)
        return {
          organisation: w.organisation,
          name: names[w.organisation]?.[0] ?? w.organisation,
          shortName: names[w.organisation]?.[1] ?? w.organisation,
          text: w.text,
          given: c?.given ?? false,
          at: c?.at ?? null,
        }
      }),
      places: await placeOptions(opts),
      interestItems: await interestOptions(opts),
      frequencyItems: FREQUENCY_ITEMS,
      languageItems: LANGUAGE_ITEMS,
    }
  }

  return {
    show: async (request: TokenRequest, reply: FastifyReply) => {
      const s = await fromLink(request, reply)
      if (!s) return reply
      return reply.page(VIEW, await context(request.params.token, s.id))
    },

    update: async (request: TokenRequest, reply: FastifyReply) => {
      const s = await fromLink(request, reply)
      if (!s) return reply
      const token = request.params.token
      const values = typedValues(request.body, ['areas', 'interests'])
      const fail = async (errors: Record<string, string>) =>
        reply.formErrors(url(token), { errors, values }, { template: VIEW, context: await context(token, s.id) })
      const form = parseForm(preferencesSchema, request.body)
      if (!form.ok) return fail(form.errors)
      const f = form.data
      try {
        const { confirmationsSent } = await subscribers().updatePreferences(s.id, {
          email: f.email || null,
          phone: f.phone || null,
          places: { homePostcode: f.homePostcode, otherPostcodes: f.otherPostcodes, areaIds: f.areas },
          interests: f.interests,
          emailFrequency: f.emailFrequency as Frequency,
          smsFrequency: f.smsFrequency as Frequency,
          language: f.language,
        })
        const extra = confirmationsSent.length
          ? ` We have sent ${confirmationsSent.map(c => (c === 'email' ? 'a link to your new email address' : 'a code to your new mobile number')).join(' and ')}: alerts go there once you confirm.`
          : ''
        return reply.redirectWithNotice(url(token), `Your choices have been saved.${extra}`)
      } catch (err) {
        const errors = fieldErrorsOf(err)
        if (!errors) throw err
        return fail(errors)
      }
    },

    consent: async (request: TokenRequest, reply: FastifyReply) => {
      const s = await fromLink(request, reply)
      if (!s) return reply
      const form = parseForm(consentSchema, request.body)
      if (!form.ok) return reply.redirect(url(request.params.token), 303)
      const { organisation, given } = form.data
      await subscribers().recordConsent(s.id, organisation, 'alerts', given === 'yes', 'manage')
      const who = organisation === 'force' ? config.brand.forceName : 'the Police and Crime Commissioner’s office'
      return reply.redirectWithNotice(
        url(request.params.token),
        given === 'yes' ? `You have agreed to alerts from ${who}` : `You will get no more alerts from ${who}`,
      )
    },

    code: async (request: TokenRequest, reply: FastifyReply) => {
      const s = await fromLink(request, reply)
      if (!s) return reply
      const token = request.params.token
      const fail = async (code: string) => reply.formErrors(url(token), { errors: { code } }, { template: VIEW, context: await context(token, s.id) })
      const form = parseForm(codeSchema, request.body)
      if (!form.ok) return fail(form.errors.code ?? 'Enter the 6-digit code from the text message')
      const result = await subscribers().confirmSmsCode(s.id, form.data.code)
      if (result.ok) return reply.redirectWithNotice(url(token), 'Your mobile number is confirmed')
      if (result.reason === 'wrong') return fail(`The code is not correct. You can try ${result.attemptsLeft} more ${result.attemptsLeft === 1 ? 'time' : 'times'}`)
      if (result.reason === 'expired') return fail('The code has expired. Send a new code')
      if (result.reason === 'too-many') return fail('You have entered a wrong code too many times. Send a new code')
      return fail('There is no code waiting for this number. Send a new code')
    },

    resend: async (request: TokenRequest, reply: FastifyReply) => {
      const s = await fromLink(request, reply)
      if (!s) return reply
      const token = request.params.token
      const form = parseForm(channelSchema, request.body)
      if (!form.ok) return reply.redirect(url(token), 303)
      const result = await subscribers().resendConfirmation(s.id, form.data.channel)
      if (!result.ok && result.reason === 'too-many')
        return reply.formErrors(
          url(token),
          { errors: { [form.data.channel === 'sms' ? 'code' : 'email']: 'You have asked for 3 confirmations in the last hour. Wait an hour and try again' } },
          { template: VIEW, context: await context(token, s.id) },
        )
      if (!result.ok) return reply.redirectWithNotice(url(token), 'That is already confirmed')
      return reply.redirectWithNotice(url(token), form.data.channel === 'email' ? 'We have sent you a confirmation email' : 'We have sent you a code')
    },

    download: async (request: TokenRequest, reply: FastifyReply) => {
      const s = await fromLink(request, reply)
      if (!s) return reply
      const data = await subscribers().exportData(s.id)
      return reply
        .header('content-type', 'application/json; charset=utf-8')
        .header('content-disposition', 'attachment; filename="my-alerts-data.json"')
        .header('cache-control', 'no-store')
        .send(JSON.stringify(data, null, 2))
    },

    confirmDelete: async (request: TokenRequest, reply: FastifyReply) => {
      const s = await fromLink(request, reply)
      if (!s) return reply
      return reply.page(DELETE_VIEW, { title: 'Delete your account', section: 'alerts', token: request.params.token })
    },

    delete: async (request: TokenRequest, reply: FastifyReply) => {
      const s = await fromLink(request, reply)
      if (!s) return reply
      await subscribers().deleteAccount(s.id)
      return reply.page(DELETED_VIEW, { title: 'Your account has been deleted', section: 'alerts' })
    },
  }
}
