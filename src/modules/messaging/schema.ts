import { sql } from 'drizzle-orm'
import { PRIORITIES } from './priority.ts'
import {
  pgTable, text, integer, smallint, boolean, timestamp, uuid, jsonb, bigint, index, uniqueIndex, primaryKey, date, doublePrecision,
} from 'drizzle-orm/pg-core'

/**
 * Community messaging ("In the Know"-style alerts). Residents (subscribers) have no
 * password; they join by place and interest, consent per organisation and purpose, and
 * receive messages by email and/or SMS. Deliveries are one row per message, subscriber
 * and channel: the unique key is what makes "nobody gets the same message twice" hold.
 */

export const CHANNELS = ['email', 'sms'] as const
export type MessagingChannel = (typeof CHANNELS)[number]
export const ORGANISATIONS = ['force', 'opcc'] as const
export type Organisation = (typeof ORGANISATIONS)[number]
export { PRIORITIES, PRIORITY_RANK, type Priority } from './priority.ts'
export const FREQUENCIES = ['immediate', 'daily', 'weekly'] as const
export type Frequency = (typeof FREQUENCIES)[number]
export const LANGUAGES = ['en', 'cy'] as const

/** The interest taxonomy administrators manage. */
export const interests = pgTable('msg_interests', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  nameCy: text('name_cy'),
  description: text('description'),
  sortOrder: integer('sort_order').notNull().default(0),
  active: boolean('active').notNull().default(true),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
})

export const subscribers = pgTable(
  'msg_subscribers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** lower-cased; null when the resident uses SMS only */
    email: text('email'),
    emailConfirmedAt: timestamp('email_confirmed_at', { withTimezone: true }),
    /** E.164, e.g. +447700900123 */
    phone: text('phone'),
    phoneConfirmedAt: timestamp('phone_confirmed_at', { withTimezone: true }),
    language: text('language').notNull().default('en'),
    emailFrequency: text('email_frequency', { enum: FREQUENCIES }).notNull().default('immediate'),
    smsFrequency: text('sms_frequency', { enum: FREQUENCIES }).notNull().default('immediate'),
    /** consecutive permanent failures; at the configured count the channel is marked failing */
    emailFailures: integer('email_failures').notNull().default(0),
    smsFailures: integer('sms_failures').notNull().default(0),
    emailFailing: boolean('email_failing').notNull().default(false),
    smsFailing: boolean('sms_failing').notNull().default(false),
    /** 'pending' until a channel is confirmed */
    status: text('status', { enum: ['pending', 'active'] }).notNull().default('pending'),
    /** bumped to invalidate every signed manage/unsubscribe link already sent */
    linkVersion: integer('link_version').notNull().default(1),
    /** the neighbourhood of the home postcode, for per-area statistics */
    /**
     * The current state of alerts consent per organisation, kept by a database trigger on
     * msg_consents (migration 0008): the latest row wins, a withdrawal at the same instant
     * wins. msg_consents stays the record of what was agreed; these let targeting filter
     * while it scans residents instead of joining a million consent rows.
     */
    alertsConsentForce: boolean('alerts_consent_force').notNull().default(false),
    alertsConsentOpcc: boolean('alerts_consent_opcc').notNull().default(false),
    homeAreaId: text('home_area_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  t => [
    uniqueIndex('msg_subscribers_email_idx').on(t.email).where(sql`${t.email} is not null`),
    uniqueIndex('msg_subscribers_phone_idx').on(t.phone).where(sql`${t.phone} is not null`),
    // A neighbourhood's or a district's residents by home area (narrow targeting, migration 0011).
    index('msg_subscribers_home_area_idx').on(t.homeAreaId),
  ],
)

/** Places a subscriber follows: a neighbourhood, a district or the whole force. */
export const subscriberPlaces = pgTable(
  'msg_subscriber_places',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    subscriberId: uuid('subscriber_id').notNull(),
    areaId: text('area_id').notNull(),
    /** copy of areas.path so targeting is one indexed set operation */
    areaPath: text('area_path').notNull(),
    label: text('label', { enum: ['home', 'work', 'family', 'other'] }).notNull().default('other'),
    postcode: text('postcode'),
  },
  t => [
    index('msg_places_subscriber_idx').on(t.subscriberId),
    // Covering: targeting finds subscribers by place path without visiting the table.
    index('msg_places_path_idx').on(t.areaPath, t.subscriberId),
    uniqueIndex('msg_places_unique').on(t.subscriberId, t.areaId),
    // One home place at most; a trigger copies its area to msg_subscribers.home_area_id
    // (migration 0011), so targeting reads home areas from the residents' rows and only the
    // other places (this index) from here.
    uniqueIndex('msg_places_one_home').on(t.subscriberId).where(sql`${t.label} = 'home'`),
    index('msg_places_away_path_idx').on(t.areaPath, t.subscriberId).where(sql`${t.label} <> 'home'`),
  ],
)

export const subscriberInterests = pgTable(
  'msg_subscriber_interests',
  {
    subscriberId: uuid('subscriber_id').notNull(),
    interestId: text('interest_id').notNull(),
  },
  t => [primaryKey({ columns: [t.subscriberId, t.interestId] }), index('msg_sub_interests_interest_idx').on(t.interestId)],
)

/** Versions of the consent wording shown to residents, per organisation and purpose. */
export const consentWordings = pgTable(
  'msg_consent_wordings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisation: text('organisation', { enum: ORGANISATIONS }).notNull(),
    purpose: text('purpose').notNull(),
    version: integer('version').notNull(),
    text: text('text').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  t => [uniqueIndex('msg_wording_version_idx').on(t.organisation, t.purpose, t.version)],
)

/** Append-only consent history; the latest row per (subscriber, organisation, purpose) is in force. */
export const consents = pgTable(
  'msg_consents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    subscriberId: uuid('subscriber_id').notNull(),
    organisation: text('organisation', { enum: ORGANISATIONS }).notNull(),
    purpose: text('purpose').notNull(),
    wordingId: uuid('wording_id').notNull(),
    given: boolean('given').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    /** where it was given: signup, manage, unsubscribe, staff */
    source: text('source').notNull(),
  },
  t => [index('msg_consents_subscriber_idx').on(t.subscriberId, t.organisation, t.purpose, t.at)],
)

/** Email links and SMS codes that confirm a channel. Only hashes are stored. */
export const confirmations = pgTable(
  'msg_confirmations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    subscriberId: uuid('subscriber_id').notNull(),
    channel: text('channel', { enum: CHANNELS }).notNull(),
    secretHash: text('secret_hash').notNull(),
    attempts: integer('attempts').notNull().default(0),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  t => [index('msg_confirmations_subscriber_idx').on(t.subscriberId)],
)

/** Named groups of subscribers staff can target, e.g. Watch coordinators. */
export const groups = pgTable('msg_groups', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  description: text('description'),
  areaId: text('area_id').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
})

export const groupMembers = pgTable(
  'msg_group_members',
  {
    groupId: uuid('group_id').notNull(),
    subscriberId: uuid('subscriber_id').notNull(),
  },
  t => [primaryKey({ columns: [t.groupId, t.subscriberId] }), index('msg_group_members_sub_idx').on(t.subscriberId)],
)

export const MESSAGE_STATUSES = ['draft', 'pending_approval', 'scheduled', 'sending', 'sent', 'cancelled'] as const
export type MessageStatus = (typeof MESSAGE_STATUSES)[number]

export const messages = pgTable(
  'msg_messages',
  {
    /**
     * Time-ordered (UUID version 7, migration 0009): a new message's deliveries go at the right
     * edge of the delivery indexes that lead with it, and claims serve messages of the same
     * priority first come, first served (they are ordered by priority, then message id).
     */
    id: uuid('id').primaryKey().default(sql`beacon_uuid_v7()`),
    /**
     * A short number for the message (migration 0010), used where its id is too long: the
     * reply address and the references each delivery carries (delivery-ref.ts).
     */
    ref: bigint('ref', { mode: 'number' }).notNull().unique('msg_messages_ref_key').generatedAlwaysAsIdentity(),
    title: text('title').notNull(),
    /** the safe Markdown subset staff write; HTML and text are rendered from it */
    bodyMarkdown: text('body_markdown').notNull(),
    smsText: text('sms_text'),
    category: text('category').notNull(),
    priority: text('priority', { enum: PRIORITIES }).notNull().default('normal'),
    organisation: text('organisation', { enum: ORGANISATIONS }).notNull().default('force'),
    status: text('status', { enum: MESSAGE_STATUSES }).notNull().default('draft'),
    allowReplies: boolean('allow_replies').notNull().default(true),
    isPublic: boolean('is_public').notNull().default(false),
    /** the narrowest area covering every target area: who on staff may see the message */
    areaId: text('area_id').notNull(),
    areaPath: text('area_path').notNull(),
    createdBy: uuid('created_by'),
    approvedBy: uuid('approved_by'),
    approvedAt: timestamp('approved_at', { withTimezone: true }),
    /** emergency messages sent without approval are flagged for review afterwards */
    needsReview: boolean('needs_review').notNull().default(false),
    reviewedBy: uuid('reviewed_by'),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
    scheduledFor: timestamp('scheduled_for', { withTimezone: true }),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
    /** counted when deliveries are written */
    recipientCount: integer('recipient_count'),
    /**
     * Deliveries never yet claimed are taken in resident order from the unique key, not from
     * the queue index (migration 0012): `fresh_rank` is the priority rank of the message's
     * unclaimed deliveries (null once every one has been claimed), and the claim cursor is
     * the last (resident, channel) claimed. See dispatch.service.ts, `claim`.
     */
    freshRank: smallint('fresh_rank'),
    claimCursor: uuid('claim_cursor'),
    claimCursorChannel: text('claim_cursor_channel'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  t => [
    index('msg_messages_status_idx').on(t.status),
    index('msg_messages_area_path_idx').on(t.areaPath),
    index('msg_messages_created_idx').on(t.createdAt),
    index('msg_messages_fresh_idx').on(t.freshRank, t.id).where(sql`${t.freshRank} is not null`),
  ],
)

export const messageTranslations = pgTable(
  'msg_message_translations',
  {
    messageId: uuid('message_id').notNull(),
    language: text('language').notNull(),
    title: text('title').notNull(),
    bodyMarkdown: text('body_markdown').notNull(),
    smsText: text('sms_text'),
  },
  t => [primaryKey({ columns: [t.messageId, t.language] })],
)

/** What a message is aimed at: any mix of areas, interests and groups. */
export const messageTargets = pgTable(
  'msg_message_targets',
  {
    messageId: uuid('message_id').notNull(),
    kind: text('kind', { enum: ['area', 'interest', 'group'] }).notNull(),
    refId: text('ref_id').notNull(),
  },
  t => [primaryKey({ columns: [t.messageId, t.kind, t.refId] })],
)

export const DELIVERY_STATUSES = ['queued', 'sending', 'sent', 'delivered', 'failed', 'digest', 'digested', 'skipped'] as const
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number]

/**
 * One row per message, subscriber and channel. The unique key makes writing deliveries
 * idempotent and a duplicate send impossible; workers claim queued rows in batches with
 * FOR UPDATE SKIP LOCKED, emergency first.
 */
export const deliveries = pgTable(
  'msg_deliveries',
  {
    // No surrogate id (migration 0010): a delivery is named by its message, resident and
    // channel (the unique key below), outside Beacon by delivery-ref.ts's reference. An id
    // column and its primary key cost a big send about a fifth of its write.
    messageId: uuid('message_id').notNull(),
    /** null once the subscriber deleted their account: the counts stay, the person goes */
    subscriberId: uuid('subscriber_id'),
    channel: text('channel', { enum: CHANNELS }).notNull(),
    /** PRIORITY_RANK of the message, copied so the claim query needs no join */
    priority: smallint('priority').notNull(),
    /** the subscriber's area at the time, for per-area statistics after deletion */
    areaId: text('area_id'),
    status: text('status', { enum: DELIVERY_STATUSES }).notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    claimedBy: text('claimed_by'),
    providerId: text('provider_id'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    failedAt: timestamp('failed_at', { withTimezone: true }),
    error: text('error'),
    openedAt: timestamp('opened_at', { withTimezone: true }),
    clickedAt: timestamp('clicked_at', { withTimezone: true }),
    /** the digest email that carried this delivery, when it went in a digest */
    digestId: uuid('digest_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  t => [
    // Few indexes on purpose: a big send writes half a million rows and every index costs each
    // row an insertion (and each status change a new entry: they are not HOT updates).
    // docs/performance.md, "Messaging targeting", measured each one.
    // Exactly once per resident and channel; also the way to a message's deliveries, and to a
    // resident's (joined through msg_messages: one probe per message).
    uniqueIndex('msg_deliveries_once').on(t.messageId, t.subscriberId, t.channel),
    // The work queue for rows that have been claimed at least once and are not finished
    // (sending, or back in the queue for a retry, a hand-back or lease recovery): claims,
    // "is this message done?" and lease recovery read it. Rows never claimed are not in it
    // (migration 0012): a big send's half a million new rows would each cost an entry, and
    // claims find them through the unique key and the message's cursor instead.
    index('msg_deliveries_queue_idx')
      .on(t.priority, t.messageId, t.nextAttemptAt)
      .where(sql`${t.status} in ('queued', 'sending') and ${t.claimedAt} is not null`),
    // Receipts look rows up by provider id; most rows being written have none yet.
    index('msg_deliveries_provider_idx').on(t.providerId).where(sql`${t.providerId} is not null`),
  ],
)

/**
 * Provider rate limits shared by every dispatch process: one token bucket per provider
 * account, refilled and drawn from with one UPDATE (dispatch/rate-limiter.ts).
 */
export const rateBuckets = pgTable('msg_rate_buckets', {
  bucket: text('bucket').primaryKey(),
  tokens: doublePrecision('tokens').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
})

/** Digest emails: one per subscriber per day or week, listing non-urgent messages. */
export const digests = pgTable(
  'msg_digests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    subscriberId: uuid('subscriber_id'),
    channel: text('channel', { enum: CHANNELS }).notNull(),
    frequency: text('frequency', { enum: ['daily', 'weekly'] }).notNull(),
    /** the day (daily) or the Monday (weekly) it covers: unique per subscriber, so never sent twice */
    period: date('period').notNull(),
    status: text('status', { enum: ['queued', 'sent', 'failed'] }).notNull().default('queued'),
    providerId: text('provider_id'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  t => [uniqueIndex('msg_digests_once').on(t.subscriberId, t.channel, t.frequency, t.period)],
)

export const replies = pgTable(
  'msg_replies',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    messageId: uuid('message_id').notNull(),
    subscriberId: uuid('subscriber_id'),
    /** how it arrived: web form or inbound email */
    via: text('via', { enum: ['web', 'email'] }).notNull(),
    body: text('body').notNull(),
    /** how the resident wants the answer */
    answerChannel: text('answer_channel', { enum: CHANNELS }),
    status: text('status', { enum: ['new', 'assigned', 'answered', 'actioned'] }).notNull().default('new'),
    assignedTo: uuid('assigned_to'),
    answer: text('answer'),
    answeredBy: uuid('answered_by'),
    answeredAt: timestamp('answered_at', { withTimezone: true }),
    actionedAt: timestamp('actioned_at', { withTimezone: true }),
    areaPath: text('area_path').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  t => [index('msg_replies_message_idx').on(t.messageId), index('msg_replies_status_idx').on(t.status, t.receivedAt)],
)

export const feedback = pgTable(
  'msg_feedback',
  {
    messageId: uuid('message_id').notNull(),
    subscriberId: uuid('subscriber_id').notNull(),
    useful: boolean('useful').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  t => [primaryKey({ columns: [t.messageId, t.subscriberId] })],
)

/**
 * Anonymous membership events per area (no subscriber id, by design), so sign-up
 * conversion, growth and leavers survive account deletion.
 */
export const membershipEvents = pgTable(
  'msg_membership_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    areaId: text('area_id'),
    /** started | confirmed | left | unsubscribed */
    event: text('event').notNull(),
    channel: text('channel'),
    /** for unsubscribes: the message whose link was used */
    messageId: uuid('message_id'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    details: jsonb('details').$type<Record<string, unknown>>(),
  },
  t => [index('msg_membership_events_idx').on(t.event, t.at), index('msg_membership_events_message_idx').on(t.messageId)],
)
