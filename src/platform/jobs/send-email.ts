import { z } from 'zod'
import type { Channels, EmailMessage } from '../channels/types.ts'
import { defineJob, type JobDefinition, type Jobs, type SendOptions } from './index.ts'

export const SEND_EMAIL = 'send-email'

const headerName = /^[!-9;-~]+$/

/** The payload of a send-email job: one email to one person. */
export const sendEmailPayload = z.object({
  to: z.string().trim().min(3).max(320),
  subject: z.string().min(1).max(998),
  text: z.string().min(1),
  html: z.string().optional(),
  headers: z
    .record(z.string().regex(headerName, 'not a valid header name'), z.string().max(2000))
    .optional(),
  reference: z.string().max(200).optional(),
})

export type SendEmailPayload = z.infer<typeof sendEmailPayload>

/**
 * Sends one email through the configured email channel. A permanent ChannelError (the
 * address does not exist) ends the job without retries; anything else is retried with
 * backoff, so a relay or Notify outage delays mail instead of losing it.
 */
export function sendEmailJob(channels: Channels): JobDefinition<SendEmailPayload> {
  return defineJob({
    id: SEND_EMAIL,
    schema: sendEmailPayload,
    // A provider that hangs must not hold the job for the default 15 minutes.
    expireInSeconds: 120,
    concurrency: 5,
    async handler(message, ctx) {
      const result = await channels.email.sendEmail(message)
      ctx.logger.info({ provider: result.provider, providerId: result.providerId }, 'email sent')
      return { provider: result.provider, providerId: result.providerId }
    },
  })
}

/**
 * Queues an email to be sent by a worker, answering the job id. Used for mail that must
 * survive a provider outage, such as password-reset links.
 */
export function enqueueEmail(jobs: Jobs, message: EmailMessage, options?: SendOptions): Promise<string | null> {
  return jobs.send<SendEmailPayload>(SEND_EMAIL, message, options)
}
