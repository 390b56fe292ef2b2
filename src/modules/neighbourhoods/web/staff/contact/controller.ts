import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { requireStaff } from '../../../../../platform/auth/access.ts'
import { actorFrom } from '../../../../../platform/audit/service.ts'
import { AppError } from '../../../../../platform/errors.ts'
import { parseForm, type FormResult } from '../../../../../platform/http/forms.ts'
import type { z } from 'zod'
import {
  CONTACT_STATUS_NAMES,
  CONTACT_STATUSES,
  contactViewer,
  formatUkPhone,
  MAX_NOTE,
  MAX_REPLY,
  normaliseReference,
  TOPIC_NAMES,
  type ContactDetail,
  type Viewer,
} from '../../../contact.service.ts'
import { RESPONSE_TARGET_HOURS } from '../../../response-clock.ts'
import { NEIGHBOURHOOD_ROLES } from '../../../roles.ts'
import { assignSchema, contactQuerySchema, noteSchema, phonedSchema, replySchema } from './schema.ts'

const LIST_VIEW = 'modules/neighbourhoods/web/staff/contact/list.njk'
const QUERY_VIEW = 'modules/neighbourhoods/web/staff/contact/query.njk'
const PAGE_SIZE = 50

type QueryRequest = FastifyRequest<{ Params: { queryId: string } }>

export const queryUrl = (id: string) => `/staff/contact/${id}`

/**
 * The contact inbox: residents' queries to neighbourhood teams within the user's grants, each
 * against the 72-hour target, and one query's page with the resident's details (audited), the
 * replies and notes, and forms to assign, reply by email, record a phone reply, add a note,
 * close and reopen. A query outside the user's grants is 404 for every method.
 */
export function staffContactController({ services }: RouteOptions) {
  const contact = () => services.neighbourhoods.contact

  /** The query, if in the user's grants; `view` records the look at the resident's details. */
  async function load(request: QueryRequest, view = false): Promise<{ userId: string; viewer: Viewer; query: ContactDetail }> {
    const staff = requireStaff(request, NEIGHBOURHOOD_ROLES)
    const viewer = contactViewer(staff)
    const query = await contact().get(viewer, actorFrom(request), request.params.queryId, { audit: view })
    if (!query) throw new AppError('NOT_FOUND', 'Query not found')
    return { userId: staff.userId, viewer, query }
  }

  async function context(query: ContactDetail, userId: string) {
    const assignees = await contact().assignees(query.areaPath)
    return {
      title: `Query ${query.reference}`,
      query,
      topicName: TOPIC_NAMES[query.topic],
      statusName: CONTACT_STATUS_NAMES[query.status],
      phoneShown: query.phone ? formatUkPhone(query.phone) : null,
      canAssignSelf: assignees.some(a => a.id === userId) && query.assignedTo !== userId,
      userId,
      assigneeItems: [
        { value: '', text: 'Choose a colleague' },
        ...assignees.map(a => ({ value: a.id, text: `${a.name} (${a.email})`, selected: a.id === query.assignedTo })),
      ],
      maxReply: MAX_REPLY,
      maxNote: MAX_NOTE,
      targetHours: RESPONSE_TARGET_HOURS,
    }
  }

  /**
   * A form on the query page: checked by `schema`, then done by `act`. A refusal from the
   * service (INVALID) goes back to the page with the message beside `field` and what was typed.
   */
  function action<S extends z.ZodType>(schema: S, field: string, act: (ctx: { viewer: Viewer; query: ContactDetail; request: QueryRequest; data: z.infer<S>; userId: string }) => Promise<string>) {
    return async (request: QueryRequest, reply: FastifyReply) => {
      const { userId, viewer, query } = await load(request)
      const form: FormResult<z.infer<S>> = parseForm(schema, request.body)
      const back = async (errors: Record<string, string>, values: Record<string, unknown>) =>
        reply.formErrors(queryUrl(query.id), { errors, values }, { template: QUERY_VIEW, context: await context(query, userId) })
      if (!form.ok) return back(form.errors, form.values)
      let notice: string
      try {
        notice = await act({ viewer, query, request, data: form.data, userId })
      } catch (err) {
        if (err instanceof AppError && err.code === 'INVALID') return back(err.fieldErrors ?? { [field]: err.message }, form.data as Record<string, unknown>)
        throw err
      }
      return reply.redirectWithNotice(queryUrl(query.id), notice)
    }
  }

  return {
    list: async (request: FastifyRequest, reply: FastifyReply) => {
      const staff = requireStaff(request, NEIGHBOURHOOD_ROLES)
      const viewer = contactViewer(staff)
      const q = contactQuerySchema.parse(request.query ?? {})
      const reference = q.reference ? normaliseReference(q.reference) : undefined
      const [{ rows, total, counts }, areas] = await Promise.all([
        contact().list(viewer, {
          status: q.status,
          areaId: q.area,
          mine: q.mine,
          // A reference that cannot exist matches nothing, rather than being ignored.
          reference: q.reference ? (reference ?? 'none') : undefined,
          limit: PAGE_SIZE,
          offset: (q.page - 1) * PAGE_SIZE,
        }),
        services.areas.listAreasWithin(viewer.paths),
      ])
      const neighbourhoods = areas.filter(a => a.kind === 'neighbourhood')
      const pages = Math.max(1, Math.ceil(total / PAGE_SIZE))
      const link = (page: number) =>
        `/staff/contact?${new URLSearchParams({
          ...(q.status ? { status: q.status } : {}),
          ...(q.area ? { area: q.area } : {}),
          ...(q.mine ? { mine: 'yes' } : {}),
          ...(q.reference ? { reference: q.reference } : {}),
          page: String(page),
        })}`
      const filtered = Boolean(q.status || q.area || q.mine || q.reference)
      return reply.page(LIST_VIEW, {
        title: 'Contact inbox',
        queries: rows,
        total,
        filter: { status: q.status ?? '', area: q.area ?? '', mine: q.mine, reference: q.reference ?? '' },
        filtered,
        statusItems: [
          { value: '', text: `All (${Object.values(counts).reduce((a, b) => a + b, 0)})` },
          ...CONTACT_STATUSES.map(s => ({ value: s, text: `${CONTACT_STATUS_NAMES[s]} (${counts[s]})`, selected: q.status === s })),
        ],
        areaItems:
          neighbourhoods.length > 1
            ? [{ value: '', text: 'All neighbourhoods' }, ...neighbourhoods.map(n => ({ value: n.id, text: n.name, selected: n.id === q.area }))]
            : null,
        statusNames: CONTACT_STATUS_NAMES,
        topicNames: TOPIC_NAMES,
        targetHours: RESPONSE_TARGET_HOURS,
        page: q.page,
        pages,
        previous: q.page > 1 ? link(q.page - 1) : null,
        next: q.page < pages ? link(q.page + 1) : null,
      })
    },

    show: async (request: QueryRequest, reply: FastifyReply) => {
      const { userId, query } = await load(request, true)
      return reply.page(QUERY_VIEW, await context(query, userId))
    },

    assign: action(assignSchema, 'assignee', async ({ viewer, query, request, data, userId }) => {
      await contact().assign(viewer, actorFrom(request), query.id, data.assignee)
      return data.assignee === userId ? 'The query is assigned to you' : 'The query has been assigned'
    }),

    reply: action(replySchema, 'reply', async ({ viewer, query, request, data }) => {
      await contact().reply(viewer, actorFrom(request), query.id, data.reply)
      return 'Your reply has been sent by email'
    }),

    note: action(noteSchema, 'note', async ({ viewer, query, request, data }) => {
      await contact().addNote(viewer, actorFrom(request), query.id, data.note)
      return 'Your note has been added'
    }),

    phoned: action(phonedSchema, 'summary', async ({ viewer, query, request, data }) => {
      await contact().markRepliedByPhone(viewer, actorFrom(request), query.id, data.summary)
      return 'The query is marked as replied by phone'
    }),

    close: async (request: QueryRequest, reply: FastifyReply) => {
      const { viewer, query } = await load(request)
      await contact().close(viewer, actorFrom(request), query.id)
      return reply.redirectWithNotice(queryUrl(query.id), 'The query is closed')
    },

    reopen: async (request: QueryRequest, reply: FastifyReply) => {
      const { viewer, query } = await load(request)
      await contact().reopen(viewer, actorFrom(request), query.id)
      return reply.redirectWithNotice(queryUrl(query.id), 'The query has been reopened')
    },
  }
}
