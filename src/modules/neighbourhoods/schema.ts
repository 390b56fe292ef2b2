import { sql } from 'drizzle-orm'
import {
  pgTable, text, integer, boolean, timestamp, uuid, jsonb, index, uniqueIndex, primaryKey, date, doublePrecision, customType, check,
} from 'drizzle-orm/pg-core'

/**
 * Neighbourhood policing: each neighbourhood's page (profile, team, stations), its
 * priorities with dated action updates, events and meeting records, "contact your team"
 * queries and residents' priority proposals. Every row belongs to an area (`area_id` is
 * an `areas.id`), so staff queries filter by the grant paths of `areas.path`.
 */

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: value => (Buffer.isBuffer(value) ? value : Buffer.from(value)),
})

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()

/** data.police.uk's `contact_details` keys; every one optional. */
export interface ContactDetails {
  email?: string
  telephone?: string
  mobile?: string
  twitter?: string
  facebook?: string
  instagram?: string
  youtube?: string
  web?: string
  address?: string
}

/** data.police.uk's `links` / `engagement_methods` entries. */
export interface ProfileLink {
  url: string
  title: string
  description?: string | null
}

/**
 * The public profile of any area (a neighbourhood's page; for a force, what
 * `GET /forces/{force}` answers: url from contactDetails.web, telephone, engagement methods from links).
 */
export const profiles = pgTable('nbh_profiles', {
  areaId: text('area_id').primaryKey(),
  welcomeMessage: text('welcome_message'),
  /** how the team engages (meetings, surgeries, street briefings…), plain text paragraphs */
  engagement: text('engagement'),
  contactDetails: jsonb('contact_details').$type<ContactDetails>().notNull().default({}),
  links: jsonb('links').$type<ProfileLink[]>().notNull().default([]),
  updatedBy: uuid('updated_by'),
  updatedAt: updatedAt(),
})

/** Named officers, PCSOs and staff of a neighbourhood team; at most one is the named contact. */
export const teamMembers = pgTable(
  'nbh_team_members',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    areaId: text('area_id').notNull(),
    name: text('name').notNull(),
    /** e.g. "Police Constable", "Police Community Support Officer", "Sergeant" */
    rank: text('rank').notNull(),
    /** what they do in the team, e.g. "Beat manager for Aldbridge town centre" */
    role: text('role'),
    bio: text('bio'),
    email: text('email'),
    telephone: text('telephone'),
    isNamedContact: boolean('is_named_contact').notNull().default(false),
    sortOrder: integer('sort_order').notNull().default(0),
    photo: bytea('photo'),
    /** image/jpeg, image/png or image/webp, checked against the file's own bytes */
    photoType: text('photo_type'),
    photoAlt: text('photo_alt'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  t => [
    index('nbh_team_members_area_idx').on(t.areaId, t.sortOrder),
    uniqueIndex('nbh_team_members_one_named_contact').on(t.areaId).where(sql`${t.isNamedContact}`),
  ],
)

export const LOCATION_TYPES = ['station', 'front_counter', 'other'] as const
export type LocationType = (typeof LOCATION_TYPES)[number]

/** Opening hours for one day or run of days, e.g. { days: "Monday to Friday", opens: "08:00", closes: "18:00" } */
export interface OpeningHours {
  days: string
  opens: string | null
  closes: string | null
  note?: string | null
}

/**
 * Police stations and front counters. They belong to any area (usually a district or the
 * force); a neighbourhood page shows those nearest its centre.
 */
export const locations = pgTable(
  'nbh_locations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    areaId: text('area_id').notNull(),
    name: text('name').notNull(),
    type: text('type', { enum: LOCATION_TYPES }).notNull().default('station'),
    address: text('address').notNull(),
    postcode: text('postcode'),
    lat: doublePrecision('lat').notNull(),
    lng: doublePrecision('lng').notNull(),
    openingHours: jsonb('opening_hours').$type<OpeningHours[]>().notNull().default([]),
    description: text('description'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  t => [index('nbh_locations_area_idx').on(t.areaId)],
)

export const PRIORITY_STATUSES = ['open', 'in_progress', 'resolved'] as const
export type PriorityStatus = (typeof PRIORITY_STATUSES)[number]

/** A neighbourhood priority set with the community; reviewed at least every three months. */
export const priorities = pgTable(
  'nbh_priorities',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    areaId: text('area_id').notNull(),
    /** the issue as published (data.police.uk `issue`) */
    issue: text('issue').notNull(),
    /** the date it was set (data.police.uk `issue-date`) */
    issueDate: date('issue_date', { mode: 'string' }).notNull(),
    status: text('status', { enum: PRIORITY_STATUSES }).notNull().default('open'),
    lastReviewedAt: timestamp('last_reviewed_at', { withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    /** the resident proposal it was set from, if any */
    proposalId: uuid('proposal_id'),
    /** the meeting that agreed it, if any */
    eventId: uuid('event_id'),
    createdBy: uuid('created_by'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  t => [
    index('nbh_priorities_area_idx').on(t.areaId, t.status),
    check('nbh_priorities_status_check', sql`${t.status} in ('open','in_progress','resolved')`),
  ],
)

/** What has been done about a priority, dated (data.police.uk `action` / `action-date`). */
export const priorityUpdates = pgTable(
  'nbh_priority_updates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    priorityId: uuid('priority_id').notNull().references(() => priorities.id, { onDelete: 'cascade' }),
    action: text('action').notNull(),
    actionDate: date('action_date', { mode: 'string' }).notNull(),
    /** the status the priority had after this update */
    status: text('status', { enum: PRIORITY_STATUSES }).notNull(),
    createdBy: uuid('created_by'),
    createdAt: createdAt(),
  },
  t => [index('nbh_priority_updates_priority_idx').on(t.priorityId, t.actionDate)],
)

export const EVENT_TYPES = ['pact', 'panel', 'surgery', 'street_briefing', 'open_day', 'online_meeting', 'other'] as const
export type EventType = (typeof EVENT_TYPES)[number]

/**
 * A recurring rule (a bounded RFC 5545 RRULE: COUNT or UNTIL is required). Its occurrences
 * are materialised as ordinary rows in nbh_events, so each has its own page, calendar file,
 * questions and record.
 */
export const eventSeries = pgTable('nbh_event_series', {
  id: uuid('id').primaryKey().defaultRandom(),
  areaId: text('area_id').notNull(),
  /** e.g. "FREQ=MONTHLY;BYDAY=2TU;COUNT=12" */
  rule: text('rule').notNull(),
  createdBy: uuid('created_by'),
  createdAt: createdAt(),
})

/** An event or meeting: PACT meeting, panel, surgery, street briefing, open day, online meeting. */
export const events = pgTable(
  'nbh_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    areaId: text('area_id').notNull(),
    seriesId: uuid('series_id').references(() => eventSeries.id, { onDelete: 'set null' }),
    type: text('type', { enum: EVENT_TYPES }).notNull(),
    title: text('title').notNull(),
    description: text('description'),
    /** where it happens in person; null for online-only */
    address: text('address'),
    /** where to join online; null for in-person only */
    onlineUrl: text('online_url'),
    /** e.g. "Microsoft Teams", "Zoom", "Facebook Live" */
    onlinePlatform: text('online_platform'),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    acceptsQuestions: boolean('accepts_questions').notNull().default(true),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
    /** bumped on every change: the iCalendar SEQUENCE */
    sequence: integer('sequence').notNull().default(0),
    createdBy: uuid('created_by'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  t => [
    index('nbh_events_area_idx').on(t.areaId, t.startsAt),
    index('nbh_events_series_idx').on(t.seriesId),
    check('nbh_events_ends_after_start', sql`${t.endsAt} > ${t.startsAt}`),
  ],
)

/** Questions residents send before a meeting, and questions raised at it; both get answers on the record. */
export const eventQuestions = pgTable(
  'nbh_event_questions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    eventId: uuid('event_id').notNull().references(() => events.id, { onDelete: 'cascade' }),
    source: text('source', { enum: ['before', 'at_meeting'] }).notNull().default('before'),
    question: text('question').notNull(),
    /** optional; never published */
    askerName: text('asker_name'),
    /** optional, to send the answer; never published */
    askerEmail: text('asker_email'),
    answer: text('answer'),
    answeredAt: timestamp('answered_at', { withTimezone: true }),
    /** staff may hide an abusive question from the public record */
    hidden: boolean('hidden').notNull().default(false),
    createdAt: createdAt(),
  },
  t => [index('nbh_event_questions_event_idx').on(t.eventId, t.createdAt)],
)

/** What happened at a meeting: attendance in person and online, a summary, the priorities agreed. */
export const meetingRecords = pgTable('nbh_meeting_records', {
  eventId: uuid('event_id').primaryKey().references(() => events.id, { onDelete: 'cascade' }),
  attendanceInPerson: integer('attendance_in_person').notNull().default(0),
  attendanceOnline: integer('attendance_online').notNull().default(0),
  summary: text('summary'),
  recordedBy: uuid('recorded_by'),
  recordedAt: createdAt(),
  updatedAt: updatedAt(),
})

/** Priorities agreed at a meeting (new or continued). */
export const meetingPriorities = pgTable(
  'nbh_meeting_priorities',
  {
    eventId: uuid('event_id').notNull().references(() => events.id, { onDelete: 'cascade' }),
    priorityId: uuid('priority_id').notNull().references(() => priorities.id, { onDelete: 'cascade' }),
  },
  t => [primaryKey({ columns: [t.eventId, t.priorityId] })],
)

export const CONTACT_STATUSES = ['new', 'assigned', 'replied', 'closed'] as const
export type ContactStatus = (typeof CONTACT_STATUSES)[number]

/** A "contact your team" query. Personal data: staff views are audited. */
export const contactQueries = pgTable(
  'nbh_contact_queries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** what the resident quotes, e.g. "NQ-7K3M-9P2X" */
    reference: text('reference').notNull().unique(),
    areaId: text('area_id').notNull(),
    topic: text('topic').notNull(),
    message: text('message').notNull(),
    name: text('name'),
    replyBy: text('reply_by', { enum: ['email', 'phone'] }).notNull(),
    email: text('email'),
    phone: text('phone'),
    status: text('status', { enum: CONTACT_STATUSES }).notNull().default('new'),
    assignedTo: uuid('assigned_to'),
    firstReplyAt: timestamp('first_reply_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  t => [
    index('nbh_contact_queries_area_idx').on(t.areaId, t.status, t.createdAt),
    check('nbh_contact_queries_reply_check', sql`(${t.replyBy} = 'email' and ${t.email} is not null) or (${t.replyBy} = 'phone' and ${t.phone} is not null)`),
  ],
)

/** Replies staff send to a query (emailed to the resident) and internal notes. */
export const contactReplies = pgTable(
  'nbh_contact_replies',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    queryId: uuid('query_id').notNull().references(() => contactQueries.id, { onDelete: 'cascade' }),
    body: text('body').notNull(),
    /** 'reply' goes to the resident; 'note' stays with the team (e.g. "called back, no answer") */
    kind: text('kind', { enum: ['reply', 'note'] }).notNull().default('reply'),
    sentBy: uuid('sent_by'),
    createdAt: createdAt(),
  },
  t => [index('nbh_contact_replies_query_idx').on(t.queryId, t.createdAt)],
)

export const PROPOSAL_STATUSES = ['open', 'adopted', 'declined'] as const
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number]

/** "Have your say on priorities": a local issue a resident proposes for the team's next meeting. */
export const proposals = pgTable(
  'nbh_proposals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    areaId: text('area_id').notNull(),
    issue: text('issue').notNull(),
    details: text('details'),
    status: text('status', { enum: PROPOSAL_STATUSES }).notNull().default('open'),
    /** the priority it became (status 'adopted') */
    priorityId: uuid('priority_id'),
    /** shown publicly when declined */
    response: text('response'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  t => [index('nbh_proposals_area_idx').on(t.areaId, t.status)],
)

/**
 * One row per supporter of a proposal (the proposer included). `supporterKey` is an HMAC of
 * a random id kept in the supporter's browser cookie: enough to stop casual double counting
 * without holding anything about the person.
 */
export const proposalSupports = pgTable(
  'nbh_proposal_supports',
  {
    proposalId: uuid('proposal_id').notNull().references(() => proposals.id, { onDelete: 'cascade' }),
    supporterKey: text('supporter_key').notNull(),
    createdAt: createdAt(),
  },
  t => [primaryKey({ columns: [t.proposalId, t.supporterKey] })],
)
