import type { MessagingDeps } from '../deps.ts'
import { ChannelError } from '../../../platform/channels/types.ts'
import { renderDigestEmail, renderDigestSms, type DigestEntry, type DigestFor } from '../render.ts'
import type { MessagingChannel } from '../schema.ts'
import type { RateLimiter } from './rate-limiter.ts'

/** Deliveries older than this are not gathered into a digest: by then they are not news. */
export const DIGEST_HORIZON_DAYS = 14
/** Digests sent per run; the rest wait for the next hourly run (bounded work per job). */
const MAX_DIGESTS_PER_RUN = 50_000

export interface LondonTime {
  /** YYYY-MM-DD in Europe/London */
  date: string
  hour: number
  /** 1 = Monday … 7 = Sunday */
  weekday: number
}

const londonFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  hourCycle: 'h23',
  weekday: 'short',
})
const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 }

/** The local date, hour and weekday in Europe/London (digests follow the force's clock, BST included). */
export function londonTime(at: Date): LondonTime {
  const parts = Object.fromEntries(londonFormat.formatToParts(at).map(p => [p.type, p.value]))
  return { date: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour), weekday: WEEKDAYS[parts.weekday ?? ''] ?? 0 }
}

interface DigestRow {
  id: string
  subscriber_id: string
  channel: MessagingChannel
  frequency: 'daily' | 'weekly'
  email: string | null
  phone: string | null
  language: string
  link_version: number
}

interface DigestItem {
  message_id: string
  title: string
  body_markdown: string
  is_public: boolean
  tr_title: string | null
  tr_body: string | null
}

export interface DigestRunResult {
  /** digests created for this period (0 outside the digest hour) */
  created: number
  sent: number
  failed: number
  /** still queued after a temporary failure; the next hourly run tries again */
  waiting: number
}

/**
 * Daily and weekly digests. At the configured hour (Europe/London) one digest is created
 * per subscriber, channel and period for the deliveries waiting in status 'digest' (daily
 * every day; weekly on Mondays), and those deliveries are marked 'digested' with its id,
 * all in one set-based transaction. The unique (subscriber, channel, frequency, period)
 * key makes a second run in the same hour, or a retried job, create nothing new. Queued
 * digests are then sent one by one under the channel's rate limit.
 */
export function createDigests(deps: MessagingDeps & { now: () => Date; limiters: Record<MessagingChannel, RateLimiter> }) {
  const { db, config, channels } = deps

  /** Creates this period's digests; answers how many. Runs only in the digest hour. */
  async function createDue(at: Date): Promise<number> {
    const local = londonTime(at)
    if (local.hour !== config.messaging.digestHour) return 0
    return db.transaction(async q => {
      const created = await q<{ id: string }>(
        `with waiting as (
           select d.subscriber_id, d.channel,
                  case when (case d.channel when 'email' then s.email_frequency else s.sms_frequency end) = 'weekly'
                       then 'weekly' else 'daily' end as frequency
             from msg_deliveries d
             join msg_subscribers s on s.id = d.subscriber_id
            where d.status = 'digest'
              and d.message_id in (select id from msg_messages
                                    where status in ('sending', 'sent') and created_at >= $3)
            group by 1, 2, 3)
         insert into msg_digests (subscriber_id, channel, frequency, period)
         select subscriber_id, channel, frequency, $1::date from waiting
          where frequency = 'daily' or $2
         on conflict (subscriber_id, channel, frequency, period) do nothing
         returning id`,
        [local.date, local.weekday === 1, new Date(at.getTime() - DIGEST_HORIZON_DAYS * 86_400_000)],
      )
      if (created.length === 0) return 0
      await q(
        `update msg_deliveries d set status = 'digested', digest_id = g.id
           from msg_digests g
          where g.id = any($1::uuid[]) and d.subscriber_id = g.subscriber_id and d.channel = g.channel
            and d.status = 'digest'
            and d.message_id in (select id from msg_messages where status in ('sending', 'sent') and created_at >= $2)`,
        [created.map(c => c.id), new Date(at.getTime() - DIGEST_HORIZON_DAYS * 86_400_000)],
      )
      return created.length
    })
  }

  /** The resident's details in the shape render.ts's digest functions take. */
  function digestFor(d: DigestRow): DigestFor {
    return {
      id: d.id,
      subscriberId: d.subscriber_id,
      linkVersion: d.link_version,
      email: d.email ?? '',
      phone: d.phone ?? '',
      language: d.language,
      frequency: d.frequency,
    }
  }

  function entriesOf(items: DigestItem[]): DigestEntry[] {
    return items.map(i => ({
      messageId: i.message_id,
      title: i.title,
      bodyMarkdown: i.body_markdown,
      isPublic: i.is_public,
      translated: i.tr_title !== null && i.tr_body !== null ? { title: i.tr_title, bodyMarkdown: i.tr_body } : null,
    }))
  }

  async function failDigest(d: DigestRow, countAgainstContact: boolean): Promise<void> {
    const f = d.channel
    await db.query(
      `with g as (update msg_digests set status = 'failed' where id = $1 and status = 'queued' returning subscriber_id)
       update msg_subscribers s set ${f}_failures = s.${f}_failures + 1, ${f}_failing = s.${f}_failing or s.${f}_failures + 1 >= $2
         from g where $3 and s.id = g.subscriber_id`,
      [d.id, config.messaging.failuresBeforeFailing, countAgainstContact],
    )
  }

  /** Sends every queued digest (any period: a digest held up by a relay outage goes later, not never). */
  async function sendQueued(): Promise<Omit<DigestRunResult, 'created'>> {
    const out = { sent: 0, failed: 0, waiting: 0 }
    let afterId = '00000000-0000-0000-0000-000000000000'
    for (let handled = 0; handled < MAX_DIGESTS_PER_RUN; ) {
      const batch = await db.query<DigestRow>(
        `select g.id, g.subscriber_id, g.channel, g.frequency, s.email, s.phone, s.language, s.link_version
           from msg_digests g join msg_subscribers s on s.id = g.subscriber_id
          where g.status = 'queued' and g.id > $1 order by g.id limit 200`,
        [afterId],
      )
      if (batch.length === 0) break
      afterId = batch[batch.length - 1]!.id
      const items = await db.query<DigestItem & { digest_id: string }>(
        `select d.digest_id, m.id as message_id, m.title, m.body_markdown, m.is_public,
                t.title as tr_title, t.body_markdown as tr_body
           from msg_deliveries d
           join msg_messages m on m.id = d.message_id
           join msg_subscribers s on s.id = d.subscriber_id
           left join msg_message_translations t on t.message_id = m.id and t.language = s.language
          where d.digest_id = any($1::uuid[])
          order by m.created_at, m.id`,
        [batch.map(b => b.id)],
      )
      const byDigest = new Map<string, DigestItem[]>()
      for (const i of items) {
        const list = byDigest.get(i.digest_id)
        if (list) list.push(i)
        else byDigest.set(i.digest_id, [i])
      }
      for (const d of batch) {
        handled++
        const mine = byDigest.get(d.id) ?? []
        const contact = d.channel === 'email' ? d.email : d.phone
        if (mine.length === 0 || !contact) {
          await failDigest(d, false)
          out.failed++
          continue
        }
        await deps.limiters[d.channel].take()
        try {
          const result =
            d.channel === 'email'
              ? await channels.email.sendEmail(renderDigestEmail(config, digestFor(d), entriesOf(mine)))
              : await channels.sms.sendSms(renderDigestSms(config, digestFor(d), mine.length))
          await db.query(`update msg_digests set status = 'sent', provider_id = $2, sent_at = $3 where id = $1 and status = 'queued'`, [
            d.id,
            result.providerId,
            deps.now(),
          ])
          await db.query(`update msg_subscribers set ${d.channel}_failures = 0 where id = $1 and ${d.channel}_failures > 0`, [d.subscriber_id])
          out.sent++
        } catch (err) {
          if (err instanceof ChannelError && err.permanent) {
            await failDigest(d, true)
            out.failed++
          } else out.waiting++
        }
      }
    }
    return out
  }

  return {
    createDue,
    sendQueued,
    /** The hourly job: create this period's digests when it is the digest hour, then send what is queued. */
    async run(): Promise<DigestRunResult> {
      const created = await createDue(deps.now())
      return { created, ...(await sendQueued()) }
    },
  }
}
