/**
 * The OpenAPI 3.1 description of the open data API, served at /api/openapi.json. Schemas
 * follow data.police.uk: coordinates and population are strings, priority dates are
 * `issue-date` / `action-date`, missing values are null. Tests check every endpoint's live
 * answer against these schemas (web/api/openapi.test.ts).
 */

type Schema = Record<string, unknown>

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` })
const str = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, ...extra })
const nullableStr = (description: string, extra: Schema = {}): Schema => ({ type: ['string', 'null'], description, ...extra })
const arrayOf = (name: string): Schema => ({ type: 'array', items: ref(name) })

const DECIMAL = '^-?[0-9]+(\\.[0-9]+)?$'
const DATE_TIME = '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$'
const HTML = 'HTML (Beacon escapes plain text and wraps paragraphs in <p>)'

const schemas: Record<string, Schema> = {
  Error: {
    type: 'object',
    required: ['error'],
    properties: { error: str('What was wrong, in words') },
  },
  ForceRef: {
    type: 'object',
    required: ['id', 'name'],
    properties: { id: str('Force identifier, used in every other path'), name: str('Force name') },
  },
  EngagementMethod: {
    type: 'object',
    required: ['url', 'type', 'title', 'description'],
    properties: {
      url: str('Where to go'),
      type: str('facebook, twitter, instagram, youtube, nextdoor, flickr, rss, email, telephone or website (from the URL)'),
      title: str('Link text'),
      description: nullableStr('More about it'),
    },
  },
  Force: {
    type: 'object',
    required: ['id', 'name', 'description', 'url', 'telephone', 'engagement_methods'],
    properties: {
      id: str('Force identifier'),
      name: str('Force name'),
      description: nullableStr(HTML),
      url: nullableStr("The force's website"),
      telephone: nullableStr('Main telephone number, usually 101'),
      engagement_methods: arrayOf('EngagementMethod'),
    },
  },
  ContactDetails: {
    type: 'object',
    description: 'Only the ways that exist are present.',
    properties: Object.fromEntries(
      ['email', 'telephone', 'mobile', 'twitter', 'facebook', 'instagram', 'youtube', 'web', 'address'].map(k => [k, str(k)]),
    ),
    additionalProperties: { type: 'string' },
  },
  Person: {
    type: 'object',
    required: ['name', 'rank', 'bio', 'contact_details'],
    properties: {
      name: str('Name'),
      rank: str('Rank or role, e.g. "Police Constable"'),
      bio: nullableStr(HTML),
      contact_details: ref('ContactDetails'),
    },
  },
  NeighbourhoodRef: {
    type: 'object',
    required: ['id', 'name'],
    properties: { id: str('Neighbourhood identifier within its force'), name: str('Neighbourhood name') },
  },
  Link: {
    type: 'object',
    required: ['url', 'title', 'description'],
    properties: { url: str('Address'), title: str('Link text'), description: nullableStr('More about it') },
  },
  LatLng: {
    type: 'object',
    required: ['latitude', 'longitude'],
    properties: {
      latitude: str('Latitude (WGS84) as a decimal string', { pattern: DECIMAL }),
      longitude: str('Longitude (WGS84) as a decimal string', { pattern: DECIMAL }),
    },
  },
  Centre: {
    type: 'object',
    required: ['latitude', 'longitude'],
    properties: {
      latitude: nullableStr('Latitude as a decimal string; null when no boundary is known', { pattern: DECIMAL }),
      longitude: nullableStr('Longitude as a decimal string; null when no boundary is known', { pattern: DECIMAL }),
    },
  },
  Location: {
    type: 'object',
    required: ['name', 'type', 'address', 'postcode', 'latitude', 'longitude', 'description'],
    properties: {
      name: str('Station name'),
      type: str('"station", "front counter" or "other"'),
      address: str('Address'),
      postcode: nullableStr('Postcode'),
      latitude: str('Latitude as a decimal string', { pattern: DECIMAL }),
      longitude: str('Longitude as a decimal string', { pattern: DECIMAL }),
      description: nullableStr(HTML),
    },
  },
  Neighbourhood: {
    type: 'object',
    required: ['id', 'name', 'description', 'url_force', 'population', 'welcome_message', 'contact_details', 'links', 'centre', 'locations'],
    properties: {
      id: str('Neighbourhood identifier'),
      name: str('Name'),
      description: nullableStr(HTML),
      url_force: str("The neighbourhood's page on this site"),
      population: str('Estimated population as a whole number in a string; "0" when not known', { pattern: '^[0-9]+$' }),
      welcome_message: nullableStr(HTML),
      contact_details: ref('ContactDetails'),
      links: arrayOf('Link'),
      centre: ref('Centre'),
      locations: { ...arrayOf('Location'), description: 'The nearest police stations and front counters, nearest first (up to 3)' },
    },
  },
  Event: {
    type: 'object',
    required: ['title', 'description', 'address', 'type', 'start_date', 'end_date', 'contact_details'],
    properties: {
      title: str('Title'),
      description: nullableStr(HTML),
      address: nullableStr('Where; "Online (platform)" for online-only events'),
      type: str('"meeting" (PACT meetings, panels, online meetings), "surgery", "street briefing", "open day" or "other"'),
      start_date: str('Start, UK local time', { pattern: DATE_TIME }),
      end_date: str('End, UK local time', { pattern: DATE_TIME }),
      contact_details: ref('ContactDetails'),
    },
  },
  Priority: {
    type: 'object',
    required: ['issue', 'issue-date', 'action', 'action-date'],
    properties: {
      issue: str(HTML),
      'issue-date': str('When it was set', { pattern: DATE_TIME }),
      action: nullableStr(`What has been done, the latest update; ${HTML}`),
      'action-date': nullableStr('When that was done', { pattern: DATE_TIME }),
    },
  },
  LocateResult: {
    type: 'object',
    required: ['force', 'neighbourhood'],
    properties: { force: str('Force identifier'), neighbourhood: str('Neighbourhood identifier') },
  },
}

const forceParam = { name: 'force', in: 'path', required: true, schema: { type: 'string' }, description: 'Force identifier (from /forces)' }
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'Neighbourhood identifier (from /{force}/neighbourhoods)' }

const etagHeaders = {
  ETag: { description: 'Strong validator; send it back in If-None-Match', schema: { type: 'string' } },
  'Cache-Control': { description: 'public, max-age=60', schema: { type: 'string' } },
  'Access-Control-Allow-Origin': { description: '*', schema: { type: 'string' } },
}

const json = (schema: Schema, description: string) => ({
  description,
  headers: etagHeaders,
  content: { 'application/json': { schema } },
})
const error = (description: string) => ({ description, content: { 'application/json': { schema: ref('Error') } } })
const notModified = { description: 'Not modified: the If-None-Match ETag is current' }

function get(summary: string, description: string, schema: Schema, params: Schema[], extra: Record<string, unknown> = {}) {
  return {
    get: {
      summary,
      description,
      parameters: params,
      responses: { 200: json(schema, 'OK'), 304: notModified, 404: error('Unknown force or neighbourhood'), ...extra },
    },
  }
}

/** The OpenAPI document, with the server at this deployment's base URL. */
export function openApiDocument(baseUrl: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Beacon open data API (data.police.uk compatible)',
      version: '1.0.0',
      description:
        'Read-only neighbourhood policing data with the same paths, field names and value formats as the ' +
        'neighbourhood methods of data.police.uk, so its clients work when pointed at this base URL. No key is ' +
        'needed; answers are JSON with CORS open to every origin, cached for 60 seconds, with ETags.',
      license: { name: 'Open Government Licence v3.0', url: 'https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/' },
    },
    servers: [{ url: `${baseUrl}/api` }],
    paths: {
      '/forces': get('List forces', 'Every force on this site.', { type: 'array', items: ref('ForceRef') }, []),
      '/forces/{force}': get('A force', 'Description, website, telephone and engagement methods.', ref('Force'), [forceParam]),
      '/forces/{force}/people': get('Force-level officers', "The force's own team (data.police.uk's senior officers).", arrayOf('Person'), [forceParam]),
      '/{force}/neighbourhoods': get('List neighbourhoods', "The force's neighbourhoods, by name.", arrayOf('NeighbourhoodRef'), [forceParam]),
      '/{force}/{id}': get('A neighbourhood', 'Contact details, links, centre, nearest stations.', ref('Neighbourhood'), [forceParam, idParam]),
      '/{force}/{id}/boundary': get(
        'Neighbourhood boundary',
        'Points of the boundary: the outer ring of each part, one after another.',
        arrayOf('LatLng'),
        [forceParam, idParam],
      ),
      '/{force}/{id}/people': get('Neighbourhood team', 'The team, named contact first.', arrayOf('Person'), [forceParam, idParam]),
      '/{force}/{id}/events': get(
        'Neighbourhood events',
        'Events and meetings from the last 30 days and all upcoming ones, by start; cancelled ones are left out.',
        arrayOf('Event'),
        [forceParam, idParam],
      ),
      '/{force}/{id}/priorities': get(
        'Neighbourhood priorities',
        'Current priorities then past ones, newest first, each with its latest action.',
        arrayOf('Priority'),
        [forceParam, idParam],
      ),
      '/locate-neighbourhood': get(
        'Find the neighbourhood for a point',
        'The force and neighbourhood whose boundary contains the point.',
        ref('LocateResult'),
        [
          {
            name: 'q',
            in: 'query',
            required: true,
            schema: { type: 'string', pattern: '^-?[0-9.]+(e-?[0-9]+)?,-?[0-9.]+(e-?[0-9]+)?$' },
            description: 'latitude,longitude in WGS84, e.g. 52.6394,-1.1315',
          },
        ],
        { 400: error('q is missing or not latitude,longitude'), 404: error('No neighbourhood covers that point') },
      ),
    },
    components: { schemas },
  }
}
