import type { FastifyReply } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { parseForm } from '../../../../../platform/http/forms.ts'
import { formatUkMobile } from '../../../phone.ts'
import type { Frequency } from '../../../schema.ts'
import type { Subscriber } from '../../../subscribers.service.ts'
import { fieldErrorsOf, frequencyItems, interestOptions, languageItems, linkProblem, placeOptions, residentPage, typedValues, type TokenRequest } from '../shared.ts'
import { errorIn, errorsIn, langContext, langSuffix, pageLang, PUBLIC_WORDS, type Lang } from '../words.ts'
import { channelSchema, consentSchema, preferencesSchema } from './schema.ts'
import { codeSchema } from '../check/schema.ts'
import { codeProblem } from '../check/controller.ts'

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
  /** The manage page's address, keeping `?lang=` when the page was asked for in the other language. */
  const url = (token: string, request?: TokenRequest, lang?: Lang, s?: Subscriber) =>
    `/alerts/manage/${token}${request && lang ? langSuffix(request, lang, s?.language === 'cy' ? 'cy' : 'en') : ''}`

  /** The subscriber behind the link, or a link-problem page already sent. */
  async function fromLink(request: TokenRequest, reply: FastifyReply): Promise<Subscriber | null> {
    const link = await subscribers().getByLinkToken(request.params.token, 'manage')
    if (!link.ok) {
      linkProblem(reply, link.reason)
      return null
    }
    return link.subscriber
  }

  const orgName = (lang: Lang, organisation: string) => (organisation === 'force' ? config.brand.forceName : PUBLIC_WORDS[lang].organisations.opccShort)

  async function context(request: TokenRequest, lang: Lang, token: string, subscriberId: string) {
    const prefs = await subscribers().preferences(subscriberId)
    const wordings = await subscribers().currentWordings()
    const s = prefs.subscriber
    const home = prefs.places.find(p => p.label === 'home')
    const t = PUBLIC_WORDS[lang]
    const names: Record<string, [string, string]> = {
      force: [config.brand.forceName, config.brand.forceName],
      opcc: [t.organisations.opcc, t.organisations.opccShort],
    }
    return {
      ...langContext(request, lang),
      title: t.manage.title,
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
      places: await placeOptions(opts, lang),
      interestItems: await interestOptions(opts, lang),
      frequencyItems: frequencyItems(lang),
      languageItems: languageItems(lang),
    }
  }

  return {
    show: async (request: TokenRequest, reply: FastifyReply) => {
      const s = await fromLink(request, reply)
      if (!s) return reply
      return reply.page(VIEW, await context(request, pageLang(request, s.language), request.params.token, s.id))
    },

    update: async (request: TokenRequest, reply: FastifyReply) => {
      const s = await fromLink(request, reply)
      if (!s) return reply
      const token = request.params.token
      const lang = pageLang(request, s.language)
      const values = typedValues(request.body, ['areas', 'interests'])
      const fail = async (errors: Record<string, string>) =>
        reply.formErrors(url(token, request, lang, s), { errors: errorsIn(lang, errors), values }, { template: VIEW, context: await context(request, lang, token, s.id) })
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
        // A new language choice is the page's language from now on (unless the address asked for one).
        const next = pageLang(request, f.language)
        return reply.redirectWithNotice(url(token, request, next, { ...s, language: f.language }), PUBLIC_WORDS[next].manage.saved(confirmationsSent))
      } catch (err) {
        const errors = fieldErrorsOf(err)
        if (!errors) throw err
        return fail(errors)
      }
    },

    consent: async (request: TokenRequest, reply: FastifyReply) => {
      const s = await fromLink(request, reply)
      if (!s) return reply
      const lang = pageLang(request, s.language)
      const back = url(request.params.token, request, lang, s)
      const form = parseForm(consentSchema, request.body)
      if (!form.ok) return reply.redirect(back, 303)
      const { organisation, given } = form.data
      await subscribers().recordConsent(s.id, organisation, 'alerts', given === 'yes', 'manage')
      const who = orgName(lang, organisation)
      return reply.redirectWithNotice(back, given === 'yes' ? PUBLIC_WORDS[lang].manage.agreed(who) : PUBLIC_WORDS[lang].manage.stopped(who))
    },

    code: async (request: TokenRequest, reply: FastifyReply) => {
      const s = await fromLink(request, reply)
      if (!s) return reply
      const token = request.params.token
      const lang = pageLang(request, s.language)
      const back = url(token, request, lang, s)
      const fail = async (code: string) => reply.formErrors(back, { errors: { code } }, { template: VIEW, context: await context(request, lang, token, s.id) })
      const form = parseForm(codeSchema, request.body)
      if (!form.ok) return fail(errorIn(lang, form.errors.code ?? PUBLIC_WORDS.en.errors.codeEnter))
      const result = await subscribers().confirmSmsCode(s.id, form.data.code)
      if (result.ok) return reply.redirectWithNotice(back, PUBLIC_WORDS[lang].manage.mobileConfirmed)
      return fail(codeProblem(lang, result))
    },

    resend: async (request: TokenRequest, reply: FastifyReply) => {
      const s = await fromLink(request, reply)
      if (!s) return reply
      const token = request.params.token
      const lang = pageLang(request, s.language)
      const t = PUBLIC_WORDS[lang]
      const back = url(token, request, lang, s)
      const form = parseForm(channelSchema, request.body)
      if (!form.ok) return reply.redirect(back, 303)
      const result = await subscribers().resendConfirmation(s.id, form.data.channel)
      if (!result.ok && result.reason === 'too-many')
        return reply.formErrors(
          back,
          { errors: { [form.data.channel === 'sms' ? 'code' : 'email']: t.errors.tooManyConfirmations } },
          { template: VIEW, context: await context(request, lang, token, s.id) },
        )
      if (!result.ok) return reply.redirectWithNotice(back, t.manage.alreadyConfirmed)
      return reply.redirectWithNotice(back, form.data.channel === 'email' ? t.manage.sentConfirmEmail : t.manage.sentCode)
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
      const lang = pageLang(request, s.language)
      return residentPage(reply, lang, DELETE_VIEW, { title: PUBLIC_WORDS[lang].remove.title, token: request.params.token })
    },

    delete: async (request: TokenRequest, reply: FastifyReply) => {
      const s = await fromLink(request, reply)
      if (!s) return reply
      const lang = pageLang(request, s.language)
      await subscribers().deleteAccount(s.id)
      return residentPage(reply, lang, DELETED_VIEW, { title: PUBLIC_WORDS[lang].remove.doneTitle })
    },
  }
}
