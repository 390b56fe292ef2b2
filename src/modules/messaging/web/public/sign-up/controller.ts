import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { parseForm } from '../../../../../platform/http/forms.ts'
import type { Frequency, Organisation } from '../../../schema.ts'
import { fieldErrorsOf, frequencyItems, interestOptions, languageItems, placeOptions, residentPage, setPending, typedValues } from '../shared.ts'
import { errorsIn, langContext, langSuffix, pageLang, PUBLIC_WORDS, type Lang } from '../words.ts'
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

  async function context(request: FastifyRequest, lang: Lang) {
    const wordings = await subscribers().currentWordings()
    const t = PUBLIC_WORDS[lang]
    const names: Record<string, string> = { force: config.brand.forceName, opcc: t.organisations.opcc }
    return {
      ...langContext(request, lang),
      title: t.signUp.title,
      section: 'alerts',
      places: await placeOptions(opts, lang),
      interestItems: await interestOptions(opts, lang),
      frequencyItems: frequencyItems(lang),
      languageItems: languageItems(lang),
      wordings,
      // The wording is what the resident agrees to, so it is shown exactly as recorded (English for now).
      consentItems: wordings.map(w => ({
        value: w.organisation,
        text: names[w.organisation] ?? w.organisation,
        hint: { text: w.text, attributes: lang === 'cy' ? { lang: 'en' } : {} },
      })),
      defaults: { emailFrequency: 'immediate', smsFrequency: 'immediate', language: lang, areas: [], interests: [], consents: [] },
    }
  }

  return {
    form: async (request: FastifyRequest, reply: FastifyReply) => {
      const lang = pageLang(request)
      return residentPage(reply, lang, VIEW, await context(request, lang))
    },

    submit: async (request: FastifyRequest, reply: FastifyReply) => {
      const lang = pageLang(request)
      const values = typedValues(request.body, LISTS)
      const fail = async (errors: Record<string, string>) =>
        reply.formErrors(URL + langSuffix(request, lang), { errors: errorsIn(lang, errors), values }, { template: VIEW, context: await context(request, lang) })
      const form = parseForm(signUpSchema, request.body)
      if (!form.ok) return fail(form.errors)
      const f = form.data
      // Consent is to the words shown: if they changed while the form was open, ask again.
      const current = await subscribers().currentWordings()
      const shown = new Set(f.wordings)
      if (f.consents.some(o => !current.some(w => w.organisation === o && shown.has(`${o}:${w.id}`))))
        return fail({ consents: PUBLIC_WORDS[lang].errors.wordingChanged })
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
        setPending(reply, config.cookieSecure, { id: result.subscriberId, email: Boolean(f.email), sms: Boolean(f.phone), ...(lang === 'cy' ? { lang } : {}) })
        return reply.redirect(`/alerts/check${langSuffix(request, lang)}`, 303)
      } catch (err) {
        const errors = fieldErrorsOf(err)
        if (!errors) throw err
        return fail(errors)
      }
    },
  }
}
