import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { parseForm } from '../../../../../platform/http/forms.ts'
import type { Frequency, Organisation } from '../../../schema.ts'
import {
  FREQUENCY_ITEMS,
  LANGUAGE_ITEMS,
  fieldErrorsOf,
  interestOptions,
  placeOptions,
  setPending,
  typedValues,
} from '../shared.ts'
import { signUpSchema } from './schema.ts'

const VIEW = 'modules/messaging/web/public/sign-up/view.njk'
const URL = '/alerts/sign-up'
const LISTS = ['areas', 'interests', 'consents']

/**
 * The sign-up form: contact details, places, interests, frequency, language and consent per
 * organisation on one page of fieldsets (works without JavaScript). A failed submission
 * comes back with every problem listed and everything typed kept.
 */
export function signUpController(opts: RouteOptions) {
  const { services, config } = opts
  const subscribers = () => services.messaging.subscribers

  async function context() {
    const wordings = await subscribers().currentWordings()
    const names: Record<string, string> = {
      force: config.brand.forceName,
      opcc: 'The Office of the Police and Crime Commissioner',
    }
    return {
      title: 'Sign up for community alerts',
      section: 'alerts',
      places: await placeOptions(opts),
      interestItems: await interestOptions(opts),
      frequencyItems: FREQUENCY_ITEMS,
      languageItems: LANGUAGE_ITEMS,
      wordings,
      consentItems: wordings.map(w => ({
        value: w.organisation,
        text: names[w.organisation] ?? w.organisation,
        hint: { text: w.text },
      })),
      defaults: { emailFrequency: 'immediate', smsFrequency: 'immediate', language: 'en', areas: [], interests: [], consents: [] },
    }
  }

  return {
    form: async (_request: FastifyRequest, reply: FastifyReply) => reply.page(VIEW, await context()),

    submit: async (request: FastifyRequest, reply: FastifyReply) => {
      const values = typedValues(request.body, LISTS)
      const fail = async (errors: Record<string, string>) => reply.formErrors(URL, { errors, values }, { template: VIEW, context: await context() })
      const form = parseForm(signUpSchema, request.body)
      if (!form.ok) return fail(form.errors)
      const f = form.data
      // Consent is to the words shown: if they changed while the form was open, ask again.
      const current = await subscribers().currentWordings()
      const shown = new Set(f.wordings)
      if (f.consents.some(o => !current.some(w => w.organisation === o && shown.has(`${o}:${w.id}`))))
        return fail({ consents: 'The wording of the agreement has changed. Read it again and select who may send you alerts' })
      try {
        const result = await subscribers().startSignUp({
          email: f.email,
          phone: f.phone,
          homePostcode: f.homePostcode,
          otherPostcodes: f.otherPostcodes,
          areaIds: f.areas,
          interests: f.interests,
          emailFrequency: f.emailFrequency as Frequency,
          smsFrequency: f.smsFrequency as Frequency,
          language: f.language,
          consents: f.consents as Organisation[],
          source: 'signup',
        })
        setPending(reply, config.cookieSecure, { id: result.subscriberId, email: Boolean(f.email), sms: Boolean(f.phone) })
        return reply.redirect('/alerts/check', 303)
      } catch (err) {
        const errors = fieldErrorsOf(err)
        if (!errors) throw err
        return fail(errors)
      }
    },
  }
}
