/**
 * The Neighbourhood Policing Guarantee's promise of an answer within 72 hours, as a clock on
 * anything a resident sent: a reply to a message (messaging inbox) or a "contact your team"
 * query (neighbourhoods). Hours are whole hours rounded down, as a person would count them;
 * the clock stops when the item is answered or otherwise dealt with, so a late answer stays
 * visibly late.
 */

/** Residents get an answer within 72 hours. */
export const RESPONSE_TARGET_HOURS = 72

/** Where an item stands against the target, for a tag in an inbox. */
export interface ResponseClock {
  /** whole hours since it arrived (until the clock stopped) */
  hours: number
  /** hours left before the target; negative once overdue */
  hoursLeft: number
  /** past the target (still open, or answered late) */
  overdue: boolean
  /** the clock stopped */
  stopped: boolean
  /** e.g. "5 hours (67 left)", "Overdue by 3 hours", "Answered in 4 hours", "Replied in 80 hours (late)" */
  text: string
  /** GOV.UK tag colour class */
  tagClass: string
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-GB')} ${word}${n === 1 ? '' : 's'}`

/**
 * The clock at `now` for an item that arrived at `since` and, if `stopped` is given, was
 * dealt with at `stopped.at` (described as `stopped.verb`, e.g. "Answered").
 */
export function responseClock(
  item: { since: Date; stopped?: { at: Date; verb: string } | null },
  now: Date,
  opts: { targetHours?: number; openTagClass?: string } = {},
): ResponseClock {
  const targetHours = opts.targetHours ?? RESPONSE_TARGET_HOURS
  const stopped = item.stopped ?? null
  const end = stopped?.at ?? now
  const elapsed = Math.max(0, end.getTime() - item.since.getTime())
  const hours = Math.floor(elapsed / 3_600_000)
  const hoursLeft = targetHours - hours
  const overdue = elapsed > targetHours * 3_600_000
  if (stopped)
    return {
      hours,
      hoursLeft,
      overdue,
      stopped: true,
      text: `${stopped.verb} in ${hours < 1 ? 'under an hour' : plural(hours, 'hour')}${overdue ? ' (late)' : ''}`,
      tagClass: overdue ? 'govuk-tag--orange' : 'govuk-tag--green',
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
    // The last 12 hours are flagged so nobody is surprised by an overdue item.
    tagClass: hoursLeft <= 12 ? 'govuk-tag--yellow' : (opts.openTagClass ?? ''),
  }
}
