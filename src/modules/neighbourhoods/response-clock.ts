/**
 * The Neighbourhood Policing Guarantee's 72 hours for answering a "contact your team" query,
 * with the same counting as the messaging inbox's `replyClock`: whole hours rounded down, as a
 * person would count them; the clock stops at the first reply (by email or by phone), or when
 * the query is closed without one, so a late answer stays visibly late.
 */

/** Residents get an answer within 72 hours. */
export const RESPONSE_TARGET_HOURS = 72

/** Where a query stands against the 72-hour target, for a tag in the inbox. */
export interface ResponseClock {
  /** whole hours since it arrived (until the clock stopped) */
  hours: number
  /** hours left before the target; negative once overdue */
  hoursLeft: number
  /** past the target (still open, or answered late) */
  overdue: boolean
  /** the clock stopped: replied to, or closed */
  stopped: boolean
  /** e.g. "5 hours (67 left)", "Overdue by 3 hours", "Replied in 4 hours", "Replied in 80 hours (late)" */
  text: string
  /** GOV.UK tag colour class */
  tagClass: string
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-GB')} ${word}${n === 1 ? '' : 's'}`

/** The query's clock against the target at `now`. */
export function responseClock(
  query: { createdAt: Date; firstReplyAt?: Date | null; closedAt?: Date | null },
  now: Date,
  targetHours = RESPONSE_TARGET_HOURS,
): ResponseClock {
  const stoppedAt = query.firstReplyAt ?? query.closedAt ?? null
  const end = stoppedAt ?? now
  const elapsed = Math.max(0, end.getTime() - query.createdAt.getTime())
  const hours = Math.floor(elapsed / 3_600_000)
  const hoursLeft = targetHours - hours
  const overdue = elapsed > targetHours * 3_600_000
  if (stoppedAt) {
    const verb = query.firstReplyAt ? 'Replied' : 'Closed without a reply'
    return {
      hours,
      hoursLeft,
      overdue,
      stopped: true,
      text: `${verb} in ${hours < 1 ? 'under an hour' : plural(hours, 'hour')}${overdue ? ' (late)' : ''}`,
      tagClass: overdue ? 'govuk-tag--orange' : 'govuk-tag--green',
    }
  }
  if (overdue)
    return {
      hours,
      hoursLeft,
      overdue,
      stopped: false,
      text: hours - targetHours < 1 ? 'Overdue by under an hour' : `Overdue by ${plural(hours - targetHours, 'hour')}`,
      tagClass: 'govuk-tag--red',
    }
  return {
    hours,
    hoursLeft,
    overdue,
    stopped: false,
    text: `${hours < 1 ? 'Under an hour' : plural(hours, 'hour')} (${hoursLeft} left)`,
    // The last 12 hours are flagged so nobody is surprised by an overdue query.
    tagClass: hoursLeft <= 12 ? 'govuk-tag--yellow' : 'govuk-tag--grey',
  }
}

/**
 * SQL that is true for a query of table alias `q` answered late at the moment `$n`: its first
 * reply came after the target, or it has none and the target passed before it was closed (or
 * before `$n`, if still open). The same rule as `responseClock(...).overdue`.
 */
export const lateSql = (q: string, n: number) =>
  `(coalesce(${q}.first_reply_at, ${q}.closed_at, $${n}::timestamptz) > ${q}.created_at + interval '${RESPONSE_TARGET_HOURS} hours')`
