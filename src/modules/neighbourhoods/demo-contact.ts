import { createHmac } from 'node:crypto'
import type { Services } from '../../services.ts'
import { pick, randomInt, seededRandom, shuffled } from '../../platform/geo/seeded-random.ts'
import { DEMO_FORCE_ID } from '../areas/demo.ts'
import { generateReference, type ContactTopic } from './contact.service.ts'

/**
 * Demo "contact your team" queries and "have your say" proposals:
 *
 * * in the demo officer's neighbourhood (the first of the first district, Aldbridge for the
 *   default seed): one query that arrived a few hours ago, one overdue (assigned to the officer,
 *   with a note), one answered in time; three open proposals with supports and one declined
 *   with the team's response;
 * * in a handful of other neighbourhoods: answered queries (some late), a few still waiting
 *   past 72 hours, and open proposals with supports.
 *
 * Deterministic for a seed, dated relative to `now`, one set-based insert per table. Ids come
 * from the seed, so running it again adds nothing.
 */
export async function loadDemoContact(services: Services, opts: { seed: number; now: Date }): Promise<void> {
  const { db } = services
  const now = opts.now
  const random = seededRandom(opts.seed ^ 0xc0417ac7)
  const uuid = () => seededUuid(random)
  const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000)
  const after = (d: Date, hours: number) => new Date(d.getTime() + hours * 3_600_000)
  const iso = (d: Date | null) => d?.toISOString() ?? null

  const areas = await db.query<{ id: string; name: string }>(
    `select a.id, a.name from areas a join areas d on d.id = a.parent_id
      where a.kind = 'neighbourhood' and a.path like $1
      order by d.name, d.id, a.name, a.id`,
    [`/${DEMO_FORCE_ID}/%`],
  )
  if (!areas.length) return
  const home = areas[0]!
  const staff = await db.query<{ id: string; email: string }>(`select id, email from staff_users where email like '%@demo.beacon.example'`)
  const officer = staff.find(s => s.email.startsWith('officer@'))?.id ?? null
  const lead = staff.find(s => s.email.startsWith('lead@'))?.id ?? null
  // Demo supporters are HMACs like real ones, but of ids no browser holds.
  const secret = services.config?.sessionSecret ?? 'beacon-demo'
  const supporterKey = (n: number) => createHmac('sha256', `${secret}:beacon-proposal-supporter`).update(`demo-${opts.seed}-${n}`).digest('base64url')

  const queries: unknown[][] = []
  const replies: unknown[][] = []
  const addQuery = (q: {
    areaId: string
    topic: ContactTopic
    message: string
    name: string | null
    replyBy: 'email' | 'phone'
    email: string | null
    phone: string | null
    createdAt: Date
    assignedTo?: string | null
    firstReplyAt?: Date | null
    closedAt?: Date | null
  }): string => {
    const id = uuid()
    const status = q.closedAt ? 'closed' : q.firstReplyAt ? 'replied' : q.assignedTo ? 'assigned' : 'new'
    const reference = generateReference(n => Math.floor(random() * n))
    const updatedAt = q.closedAt ?? q.firstReplyAt ?? q.createdAt
    queries.push([
      id,
      reference,
      q.areaId,
      q.topic,
      q.message,
      q.name,
      q.replyBy,
      q.email,
      q.phone,
      status,
      q.assignedTo ?? null,
      iso(q.firstReplyAt ?? null),
      iso(q.closedAt ?? null),
      iso(q.createdAt),
      iso(updatedAt),
    ])
    return id
  }
  const addReply = (queryId: string, kind: 'reply' | 'note', body: string, sentBy: string | null, at: Date) =>
    replies.push([uuid(), queryId, body, kind, sentBy, iso(at)])

  // The demo officer's neighbourhood: new, overdue and answered.
  addQuery({
    areaId: home.id,
    topic: 'local_problem',
    message: `A car has been left on the verge on Mill Lane in ${home.name} for three weeks. It has a flat tyre and no tax disc. Could someone take a look?`,
    name: 'Jo Bright',
    replyBy: 'email',
    email: 'jo.bright@example.com',
    phone: null,
    createdAt: hoursAgo(5),
  })
  const overdue = addQuery({
    areaId: home.id,
    topic: 'question',
    message: 'Are you holding a surgery at the library this month? My mother would like to talk to someone about the cold callers on our road.',
    name: 'Mr A. Patel',
    replyBy: 'phone',
    email: null,
    phone: '+441632960123',
    createdAt: hoursAgo(90),
    assignedTo: officer,
  })
  addReply(overdue, 'note', 'Phoned back, no answer. Will try again tomorrow.', officer, hoursAgo(40))
  const answeredAt = hoursAgo(10 * 24 - 20)
  const answered = addQuery({
    areaId: home.id,
    topic: 'feedback',
    message: 'Thank you for coming to talk to the residents’ association last week. People really appreciated it. Will you come again in the spring?',
    name: 'Kath Ellis',
    replyBy: 'email',
    email: 'kath.ellis@example.org',
    phone: null,
    createdAt: hoursAgo(10 * 24),
    assignedTo: officer,
    firstReplyAt: answeredAt,
  })
  addReply(answered, 'reply', 'Thank you for your kind words. We would be glad to come again: we will be in touch with your chair to find a date in the spring.', officer, answeredAt)

  // Elsewhere: answered (some late), and a few still waiting past 72 hours.
  const MESSAGES: [ContactTopic, string][] = [
    ['local_problem', 'Motorbikes are being ridden across the playing field most evenings. It is only a matter of time before a child is hurt.'],
    ['local_problem', 'Someone keeps dumping rubbish bags in the lane behind the chip shop.'],
    ['question', 'How do I join the online PACT meeting? I cannot get to the village hall in the evenings.'],
    ['question', 'Can I get a property marking kit for my bike and my son’s?'],
    ['meeting', 'Could the next meeting talk about parking outside the primary school at home time?'],
    ['feedback', 'The PCSO who helped my dad after his fall last month was wonderful. Please pass on our thanks.'],
    ['other', 'Is the police station front counter still open on Saturdays?'],
  ]
  const NAMES = ['Sam Okafor', 'Chris Doyle', 'Aisha Rahman', 'Pat Wilson', null, 'Morgan Lee', null, 'Ellis Clarke']
  const elsewhere = shuffled(random, areas.slice(1)).slice(0, Math.min(8, areas.length - 1))
  elsewhere.forEach((area, i) => {
    const n = randomInt(random, 1, 3)
    for (let k = 0; k < n; k++) {
      const [topic, message] = pick(random, MESSAGES)
      const name = pick(random, NAMES)
      const byPhone = random() < 0.3
      const email = byPhone ? null : `resident${i}${k}@example.org`
      const phone = byPhone ? `+4477009001${String(10 + i * 3 + k).padStart(2, '0')}` : null
      const createdAt = hoursAgo(randomInt(random, 4, 80) * 24 + randomInt(random, 0, 23))
      // Every other neighbourhood answered its first query late; a third query, and every
      // fourth neighbourhood's first, are still waiting past 72 hours.
      const waiting = k === 2 || (i % 4 === 3 && k === 0)
      if (waiting) {
        addQuery({ areaId: area.id, topic, message, name, replyBy: byPhone ? 'phone' : 'email', email, phone, createdAt: hoursAgo(randomInt(random, 80, 200)) })
        continue
      }
      const late = i % 2 === 0 && k === 0
      const firstReplyAt = after(createdAt, late ? randomInt(random, 76, 160) : randomInt(random, 2, 60))
      if (firstReplyAt > now) {
        addQuery({ areaId: area.id, topic, message, name, replyBy: byPhone ? 'phone' : 'email', email, phone, createdAt })
        continue
      }
      const closedAt = random() < 0.5 ? after(firstReplyAt, randomInt(random, 1, 48)) : null
      const id = addQuery({
        areaId: area.id,
        topic,
        message,
        name,
        replyBy: byPhone ? 'phone' : 'email',
        email,
        phone,
        createdAt,
        assignedTo: lead,
        firstReplyAt,
        closedAt: closedAt && closedAt <= now ? closedAt : null,
      })
      if (byPhone) addReply(id, 'note', 'Replied by phone: talked it through and gave crime prevention advice.', lead, firstReplyAt)
      else addReply(id, 'reply', `Thank you for getting in touch with the ${area.name} team. We have looked into this and will keep an eye on it on our patrols.`, lead, firstReplyAt)
    }
  })

  // Proposals: Aldbridge's (three open, one declined), then a few elsewhere.
  const proposals: unknown[][] = []
  const supports: unknown[][] = []
  let supporter = 0
  const addProposal = (p: { areaId: string; issue: string; details: string | null; supporters: number; createdAt: Date; response?: string; decidedAt?: Date }) => {
    const id = uuid()
    proposals.push([id, p.areaId, p.issue, p.details, p.response ? 'declined' : 'open', p.response ?? null, iso(p.createdAt), iso(p.decidedAt ?? p.createdAt)])
    for (let s = 0; s < p.supporters; s++) {
      const at = new Date(p.createdAt.getTime() + (s === 0 ? 0 : random() * Math.max(0, (p.decidedAt ?? now).getTime() - p.createdAt.getTime())))
      supports.push([id, supporterKey(supporter++), iso(at)])
    }
  }
  addProposal({
    areaId: home.id,
    issue: 'Speeding through the village at night',
    details: 'Cars race along the main road after 10pm, especially at weekends. There is no pavement on the stretch by the church.',
    supporters: 9,
    createdAt: hoursAgo(24 * 26),
  })
  addProposal({
    areaId: home.id,
    issue: 'Fly-tipping behind the shops on the High Street',
    details: null,
    supporters: 5,
    createdAt: hoursAgo(24 * 12),
  })
  addProposal({
    areaId: home.id,
    issue: 'Cars parked on the pavement outside the primary school',
    details: 'At drop-off and pick-up, parents with buggies have to walk in the road.',
    supporters: 2,
    createdAt: hoursAgo(24 * 3),
  })
  addProposal({
    areaId: home.id,
    issue: 'Speed cameras on every road in the village',
    details: null,
    supporters: 3,
    createdAt: hoursAgo(24 * 60),
    decidedAt: hoursAgo(24 * 35),
    response:
      'Fixed speed cameras are a matter for the council and the road safety partnership, so we have passed your proposal to them. We will keep running speed checks with Community Speedwatch volunteers.',
  })
  const ISSUES: [string, string | null][] = [
    ['Anti-social behaviour in the park after dark', 'Groups gather by the skate ramp and there has been some damage to the benches.'],
    ['Bike thefts at the railway station', 'Three bikes stolen from the racks this month, even with good locks.'],
    ['Drug dealing near the bus station', null],
    ['Nuisance parking on Station Road', 'Vans parked on the double yellow lines block the view at the junction.'],
    ['Cold callers targeting older residents', null],
    ['Off-road bikes on the bridleway', 'Every Sunday morning. Walkers and horse riders have been frightened.'],
  ]
  for (const area of shuffled(random, areas.slice(1)).slice(0, Math.min(6, areas.length - 1))) {
    for (const [issue, details] of shuffled(random, ISSUES).slice(0, randomInt(random, 1, 3)))
      addProposal({ areaId: area.id, issue, details, supporters: randomInt(random, 1, 12), createdAt: hoursAgo(randomInt(random, 1, 60) * 24) })
  }

  const columns = <T,>(rows: unknown[][], i: number) => rows.map(r => r[i]) as T[]
  const cols = (rows: unknown[][], n: number) => Array.from({ length: n }, (_, i) => columns(rows, i))

  await db.query(
    `insert into nbh_contact_queries (id, reference, area_id, topic, message, name, reply_by, email, phone, status, assigned_to, first_reply_at, closed_at, created_at, updated_at)
     select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                          $11::uuid[], $12::timestamptz[], $13::timestamptz[], $14::timestamptz[], $15::timestamptz[])
     on conflict do nothing`,
    cols(queries, 15),
  )
  await db.query(
    `insert into nbh_contact_replies (id, query_id, body, kind, sent_by, created_at)
     select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::timestamptz[])
     on conflict do nothing`,
    cols(replies, 6),
  )
  await db.query(
    `insert into nbh_proposals (id, area_id, issue, details, status, response, created_at, updated_at)
     select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[])
     on conflict do nothing`,
    cols(proposals, 8),
  )
  await db.query(
    `insert into nbh_proposal_supports (proposal_id, supporter_key, created_at)
     select * from unnest($1::uuid[], $2::text[], $3::timestamptz[])
     on conflict do nothing`,
    cols(supports, 3),
  )
}

/** A version-4-shaped uuid from the seeded generator, so demo ids are the same every run. */
function seededUuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16))
  hex[12] = '4'
  hex[16] = ((Math.floor(random() * 4) + 8) as number).toString(16)
  return `${hex.slice(0, 8).join('')}-${hex.slice(8, 12).join('')}-${hex.slice(12, 16).join('')}-${hex.slice(16, 20).join('')}-${hex.slice(20).join('')}`
}
