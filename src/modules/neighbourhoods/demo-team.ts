import { crc32, deflateSync } from 'node:zlib'
import type { Services } from '../../services.ts'
import { pick, randomInt, seededRandom, shuffled } from '../../platform/geo/seeded-random.ts'
import { DEMO_FORCE_ID } from '../areas/demo.ts'
import type { OpeningHours, PriorityStatus } from './schema.ts'
import { londonDay } from './priorities.service.ts'

/**
 * Demo neighbourhood pages for every neighbourhood of the demo force: a profile, a team of 2–4
 * (one named contact, except in a few neighbourhoods so the staleness view has something to
 * show), a police station per district and a front counter in some, and 1–3 priorities with
 * dated action updates (some resolved, some not reviewed for over three months). The first
 * neighbourhood of the first district (the demo officer's, Aldbridge for the default seed) is
 * complete: photos, a named contact and recently reviewed priorities.
 *
 * Deterministic for a seed, dated relative to `now`, and written with one set-based insert per
 * table, so it costs a few milliseconds. Ids are derived from the seed, so running it again
 * adds nothing.
 */
export async function loadDemoTeams(services: Services, opts: { seed: number; now: Date }): Promise<void> {
  const { db } = services
  const random = seededRandom(opts.seed ^ 0x7ea3)
  const uuid = () => seededUuid(random)
  const day = (daysAgo: number) => londonDay(new Date(opts.now.getTime() - daysAgo * 86_400_000))
  const at = (daysAgo: number) => new Date(opts.now.getTime() - daysAgo * 86_400_000)

  const areas = await db.query<{ id: string; name: string; districtId: string; districtName: string; lat: number | null; lng: number | null; postcode: string | null }>(
    `select a.id, a.name, d.id as "districtId", d.name as "districtName", a.centre_lat as lat, a.centre_lng as lng,
            (select p.display from postcodes p where p.neighbourhood_id = a.id order by p.postcode limit 1) as postcode
       from areas a join areas d on d.id = a.parent_id
      where a.kind = 'neighbourhood' and a.path like $1
      order by d.name, d.id, a.name, a.id`,
    [`/${DEMO_FORCE_ID}/%`],
  )
  if (!areas.length) return
  const home = areas[0]!
  // A few neighbourhoods (never the demo officer's) have no named contact.
  const noContact = new Set(shuffled(random, areas.slice(1).map(a => a.id)).slice(0, areas.length > 20 ? 3 : 2))

  const profiles: unknown[][] = []
  const members: unknown[][] = []
  const priorities: unknown[][] = []
  const updates: unknown[][] = []
  const locations: unknown[][] = []
  const usedNames = new Set<string>()
  const person = () => {
    for (;;) {
      const first = pick(random, FIRST_NAMES)
      const last = pick(random, SURNAMES)
      if (!usedNames.has(`${first} ${last}`)) {
        usedNames.add(`${first} ${last}`)
        return { first, last }
      }
    }
  }

  for (const area of areas) {
    const complete = area === home
    const slug = area.id
    profiles.push([
      area.id,
      `Welcome to the ${area.name} neighbourhood policing team. We work with residents, businesses and partners to keep ${area.name} safe, and we want to hear what matters to you.`,
      [
        `We hold a PACT (Police and Communities Together) meeting on the ${pick(random, ['first', 'second', 'third'])} ${pick(random, ['Tuesday', 'Wednesday', 'Thursday'])} of each month at ${pick(random, VENUES)}, 7pm to 8pm. Every other meeting is also online, so you can join from home.`,
        `Our PCSOs hold a street surgery ${pick(random, ['every Saturday morning', 'on Friday afternoons', 'on the first Monday of the month'])} at ${pick(random, PLACES)}. Drop in with any question, big or small.`,
        'We post updates and appeals on social media and in community alerts. Sign up to community alerts to hear from us by email or text message.',
      ].join('\n\n'),
      JSON.stringify({
        email: `${slug}.team@police.demo.beacon.example`,
        telephone: '101',
        facebook: `https://social.example/demo-shire-police-${slug}`,
        ...(complete ? { twitter: `https://microblog.example/DSP_${slug.replace(/-/g, '_')}`, web: `https://police.demo.beacon.example/${slug}` } : {}),
      }),
      JSON.stringify([
        { url: `https://council.example/${slug}/community-safety`, title: `${area.name} community safety partnership`, description: 'Your council’s community safety team' },
        ...(complete ? [{ url: `https://watch.example/${slug}`, title: `${area.name} Neighbourhood Watch`, description: 'Join or start a scheme in your street' }] : []),
      ]),
    ])

    // The team: a beat manager PC (the usual named contact), PCSOs and sometimes the sergeant.
    const size = complete ? 4 : randomInt(random, 2, 4)
    const roles = [
      { rank: 'Police Constable', prefix: 'PC', role: `Beat manager for ${area.name}` },
      { rank: 'Police Community Support Officer', prefix: 'PCSO', role: `PCSO for ${area.name}` },
      { rank: 'Police Community Support Officer', prefix: 'PCSO', role: `PCSO for ${area.name} and the surrounding villages` },
      { rank: 'Sergeant', prefix: 'Sgt', role: `Neighbourhood sergeant, ${area.districtName}` },
    ].slice(0, size)
    roles.forEach((r, i) => {
      const p = person()
      const name = `${r.prefix} ${p.first} ${p.last}`
      const named = i === 0 && !noContact.has(area.id)
      const photo = complete ? silhouettePng(PALETTE[i % PALETTE.length]!) : null
      members.push([
        uuid(),
        area.id,
        name,
        r.rank,
        r.role,
        (r.prefix === 'Sgt' ? SERGEANT_BIO : pick(random, BIOS)).replace('{name}', p.first).replace('{area}', area.name),
        `${p.first}.${p.last}@police.demo.beacon.example`.toLowerCase().replace(/['’]/g, ''),
        complete || random() < 0.3 ? `01632 960 ${String(randomInt(random, 100, 999))}` : null,
        named,
        (i + 1) * 10,
        photo,
        photo ? 'image/png' : null,
        photo ? `Illustration standing in for a photo of ${name}` : null,
      ])
    })

    // Priorities: the demo officer's are all current or recently resolved and reviewed on time;
    // elsewhere some are resolved and some have gone over three months without a review.
    const count = complete ? 3 : randomInt(random, 1, 3)
    const issues = shuffled(random, ISSUES).slice(0, count)
    issues.forEach((template, i) => {
      const id = uuid()
      const kind: 'fresh' | 'stale' | 'resolved' = complete ? (i === 2 ? 'resolved' : 'fresh') : pick(random, ['fresh', 'fresh', 'stale', 'resolved'] as const)
      const issueDaysAgo = kind === 'stale' ? randomInt(random, 200, 300) : kind === 'resolved' ? randomInt(random, 150, 250) : randomInt(random, 30, 120)
      const n = randomInt(random, 1, 3)
      // Action days, oldest first, spread between the issue date and a cut-off.
      const lastActionAgo = kind === 'stale' ? randomInt(random, 100, 140) : kind === 'resolved' ? randomInt(random, 10, 60) : randomInt(random, 3, 20)
      const actionDays = Array.from({ length: n }, (_, k) => Math.round(issueDaysAgo - ((issueDaysAgo - lastActionAgo) * (k + 1)) / n))
      const fill = (s: string) => s.replace('{street}', pick(random, STREETS)).replace('{place}', pick(random, PLACES)).replace('{area}', area.name).replace(/\{n\}/g, () => String(randomInt(random, 3, 40)))
      // The first action of several finds the priority still open; later ones move it on.
      const statuses: PriorityStatus[] = actionDays.map((_, k) =>
        k === n - 1 ? (kind === 'resolved' ? 'resolved' : k === 0 && random() < 0.4 ? 'open' : 'in_progress') : k === 0 ? 'open' : 'in_progress',
      )
      actionDays.forEach((ago, k) => {
        const closing = k === n - 1 && kind === 'resolved'
        updates.push([uuid(), id, fill(pick(random, closing ? CLOSING_ACTIONS : ACTIONS)), day(ago), statuses[k], at(ago)])
      })
      const status = statuses[n - 1]!
      const reviewedAgo = kind === 'stale' ? lastActionAgo : kind === 'resolved' ? lastActionAgo : Math.min(lastActionAgo, randomInt(random, 1, 30))
      priorities.push([id, area.id, fill(template), day(issueDaysAgo), status, at(reviewedAgo), kind === 'resolved' ? at(lastActionAgo) : null, at(issueDaysAgo)])
    })
  }

  // A police station in each district, and a front counter in every other district.
  const districts = [...new Map(areas.map(a => [a.districtId, areas.filter(x => x.districtId === a.districtId)])).values()]
  districts.forEach((members, d) => {
    const base = members[0]!
    const hours: OpeningHours[] = [
      { days: 'Monday to Friday', opens: '08:00', closes: '20:00', note: null },
      { days: 'Saturday', opens: '09:00', closes: '17:00', note: null },
      { days: 'Sunday and bank holidays', opens: null, closes: null, note: 'Closed: call 101' },
    ]
    if (base.lat != null && base.lng != null)
      locations.push([
        uuid(),
        base.districtId,
        `${base.name} Police Station`,
        'station',
        `${randomInt(random, 1, 90)} ${pick(random, STREETS)}, ${base.name}`,
        base.postcode,
        round6(base.lat + 0.003),
        round6(base.lng - 0.004),
        JSON.stringify(hours),
        'Front desk for reporting crime, lost and found property and producing documents. Step-free access and a hearing loop.',
      ])
    const other = members[1]
    if (d % 2 === 0 && other?.lat != null && other.lng != null)
      locations.push([
        uuid(),
        base.districtId,
        `${other.name} front counter`,
        'front_counter',
        `${other.name} Library, ${pick(random, STREETS)}, ${other.name}`,
        other.postcode,
        round6(other.lat - 0.002),
        round6(other.lng + 0.003),
        JSON.stringify([
          { days: 'Monday, Wednesday and Friday', opens: '10:00', closes: '14:00', note: null },
          { days: 'Tuesday, Thursday and weekends', opens: null, closes: null, note: 'Closed' },
        ] satisfies OpeningHours[]),
        'A police enquiry desk inside the library, staffed by PCSOs.',
      ])
  })

  const col = (rows: unknown[][], i: number) => rows.map(r => r[i])
  await db.transaction(async q => {
    await q(
      `insert into nbh_profiles (area_id, welcome_message, engagement, contact_details, links)
       select v.area_id, v.welcome, v.engagement, v.contact::jsonb, v.links::jsonb
         from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) as v(area_id, welcome, engagement, contact, links)
       on conflict (area_id) do nothing`,
      [0, 1, 2, 3, 4].map(i => col(profiles, i)),
    )
    // Photos go in one array of bytea; PGlite and pg both take Buffers in a bytea[].
    await q(
      `insert into nbh_team_members (id, area_id, name, rank, role, bio, email, telephone, is_named_contact, sort_order, photo, photo_type, photo_alt)
       select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::boolean[],
                            $10::int[], $11::bytea[], $12::text[], $13::text[])
       on conflict do nothing`,
      Array.from({ length: 13 }, (_, i) => col(members, i)),
    )
    await q(
      `insert into nbh_priorities (id, area_id, issue, issue_date, status, last_reviewed_at, resolved_at, created_at, updated_at)
       select v.*, v.created_at from unnest($1::uuid[], $2::text[], $3::text[], $4::date[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::timestamptz[])
         as v(id, area_id, issue, issue_date, status, last_reviewed_at, resolved_at, created_at)
       on conflict do nothing`,
      Array.from({ length: 8 }, (_, i) => col(priorities, i)),
    )
    await q(
      `insert into nbh_priority_updates (id, priority_id, action, action_date, status, created_at)
       select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::date[], $5::text[], $6::timestamptz[])
       on conflict do nothing`,
      Array.from({ length: 6 }, (_, i) => col(updates, i)),
    )
    await q(
      `insert into nbh_locations (id, area_id, name, type, address, postcode, lat, lng, opening_hours, description)
       select v.id, v.area_id, v.name, v.type, v.address, v.postcode, v.lat, v.lng, v.hours::jsonb, v.description
         from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::float8[], $9::text[], $10::text[])
           as v(id, area_id, name, type, address, postcode, lat, lng, hours, description)
       on conflict do nothing`,
      Array.from({ length: 10 }, (_, i) => col(locations, i)),
    )
  })
}

/** A v4-shaped UUID from the seeded generator, so demo ids repeat for a seed. */
function seededUuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16))
  hex[12] = '4'
  hex[16] = '89ab'[Math.floor(random() * 4)]!
  const s = hex.join('')
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`
}

const round6 = (v: number) => Math.round(v * 1e6) / 1e6

const PALETTE: [number, number, number][] = [
  [29, 112, 184],
  [0, 112, 60],
  [77, 41, 117],
  [212, 53, 28],
]

/**
 * A 96×96 PNG of a head-and-shoulders silhouette on a coloured ground: a stand-in for a
 * photo that is obviously not of a real person, made here so the demo ships no image files.
 */
export function silhouettePng([r, g, b]: [number, number, number]): Buffer {
  const size = 96
  const raw = Buffer.alloc((size * 3 + 1) * size)
  for (let y = 0; y < size; y++) {
    const row = y * (size * 3 + 1)
    raw[row] = 0
    for (let x = 0; x < size; x++) {
      const head = (x - 48) ** 2 + (y - 36) ** 2 <= 17 ** 2
      const shoulders = ((x - 48) / 36) ** 2 + ((y - 98) / 36) ** 2 <= 1
      const fg = head || shoulders
      const i = row + 1 + x * 3
      raw[i] = fg ? 243 : r
      raw[i + 1] = fg ? 242 : g
      raw[i + 2] = fg ? 241 : b
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length)
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(body) >>> 0)
    return Buffer.concat([len, body, crc])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(size, 0)
  ihdr.writeUInt32BE(size, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 2 // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

const FIRST_NAMES = ['Amira', 'Ben', 'Chloe', 'Dev', 'Ellie', 'Faisal', 'Grace', 'Harry', 'Imran', 'Jess', 'Kieran', 'Leah', 'Marcus', 'Nadia', 'Owen', 'Priya',
  'Rhys', 'Sana', 'Tom', 'Una', 'Vikram', 'Wendy', 'Yusuf', 'Zoe', 'Aled', 'Bethan', 'Callum', 'Darcy', 'Ethan', 'Freya', 'Gareth', 'Hollie', 'Isaac', 'Joanne']
const SURNAMES = ['Ahmed', 'Bennett', 'Clarke', 'Davies', 'Evans', 'Foster', 'Green', 'Hughes', 'Iqbal', 'Jones', 'Khan', 'Lewis', 'Morgan', 'Nolan', 'O’Brien',
  'Patel', 'Quinn', 'Roberts', 'Shaw', 'Taylor', 'Underwood', 'Varley', 'Walsh', 'Young', 'Ashworth', 'Barker', 'Crossley', 'Dawson', 'Holt', 'Sutcliffe']
const STREETS = ['Mill Lane', 'Station Road', 'Church Street', 'High Street', 'Moor Road', 'Chapel Lane', 'Victoria Road', 'Bridge Street', 'Park Avenue',
  'School Lane', 'Canal Street', 'Market Place']
const PLACES = ['the recreation ground', 'the park by the library', 'the bus station', 'the shopping parade', 'the canal towpath', 'the skate park',
  'the community centre', 'the railway station car park']
const VENUES = ['the community centre', 'the library', 'St Mary’s church hall', 'the Methodist hall', 'the village hall', 'the leisure centre']
const ISSUES = [
  'Speeding vehicles on {street}',
  'Anti-social behaviour at {place} in the evenings',
  'Burglaries from sheds and garages around {street}',
  'Drug dealing near {place}',
  'Inconsiderate parking outside the school on {street}',
  'Off-road motorbikes on {place}',
  'Theft from vehicles parked on {street}',
  'Shoplifting and abuse of staff at the shops on {street}',
]
const ACTIONS = [
  'Speed checks with Community Speed Watch volunteers: {n} drivers sent warning letters.',
  'Extra evening patrols by the team; {n} young people spoken to and parents contacted.',
  'Crime prevention stall at {place}: free shed alarms and property marking for {n} residents.',
  'Worked with the council to improve lighting and cut back hedges at {place}.',
  'Leaflets with crime prevention advice delivered to {n} homes.',
  'Warrant executed on {street}; {n} grams of cannabis seized and one arrest.',
  'Discussed at the PACT meeting: residents report fewer problems since the patrols started.',
  'Joint visit with the school and the council’s parking team at pick-up time.',
]
const CLOSING_ACTIONS = [
  'Reports have fallen from {n} a month to one over the last quarter, so the priority is closed. Tell us if it starts again.',
  'Two people charged and the problem has stopped; agreed at the PACT meeting to close this priority.',
  'Traffic calming installed by the council and speeds are now within the limit. Priority closed.',
]
const BIOS = [
  '{name} has worked in {area} for six years and knows most of the shopkeepers by name. Ask about the bike marking scheme.',
  '{name} joined the neighbourhood team after ten years in response policing and leads on road safety.',
  '{name} grew up nearby and runs the youth football sessions at the community centre.',
  '{name} looks after rural crime and farm watch across the villages.',
]
const SERGEANT_BIO = '{name} leads the team and chairs the PACT meetings.'
