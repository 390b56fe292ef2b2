import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { grantedPaths, requireStaff, type StaffContext } from '../../../../../platform/auth/access.ts'
import { AppError } from '../../../../../platform/errors.ts'
import { parseForm, takeFlash } from '../../../../../platform/http/forms.ts'
import { COMPOSE_ROLES, type MessageDetail, type MessageInput } from '../../../messages.service.ts'
import { describeSmsLength, smsLength } from '../../../sms-length.ts'
import type { RecipientCount } from '../../../targeting.ts'
import { composeChoices, ORGANISATION_NAMES, PRIORITY_NAMES } from '../shared.ts'
import { buildPicker, searchAreas, type PickerState } from './area-picker.ts'
import { composeSchema, countQuerySchema, type ComposeForm } from './schema.ts'

const VIEW = 'modules/messaging/web/staff/compose/view.njk'

type IdRequest = FastifyRequest<{ Params: { id: string } }>

/** What the form shows: strings and lists, from a saved message or from what was typed. */
interface FormModel {
  title: string
  bodyMarkdown: string
  smsText: string
  category: string
  priority: string
  organisation: string
  allowReplies: boolean
  isPublic: boolean
  areas: string[]
  interests: string[]
  groups: string[]
  welsh: { title: string; bodyMarkdown: string; smsText: string }
  others: { language: string; title: string; bodyMarkdown: string; smsText: string }[]
}

const asList = (v: unknown) => (v === undefined || v === null ? [] : [v].flat().map(String))
/** The picker's search and opened districts as last shown, from the form's hidden fields. */
const pickingFrom = (v: Record<string, unknown>) => ({ query: asText(v.searched).trim().slice(0, 100), expanded: asList(v.expanded) })
/** The chosen areas and the ones just ticked to add, once each, in the order chosen. */
const chosenAreas = (v: { areas?: unknown; addAreas?: unknown }) => [...new Set([...asList(v.areas), ...asList(v.addAreas)].map(s => s.trim()).filter(Boolean))]
const asText = (v: unknown) => (Array.isArray(v) ? String(v[0] ?? '') : v === undefined || v === null ? '' : String(v))

/** Translation slots from the form: the first is Welsh, the rest other languages; blank slots dropped. */
function translationsOf(form: Pick<ComposeForm, 'trLanguage' | 'trTitle' | 'trBody' | 'trSms'>) {
  return form.trLanguage
    .map((language, slot) => ({
      slot,
      language: language.trim().toLowerCase(),
      title: (form.trTitle[slot] ?? '').trim(),
      bodyMarkdown: (form.trBody[slot] ?? '').replace(/\r\n?/g, '\n'),
      smsText: (form.trSms[slot] ?? '').trim() || null,
    }))
    .filter(t => t.title || t.bodyMarkdown.trim() || t.smsText || (t.language && t.language !== 'cy'))
}

/**
 * The service numbers translation problems by position among the translations sent
 * ("translations", "translations1"…); the form's fields are numbered by slot (Welsh is
 * "translations", the next slots "translations1"…). This moves each message to its slot.
 */
function errorsBySlot(errors: Record<string, string>, sent: { slot: number }[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, text] of Object.entries(errors)) {
    const m = /^translations(\d*)$/.exec(key)
    if (!m) {
      out[key] = text
      continue
    }
    const slot = sent[m[1] ? Number(m[1]) : 0]?.slot ?? 0
    out[slot === 0 ? 'translations' : `translations${slot}`] = text
  }
  return out
}

function modelFromValues(v: Record<string, unknown>): FormModel {
  const langs = asList(v.trLanguage)
  const titles = asList(v.trTitle)
  const bodies = asList(v.trBody)
  const sms = asList(v.trSms)
  const slots = langs.map((language, i) => ({ language, title: titles[i] ?? '', bodyMarkdown: bodies[i] ?? '', smsText: sms[i] ?? '' }))
  const welsh = slots.find(s => s.language === 'cy') ?? { title: '', bodyMarkdown: '', smsText: '' }
  return {
    title: asText(v.title),
    bodyMarkdown: asText(v.bodyMarkdown),
    smsText: asText(v.smsText),
    category: asText(v.category),
    priority: asText(v.priority),
    organisation: asText(v.organisation),
    allowReplies: asText(v.allowReplies) === 'yes',
    isPublic: asText(v.isPublic) === 'yes',
    areas: chosenAreas(v),
    interests: asList(v.interests),
    groups: asList(v.groups),
    welsh,
    others: slots.filter(s => s.language !== 'cy' && (s.language || s.title || s.bodyMarkdown || s.smsText)),
  }
}

function modelFromMessage(m: MessageDetail): FormModel {
  const welsh = m.translations.find(t => t.language === 'cy')
  return {
    title: m.title,
    bodyMarkdown: m.bodyMarkdown,
    smsText: m.smsText ?? '',
    category: m.category,
    priority: m.priority,
    organisation: m.organisation,
    allowReplies: m.allowReplies,
    isPublic: m.isPublic,
    areas: [...m.targets.areaIds],
    interests: [...m.targets.interestIds],
    groups: [...m.targets.groupIds],
    welsh: { title: welsh?.title ?? '', bodyMarkdown: welsh?.bodyMarkdown ?? '', smsText: welsh?.smsText ?? '' },
    others: m.translations.filter(t => t.language !== 'cy').map(t => ({ ...t, smsText: t.smsText ?? '' })),
  }
}

function emptyModel(staff: StaffContext, organisations: string[]): FormModel {
  void staff
  return {
    title: '',
    bodyMarkdown: '',
    smsText: '',
    category: '',
    priority: 'normal',
    organisation: organisations.length === 1 ? organisations[0]! : '',
    allowReplies: true,
    isPublic: false,
    areas: [],
    interests: [],
    groups: [],
    welsh: { title: '', bodyMarkdown: '', smsText: '' },
    others: [],
  }
}

/**
 * The compose form, for a new message and for changing a draft. Saving keeps a draft and goes
 * to the message's page (recipient count, preview, send). Problems come back beside their
 * fields with everything typed kept.
 */
export function composeController(opts: RouteOptions) {
  const { services } = opts
  const messages = () => services.messaging.messages

  async function context(
    staff: StaffContext,
    form: FormModel,
    message: MessageDetail | null,
    count: RecipientCount | null,
    picking: { query: string; expanded: string[] } = { query: '', expanded: [] },
  ) {
    const choices = await composeChoices(opts, staff)
    const sms = form.smsText ? smsLength(form.smsText) : null
    const state: PickerState = { selected: form.areas, ...picking }
    const search = picking.query ? await searchAreas(services.db, grantedPaths(staff, COMPOSE_ROLES), picking.query) : null
    return {
      picker: buildPicker(choices, state, search),
      title: message ? `Change “${message.title}”` : 'Compose a message',
      message,
      form,
      choices,
      count,
      smsCount: sms ? describeSmsLength(sms) : null,
      organisationNames: ORGANISATION_NAMES,
      priorityNames: PRIORITY_NAMES,
      action: message ? `/staff/messages/${message.id}/edit` : '/staff/messages/new',
    }
  }

  function toInput(form: ComposeForm): MessageInput {
    return {
      title: form.title,
      bodyMarkdown: form.bodyMarkdown,
      smsText: form.smsText || null,
      category: form.category,
      priority: form.priority,
      organisation: form.organisation,
      allowReplies: form.allowReplies,
      isPublic: form.isPublic,
      targets: { areaIds: chosenAreas(form), interestIds: form.interests, groupIds: form.groups },
      translations: translationsOf(form).map(({ slot: _slot, ...t }) => t),
    }
  }

  /**
   * Find, Show and Remove in the area picker: the form comes back drawn again with everything
   * typed kept and nothing saved. It is answered in place rather than redirected, so the
   * message text never goes into an address (or a cookie's size limit), and reloading the
   * page simply asks the browser to send the form again.
   */
  async function pick(reply: FastifyReply, staff: StaffContext, message: MessageDetail | null, body: Record<string, unknown>, form: ComposeForm) {
    const model = modelFromValues(body)
    let query = form.areaQuery
    let expanded = form.expanded
    const [action, id = ''] = form.intent.split(/:(.*)/s)
    if (action === 'remove') model.areas = model.areas.filter(a => a !== id)
    if (action === 'expand' && id && !expanded.includes(id)) expanded = [...expanded, id]
    if (action === 'clear') query = ''
    const values = { ...body, areas: model.areas, addAreas: [], areaQuery: query, searched: query, expanded }
    return reply.page(VIEW, { ...(await context(staff, model, message, null, { query, expanded })), values })
  }

  /** Which submissions are picker actions rather than a save. Enter in the search box (the form's default button) searches. */
  function isPickerAction(form: ComposeForm): boolean {
    const action = form.intent.split(':')[0]
    if (action === 'find' || action === 'remove' || action === 'expand' || action === 'clear') return true
    return action === 'default' && form.areaQuery !== '' && form.areaQuery !== form.searched
  }

  async function save(request: FastifyRequest, reply: FastifyReply, staff: StaffContext, message: MessageDetail | null) {
    const url = message ? `/staff/messages/${message.id}/edit` : '/staff/messages/new'
    const body = (request.body ?? {}) as Record<string, unknown>
    const keep = { ...body, areas: chosenAreas(body), addAreas: [] }
    const picking = pickingFrom(body)
    const failed = async (errors: Record<string, string>) =>
      reply.formErrors(url, { errors, values: keep }, { template: VIEW, context: await context(staff, modelFromValues(body), message, null, picking) })
    const form = parseForm(composeSchema, body)
    if (!form.ok) return failed(form.errors)
    if (isPickerAction(form.data)) return pick(reply, staff, message, body, form.data)
    try {
      const saved = message
        ? await messages().updateDraft(staff, message.id, toInput(form.data))
        : await messages().createDraft(staff, toInput(form.data))
      return reply.redirectWithNotice(`/staff/messages/${saved.id}`, message ? 'Your changes have been saved' : 'Your draft has been saved')
    } catch (err) {
      if (err instanceof AppError && err.code === 'INVALID' && err.fieldErrors) return failed(errorsBySlot(err.fieldErrors, translationsOf(form.data)))
      throw err
    }
  }

  async function editable(request: IdRequest, staff: StaffContext) {
    const message = await messages().getMessageFor(staff, request.params.id)
    if (message.status !== 'draft' && message.status !== 'pending_approval') throw new AppError('CONFLICT', 'This message has been sent or cancelled, so it cannot be changed')
    return message
  }

  return {
    newForm: async (request: FastifyRequest, reply: FastifyReply) => {
      const staff = requireStaff(request, COMPOSE_ROLES)
      const flash = takeFlash(request, reply)
      const choices = await composeChoices(opts, staff)
      const form = flash.values ? modelFromValues(flash.values) : emptyModel(staff, choices.organisations)
      return reply.page(VIEW, { ...(await context(staff, form, null, null, pickingFrom(flash.values ?? {}))), errors: flash.errors, values: flash.values ?? {} })
    },

    create: async (request: FastifyRequest, reply: FastifyReply) => save(request, reply, requireStaff(request, COMPOSE_ROLES), null),

    editForm: async (request: IdRequest, reply: FastifyReply) => {
      const staff = requireStaff(request, COMPOSE_ROLES)
      const message = await editable(request, staff)
      const flash = takeFlash(request, reply)
      const form = flash.values ? modelFromValues(flash.values) : modelFromMessage(message)
      const count = flash.values ? null : await messages().countRecipients({ ...message.targets, organisation: message.organisation })
      return reply.page(VIEW, { ...(await context(staff, form, message, count, pickingFrom(flash.values ?? {}))), errors: flash.errors, values: flash.values ?? {} })
    },

    update: async (request: IdRequest, reply: FastifyReply) => {
      const staff = requireStaff(request, COMPOSE_ROLES)
      return save(request, reply, staff, await editable(request, staff))
    },

    /**
     * JSON for "Find a neighbourhood" as you type (compose.js): districts and neighbourhoods
     * inside the grants whose names contain the words. Only the grants are searched, so
     * nothing outside them is revealed.
     */
    areas: async (request: FastifyRequest, reply: FastifyReply) => {
      const staff = requireStaff(request, COMPOSE_ROLES)
      const raw = (request.query as Record<string, unknown> | undefined)?.q
      const q = (Array.isArray(raw) ? String(raw[0] ?? '') : String(raw ?? '')).slice(0, 100)
      const found = await searchAreas(services.db, grantedPaths(staff, COMPOSE_ROLES), q)
      return reply.header('cache-control', 'no-store').send({ query: q.trim(), total: found.total, results: found.results })
    },

    /** JSON for the live count (compose.js). Areas and groups outside the grants answer 404. */
    count: async (request: FastifyRequest, reply: FastifyReply) => {
      const staff = requireStaff(request, COMPOSE_ROLES)
      const q = countQuerySchema.parse(request.query ?? {})
      const paths = grantedPaths(staff, COMPOSE_ROLES)
      const areas = q.areas.length ? await services.db.query<{ path: string }>(`select path from areas where id = any($1::text[])`, [q.areas]) : []
      const groups = q.groups.length
        ? await services.db.query<{ path: string }>(
            `select a.path from msg_groups g join areas a on a.id = g.area_id where g.id::text = any($1::text[])`,
            [q.groups],
          )
        : []
      if (areas.length !== q.areas.length || groups.length !== q.groups.length || [...areas, ...groups].some(a => !paths.some(p => a.path.startsWith(p))))
        return reply.code(404).send({ status: 404, error: 'Not found' })
      const count = await messages().countRecipients({ areaIds: q.areas, interestIds: q.interests, groupIds: q.groups, organisation: q.organisation })
      return reply.header('cache-control', 'no-store').send({ ...count, byArea: count.byArea.slice(0, 20) })
    },
  }
}
