import { timingSafeEqual, createHash } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import type { RouteOptions } from '../../../app.ts'
import { requireStaff } from '../../auth/access.ts'
import { actorFrom } from '../../audit/service.ts'
import { AppError } from '../../errors.ts'
import { findOutboxMessage, listOutboxMessages } from '../outbox.ts'
import { notifyStatus } from '../receipts.ts'

const PAGE_SIZE = 50

const listQuery = z.object({
  recipient: z.string().trim().max(200).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1),
})

/** The body of a GOV.UK Notify delivery receipt callback (only the fields Beacon uses). */
const notifyReceipt = z.object({
  id: z.string().min(1).max(100),
  reference: z.string().max(500).nullish(),
  status: z.string().min(1).max(50),
  notification_type: z.enum(['email', 'sms', 'letter']).nullish(),
  completed_at: z.string().nullish(),
  sent_at: z.string().nullish(),
  created_at: z.string().nullish(),
})

/** Compares secrets in constant time; hashing first makes the lengths equal. */
const sameSecret = (a: string, b: string) =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest())

const dateOrNull = (s: string | null | undefined) => {
  if (!s) return null
  const d = new Date(s)
  return Number.isNaN(d.getTime()) ? null : d
}

/** The development outbox pages for administrators, and provider delivery-receipt webhooks. */
export async function channelsRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  const { services, config } = opts

  app.get('/staff/outbox', async (request, reply) => {
    requireStaff(request, ['administrator'])
    const q = listQuery.parse(request.query ?? {})
    const { rows, total } = await listOutboxMessages(services.db, {
      recipient: q.recipient,
      limit: PAGE_SIZE,
      offset: (q.page - 1) * PAGE_SIZE,
    })
    // Looking up one person's messages is an access to their personal data; browsing the
    // newest messages is what the outbox is for and is recorded when a message is opened.
    if (q.recipient)
      await services.audit.record(actorFrom(request), {
        action: 'view',
        entityType: 'outbox_message',
        summary: `Searched the outbox for "${q.recipient}"`,
        details: { results: total },
      })
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE))
    const link = (page: number) =>
      `/staff/outbox?${new URLSearchParams({ ...(q.recipient ? { recipient: q.recipient } : {}), page: String(page) })}`
    return reply.page('platform/channels/web/outbox/list.njk', {
      title: 'Outbox',
      messages: rows,
      total,
      recipient: q.recipient ?? '',
      page: q.page,
      pages,
      previous: q.page > 1 ? link(q.page - 1) : null,
      next: q.page < pages ? link(q.page + 1) : null,
      provider: { email: config.channels.emailProvider, sms: config.channels.smsProvider },
    })
  })

  app.get<{ Params: { id: string } }>('/staff/outbox/:id', async (request, reply) => {
    requireStaff(request, ['administrator'])
    const message = await findOutboxMessage(services.db, request.params.id)
    if (!message) throw new AppError('NOT_FOUND', 'Message not found')
    await services.audit.record(actorFrom(request), {
      action: 'view',
      entityType: 'outbox_message',
      entityId: message.id,
      summary: `Viewed ${message.channel === 'sms' ? 'text message' : 'email'} to ${message.recipient} in the outbox`,
    })
    return reply.page('platform/channels/web/outbox/view.njk', {
      title: message.subject ?? 'Text message',
      message,
      headers: Object.entries(message.headers),
    })
  })

  // GOV.UK Notify posts one JSON receipt per message status change, with the bearer token
  // set in the service's callback settings. It is not a browser form, so no CSRF check.
  app.post('/webhooks/notify', { config: { csrf: false } }, async (request, reply) => {
    const expected = config.channels.notifyCallbackToken
    if (!expected) throw new AppError('NOT_FOUND', 'Page not found')
    const given = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim()
    if (!given || !sameSecret(given, expected)) {
      reply.header('www-authenticate', 'Bearer')
      return reply.code(401).send({ status: 401, error: 'Wrong or missing bearer token' })
    }
    const parsed = notifyReceipt.safeParse(request.body)
    if (!parsed.success) return reply.code(400).send({ status: 400, error: 'Not a delivery receipt' })
    const r = parsed.data
    // Letters are not a Beacon channel; accept so Notify does not keep retrying.
    if (r.notification_type === 'letter') return reply.code(204).send()
    try {
      await services.channels.receipts.record({
        provider: 'notify',
        providerId: r.id,
        reference: r.reference ?? null,
        channel: r.notification_type ?? null,
        status: notifyStatus(r.status),
        providerStatus: r.status,
        occurredAt: dateOrNull(r.completed_at) ?? dateOrNull(r.sent_at) ?? dateOrNull(r.created_at),
      })
    } catch (err) {
      // Notify retries a failed callback, so a listener's failure is not lost.
      request.log.error({ err, providerId: r.id }, 'delivery receipt not processed')
      return reply.code(500).send({ status: 500, error: 'Receipt not processed; try again' })
    }
    return reply.code(204).send()
  })
}
