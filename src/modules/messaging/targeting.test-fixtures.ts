import type { Database } from '../../platform/db/client.ts'
import type { Frequency, Organisation } from './schema.ts'

/**
 * Residents written straight into the tables for targeting tests, in a few set-based
 * statements, so these tests do not depend on the sign-up code (which has its own tests).
 */
export interface FixtureSubscriber {
  id: string
  email?: string | null
  emailConfirmed?: boolean
  emailFailing?: boolean
  phone?: string | null
  phoneConfirmed?: boolean
  smsFailing?: boolean
  emailFrequency?: Frequency
  smsFrequency?: Frequency
  language?: string
  homeAreaId?: string | null
  /** area ids followed; the path is copied from areas */
  places?: string[]
  interests?: string[]
  groups?: string[]
  /** consent history per organisation, oldest first (true = given) */
  consents?: Partial<Record<Organisation, boolean[]>>
}

/** A stable UUID for fixture number `n`. */
export const fixtureId = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`

/** Inserts the residents with their places, interests, groups and consent histories. */
export async function insertFixtureSubscribers(db: Database, people: FixtureSubscriber[]): Promise<void> {
  if (!people.length) return
  const col = <T,>(f: (p: FixtureSubscriber) => T) => people.map(f)
  await db.query(
    `insert into msg_subscribers (id, email, email_confirmed_at, email_failing, phone, phone_confirmed_at, sms_failing,
                                  email_frequency, sms_frequency, language, home_area_id, status)
     select id, email, case when ec then now() end, ef, phone, case when pc then now() end, sf, efq, sfq, lang, home, 'active'
       from unnest($1::uuid[], $2::text[], $3::bool[], $4::bool[], $5::text[], $6::bool[], $7::bool[], $8::text[], $9::text[], $10::text[], $11::text[])
            as t(id, email, ec, ef, phone, pc, sf, efq, sfq, lang, home)`,
    [
      col(p => p.id),
      col(p => p.email ?? null),
      col(p => p.emailConfirmed ?? true),
      col(p => p.emailFailing ?? false),
      col(p => p.phone ?? null),
      col(p => p.phoneConfirmed ?? true),
      col(p => p.smsFailing ?? false),
      col(p => p.emailFrequency ?? 'immediate'),
      col(p => p.smsFrequency ?? 'immediate'),
      col(p => p.language ?? 'en'),
      col(p => p.homeAreaId ?? null),
    ],
  )
  // The place that is the resident's home area is their home place, as sign-up makes it.
  const places = people.flatMap(p => (p.places ?? []).map(a => [p.id, a, a === p.homeAreaId ? 'home' : 'other'] as const))
  if (places.length)
    await db.query(
      `insert into msg_subscriber_places (subscriber_id, area_id, area_path, label)
       select t.s, a.id, a.path, t.label from unnest($1::uuid[], $2::text[], $3::text[]) as t(s, a, label) join areas a on a.id = t.a`,
      [places.map(p => p[0]), places.map(p => p[1]), places.map(p => p[2])],
    )
  const interests = people.flatMap(p => (p.interests ?? []).map(i => [p.id, i] as const))
  if (interests.length)
    await db.query(`insert into msg_subscriber_interests (subscriber_id, interest_id) select * from unnest($1::uuid[], $2::text[])`, [
      interests.map(p => p[0]),
      interests.map(p => p[1]),
    ])
  const groups = people.flatMap(p => (p.groups ?? []).map(g => [p.id, g] as const))
  if (groups.length)
    await db.query(`insert into msg_group_members (group_id, subscriber_id) select g, s from unnest($1::uuid[], $2::uuid[]) as t(s, g)`, [
      groups.map(p => p[0]),
      groups.map(p => p[1]),
    ])
  // Each step of a history one second after the last, so "latest" is unambiguous.
  const consents = people.flatMap(p =>
    (Object.entries(p.consents ?? {}) as [Organisation, boolean[]][]).flatMap(([org, history]) => history.map((given, i) => [p.id, org, given, i] as const)),
  )
  if (consents.length)
    await db.query(
      `insert into msg_consents (subscriber_id, organisation, purpose, wording_id, given, at, source)
       select t.s, t.o, 'alerts', w.id, t.g, now() - interval '1 hour' + t.i * interval '1 second', 'signup'
         from unnest($1::uuid[], $2::text[], $3::bool[], $4::int[]) as t(s, o, g, i)
         join msg_consent_wordings w on w.organisation = t.o and w.purpose = 'alerts' and w.version = 1`,
      [consents.map(c => c[0]), consents.map(c => c[1]), consents.map(c => c[2]), consents.map(c => c[3])],
    )
}

/** Creates a group in an area; answers its id. */
export async function insertFixtureGroup(db: Database, name: string, areaId: string): Promise<string> {
  const [row] = await db.query<{ id: string }>(`insert into msg_groups (name, area_id) values ($1, $2) returning id`, [name, areaId])
  return row!.id
}
