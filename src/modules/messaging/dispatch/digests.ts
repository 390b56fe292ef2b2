import type { MessagingDeps } from '../deps.ts'
import { ChannelError, type EmailMessage, type SmsMessage } from '../../../platform/channels/types.ts'
import { manageLink, signLink } from '../links.ts'
import { markdownToText } from '../markdown.ts'
import type { MessagingChannel } from '../schema.ts'
import type { RateLimiter } from './rate-limiter.ts'

/** Deliveries older than this are not gathered into a digest: by then they are not news. */
const DIGEST_HORIZON_DAYS = 14
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

  /** The public page for a public message (the path the public pages are asked to serve), else the manage page. */
  function messageUrl(item: DigestItem, manage: string): string {
    return item.is_public ? `${config.baseUrl}/messages/${item.message_id}` : manage
  }

  function renderEmailDigest(d: DigestRow, items: DigestItem[]): EmailMessage {
    const who = { id: d.subscriber_id, linkVersion: d.link_version }
    const manage = manageLink(config, who)
    const unsubscribe = `${config.baseUrl}/alerts/unsubscribe/${signLink(config, { purpose: 'unsubscribe', subscriberId: who.id, linkVersion: who.linkVersion, channel: 'email' })}`
    const welsh = d.language === 'cy'
    const period = d.frequency === 'weekly' ? (welsh ? 'wythnosol' : 'weekly') : welsh ? 'dyddiol' : 'daily'
    const subject = welsh
      ? `Eich crynodeb ${period}: ${items.length} neges gan ${config.brand.serviceName}`
      : `Your ${period} summary: ${items.length} message${items.length === 1 ? '' : 's'} from ${config.brand.serviceName}`
    const entries = items.map(i => {
      const title = i.tr_title ?? i.title
      const text = markdownToText(i.tr_body ?? i.body_markdown).replace(/\s+/g, ' ').trim()
      const short = text.length > 200 ? `${text.slice(0, 197).trimEnd()}…` : text
      return { title, short, url: messageUrl(i, manage) }
    })
    const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
    const manageText = welsh ? 'Newid eich dewisiadau' : 'Change what you receive or how often'
    const text = [
      subject,
      '',
      ...entries.flatMap(e => [e.title, e.short, e.url, '']),
      `${manageText}: ${manage}`,
      `${welsh ? 'Dad-danysgrifio' : 'Unsubscribe'}: ${unsubscribe}`,
    ].join('\n')
    const html = [
      `<h1>${esc(subject)}</h1>`,
      ...entries.map(e => `<h2><a href="${esc(e.url)}">${esc(e.title)}</a></h2><p>${esc(e.short)}</p>`),
      `<p><a href="${esc(manage)}">${esc(manageText)}</a></p>`,
    ].join('\n')
    return {
      to: d.email ?? '',
      subject,
      text,
      html,
      headers: { 'List-Unsubscribe': `<${unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      reference: `digest-${d.id}`,
    }
  }

  function renderSmsDigest(d: DigestRow, items: DigestItem[]): SmsMessage {
    const manage = manageLink(config, { id: d.subscriber_id, linkVersion: d.link_version })
    const n = items.length
    const text =
      d.language === 'cy'
        ? `${config.brand.serviceName}: ${n} neges newydd. Darllenwch a rheoli: ${manage}`
        : `${config.brand.serviceName}: ${n} new message${n === 1 ? '' : 's'}. Read them and manage alerts: ${manage}`
    return { to: d.phone ?? '', text, reference: `digest-${d.id}` }
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
      for (const d of batch) {
        handled++
        const mine = items.filter(i => i.digest_id === d.id)
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
              ? await channels.email.sendEmail(renderEmailDigest(d, mine))
              : await channels.sms.sendSms(renderSmsDigest(d, mine))
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
