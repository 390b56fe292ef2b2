import { z } from 'zod'
import { ORGANISATIONS, PRIORITIES } from '../../../schema.ts'

/** A field sent once arrives as a string, several times as an array; either way a list. */
export const list = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform(v => (v === undefined ? [] : [v].flat().map(s => s.trim()).filter(Boolean)))

/** Repeated fields whose positions matter (translation slots): empty strings kept. */
const slots = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform(v => (v === undefined ? [] : [v].flat()))

const text = z.string().optional().transform(v => (v ?? '').replace(/\r\n?/g, '\n'))

/**
 * The compose form. Only shapes are checked here; what the content must be (no HTML, an SMS
 * that fits, areas inside the grants, someone to send to) is the service's rule, so the
 * same words appear wherever a message is written.
 */
export const composeSchema = z.object({
  title: text.transform(v => v.trim()),
  bodyMarkdown: text,
  smsText: text.transform(v => v.trim()),
  category: z.string().optional().transform(v => v ?? ''),
  priority: z.enum(PRIORITIES, { error: 'Choose a priority' }),
  organisation: z.enum(ORGANISATIONS, { error: 'Choose who the message is from' }),
  allowReplies: z.string().optional().transform(v => v === 'yes'),
  isPublic: z.string().optional().transform(v => v === 'yes'),
  /** the areas chosen so far (hidden fields in the chosen list) */
  areas: list,
  /** areas ticked in the add lists, force, districts and search results; joined to `areas` */
  addAreas: list,
  interests: list,
  groups: list,
  /** which button was pressed: save, find, remove:<id>, expand:<id>, or default (Enter in a field) */
  intent: z.string().max(200).optional().transform(v => v ?? 'save'),
  /** "Find a neighbourhood", and the search last shown (so Enter in the box searches rather than saves) */
  areaQuery: z.string().max(100, 'Search words must be 100 characters or fewer').optional().transform(v => (v ?? '').trim()),
  searched: z.string().max(100).optional().transform(v => (v ?? '').trim()),
  /** districts whose neighbourhood lists were opened with "Show" */
  expanded: list,
  trLanguage: slots,
  trTitle: slots,
  trBody: slots,
  trSms: slots,
})

export type ComposeForm = z.infer<typeof composeSchema>

/** The live count's query string. */
export const countQuerySchema = z.object({
  areas: list,
  interests: list,
  groups: list,
  organisation: z.enum(ORGANISATIONS).catch('force'),
})
