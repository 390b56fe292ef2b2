import { describe, expect, it } from 'vitest'
import { RESPONSE_TARGET_HOURS, responseClock } from './response-clock.ts'

const H = 3_600_000
const t0 = new Date('2026-03-02T09:00:00Z')
const at = (hours: number) => new Date(t0.getTime() + hours * H)

describe('the 72-hour response clock', () => {
  it('counts whole hours and what is left while waiting', () => {
    expect(RESPONSE_TARGET_HOURS).toBe(72)
    expect(responseClock({ createdAt: t0 }, at(0.5))).toMatchObject({ hours: 0, hoursLeft: 72, overdue: false, stopped: false, text: 'Under an hour (72 left)' })
    expect(responseClock({ createdAt: t0 }, at(5.9))).toMatchObject({ hours: 5, hoursLeft: 67, text: '5 hours (67 left)', tagClass: 'govuk-tag--grey' })
    expect(responseClock({ createdAt: t0 }, at(1))).toMatchObject({ text: '1 hour (71 left)' })
  })

  it('flags the last 12 hours, then shows overdue clearly', () => {
    expect(responseClock({ createdAt: t0 }, at(60))).toMatchObject({ hoursLeft: 12, tagClass: 'govuk-tag--yellow', overdue: false })
    // Exactly 72 hours is still on time; a moment later is overdue.
    expect(responseClock({ createdAt: t0 }, at(72))).toMatchObject({ overdue: false, text: '72 hours (0 left)' })
    expect(responseClock({ createdAt: t0 }, at(72.2))).toMatchObject({ overdue: true, text: 'Overdue by under an hour', tagClass: 'govuk-tag--red' })
    expect(responseClock({ createdAt: t0 }, at(75.5))).toMatchObject({ overdue: true, hours: 75, hoursLeft: -3, text: 'Overdue by 3 hours' })
  })

  it('stops at the first reply, so a late answer stays late', () => {
    const onTime = responseClock({ createdAt: t0, firstReplyAt: at(4.5) }, at(500))
    expect(onTime).toMatchObject({ hours: 4, stopped: true, overdue: false, text: 'Replied in 4 hours', tagClass: 'govuk-tag--green' })
    const late = responseClock({ createdAt: t0, firstReplyAt: at(80) }, at(500))
    expect(late).toMatchObject({ hours: 80, stopped: true, overdue: true, text: 'Replied in 80 hours (late)', tagClass: 'govuk-tag--orange' })
    expect(responseClock({ createdAt: t0, firstReplyAt: at(0.2) }, at(1)).text).toBe('Replied in under an hour')
    // A reply beats a later close.
    expect(responseClock({ createdAt: t0, firstReplyAt: at(2), closedAt: at(90) }, at(100)).text).toBe('Replied in 2 hours')
  })

  it('stops when closed without a reply', () => {
    expect(responseClock({ createdAt: t0, closedAt: at(3) }, at(100))).toMatchObject({ stopped: true, overdue: false, text: 'Closed without a reply in 3 hours' })
    expect(responseClock({ createdAt: t0, closedAt: at(100) }, at(200))).toMatchObject({ stopped: true, overdue: true, text: 'Closed without a reply in 100 hours (late)' })
  })

  it('never counts backwards for a clock a little ahead', () => {
    expect(responseClock({ createdAt: at(1) }, t0)).toMatchObject({ hours: 0, overdue: false })
  })
})
