import nunjucks from 'nunjucks'
import { govukDist, srcRoot } from './assets.ts'

export type FieldErrors = Record<string, string>

/**
 * Templates are named from `src/` ("modules/areas/web/public/neighbourhood/view.njk"),
 * and GOV.UK Frontend's macros from its dist folder ("govuk/components/…").
 */
export function createNunjucks(opts: { noCache?: boolean } = {}): nunjucks.Environment {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader([srcRoot, govukDist], { noCache: opts.noCache ?? false }), {
    autoescape: true,
    throwOnUndefined: false,
    trimBlocks: true,
    lstripBlocks: true,
  })
  // GOV.UK error summary items from a field → message map, linking to each field.
  env.addFilter('errorSummary', (errors: FieldErrors | undefined) =>
    Object.entries(errors ?? {}).map(([field, text]) => ({ text, href: `#${field}` })),
  )
  // The `errorMessage` option of a GOV.UK macro for one field, or false.
  env.addFilter('fieldError', (errors: FieldErrors | undefined, field: string) =>
    errors?.[field] ? { text: errors[field] } : false,
  )
  env.addFilter('dateTime', (value: Date | string | null | undefined) => (value ? formatDateTime(new Date(value)) : ''))
  env.addFilter('date', (value: Date | string | null | undefined) => (value ? formatDate(new Date(value)) : ''))
  env.addFilter('number', (value: number | null | undefined) => (value == null ? '' : value.toLocaleString('en-GB')))
  env.addFilter('roleName', (role: string) => roleNames[role] ?? role)
  return env
}

export const roleNames: Record<string, string> = {
  administrator: 'Administrator',
  engagement_lead: 'Engagement lead',
  neighbourhood_officer: 'Neighbourhood officer',
  opcc_officer: 'OPCC officer',
  board_member: 'Board member',
  partner: 'Partner',
}

const dateFmt = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' })
const dateTimeFmt = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'Europe/London',
})
export const formatDate = (d: Date) => dateFmt.format(d)
export const formatDateTime = (d: Date) => dateTimeFmt.format(d)
