import type { Services } from '../../services.ts'
import { pick, randomInt, seededRandom, shuffled } from '../../platform/geo/seeded-random.ts'
import { DEMO_FORCE_ID } from '../areas/demo.ts'
import type { EventType } from './schema.ts'
import { addDays, daysInMonth, expandRule, formatRule, londonParts, londonToUtc, weekdayOf, WEEKDAYS, type LocalDate, type LocalTime, type RecurrenceRule, type Weekday } from './recurrence.ts'

/**
 * Demo events and meetings for every neighbourhood of the demo force:
 *
 * * a monthly PACT meeting series (in person, online with a platform and link, or both) from
 *   about five months before `now` to three or four months after, with records (attendance,
 *   questions and answers, priorities agreed) for most past meetings;
 * * some surgeries and street briefings, past and coming up, one of them cancelled;
 * * three neighbourhoods whose meetings lapsed: nothing in the last quarter (for the
 *   staleness view) and a new series starting next month;
 * * the demo officer's neighbourhood (the first of the first district, Aldbridge for the
 *   default seed) with an in-person PACT meeting 4–20 days ahead that takes questions, and
 *   the previous one, already held, with two questions sent before and no record yet.
 *
 * Deterministic for a seed, dated relative to `now`, one set-based insert per table. Ids
 * come from the seed, so running it again adds nothing.
 */
export async function loadDemoEvents(services: Services, opts: { seed: number; now: Date }): Promise<void> {
  const { db } = services
  const now = opts.now
  const random = seededRandom(opts.seed ^ 0xe7e47)
  const uuid = () => seededUuid(random)
  const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000)
  const earliest = (...dates: Date[]) => new Date(Math.min(...dates.map(d => d.getTime())))

  const areas = await db.query<{ id: string; name: string; postcode: string | null }>(
    `select a.id, a.name, (select p.display from postcodes p where p.neighbourhood_id = a.id order by p.postcode limit 1) as postcode
       from areas a join areas d on d.id = a.parent_id
      where a.kind = 'neighbourhood' and a.path like $1
      order by d.name, d.id, a.name, a.id`,
    [`/${DEMO_FORCE_ID}/%`],
  )
  if (!areas.length) return
  const home = areas[0]!
  const priorityRows = await db.query<{ id: string; areaId: string; issueDate: string; issue: string }>(
    `select id, area_id as "areaId", to_char(issue_date, 'YYYY-MM-DD') as "issueDate", issue from nbh_priorities
      where area_id = any($1::text[]) order by issue_date, id`,
    [areas.map(a => a.id)],
  )
  const prioritiesOf = new Map<string, typeof priorityRows>()
  for (const p of priorityRows) prioritiesOf.set(p.areaId, [...(prioritiesOf.get(p.areaId) ?? []), p])

  // Never the demo officers' neighbourhoods (the first two).
  const lapsed = new Set(shuffled(random, areas.slice(2).map(a => a.id)).slice(0, areas.length > 10 ? 3 : 1))

  const series: unknown[][] = []
  const events: unknown[][] = []
  const records: unknown[][] = []
  const questions: unknown[][] = []
  const agreed: unknown[][] = []

  interface Place {
    format: 'in_person' | 'online' | 'hybrid'
    address: string | null
    platform: string | null
    url: string | null
  }

  const addEvent = (e: {
    areaId: string
    seriesId: string | null
    type: EventType
    title: string
    description: string
    place: Place
    startsAt: Date
    endsAt: Date
    acceptsQuestions: boolean
    cancelledAt?: Date | null
    createdAt: Date
  }): string => {
    const id = uuid()
    const changedAt = e.cancelledAt ?? e.createdAt
    events.push([
      id,
      e.areaId,
      e.seriesId,
      e.type,
      e.title,
      e.description,
      e.place.address,
      e.place.url,
      e.place.platform,
      e.startsAt.toISOString(),
      e.endsAt.toISOString(),
      e.acceptsQuestions,
      e.cancelledAt?.toISOString() ?? null,
      e.cancelledAt ? 1 : 0,
      e.createdAt.toISOString(),
      changedAt.toISOString(),
    ])
    return id
  }

  const askBefore = (eventId: string, startsAt: Date, text: string, asker: { name: string; email: string } | null, answer: string | null) => {
    const asked = earliest(new Date(startsAt.getTime() - randomInt(random, 2, 12) * 86_400_000), daysAgo(0.5))
    const answeredAt = answer ? earliest(new Date(startsAt.getTime() + 2 * 3_600_000), now) : null
    questions.push([uuid(), eventId, 'before', text, asker?.name ?? null, asker?.email ?? null, answer, answeredAt?.toISOString() ?? null, false, asked.toISOString()])
  }

  /** A record for a meeting that has ended: numbers, a summary, questions with answers, 0–2 priorities agreed. */
  const recordMeeting = (eventId: string, areaName: string, areaId: string, place: Place, startsAt: Date, endsAt: Date) => {
    const inPerson = place.format === 'online' ? 0 : randomInt(random, 6, 48)
    const online = place.format === 'online' ? randomInt(random, 40, 900) : place.format === 'hybrid' ? randomInt(random, 10, 120) : 0
    const ours = (prioritiesOf.get(areaId) ?? []).filter(p => new Date(`${p.issueDate}T00:00:00Z`) <= endsAt)
    const chosen = shuffled(random, ours).slice(0, randomInt(random, 0, Math.min(2, ours.length)))
    const topic = chosen[0]?.issue.replace(/\.$/, '').toLowerCase() ?? pick(random, TOPICS)
    const summary = [
      pick(random, OPENINGS).replace('{area}', areaName),
      `Most of the discussion was about ${topic}.`,
      pick(random, CLOSINGS),
    ].join(' ')
    const recordedAt = earliest(new Date(endsAt.getTime() + randomInt(random, 1, 3) * 86_400_000), now)
    records.push([eventId, inPerson, online, summary, recordedAt.toISOString()])
    for (const [question, answer] of shuffled(random, QUESTIONS).slice(0, randomInt(random, 0, 2)))
      askBefore(eventId, startsAt, question.replace('{area}', areaName), random() < 0.5 ? null : resident(random), answer)
    for (const [question, answer] of shuffled(random, RAISED).slice(0, randomInt(random, 1, 2)))
      questions.push([uuid(), eventId, 'at_meeting', question, null, null, answer, recordedAt.toISOString(), false, recordedAt.toISOString()])
    for (const p of chosen) agreed.push([eventId, p.id])
  }

  /** A monthly series on the `ordinal` `weekday`, from the month `fromMonths` away from now, `count` times. */
  const monthlyDates = (ordinal: number, weekday: Weekday, fromMonths: number, count: number, time: LocalTime) => {
    const today = londonParts(now).date
    const index = today.year * 12 + today.month - 1 + fromMonths
    const first = nthWeekday(Math.floor(index / 12), (index % 12) + 1, weekday, ordinal)
    const rule: RecurrenceRule = { freq: 'MONTHLY', interval: 1, byDay: [{ day: weekday, ordinal }], count }
    return { rule, dates: expandRule(rule, first, time, 90) }
  }

  for (const [i, area] of areas.entries()) {
    const isHome = area === home
    const formatRoll = random()
    const format: Place['format'] = isHome ? 'in_person' : formatRoll < 0.65 ? 'in_person' : formatRoll < 0.85 ? 'online' : 'hybrid'
    const venue = pick(random, VENUES).replace('{area}', area.name)
    const street = pick(random, STREETS)
    const platform = pick(random, PLATFORMS)
    const place: Place = {
      format,
      address: format === 'online' ? null : [venue, street, [area.name, area.postcode].filter(Boolean).join(' ')].join(', '),
      platform: format === 'in_person' ? null : platform.name,
      url: format === 'in_person' ? null : `https://join.demo.beacon.example/${platform.slug}/${area.id}-pact`,
    }
    const time: LocalTime = random() < 0.7 ? { hour: 19, minute: 0 } : { hour: 18, minute: 30 }
    const title = format === 'online' ? `${area.name} PACT meeting (online)` : `${area.name} PACT meeting`
    const description =
      format === 'online'
        ? `Police and Communities Together, online. Meet the ${area.name} neighbourhood team from your phone or computer, hear what has been done about the neighbourhood’s priorities and help set the next ones. No account is needed to watch; ask questions in the chat or send them before.`
        : `Police and Communities Together. Meet the ${area.name} neighbourhood team, hear what has been done about the neighbourhood’s priorities and help set the next ones. Everyone is welcome. Step-free access and a hearing loop.${format === 'hybrid' ? ' You can also join online.' : ''}`

    let runs: { rule: RecurrenceRule; dates: { startsAt: Date; endsAt: Date }[] }[]
    if (isHome) {
      // The next meeting 4–20 days ahead (so it takes questions), the previous one over by two days.
      const candidates = shuffled(random, [1, 2, 3, 4].flatMap(k => (['TU', 'WE', 'TH'] as const).map(w => [k, w] as const)))
      let found: (typeof runs)[number] | undefined
      for (const [k, w] of candidates) {
        const run = monthlyDates(k, w, -5, 10, time)
        const next = run.dates.find(d => d.startsAt > now)
        const prev = run.dates.filter(d => d.endsAt <= now).at(-1)
        const ahead = next ? (next.startsAt.getTime() - now.getTime()) / 86_400_000 : 0
        if (next && prev && ahead >= 4 && ahead <= 20 && now.getTime() - prev.endsAt.getTime() > 2 * 86_400_000) {
          found = run
          break
        }
      }
      runs = [found ?? monthlyDates(2, 'TU', -5, 10, time)]
    } else {
      const k = randomInt(random, 1, 4)
      const w = pick(random, ['TU', 'WE', 'TH'] as const)
      runs = lapsed.has(area.id) ? [monthlyDates(k, w, -9, 4, time), monthlyDates(k, w, 1, 6, time)] : [monthlyDates(k, w, -5, randomInt(random, 9, 10), time)]
    }

    for (const run of runs) {
      const seriesId = uuid()
      const createdAt = earliest(new Date(run.dates[0]!.startsAt.getTime() - 21 * 86_400_000), daysAgo(1))
      series.push([seriesId, area.id, formatRule(run.rule), createdAt.toISOString()])
      const past = run.dates.filter(d => d.endsAt <= now)
      const lastPast = past.at(-1)
      const leaveLastUnrecorded = isHome || (!lapsed.has(area.id) && random() < 0.2)
      for (const d of run.dates) {
        const id = addEvent({ areaId: area.id, seriesId, type: 'pact', title, description, place, startsAt: d.startsAt, endsAt: d.endsAt, acceptsQuestions: true, createdAt })
        if (d.endsAt > now) {
          if (isHome && d === run.dates.find(x => x.startsAt > now)) askBefore(id, d.startsAt, 'Will you be doing anything about people speeding through the village at night?', null, null)
          continue
        }
        if (d === lastPast && leaveLastUnrecorded) {
          if (isHome) {
            askBefore(id, d.startsAt, `Cars are parking on the pavement outside the school in ${area.name} every morning. Can anything be done?`, { name: 'Priya Shah', email: 'priya.shah@example.com' }, null)
            askBefore(id, d.startsAt, 'Is there any news about the break-ins on the allotments?', null, null)
          }
          continue
        }
        recordMeeting(id, area.name, area.id, place, d.startsAt, d.endsAt)
      }
    }

    // Surgeries and street briefings in about half the neighbourhoods.
    const inPerson: Place = { format: 'in_person', address: [venue, street, [area.name, area.postcode].filter(Boolean).join(' ')].join(', '), platform: null, url: null }
    if (isHome || random() < 0.5) {
      const day = onWeekday(addDays(londonParts(now).date, randomInt(random, 5, 25)), 'SA')
      const startsAt = londonToUtc(day, { hour: 10, minute: 0 })
      addEvent({
        areaId: area.id,
        seriesId: null,
        type: 'surgery',
        title: `Beat surgery at ${venue}`,
        description: `Drop in to talk to a member of the ${area.name} team in confidence: no appointment needed. Bring anything you would like crime prevention advice about.`,
        place: inPerson,
        startsAt,
        endsAt: new Date(startsAt.getTime() + 2 * 3_600_000),
        acceptsQuestions: false,
        createdAt: daysAgo(randomInt(random, 7, 20)),
      })
    }
    if (isHome || random() < 0.35) {
      const back = randomInt(random, 14, 70)
      const startsAt = londonToUtc(addDays(londonParts(now).date, -back), { hour: 17, minute: 30 })
      const briefingPlace: Place = { ...inPerson, address: `Corner of ${pick(random, STREETS)}, ${area.name}` }
      addEvent({
        areaId: area.id,
        seriesId: null,
        type: 'street_briefing',
        title: `Street briefing: ${briefingPlace.address!.split(', ')[0]!.replace('Corner of ', '')}`,
        description: 'A short briefing on the street about recent incidents nearby, with crime prevention advice. Come along and ask the team anything.',
        place: briefingPlace,
        startsAt,
        endsAt: new Date(startsAt.getTime() + 3_600_000),
        acceptsQuestions: false,
        createdAt: daysAgo(back + 10),
      })
    }
    if (i % 9 === 4) {
      const startsAt = londonToUtc(addDays(londonParts(now).date, randomInt(random, 3, 12)), { hour: 17, minute: 0 })
      addEvent({
        areaId: area.id,
        seriesId: null,
        type: 'street_briefing',
        title: `Street briefing: ${street}`,
        description: 'A short briefing on the street about recent incidents nearby.',
        place: { ...inPerson, address: `Corner of ${street}, ${area.name}` },
        startsAt,
        endsAt: new Date(startsAt.getTime() + 3_600_000),
        acceptsQuestions: false,
        cancelledAt: daysAgo(1),
        createdAt: daysAgo(12),
      })
    }
  }

  const col = (rows: unknown[][], i: number) => rows.map(r => r[i])
  await db.transaction(async q => {
    await q(
      `insert into nbh_event_series (id, area_id, rule, created_at)
       select * from unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[]) on conflict do nothing`,
      [0, 1, 2, 3].map(i => col(series, i)),
    )
    await q(
      `insert into nbh_events (id, area_id, series_id, type, title, description, address, online_url, online_platform,
                               starts_at, ends_at, accepts_questions, cancelled_at, sequence, created_at, updated_at)
       select * from unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                            $10::timestamptz[], $11::timestamptz[], $12::boolean[], $13::timestamptz[], $14::int[], $15::timestamptz[], $16::timestamptz[])
       on conflict do nothing`,
      Array.from({ length: 16 }, (_, i) => col(events, i)),
    )
    await q(
      `insert into nbh_meeting_records (event_id, attendance_in_person, attendance_online, summary, created_at, updated_at)
       select v.*, v.created_at from unnest($1::uuid[], $2::int[], $3::int[], $4::text[], $5::timestamptz[])
         as v(event_id, attendance_in_person, attendance_online, summary, created_at)
       on conflict do nothing`,
      Array.from({ length: 5 }, (_, i) => col(records, i)),
    )
    await q(
      `insert into nbh_event_questions (id, event_id, source, question, asker_name, asker_email, answer, answered_at, hidden, created_at)
       select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], $9::boolean[], $10::timestamptz[])
       on conflict do nothing`,
      Array.from({ length: 10 }, (_, i) => col(questions, i)),
    )
    await q(
      `insert into nbh_meeting_priorities (event_id, priority_id) select * from unnest($1::uuid[], $2::uuid[]) on conflict do nothing`,
      [0, 1].map(i => col(agreed, i)),
    )
  })
}

/** The `ordinal`th `weekday` of a month (1–4, so every month has one). */
function nthWeekday(year: number, month: number, weekday: Weekday, ordinal: number): LocalDate {
  const first = { year, month, day: 1 }
  const offset = (WEEKDAYS.indexOf(weekday) - WEEKDAYS.indexOf(weekdayOf(first)) + 7) % 7
  return { year, month, day: Math.min(1 + offset + 7 * (ordinal - 1), daysInMonth(year, month)) }
}

/** The first `weekday` on or after a date. */
function onWeekday(d: LocalDate, weekday: Weekday): LocalDate {
  return addDays(d, (WEEKDAYS.indexOf(weekday) - WEEKDAYS.indexOf(weekdayOf(d)) + 7) % 7)
}

/** A v4-shaped UUID from the seeded generator, so demo ids repeat for a seed. */
function seededUuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16))
  hex[12] = '4'
  hex[16] = '89ab'[Math.floor(random() * 4)]!
  const s = hex.join('')
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`
}

const FIRST = ['Sam', 'Alex', 'Jo', 'Chris', 'Morgan', 'Ruth', 'Tariq', 'Helen', 'Dev', 'Grace', 'Owen', 'Mei']
const LAST = ['Taylor', 'Khan', 'Evans', 'Hughes', 'Patel', 'Wright', 'Lewis', 'Clarke', 'Ahmed', 'Walsh']
/** A made-up resident with an example.com address (never a real domain). */
function resident(random: () => number) {
  const first = pick(random, FIRST)
  const last = pick(random, LAST)
  return { name: `${first} ${last}`, email: `${first}.${last}@example.com`.toLowerCase() }
}

const VENUES = ['{area} Community Centre', '{area} Library', 'St Mary’s Church Hall', '{area} Village Hall', 'The Scout Hut', '{area} Methodist Church Hall']
const STREETS = ['High Street', 'Mill Lane', 'Station Road', 'Church Street', 'Park Road', 'Victoria Street', 'Chapel Lane', 'Market Place', 'Bridge Street', 'School Lane']
const PLATFORMS = [
  { name: 'Microsoft Teams', slug: 'teams' },
  { name: 'Zoom', slug: 'zoom' },
  { name: 'Facebook Live', slug: 'facebook-live' },
]
const TOPICS = ['speeding and parking', 'antisocial behaviour', 'burglaries and sheds being broken into', 'drug dealing', 'litter and fly-tipping']
const OPENINGS = [
  'The team went through what has been done since the last meeting in {area}.',
  'The sergeant opened with an update on crime in {area} over the last month.',
  'Residents and the team talked through the neighbourhood’s priorities for {area}.',
]
const CLOSINGS = [
  'The team will report back at the next meeting.',
  'Residents agreed the priorities for the coming month.',
  'The council’s community safety officer will join the next meeting.',
]
const QUESTIONS: [string, string][] = [
  ['Can you do something about cars speeding on the main road through {area}?', 'We have run two speed checks and issued 14 tickets. Community Speed Watch volunteers will start next month: contact the team if you would like to join.'],
  ['Groups of young people are gathering by the shops in the evenings. Who should we call?', 'Call 101 or report it online, and 999 if anyone is in danger. We have increased patrols on Friday and Saturday evenings and are working with the youth service.'],
  ['There have been several shed break-ins. What can we do?', 'Lock sheds with a closed-shackle padlock, mark your tools with your postcode, and register them online. We have free shed alarms at the next surgery.'],
  ['What is happening about the drug dealing near the park?', 'We cannot say much about ongoing work, but two warrants have been carried out this month. Please keep reporting what you see: it helps us build a picture.'],
  ['Is anything being done about the fly-tipping down the lane?', 'We have passed the locations to the council, who have cleared them and put up a camera. Report fly-tipping to the council’s website.'],
]
const RAISED: [string, string][] = [
  ['Could the team hold a surgery at the library on a Saturday?', 'Yes: the next one is on the events list.'],
  ['How do I report something that is not an emergency?', 'Call 101 or report it online on the force website.'],
  ['Are there more PCSOs coming to the area?', 'One more PCSO joins the team next month.'],
  ['Can we have a speed camera on the main road?', 'That is for the council; the team will pass the request on and report back.'],
  ['Why did nobody come when I called about the noise?', 'The team will look into what happened and contact you after the meeting.'],
]
