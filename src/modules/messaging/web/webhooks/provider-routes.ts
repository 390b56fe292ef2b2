import qs from 'node:querystring'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { RouteOptions } from '../../../../app.ts'
import {
  basicAuthPassword,
  createInboundEmail,
  createMailgunVerifier,
  deliveryRefFromMessageId,
  fromMailgun,
  fromSendGrid,
  recordOpen,
  sameSecret,
  type InboundEmail,
  type ProviderFields,
} from '../../inbound-email.ts'

/**
 * Inbound email adapters for real providers, each its own webhook:
 *
 * - `POST /webhooks/inbound/sendgrid/<token>` (or `/webhooks/inbound/sendgrid` with HTTP basic
 *   auth whose password is the token): SendGrid Inbound Parse, multipart/form-data.
 * - `POST /webhooks/inbound/mailgun`: a Mailgun route's forward(), form-encoded or multipart,
 *   signed with the webhook signing key (timestamp + token, five-minute window, no replays).
 * - `POST /webhooks/mailgun/events`: Mailgun's event webhook; "opened" events set the delivery's
 *   opened_at (only if the force has turned open tracking on at Mailgun; Beacon adds no pixel).
 *
 * None takes a CSRF token (providers post without a session); each checks the provider's own
 * proof instead. An adapter whose secret is not configured answers 404, as if absent.
 */
export async function providerWebhookRoutes(app: FastifyInstance, { services, config }: RouteOptions): Promise<void> {
  const deps = { config, db: services.db, audit: services.audit, channels: services.channels, jobs: services.jobs, areas: services.areas }
  const inbound = createInboundEmail(deps)
  const { sendgridToken, mailgunSigningKey } = config.messaging.inbound
  const mailgun = mailgunSigningKey ? createMailgunVerifier(mailgunSigningKey) : null

  // Replies can carry long quoted HTML: allow more than the site's 256 KB forms, in this scope only.
  app.removeContentTypeParser('application/x-www-form-urlencoded')
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 5 * 1024 * 1024 }, (_req, body, done) => {
    done(null, qs.parse(String(body)))
  })

  const routeConfig = { csrf: false, rateLimit: { max: 600, timeWindow: '1 minute' } }

  /** Stores the email or says why not; a refusal is final, so it is a 200 the provider will not retry. */
  async function store(reply: FastifyReply, email: InboundEmail | null, unreadable: number) {
    if (!email) return reply.code(unreadable).send({ status: unreadable, error: 'Not an email Beacon can read' })
    const result = await inbound.recordInboundEmail(email)
    return reply.code(200).send(result.ok ? { status: 'stored', replyId: result.replyId, duplicate: result.duplicate } : { status: 'refused', reason: result.reason })
  }

  // ---------------------------------------------------------------- SendGrid Inbound Parse

  const sendGrid = async (request: FastifyRequest<{ Params: { token?: string } }>, reply: FastifyReply) => {
    if (!sendgridToken) return notConfigured(reply)
    const given = request.params.token ?? basicAuthPassword(request.headers.authorization)
    if (!sameSecret(given, sendgridToken)) {
      if (!request.params.token) reply.header('www-authenticate', 'Basic realm="beacon-inbound"')
      return reply.code(401).send({ status: 401, error: 'Token missing or wrong' })
    }
    if (!request.isMultipart()) return reply.code(400).send({ status: 400, error: 'Expected multipart/form-data from SendGrid Inbound Parse' })
    const fields = await multipartFields(request, 'sendgrid')
    return store(reply, fromSendGrid(fields), 400)
  }
  app.post('/webhooks/inbound/sendgrid', { config: routeConfig }, sendGrid)
  app.post('/webhooks/inbound/sendgrid/:token', { config: routeConfig }, sendGrid)

  // ---------------------------------------------------------------- Mailgun routes

  app.post('/webhooks/inbound/mailgun', { config: routeConfig }, async (request, reply) => {
    if (!mailgun) return notConfigured(reply)
    const fields = request.isMultipart() ? await multipartFields(request, 'utf8') : formFields(request.body)
    const check = mailgun({ timestamp: fields.timestamp, token: fields.token, signature: fields.signature })
    if (check !== 'ok') return reply.code(401).send({ status: 401, error: `Signature ${check === 'bad-signature' ? 'missing or wrong' : check}` })
    // 406 tells Mailgun not to retry a post that will never be readable.
    return store(reply, fromMailgun(fields), 406)
  })

  // ---------------------------------------------------------------- Mailgun events (opens)

  app.post('/webhooks/mailgun/events', { config: routeConfig }, async (request, reply) => {
    if (!mailgun) return notConfigured(reply)
    const body = (request.body ?? {}) as { signature?: Record<string, unknown>; 'event-data'?: Record<string, unknown> }
    const check = mailgun(body.signature ?? {})
    if (check !== 'ok') return reply.code(401).send({ status: 401, error: `Signature ${check === 'bad-signature' ? 'missing or wrong' : check}` })
    const event = body['event-data'] ?? {}
    if (event.event !== 'opened') return reply.send({ status: 'ignored', reason: 'only opened events are recorded' })
    const message = (event.message ?? {}) as { headers?: Record<string, unknown> }
    const delivery = deliveryRefFromMessageId(message.headers?.['message-id'])
    if (delivery === null) return reply.send({ status: 'ignored', reason: 'not a Beacon delivery' })
    const seconds = Number(event.timestamp)
    const at = Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : new Date()
    const found = await recordOpen(services.db, delivery, at)
    return reply.send(found ? { status: 'recorded' } : { status: 'ignored', reason: 'no such email delivery' })
  })
}

/** An adapter without its secret is switched off: a plain 404, as for any unknown address. */
const notConfigured = (reply: FastifyReply) => reply.code(404).send({ status: 404, error: 'Not found' })

/** A parsed urlencoded body as single strings (the first value of a repeated field). */
function formFields(body: unknown): ProviderFields {
  const out: ProviderFields = {}
  if (!body || typeof body !== 'object') return out
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    const first = Array.isArray(v) ? v[0] : v
    if (typeof first === 'string') out[k] = first
  }
  return out
}

/**
 * The text fields of a multipart post; attachments are read and thrown away (a reply's words
 * are all Beacon keeps). For SendGrid every field is read as bytes and then decoded with the
 * character set SendGrid names for it in `charsets` (older mail programs still send
 * ISO-8859-1 or Windows-1252), so accented letters survive.
 */
async function multipartFields(request: FastifyRequest, decoding: 'sendgrid' | 'utf8'): Promise<ProviderFields> {
  const raw: ProviderFields = {}
  const parts = request.parts({
    defCharset: decoding === 'sendgrid' ? 'latin1' : 'utf8',
    limits: { fields: 100, fieldSize: 2 * 1024 * 1024, files: 50, fileSize: 30 * 1024 * 1024, parts: 200 },
  })
  for await (const part of parts) {
    if (part.type === 'file') {
      for await (const _chunk of part.file) {
        // drained: attachments are not kept
      }
      continue
    }
    if (raw[part.fieldname] === undefined && typeof part.value === 'string') raw[part.fieldname] = part.value
  }
  if (decoding !== 'sendgrid') return raw
  let charsets: Record<string, unknown> = {}
  try {
    charsets = JSON.parse(Buffer.from(raw.charsets ?? '{}', 'latin1').toString('utf8')) as Record<string, unknown>
  } catch {
    // No charsets: everything is UTF-8.
  }
  const out: ProviderFields = {}
  for (const [name, value] of Object.entries(raw)) out[name] = decodeAs(Buffer.from(value, 'latin1'), charsets[name])
  return out
}

function decodeAs(bytes: Buffer, charset: unknown): string {
  const label = typeof charset === 'string' && charset ? charset : 'utf-8'
  try {
    return new TextDecoder(label).decode(bytes)
  } catch {
    return bytes.toString('utf8')
  }
}
