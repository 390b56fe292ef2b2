import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto'
import { AppError } from '../../platform/errors.ts'
import { ChannelError, type EmailMessage, type SmsMessage } from '../../platform/channels/types.ts'
import { enqueueEmail } from '../../platform/jobs/send-email.ts'
import type { MessagingDeps } from './deps.ts'
import { manageLink, shortManageLink, signLink, verifyLink, type LinkClaims, type LinkPurpose } from './links.ts'
import { normaliseEmail, normaliseUkMobile } from './phone.ts'
import { FREQUENCIES, LANGUAGES, ORGANISATIONS, type Frequency, type MessagingChannel, type Organisation } from './schema.ts'
import { isUuid } from '../../platform/ids.ts'
import {
  alreadyEmailText,
  alreadySmsText,
  confirmEmailText,
  confirmSmsText,
  welcomeEmailText,
  welcomeSmsText,
} from './subscribers-texts.ts'

/**
 * Residents' side of community messaging: sign-up (no password), confirming an email
 * address by link or a mobile number by a 6-digit code, consent per organisation, managing
 * preferences through signed links, one-click unsubscribe, replies and feedback, download
 * and deletion. Membership events are written without any subscriber id, so the counts
 * staff see (started, confirmed, left, unsubscribed) survive a resident's deletion.
 *
 * Model of a channel: an address that is set and confirmed is subscribed; unsubscribing
 * clears its confirmation (the address is kept so the resident can start again from the
 * manage page), so nothing more is sent on it. Consent is separate: it is per organisation
 * and purpose, append-only, and the latest row for (organisation, purpose) is in force.
 */

export const CONSENT_PURPOSE = 'alerts'
/** Lifetime of a confirm-email link. */
export const EMAIL_LINK_HOURS = 24
/** Lifetime of an SMS code, and wrong guesses allowed before a new one is needed. */
export const SMS_CODE_MINUTES = 15
export const SMS_CODE_MAX_ATTEMPTS = 5
/** Confirmation messages per channel per subscriber per hour (the first one included). */
export const CONFIRMATIONS_PER_HOUR = 3
export const MAX_OTHER_POSTCODES = 5
export const MAX_REPLY_LENGTH = 5000

export type PlaceLabel = 'home' | 'work' | 'family' | 'other'

export interface Subscriber {
  id: string
  email: string | null
  emailConfirmedAt: Date | null
  phone: string | null
  phoneConfirmedAt: Date | null
  language: string
  emailFrequency: Frequency
  smsFrequency: Frequency
  emailFailing: boolean
  smsFailing: boolean
  status: 'pending' | 'active'
  linkVersion: number
  homeAreaId: string | null
  createdAt: Date
  updatedAt: Date
}

export interface SubscriberPlace {
  areaId: string
  areaPath: string
  areaName: string
  areaKind: string
  label: PlaceLabel
  postcode: string | null
}

export interface Interest {
  id: string
  name: string
  nameCy: string | null
  description: string | null
  sortOrder: number
  active: boolean
}

export interface ConsentState {
  organisation: Organisation
  purpose: string
  given: boolean
  at: Date
  source: string
  wordingId: string
  wordingVersion: number
  wordingText: string
}

export interface ConsentWording {
  id: string
  organisation: Organisation
  purpose: string
  version: number
  text: string
}

/** Where the resident's places come from; everything optional, but at least one place overall. */
export interface PlacesInput {
  homePostcode?: string | null | undefined
  otherPostcodes?: string[] | undefined
  /** neighbourhoods, districts or the force, chosen from lists */
  areaIds?: string[] | undefined
}

export interface SignUpInput extends PlacesInput {
  email?: string | null | undefined
  phone?: string | null | undefined
  interests: string[]
  emailFrequency?: Frequency | undefined
  smsFrequency?: Frequency | undefined
  language?: string | undefined
  /** organisations the resident agreed may send them alerts, with the wording they were shown */
  consents: Organisation[]
  /** where the consent was given (signup unless said otherwise) */
  source?: string | undefined
}

export type SignUpResult = {
  /** 'pending': a new subscriber waiting for confirmation; 'existing': the address already had alerts */
  status: 'pending' | 'existing'
  subscriberId: string
  emailSent: boolean
  smsSent: boolean
}

export interface PreferenceChanges {
  places?: PlacesInput
  interests?: string[]
  emailFrequency?: Frequency
  smsFrequency?: Frequency
  language?: string
  /** a new address (to confirm), or null to stop using email; undefined leaves it */
  email?: string | null
  phone?: string | null
}

export type LinkFailure = 'forged' | 'expired' | 'revoked'
export type LinkResult = { ok: true; subscriber: Subscriber; claims: LinkClaims } | { ok: false; reason: LinkFailure }

export type ConfirmResult =
  | { ok: true; subscriberId: string; channel: MessagingChannel; firstConfirmation: boolean; manageUrl: string }
  | { ok: false; reason: 'forged' | 'expired' | 'used' | 'wrong' | 'too-many' | 'no-code'; attemptsLeft?: number }

export interface MessageForLink {
  id: string
  title: string
  allowReplies: boolean
  areaPath: string
  organisation: Organisation
}

const SUBSCRIBER_COLUMNS = `id, email, email_confirmed_at as "emailConfirmedAt", phone, phone_confirmed_at as "phoneConfirmedAt",
  language, email_frequency as "emailFrequency", sms_frequency as "smsFrequency", email_failing as "emailFailing",
  sms_failing as "smsFailing", status, link_version as "linkVersion", home_area_id as "homeAreaId",
  created_at as "createdAt", updated_at as "updatedAt"`


type Query = MessagingDeps['db']['query']

interface ResolvedPlace {
  areaId: string
  areaPath: string
  label: PlaceLabel
  postcode: string | null
}

/** Field-keyed errors, thrown as one INVALID so forms can show each beside its field. */
const invalid = (errors: Record<string, string>) => new AppError('INVALID', Object.values(errors)[0] ?? 'Check your answers', errors)

/** Creates the subscribers service. Every method is safe to call from web routes and jobs alike. */
export function createSubscribersService(deps: MessagingDeps) {
  const { db, config, channels, areas } = deps
  const now = () => deps.now?.() ?? new Date()

  // The address is part of the hash: a link or code sent to an old address cannot confirm a
  // new one the resident typed later.
  const hashSecret = (channel: MessagingChannel, subscriberId: string, address: string, secret: string) =>
    createHmac('sha256', `${config.sessionSecret}:beacon-confirm`).update(`${channel}:${subscriberId}:${address}:${secret}`).digest('hex')

  const sameHash = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))

  async function getSubscriber(id: string, q: Query = db.query): Promise<Subscriber | null> {
    if (!isUuid(id)) return null
    return (await q<Subscriber>(`select ${SUBSCRIBER_COLUMNS} from msg_subscribers where id = $1`, [id]))[0] ?? null
  }

  const requireSubscriber = async (id: string, q: Query = db.query) => {
    const s = await getSubscriber(id, q)
    if (!s) throw new AppError('NOT_FOUND', 'This account no longer exists')
    return s
  }

  /** Current wording per organisation for a purpose: the highest version. */
  async function currentWordings(purpose = CONSENT_PURPOSE): Promise<ConsentWording[]> {
    return db.query<ConsentWording>(
      `select distinct on (organisation) id, organisation, purpose, version, text
         from msg_consent_wordings where purpose = $1 order by organisation, version desc`,
      [purpose],
    )
  }

  async function listInterests(opts: { includeInactive?: boolean } = {}): Promise<Interest[]> {
    return db.query<Interest>(
      `select id, name, name_cy as "nameCy", description, sort_order as "sortOrder", active
         from msg_interests ${opts.includeInactive ? '' : 'where active'} order by sort_order, name, id`,
    )
  }

  // ---------------------------------------------------------------- validation

  /** Resolves places typed or chosen into areas; field errors keyed by the form's names. */
  async function resolvePlaces(input: PlacesInput, errors: Record<string, string>): Promise<{ places: ResolvedPlace[]; homeAreaId: string | null }> {
    const places: ResolvedPlace[] = []
    let homeAreaId: string | null = null
    const add = (p: ResolvedPlace) => {
      if (!places.some(x => x.areaId === p.areaId)) places.push(p)
    }
    const postcodeProblem = async (typed: string): Promise<{ error: string } | { areaId: string; areaPath: string; postcode: string }> => {
      const found = await areas.findPostcode(typed)
      switch (found.status) {
        case 'found':
          return { areaId: found.neighbourhood.id, areaPath: found.neighbourhood.path, postcode: found.postcode }
        case 'invalid':
          return { error: `Enter a full UK postcode, like DS1 1AA (you entered ${typed})` }
        case 'unknown':
          return { error: `We could not find the postcode ${typed.toUpperCase()}. Check it, or choose the neighbourhood from the list` }
        case 'outside':
          return { error: `${found.postcode} is outside the ${config.brand.forceName} area, so we cannot send you alerts for it` }
      }
    }
    const home = input.homePostcode?.trim()
    if (home) {
      const r = await postcodeProblem(home)
      if ('error' in r) errors.homePostcode = r.error.replace(` (you entered ${home})`, '')
      else {
        homeAreaId = r.areaId
        add({ areaId: r.areaId, areaPath: r.areaPath, label: 'home', postcode: r.postcode })
      }
    }
    const others = (input.otherPostcodes ?? []).map(p => p.trim()).filter(Boolean)
    if (others.length > MAX_OTHER_POSTCODES) errors.otherPostcodes = `Enter up to ${MAX_OTHER_POSTCODES} other postcodes`
    else
      for (const typed of others) {
        const r = await postcodeProblem(typed)
        if ('error' in r) {
          errors.otherPostcodes ??= r.error
          continue
        }
        add({ areaId: r.areaId, areaPath: r.areaPath, label: 'other', postcode: r.postcode })
      }
    const ids = [...new Set((input.areaIds ?? []).filter(Boolean))]
    if (ids.length) {
      const rows = await db.query<{ id: string; path: string }>(`select id, path from areas where id = any($1::text[])`, [ids])
      if (rows.length !== ids.length) errors.areas = 'Choose places from the lists'
      for (const id of ids) {
        const row = rows.find(r => r.id === id)
        if (row) add({ areaId: row.id, areaPath: row.path, label: 'other', postcode: null })
      }
    }
    if (!places.length && !errors.homePostcode && !errors.otherPostcodes && !errors.areas)
      errors.homePostcode = 'Enter your home postcode, or choose at least one place to get alerts about'
    return { places, homeAreaId }
  }

  async function checkInterests(ids: string[], errors: Record<string, string>): Promise<string[]> {
    const unique = [...new Set(ids.filter(Boolean))]
    if (!unique.length) {
      errors.interests = 'Select at least one interest'
      return []
    }
    const rows = await db.query<{ id: string }>(`select id from msg_interests where active and id = any($1::text[])`, [unique])
    if (rows.length !== unique.length) errors.interests = 'Select interests from the list'
    return rows.map(r => r.id)
  }

  const checkFrequency = (value: string | undefined, field: string, errors: Record<string, string>): Frequency => {
    if (value === undefined || value === '') return 'immediate'
    if ((FREQUENCIES as readonly string[]).includes(value)) return value as Frequency
    errors[field] = 'Select how often you want messages'
    return 'immediate'
  }

  const checkLanguage = (value: string | undefined, errors: Record<string, string>): string => {
    if (value === undefined || value === '') return 'en'
    if ((LANGUAGES as readonly string[]).includes(value)) return value
    errors.language = 'Select English or Welsh'
    return 'en'
  }

  function checkContact(input: { email?: string | null | undefined; phone?: string | null | undefined }, errors: Record<string, string>) {
    const typedEmail = input.email?.trim() ?? ''
    const typedPhone = input.phone?.trim() ?? ''
    const email = typedEmail ? normaliseEmail(typedEmail) : null
    const phone = typedPhone ? normaliseUkMobile(typedPhone) : null
    if (typedEmail && !email) errors.email = 'Enter an email address in the correct format, like name@example.com'
    if (typedPhone && !phone)
      errors.phone = 'Enter a UK mobile number, like 07700 900982 or +44 7700 900982'
    if (!typedEmail && !typedPhone) errors.email = 'Enter an email address or a UK mobile number, or both'
    return { email, phone }
  }

  // ---------------------------------------------------------------- confirmation messages

  async function recentConfirmations(subscriberId: string, channel: MessagingChannel): Promise<number> {
    const since = new Date(now().getTime() - 60 * 60_000)
    const [row] = await db.query<{ n: number }>(
      `select count(*)::int as n from msg_confirmations where subscriber_id = $1 and channel = $2 and created_at > $3`,
      [subscriberId, channel, since],
    )
    return row?.n ?? 0
  }

  /**
   * Sends a resident's email now, or, if the provider is having a bad moment, queues it
   * for the send-email job to retry: the resident's sign-up is already saved, and they
   * must not see an error page because a relay was slow. An address the provider refuses
   * outright is the resident's to correct, so that is said on the form.
   */
  async function sendResidentEmail(message: EmailMessage): Promise<void> {
    try {
      await channels.email.sendEmail(message)
    } catch (err) {
      if (err instanceof ChannelError && err.permanent)
        throw new AppError('INVALID', 'We could not send an email to this address', {
          email: 'We could not send an email to this address. Check it and try again',
        })
      await enqueueEmail(deps.jobs, message)
    }
  }

  /**
   * Sends a text now. A failed text is not retried behind the resident's back (a late code
   * is confusing); they can ask for it again from the page that asks for it.
   */
  async function sendResidentSms(message: SmsMessage): Promise<void> {
    try {
      await channels.sms.sendSms(message)
    } catch (err) {
      if (err instanceof ChannelError && err.permanent)
        throw new AppError('INVALID', 'We could not send a text message to this number', {
          phone: 'We could not send a text message to this number. Check it and try again',
        })
    }
  }

  /** Writes a confirm-email secret and sends the link. Older links for the channel stay valid until they expire. */
  async function sendEmailLink(s: Subscriber): Promise<void> {
    if (!s.email) return
    const secret = randomBytes(24).toString('base64url')
    const expiresAt = new Date(now().getTime() + EMAIL_LINK_HOURS * 3600_000)
    await db.query(
      `insert into msg_confirmations (subscriber_id, channel, secret_hash, expires_at, created_at) values ($1, 'email', $2, $3, $4)`,
      [s.id, hashSecret('email', s.id, s.email, secret), expiresAt, now()],
    )
    const token = signLink(config, {
      purpose: 'confirm-email',
      subscriberId: s.id,
      linkVersion: s.linkVersion,
      channel: 'email',
      exp: Math.floor(expiresAt.getTime() / 1000),
      secret,
    })
    const words = confirmEmailText(config, `${config.baseUrl}/alerts/confirm/${token}`, EMAIL_LINK_HOURS, s.language)
    await sendResidentEmail({ to: s.email, ...words })
  }

  /** Writes a new SMS code (earlier unused codes stop working) and texts it. */
  async function sendSmsCode(s: Subscriber): Promise<void> {
    if (!s.phone) return
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0')
    const at = now()
    await db.transaction(async q => {
      await q(
        `update msg_confirmations set expires_at = $2 where subscriber_id = $1 and channel = 'sms' and used_at is null and expires_at > $2`,
        [s.id, at],
      )
      await q(
        `insert into msg_confirmations (subscriber_id, channel, secret_hash, expires_at, created_at) values ($1, 'sms', $2, $3, $4)`,
        [s.id, hashSecret('sms', s.id, s.phone!, code), new Date(at.getTime() + SMS_CODE_MINUTES * 60_000), at],
      )
    })
    await sendResidentSms({ to: s.phone, text: confirmSmsText(config, code, SMS_CODE_MINUTES, s.language) })
  }

  /** Marks a channel confirmed; the first confirmation activates the subscriber and is counted. */
  async function confirmChannel(q: Query, s: Subscriber, channel: MessagingChannel): Promise<boolean> {
    const column = channel === 'email' ? 'email' : 'sms'
    const confirmedColumn = channel === 'email' ? 'email_confirmed_at' : 'phone_confirmed_at'
    const [before] = await q<{ status: string }>(`select status from msg_subscribers where id = $1 for update`, [s.id])
    await q(
      `update msg_subscribers set ${confirmedColumn} = $2, status = 'active', ${column}_failures = 0, ${column}_failing = false, updated_at = $2
        where id = $1`,
      [s.id, now()],
    )
    const first = before?.status === 'pending'
    if (first)
      await q(`insert into msg_membership_events (area_id, event, channel, at) values ($1, 'confirmed', $2, $3)`, [s.homeAreaId ?? (await firstAreaId(q, s.id)), channel, now()])
    return first
  }

  /** The area counted for a subscriber without a home postcode: their first place. */
  async function firstAreaId(q: Query, subscriberId: string): Promise<string | null> {
    const [row] = await q<{ area_id: string }>(`select area_id from msg_subscriber_places where subscriber_id = $1 order by area_path limit 1`, [subscriberId])
    return row?.area_id ?? null
  }

  async function sendWelcome(s: Subscriber, channel: MessagingChannel): Promise<string> {
    const manage = manageLink(config, s)
    if (channel === 'email' && s.email) await sendResidentEmail({ to: s.email, ...welcomeEmailText(config, manage, s.language) })
    if (channel === 'sms' && s.phone) await sendResidentSms({ to: s.phone, text: welcomeSmsText(config, shortManageLink(config, s), s.language) })
    return manage
  }

  // ---------------------------------------------------------------- writes shared by sign-up and manage

  async function writePlaces(q: Query, subscriberId: string, places: ResolvedPlace[]) {
    await q(`delete from msg_subscriber_places where subscriber_id = $1`, [subscriberId])
    if (!places.length) return
    await q(
      `insert into msg_subscriber_places (subscriber_id, area_id, area_path, label, postcode)
       select $1, v.area_id, v.area_path, v.label, v.postcode from unnest($2::text[], $3::text[], $4::text[], $5::text[]) as v(area_id, area_path, label, postcode)`,
      [subscriberId, places.map(p => p.areaId), places.map(p => p.areaPath), places.map(p => p.label), places.map(p => p.postcode)],
    )
  }

  async function writeInterests(q: Query, subscriberId: string, interestIds: string[]) {
    await q(`delete from msg_subscriber_interests where subscriber_id = $1`, [subscriberId])
    if (interestIds.length)
      await q(`insert into msg_subscriber_interests (subscriber_id, interest_id) select $1, unnest($2::text[])`, [subscriberId, interestIds])
  }

  async function insertConsent(q: Query, subscriberId: string, organisation: Organisation, purpose: string, given: boolean, source: string) {
    const [wording] = await q<{ id: string; version: number }>(
      `select id, version from msg_consent_wordings where organisation = $1 and purpose = $2 order by version desc limit 1`,
      [organisation, purpose],
    )
    if (!wording) throw new AppError('INVALID', `There is no consent wording for ${organisation} ${purpose}`)
    // clock_timestamp, not now(): several changes in one transaction must still order by time.
    const [row] = await q<{ id: string; at: Date }>(
      `insert into msg_consents (subscriber_id, organisation, purpose, wording_id, given, at, source)
       values ($1, $2, $3, $4, $5, clock_timestamp(), $6) returning id, at`,
      [subscriberId, organisation, purpose, wording.id, given, source],
    )
    return { id: row!.id, at: row!.at, wordingId: wording.id, wordingVersion: wording.version }
  }

  async function currentConsents(subscriberId: string, q: Query = db.query): Promise<ConsentState[]> {
    return q<ConsentState>(
      `select distinct on (c.organisation, c.purpose) c.organisation, c.purpose, c.given, c.at, c.source,
              c.wording_id as "wordingId", w.version as "wordingVersion", w.text as "wordingText"
         from msg_consents c join msg_consent_wordings w on w.id = c.wording_id
        where c.subscriber_id = $1
        order by c.organisation, c.purpose, c.at desc`,
      [subscriberId],
    )
  }

  /** Deletes every row about a subscriber; only anonymous counts remain. */
  async function eraseSubscriber(q: Query, subscriberId: string) {
    for (const table of ['msg_subscriber_places', 'msg_subscriber_interests', 'msg_consents', 'msg_confirmations', 'msg_group_members', 'msg_feedback'])
      await q(`delete from ${table} where subscriber_id = $1`, [subscriberId])
    // Through the messages: one probe of msg_deliveries_once per message (deliveries have no
    // index on the resident alone; big sends write them faster without one).
    // What was still to be sent is skipped: with no resident, nobody can be sent it, and
    // dispatch never meets a waiting row without one.
    await q(
      `update msg_deliveries d
          set subscriber_id = null,
              status = case when d.status in ('queued', 'sending', 'digest') then 'skipped' else d.status end,
              error = case when d.status in ('queued', 'sending', 'digest') then 'the resident deleted their account' else d.error end
         from msg_messages m where d.message_id = m.id and d.subscriber_id = $1`,
      [subscriberId],
    )
    await q(`update msg_replies set subscriber_id = null where subscriber_id = $1`, [subscriberId])
    await q(`update msg_digests set subscriber_id = null where subscriber_id = $1`, [subscriberId])
    await q(`delete from msg_subscribers where id = $1`, [subscriberId])
  }

  // ---------------------------------------------------------------- links

  async function getByLinkToken(token: string, purpose: LinkPurpose): Promise<LinkResult> {
    const check = verifyLink(config, token, purpose, now())
    if (!check.ok) return { ok: false, reason: check.reason === 'expired' ? 'expired' : 'forged' }
    const subscriber = await getSubscriber(check.claims.subscriberId)
    // A deleted account or a bumped link version: the link no longer works.
    if (!subscriber || subscriber.linkVersion !== check.claims.linkVersion) return { ok: false, reason: 'revoked' }
    return { ok: true, subscriber, claims: check.claims }
  }

  /** The message a link names; with a language, its title in that language when a translation was written. */
  async function messageFor(id: string | undefined, language?: string | null): Promise<MessageForLink | null> {
    if (!isUuid(id)) return null
    const [row] = await db.query<MessageForLink>(
      `select m.id, coalesce(t.title, m.title) as title, m.allow_replies as "allowReplies", m.area_path as "areaPath", m.organisation
         from msg_messages m left join msg_message_translations t on t.message_id = m.id and t.language = $2
        where m.id = $1`,
      [id, language && language !== 'en' ? language : null],
    )
    return row ?? null
  }

  return {
    currentWordings,
    listInterests,
    getSubscriber,
    currentConsents: (subscriberId: string) => currentConsents(subscriberId),

    /**
     * Starts a sign-up: checks every answer (throwing one INVALID with an error per field),
     * stores the subscriber as pending with places, interests and consents, counts a 'started'
     * event, and sends a confirmation link and/or code. An address that already has alerts is
     * sent a manage link instead, and the answer looks the same to the person signing up.
     */
    async startSignUp(input: SignUpInput): Promise<SignUpResult> {
      const errors: Record<string, string> = {}
      const { email, phone } = checkContact(input, errors)
      const { places, homeAreaId } = await resolvePlaces(input, errors)
      const interestIds = await checkInterests(input.interests ?? [], errors)
      const emailFrequency = checkFrequency(input.emailFrequency, 'emailFrequency', errors)
      const smsFrequency = checkFrequency(input.smsFrequency, 'smsFrequency', errors)
      const language = checkLanguage(input.language, errors)
      const organisations = [...new Set(input.consents ?? [])]
      if (!organisations.length) errors.consents = 'Select who may send you alerts: you need to agree to at least one'
      else if (organisations.some(o => !(ORGANISATIONS as readonly string[]).includes(o))) errors.consents = 'Select organisations from the list'
      if (Object.keys(errors).length) throw invalid(errors)

      const existing = await db.query<Subscriber>(
        `select ${SUBSCRIBER_COLUMNS} from msg_subscribers where ($1::text is not null and email = $1) or ($2::text is not null and phone = $2)`,
        [email, phone],
      )
      const active = existing.find(s => s.status === 'active')
      if (active) {
        const manage = manageLink(config, active)
        let emailSent = false
        let smsSent = false
        if (email && active.email === email) {
          await sendResidentEmail({ to: email, ...alreadyEmailText(config, manage, active.language) })
          emailSent = true
        }
        if (phone && active.phone === phone) {
          await sendResidentSms({ to: phone, text: alreadySmsText(config, shortManageLink(config, active), active.language) })
          smsSent = true
        }
        return { status: 'existing', subscriberId: active.id, emailSent, smsSent }
      }

      const subscriber = await db.transaction(async q => {
        // Abandoned sign-ups with the same address give way: they were never confirmed.
        for (const old of existing) await eraseSubscriber(q, old.id)
        const [row] = await q<Subscriber>(
          `insert into msg_subscribers (email, phone, language, email_frequency, sms_frequency, home_area_id, created_at, updated_at)
           values ($1, $2, $3, $4, $5, $6, $7, $7) returning ${SUBSCRIBER_COLUMNS}`,
          [email, phone, language, emailFrequency, smsFrequency, homeAreaId, now()],
        )
        await writePlaces(q, row!.id, places)
        await writeInterests(q, row!.id, interestIds)
        for (const organisation of organisations) await insertConsent(q, row!.id, organisation, CONSENT_PURPOSE, true, input.source ?? 'signup')
        await q(`insert into msg_membership_events (area_id, event, at, details) values ($1, 'started', $2, $3)`, [
          homeAreaId ?? places[0]?.areaId ?? null,
          now(),
          JSON.stringify({ email: Boolean(email), sms: Boolean(phone) }),
        ])
        return row!
      })
      await sendEmailLink(subscriber)
      await sendSmsCode(subscriber)
      return { status: 'pending', subscriberId: subscriber.id, emailSent: Boolean(email), smsSent: Boolean(phone) }
    },

    /** Confirms an email address from a confirm-email link. Each link works once, within 24 hours. */
    async confirmEmail(token: string): Promise<ConfirmResult> {
      const check = verifyLink(config, token, 'confirm-email', now())
      if (!check.ok) return { ok: false, reason: check.reason === 'expired' ? 'expired' : 'forged' }
      const { subscriberId, secret, linkVersion } = check.claims
      const s = await getSubscriber(subscriberId)
      if (!s || !secret || s.linkVersion !== linkVersion || !s.email) return { ok: false, reason: 'forged' }
      const hash = hashSecret('email', s.id, s.email, secret)
      const result = await db.transaction(async q => {
        const [c] = await q<{ id: string; used_at: Date | null; expires_at: Date }>(
          `select id, used_at, expires_at from msg_confirmations where subscriber_id = $1 and channel = 'email' and secret_hash = $2 for update`,
          [s.id, hash],
        )
        if (!c) return { ok: false as const, reason: 'forged' as const }
        if (c.used_at) return { ok: false as const, reason: 'used' as const }
        if (new Date(c.expires_at).getTime() < now().getTime()) return { ok: false as const, reason: 'expired' as const }
        await q(`update msg_confirmations set used_at = $2 where id = $1`, [c.id, now()])
        return { ok: true as const, first: await confirmChannel(q, s, 'email') }
      })
      if (!result.ok) return result
      const manageUrl = await sendWelcome(s, 'email')
      return { ok: true, subscriberId: s.id, channel: 'email', firstConfirmation: result.first, manageUrl }
    },

    /**
     * Checks a 6-digit code for the subscriber's mobile number. Wrong guesses count; after
     * five the code stops working and a new one must be requested.
     */
    async confirmSmsCode(subscriberId: string, code: string): Promise<ConfirmResult> {
      const s = await getSubscriber(subscriberId)
      if (!s || !s.phone) return { ok: false, reason: 'no-code' }
      const typed = code.replace(/\s/g, '')
      const result = await db.transaction(async q => {
        const [c] = await q<{ id: string; attempts: number; expires_at: Date; secret_hash: string }>(
          `select id, attempts, expires_at, secret_hash from msg_confirmations
            where subscriber_id = $1 and channel = 'sms' and used_at is null order by created_at desc limit 1 for update`,
          [s.id],
        )
        if (!c) return { ok: false as const, reason: 'no-code' as const }
        if (c.attempts >= SMS_CODE_MAX_ATTEMPTS) return { ok: false as const, reason: 'too-many' as const, attemptsLeft: 0 }
        if (new Date(c.expires_at).getTime() < now().getTime()) return { ok: false as const, reason: 'expired' as const }
        if (!/^\d{6}$/.test(typed) || !sameHash(hashSecret('sms', s.id, s.phone!, typed), c.secret_hash)) {
          const [{ attempts } = { attempts: SMS_CODE_MAX_ATTEMPTS }] = await q<{ attempts: number }>(
            `update msg_confirmations set attempts = attempts + 1 where id = $1 returning attempts`,
            [c.id],
          )
          const attemptsLeft = Math.max(0, SMS_CODE_MAX_ATTEMPTS - attempts)
          return attemptsLeft === 0
            ? { ok: false as const, reason: 'too-many' as const, attemptsLeft }
            : { ok: false as const, reason: 'wrong' as const, attemptsLeft }
        }
        await q(`update msg_confirmations set used_at = $2 where id = $1`, [c.id, now()])
        return { ok: true as const, first: await confirmChannel(q, s, 'sms') }
      })
      if (!result.ok) return result
      const manageUrl = await sendWelcome(s, 'sms')
      return { ok: true, subscriberId: s.id, channel: 'sms', firstConfirmation: result.first, manageUrl }
    },

    /**
     * Sends a new confirmation link or code, at most three an hour per channel (the first
     * included), so the form cannot be used to flood someone's inbox or phone.
     */
    async resendConfirmation(subscriberId: string, channel: MessagingChannel): Promise<{ ok: true } | { ok: false; reason: 'too-many' | 'nothing-to-confirm' }> {
      const s = await getSubscriber(subscriberId)
      const address = channel === 'email' ? s?.email : s?.phone
      const confirmed = channel === 'email' ? s?.emailConfirmedAt : s?.phoneConfirmedAt
      if (!s || !address || confirmed) return { ok: false, reason: 'nothing-to-confirm' }
      if ((await recentConfirmations(s.id, channel)) >= CONFIRMATIONS_PER_HOUR) return { ok: false, reason: 'too-many' }
      if (channel === 'email') await sendEmailLink(s)
      else await sendSmsCode(s)
      return { ok: true }
    },

    getByLinkToken,

    /** The message a reply, feedback or unsubscribe link was sent with. */
    messageFor,

    /** Everything the manage page shows. */
    async preferences(subscriberId: string) {
      const subscriber = await requireSubscriber(subscriberId)
      const [places, interestRows, consents] = await Promise.all([
        db.query<SubscriberPlace>(
          `select p.area_id as "areaId", p.area_path as "areaPath", a.name as "areaName", a.kind as "areaKind", p.label, p.postcode
             from msg_subscriber_places p join areas a on a.id = p.area_id
            where p.subscriber_id = $1 order by p.label = 'home' desc, p.area_path`,
          [subscriberId],
        ),
        db.query<{ interest_id: string }>(`select interest_id from msg_subscriber_interests where subscriber_id = $1 order by interest_id`, [subscriberId]),
        currentConsents(subscriberId),
      ])
      return { subscriber, places, interests: interestRows.map(r => r.interest_id), consents }
    },

    /**
     * Changes preferences. Places and interests given replace the current ones. A new email
     * address or mobile number replaces the old one unconfirmed, and a link or code is sent:
     * nothing goes to it until it is confirmed. At least one address must remain.
     * Answers which channels were sent a confirmation.
     */
    async updatePreferences(subscriberId: string, changes: PreferenceChanges): Promise<{ confirmationsSent: MessagingChannel[] }> {
      const s = await requireSubscriber(subscriberId)
      const errors: Record<string, string> = {}
      // Checked in the order the form asks, so the error summary reads top to bottom.
      let email = s.email
      let phone = s.phone
      if (changes.email !== undefined || changes.phone !== undefined) {
        const contact = checkContact(
          { email: changes.email !== undefined ? changes.email : s.email, phone: changes.phone !== undefined ? changes.phone : s.phone },
          errors,
        )
        email = contact.email
        phone = contact.phone
      }
      const resolved = changes.places ? await resolvePlaces(changes.places, errors) : null
      const interestIds = changes.interests ? await checkInterests(changes.interests, errors) : null
      const emailFrequency = changes.emailFrequency !== undefined ? checkFrequency(changes.emailFrequency, 'emailFrequency', errors) : s.emailFrequency
      const smsFrequency = changes.smsFrequency !== undefined ? checkFrequency(changes.smsFrequency, 'smsFrequency', errors) : s.smsFrequency
      const language = changes.language !== undefined ? checkLanguage(changes.language, errors) : s.language
      if (Object.keys(errors).length) throw invalid(errors)
      const emailChanged = email !== s.email
      const phoneChanged = phone !== s.phone
      try {
        await db.transaction(async q => {
          await q(
            `update msg_subscribers set email = $2, phone = $3, language = $4, email_frequency = $5, sms_frequency = $6,
                    email_confirmed_at = case when $7 then null else email_confirmed_at end,
                    phone_confirmed_at = case when $8 then null else phone_confirmed_at end,
                    email_failures = case when $7 then 0 else email_failures end, email_failing = case when $7 then false else email_failing end,
                    sms_failures = case when $8 then 0 else sms_failures end, sms_failing = case when $8 then false else sms_failing end,
                    home_area_id = $9, updated_at = $10
              where id = $1`,
            [s.id, email, phone, language, emailFrequency, smsFrequency, emailChanged, phoneChanged, resolved ? resolved.homeAreaId : s.homeAreaId, now()],
          )
          if (resolved) await writePlaces(q, s.id, resolved.places)
          if (interestIds) await writeInterests(q, s.id, interestIds)
        })
      } catch (err) {
        // The unique indexes on email and phone: the address belongs to someone else's alerts.
        if ((err as { code?: string }).code === '23505') {
          const field = /phone/.test(String((err as { constraint?: string; message?: string }).constraint ?? (err as Error).message)) ? 'phone' : 'email'
          throw invalid({
            [field]: field === 'email' ? 'That email address already gets alerts on another account' : 'That mobile number already gets alerts on another account',
          })
        }
        throw err
      }
      const updated = (await getSubscriber(s.id))!
      const confirmationsSent: MessagingChannel[] = []
      if (emailChanged && email) {
        await sendEmailLink(updated)
        confirmationsSent.push('email')
      }
      if (phoneChanged && phone) {
        await sendSmsCode(updated)
        confirmationsSent.push('sms')
      }
      return { confirmationsSent }
    },

    /** Appends a consent row with the current wording for (organisation, purpose). */
    async recordConsent(subscriberId: string, organisation: Organisation, purpose: string, given: boolean, source: string) {
      await requireSubscriber(subscriberId)
      if (!(ORGANISATIONS as readonly string[]).includes(organisation)) throw new AppError('INVALID', 'Unknown organisation')
      return db.transaction(q => insertConsent(q, subscriberId, organisation, purpose, given, source))
    },

    /**
     * Everything held about a subscriber, for the download: the subscriber, places, interests,
     * the whole consent history with the wording shown, deliveries with message titles,
     * replies and feedback.
     */
    async exportData(subscriberId: string) {
      const subscriber = await requireSubscriber(subscriberId)
      const [places, interests, consentHistory, deliveries, replies, feedback, groups] = await Promise.all([
        db.query(
          `select a.name as area, a.kind, p.area_id as "areaId", p.label, p.postcode from msg_subscriber_places p join areas a on a.id = p.area_id
            where p.subscriber_id = $1 order by p.area_path`,
          [subscriberId],
        ),
        db.query(
          `select i.id, i.name from msg_subscriber_interests si join msg_interests i on i.id = si.interest_id where si.subscriber_id = $1 order by i.sort_order`,
          [subscriberId],
        ),
        db.query(
          `select c.organisation, c.purpose, c.given, c.at, c.source, w.version as "wordingVersion", w.text as "wordingText"
             from msg_consents c join msg_consent_wordings w on w.id = c.wording_id where c.subscriber_id = $1 order by c.at`,
          [subscriberId],
        ),
        db.query(
          `select m.title, d.channel, d.status, d.created_at as "createdAt", d.sent_at as "sentAt", d.delivered_at as "deliveredAt",
                  d.opened_at as "openedAt", d.clicked_at as "clickedAt"
             from msg_deliveries d join msg_messages m on m.id = d.message_id where d.subscriber_id = $1 order by d.created_at`,
          [subscriberId],
        ),
        db.query(
          `select m.title as "inReplyTo", r.body, r.via, r.answer_channel as "answerChannel", r.received_at as "receivedAt", r.status,
                  r.answer, r.answered_at as "answeredAt"
             from msg_replies r join msg_messages m on m.id = r.message_id where r.subscriber_id = $1 order by r.received_at`,
          [subscriberId],
        ),
        db.query(
          `select m.title, f.useful, f.at from msg_feedback f join msg_messages m on m.id = f.message_id where f.subscriber_id = $1 order by f.at`,
          [subscriberId],
        ),
        db.query(
          `select g.name from msg_group_members gm join msg_groups g on g.id = gm.group_id where gm.subscriber_id = $1 order by g.name`,
          [subscriberId],
        ),
      ])
      return {
        exportedAt: now().toISOString(),
        service: `${config.brand.serviceName} – ${config.brand.forceName} community alerts`,
        subscriber: {
          id: subscriber.id,
          email: subscriber.email,
          emailConfirmedAt: subscriber.emailConfirmedAt,
          phone: subscriber.phone,
          phoneConfirmedAt: subscriber.phoneConfirmedAt,
          language: subscriber.language,
          emailFrequency: subscriber.emailFrequency,
          smsFrequency: subscriber.smsFrequency,
          emailFailing: subscriber.emailFailing,
          smsFailing: subscriber.smsFailing,
          status: subscriber.status,
          createdAt: subscriber.createdAt,
          updatedAt: subscriber.updatedAt,
        },
        places,
        interests,
        consentHistory,
        groups,
        deliveries,
        replies,
        feedback,
      }
    },

    /**
     * Deletes the account and everything about the person. Deliveries and replies stay for
     * the counts with no subscriber; one anonymous 'left' event is counted against the home area.
     */
    async deleteAccount(subscriberId: string): Promise<void> {
      const s = await requireSubscriber(subscriberId)
      await db.transaction(async q => {
        const area = s.homeAreaId ?? (await firstAreaId(q, s.id))
        await eraseSubscriber(q, s.id)
        await q(`insert into msg_membership_events (area_id, event, at) values ($1, 'left', $2)`, [area, now()])
      })
    },

    /**
     * One-click unsubscribe from a message's link: that channel gets nothing more (its
     * confirmation is cleared; the address stays so the resident can start again). Counted
     * once per subscriber and channel against the message. A link without a channel stops both.
     */
    async unsubscribe(token: string): Promise<{ ok: true; subscriberId: string; channels: MessagingChannel[]; already: boolean } | { ok: false; reason: LinkFailure }> {
      const link = await getByLinkToken(token, 'unsubscribe')
      if (!link.ok) return link
      const s = link.subscriber
      const wanted: MessagingChannel[] = link.claims.channel ? [link.claims.channel] : ['email', 'sms']
      const stopped = await db.transaction(async q => {
        const done: MessagingChannel[] = []
        for (const channel of wanted) {
          const column = channel === 'email' ? 'email_confirmed_at' : 'phone_confirmed_at'
          const rows = await q(`update msg_subscribers set ${column} = null, updated_at = $2 where id = $1 and ${column} is not null returning id`, [s.id, now()])
          if (!rows.length) continue
          done.push(channel)
          await q(`insert into msg_membership_events (area_id, event, channel, message_id, at) values ($1, 'unsubscribed', $2, $3, $4)`, [
            s.homeAreaId ?? (await firstAreaId(q, s.id)),
            channel,
            isUuid(link.claims.messageId) ? link.claims.messageId : null,
            now(),
          ])
        }
        return done
      })
      return { ok: true, subscriberId: s.id, channels: wanted, already: stopped.length === 0 }
    },

    /** A reply from the web form reached from a message; refused when the message takes no replies. */
    async recordReply(
      token: string,
      input: { body: string; answerChannel?: MessagingChannel | null },
    ): Promise<{ ok: true; replyId: string } | { ok: false; reason: LinkFailure | 'no-message' | 'closed' }> {
      const link = await getByLinkToken(token, 'reply')
      if (!link.ok) return link
      const message = await messageFor(link.claims.messageId)
      if (!message) return { ok: false, reason: 'no-message' }
      if (!message.allowReplies) return { ok: false, reason: 'closed' }
      const body = input.body?.trim() ?? ''
      const errors: Record<string, string> = {}
      if (!body) errors.body = 'Enter your reply'
      else if (body.length > MAX_REPLY_LENGTH) errors.body = `Your reply must be ${MAX_REPLY_LENGTH.toLocaleString('en-GB')} characters or fewer`
      const s = link.subscriber
      const channel = input.answerChannel ?? null
      if (channel === 'email' && !s.email) errors.answerChannel = 'We do not have an email address for you: choose another way to get an answer'
      if (channel === 'sms' && !s.phone) errors.answerChannel = 'We do not have a mobile number for you: choose another way to get an answer'
      if (channel && channel !== 'email' && channel !== 'sms') errors.answerChannel = 'Choose how you would like an answer'
      if (Object.keys(errors).length) throw invalid(errors)
      const [row] = await db.query<{ id: string }>(
        `insert into msg_replies (message_id, subscriber_id, via, body, answer_channel, area_path, received_at)
         values ($1, $2, 'web', $3, $4, $5, $6) returning id`,
        [message.id, s.id, body, channel, message.areaPath, now()],
      )
      return { ok: true, replyId: row!.id }
    },

    /** "Was this useful?": one answer per message and subscriber, the latest kept. */
    async recordFeedback(token: string, useful: boolean): Promise<{ ok: true; messageId: string; subscriberId: string } | { ok: false; reason: LinkFailure | 'no-message' }> {
      const link = await getByLinkToken(token, 'feedback')
      if (!link.ok) return link
      const message = await messageFor(link.claims.messageId)
      if (!message) return { ok: false, reason: 'no-message' }
      await db.query(
        `insert into msg_feedback (message_id, subscriber_id, useful, at) values ($1, $2, $3, $4)
         on conflict (message_id, subscriber_id) do update set useful = excluded.useful, at = excluded.at`,
        [message.id, link.subscriber.id, useful, now()],
      )
      return { ok: true, messageId: message.id, subscriberId: link.subscriber.id }
    },

    /** Adds an interest at the end of the list; its id is made from the name. */
    async addInterest(input: { name: string; nameCy?: string | null; description?: string | null }): Promise<Interest> {
      const base = input.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'interest'
      const taken = new Set((await db.query<{ id: string }>(`select id from msg_interests where id like $1`, [`${base}%`])).map(r => r.id))
      let id = base
      for (let n = 2; taken.has(id); n++) id = `${base}-${n}`
      const [row] = await db.query<Interest>(
        `insert into msg_interests (id, name, name_cy, description, sort_order)
         values ($1, $2, $3, $4, (select coalesce(max(sort_order), 0) + 10 from msg_interests))
         returning id, name, name_cy as "nameCy", description, sort_order as "sortOrder", active`,
        [id, input.name, input.nameCy || null, input.description || null],
      )
      return row!
    },

    /** Renames, describes, deactivates or reactivates an interest. Subscribers' choices are kept. */
    async updateInterest(id: string, changes: { name?: string; nameCy?: string | null; description?: string | null; active?: boolean }): Promise<{ before: Interest; after: Interest }> {
      const [before] = await db.query<Interest>(
        `select id, name, name_cy as "nameCy", description, sort_order as "sortOrder", active from msg_interests where id = $1`,
        [id],
      )
      if (!before) throw new AppError('NOT_FOUND', 'Interest not found')
      const [after] = await db.query<Interest>(
        `update msg_interests set name = $2, name_cy = $3, description = $4, active = $5 where id = $1
         returning id, name, name_cy as "nameCy", description, sort_order as "sortOrder", active`,
        [
          id,
          changes.name ?? before.name,
          changes.nameCy !== undefined ? changes.nameCy || null : before.nameCy,
          changes.description !== undefined ? changes.description || null : before.description,
          changes.active ?? before.active,
        ],
      )
      return { before, after: after! }
    },

    /** Swaps an interest with its neighbour above or below; renumbers so orders stay distinct. */
    async moveInterest(id: string, direction: 'up' | 'down'): Promise<void> {
      await db.transaction(async q => {
        const list = await q<{ id: string }>(`select id from msg_interests order by sort_order, name, id for update`)
        const i = list.findIndex(r => r.id === id)
        if (i < 0) throw new AppError('NOT_FOUND', 'Interest not found')
        const j = direction === 'up' ? i - 1 : i + 1
        if (j < 0 || j >= list.length) return
        const ids = list.map(r => r.id)
        ;[ids[i], ids[j]] = [ids[j]!, ids[i]!]
        await q(
          `update msg_interests i set sort_order = v.n * 10 from unnest($1::text[]) with ordinality as v(id, n) where i.id = v.id`,
          [ids],
        )
      })
    },

    /**
     * For tests and benchmarks: a fully confirmed, consented subscriber written directly,
     * with no messages sent. Places come from a postcode and/or area ids.
     */
    async createConfirmedSubscriber(input: {
      email?: string | null
      phone?: string | null
      postcode?: string | null
      areaIds?: string[]
      interests: string[]
      organisations: Organisation[]
      frequency?: Frequency
      language?: string
    }): Promise<Subscriber> {
      const errors: Record<string, string> = {}
      const { email, phone } = checkContact(input, errors)
      const { places, homeAreaId } = await resolvePlaces({ homePostcode: input.postcode ?? null, areaIds: input.areaIds ?? [] }, errors)
      const interestIds = await checkInterests(input.interests, errors)
      if (Object.keys(errors).length) throw invalid(errors)
      const at = now()
      return db.transaction(async q => {
        const [row] = await q<Subscriber>(
          `insert into msg_subscribers (email, email_confirmed_at, phone, phone_confirmed_at, language, email_frequency, sms_frequency,
                                        status, home_area_id, created_at, updated_at)
           values ($1, case when $1::text is null then null else $3::timestamptz end, $2, case when $2::text is null then null else $3::timestamptz end,
                   $4, $5, $5, 'active', $6, $3, $3)
           returning ${SUBSCRIBER_COLUMNS}`,
          [email, phone, at, input.language ?? 'en', input.frequency ?? 'immediate', homeAreaId],
        )
        await writePlaces(q, row!.id, places)
        await writeInterests(q, row!.id, interestIds)
        for (const organisation of new Set(input.organisations)) await insertConsent(q, row!.id, organisation, CONSENT_PURPOSE, true, 'test')
        return row!
      })
    },
  }
}

export type SubscribersService = ReturnType<typeof createSubscribersService>
