import { RESPONSE_TARGET_HOURS, responseClock as clock, type ResponseClock } from '../../platform/response-clock.ts'

/**
 * The Neighbourhood Policing Guarantee's 72 hours for answering a "contact your team" query,
 * counted by src/platform/response-clock.ts as the messaging inbox's `replyClock` is: the
 * clock stops at the first reply (by email or by phone), or when the query is closed without
 * one, so a late answer stays visibly late.
 */

export { RESPONSE_TARGET_HOURS, type ResponseClock } from '../../platform/response-clock.ts'

/** The query's clock against the target at `now`. */
export function responseClock(
  query: { createdAt: Date; firstReplyAt?: Date | null; closedAt?: Date | null },
  now: Date,
  targetHours = RESPONSE_TARGET_HOURS,
): ResponseClock {
  const stopped = query.firstReplyAt
    ? { at: query.firstReplyAt, verb: 'Replied' }
    : query.closedAt
      ? { at: query.closedAt, verb: 'Closed without a reply' }
      : null
  return clock({ since: query.createdAt, stopped }, now, { targetHours, openTagClass: 'govuk-tag--grey' })
}

/**
 * SQL that is true for a query of table alias `q` answered late at the moment `$n`: its first
 * reply came after the target, or it has none and the target passed before it was closed (or
 * before `$n`, if still open). The same rule as `responseClock(...).overdue`.
 */
export const lateSql = (q: string, n: number) =>
  `(coalesce(${q}.first_reply_at, ${q}.closed_at, $${n}::timestamptz) > ${q}.created_at + interval '${RESPONSE_TARGET_HOURS} hours')`
