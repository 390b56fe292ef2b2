import { z } from 'zod'
import { CONTACT_MESSAGES, CONTACT_STATUSES, MAX_NOTE, MAX_REPLY } from '../../../contact.service.ts'

/** The inbox filter (a GET form): anything unexpected falls back to "all". */
export const contactQuerySchema = z.object({
  status: z.enum(CONTACT_STATUSES).optional().catch(undefined),
  area: z.string().trim().max(200).optional().catch(undefined).transform(v => v || undefined),
  mine: z
    .enum(['yes'])
    .optional()
    .catch(undefined)
    .transform(v => v === 'yes'),
  reference: z.string().trim().max(40).optional().catch(undefined).transform(v => v || undefined),
  page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1),
})

/** Giving a query to someone: the form sends their id. */
export const assignSchema = z.object({
  assignee: z.string({ error: CONTACT_MESSAGES.noAssignee }).trim().uuid(CONTACT_MESSAGES.noAssignee),
})

/** A reply emailed to the resident. */
export const replySchema = z.object({
  reply: z.string({ error: CONTACT_MESSAGES.noReply }).trim().min(1, CONTACT_MESSAGES.noReply).max(MAX_REPLY, CONTACT_MESSAGES.longReply),
})

/** An internal note. */
export const noteSchema = z.object({
  note: z.string({ error: CONTACT_MESSAGES.noNote }).trim().min(1, CONTACT_MESSAGES.noNote).max(MAX_NOTE, CONTACT_MESSAGES.longNote),
})

/** Replied by phone, with an optional summary of the call. */
export const phonedSchema = z.object({
  summary: z.string().trim().max(MAX_NOTE, CONTACT_MESSAGES.longNote).optional().default(''),
})
