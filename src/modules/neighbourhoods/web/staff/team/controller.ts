import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../../app.ts'
import { actorFrom } from '../../../../../platform/audit/service.ts'
import { AppError } from '../../../../../platform/errors.ts'
import { keptValues, parseForm } from '../../../../../platform/http/forms.ts'
import type { NeighbourhoodRow } from '../../../../areas/service.ts'
import { checkPhoto, MAX_PHOTO_BYTES, PHOTO_MESSAGES, photoVersion, type PhotoUpload, type TeamMember, type TeamMemberInput } from '../../../team.service.ts'
import { staffNeighbourhood, staffUrl, type NeighbourhoodRequest } from '../neighbourhood/access.ts'
import { memberSchema, type MemberForm } from './schema.ts'

const LIST = 'modules/neighbourhoods/web/staff/team/list.njk'
const FORM = 'modules/neighbourhoods/web/staff/team/member.njk'
const REMOVE = 'modules/neighbourhoods/web/staff/team/remove.njk'

type MemberRequest = NeighbourhoodRequest<{ memberId: string }>

interface Submitted {
  fields: Record<string, string>
  file: { bytes: Buffer; truncated: boolean } | null
}

/**
 * Reads the member form. It is multipart (for the photo) with the CSRF token in the address;
 * the photo is read to just past the limit and flagged, not thrown, so every other field is
 * still read and can be put back in the form with the error. A plain form post (no photo)
 * is accepted too.
 */
async function readForm(request: FastifyRequest): Promise<Submitted> {
  if (!request.isMultipart()) {
    const body = (request.body ?? {}) as Record<string, unknown>
    return { fields: Object.fromEntries(Object.entries(body).map(([k, v]) => [k, Array.isArray(v) ? String(v[0] ?? '') : String(v ?? '')])), file: null }
  }
  const fields: Record<string, string> = {}
  let file: Submitted['file'] = null
  // throwFileSizeLimit is read at run time but missing from the plugin's option type.
  const options = { limits: { fileSize: MAX_PHOTO_BYTES, files: 1 }, throwFileSizeLimit: false } as Parameters<FastifyRequest['parts']>[0]
  for await (const part of request.parts(options)) {
    if (part.type === 'file') {
      const bytes = await part.toBuffer()
      // An empty file input still sends a part, with no name and no bytes.
      if (part.filename || bytes.length) file = { bytes, truncated: part.file.truncated }
    } else fields[part.fieldname] = String(part.value ?? '')
  }
  return { fields, file }
}

const inputOf = (d: MemberForm): TeamMemberInput => ({
  name: d.name,
  rank: d.rank,
  role: d.role,
  bio: d.bio,
  email: d.email,
  telephone: d.telephone,
  isNamedContact: d.isNamedContact,
  sortOrder: d.sortOrder,
})

/**
 * The team pages: the list (with "make named contact"), add and edit (with an optional photo:
 * JPEG, PNG or WebP by its bytes, up to 2 MB, with a description), and remove. Members of
 * another neighbourhood are 404 here whatever the URL says. Every change is audited by the
 * team service.
 */
export function teamController({ services }: RouteOptions) {
  const team = services.neighbourhoods.team

  const formContext = (area: NeighbourhoodRow, member: TeamMember | null) => ({
    title: member ? `Change ${member.name}’s details` : `Add a team member: ${area.name}`,
    area,
    member,
    photoUrl: member?.hasPhoto ? `/neighbourhoods/${encodeURIComponent(area.id)}/team/${member.id}/photo?v=${photoVersion(member.updatedAt)}` : null,
    maxPhoto: '2 MB',
  })

  /**
   * Checks the form and the photo together, so one submission reports every problem. Answers
   * the member input and photo, or the errors with what was typed (never the file).
   */
  function check(submitted: Submitted, member: TeamMember | null) {
    const form = parseForm(memberSchema, submitted.fields)
    const errors: Record<string, string> = form.ok ? {} : { ...form.errors }
    let photo: PhotoUpload | null = null
    if (submitted.file) {
      try {
        checkPhoto(submitted.file.bytes, { truncated: submitted.file.truncated })
        photo = { bytes: submitted.file.bytes, alt: submitted.fields.photoAlt ?? '' }
      } catch (err) {
        if (!(err instanceof AppError)) throw err
        errors.photo = err.fieldErrors?.photo ?? err.message
      }
    }
    const alt = (submitted.fields.photoAlt ?? '').trim()
    const keepsPhoto = member?.hasPhoto && submitted.fields.removePhoto !== 'yes'
    if ((submitted.file || keepsPhoto) && !alt && !errors.photoAlt) errors.photoAlt = PHOTO_MESSAGES.noAlt
    if (!form.ok || Object.keys(errors).length) return { ok: false as const, errors, values: keptValues(submitted.fields) }
    return { ok: true as const, data: form.data, photo }
  }

  async function memberFor(request: MemberRequest) {
    const { area } = await staffNeighbourhood(services, request)
    const member = await team.memberIn(area.id, request.params.memberId)
    return { area, member }
  }

  const serviceErrors = (err: unknown): Record<string, string> | null =>
    err instanceof AppError && (err.code === 'INVALID' || err.code === 'TOO_LARGE') ? (err.fieldErrors ?? { name: err.message }) : null

  return {
    list: async (request: NeighbourhoodRequest, reply: FastifyReply) => {
      const { area } = await staffNeighbourhood(services, request)
      const members = await team.listMembers(area.id)
      return reply.page(LIST, { title: `Team: ${area.name}`, area, members, namedContact: members.find(m => m.isNamedContact) ?? null })
    },

    newForm: async (request: NeighbourhoodRequest, reply: FastifyReply) => {
      const { area } = await staffNeighbourhood(services, request)
      return reply.page(FORM, formContext(area, null))
    },

    create: async (request: NeighbourhoodRequest, reply: FastifyReply) => {
      const { area } = await staffNeighbourhood(services, request)
      const url = staffUrl(area.id, '/team/new')
      const submitted = await readForm(request)
      const result = check(submitted, null)
      if (!result.ok) return reply.formErrors(url, result, { template: FORM, context: formContext(area, null) })
      let added: TeamMember
      try {
        added = await team.addMember(actorFrom(request), area.id, inputOf(result.data), result.photo)
      } catch (err) {
        const errors = serviceErrors(err)
        if (!errors) throw err
        return reply.formErrors(url, { errors, values: keptValues(submitted.fields) }, { template: FORM, context: formContext(area, null) })
      }
      return reply.redirectWithNotice(staffUrl(area.id, '/team'), `${added.name} has been added to the team`)
    },

    editForm: async (request: MemberRequest, reply: FastifyReply) => {
      const { area, member } = await memberFor(request)
      return reply.page(FORM, formContext(area, member))
    },

    update: async (request: MemberRequest, reply: FastifyReply) => {
      const { area, member } = await memberFor(request)
      const url = staffUrl(area.id, `/team/${member.id}`)
      const submitted = await readForm(request)
      const result = check(submitted, member)
      if (!result.ok) return reply.formErrors(url, result, { template: FORM, context: formContext(area, member) })
      try {
        await team.updateMember(actorFrom(request), area.id, member.id, inputOf(result.data), {
          photo: result.photo,
          removePhoto: result.data.removePhoto && !result.photo,
          photoAlt: result.data.photoAlt,
        })
      } catch (err) {
        const errors = serviceErrors(err)
        if (!errors) throw err
        return reply.formErrors(url, { errors, values: keptValues(submitted.fields) }, { template: FORM, context: formContext(area, member) })
      }
      return reply.redirectWithNotice(staffUrl(area.id, '/team'), `${result.data.name}’s details have been saved`)
    },

    namedContact: async (request: MemberRequest, reply: FastifyReply) => {
      const { area, member } = await memberFor(request)
      await team.setNamedContact(actorFrom(request), area.id, member.id)
      return reply.redirectWithNotice(staffUrl(area.id, '/team'), `${member.name} is now the named contact for ${area.name}`)
    },

    removeForm: async (request: MemberRequest, reply: FastifyReply) => {
      const { area, member } = await memberFor(request)
      return reply.page(REMOVE, { title: `Remove ${member.name}`, area, member })
    },

    remove: async (request: MemberRequest, reply: FastifyReply) => {
      const { area, member } = await memberFor(request)
      await team.removeMember(actorFrom(request), area.id, member.id)
      return reply.redirectWithNotice(
        staffUrl(area.id, '/team'),
        `${member.name} has been removed from the team${member.isNamedContact ? '. Choose a new named contact' : ''}`,
      )
    },
  }
}
