/** Helpers for the events pages' tests: signed-in staff browsers and events dated from now. */
import { Browser, type TestApp } from '../../../../../../test/helpers.ts'
import { createTestStaff, signInAs } from '../../../../../platform/auth/testing.ts'
import type { Role } from '../../../../../platform/auth/schema.ts'
import type { EventFields } from '../../../events.service.ts'
import type { RecurrenceRule } from '../../../recurrence.ts'

export const HOUR = 3_600_000
export const DAY = 24 * HOUR

/** A browser signed in as a new member of staff with the given grants. */
export async function staffBrowser(t: TestApp, email: string, grants: [Role, string][]): Promise<{ browser: Browser; id: string }> {
  const id = await createTestStaff(t.services, email, grants)
  const browser = new Browser(t.app)
  await signInAs(browser, t.services, id)
  return { browser, id }
}

/** Adds an event through the service, starting `fromNowMs` from now and lasting 90 minutes. */
export async function addEvent(t: TestApp, areaId: string, fromNowMs: number, over: Partial<EventFields> = {}, rule: RecurrenceRule | null = null): Promise<string[]> {
  const startsAt = new Date(Math.floor((Date.now() + fromNowMs) / 60_000) * 60_000)
  const { ids } = await t.services.neighbourhoods.events.create({ userId: null, email: 'setup@example.org', ip: null }, areaId, {
    type: 'pact',
    title: 'Ashby North PACT meeting',
    description: 'Tell us what matters to you.',
    format: 'in_person',
    address: 'Ashby Library\nMarket Street\nAshby AB1 2CD',
    onlineUrl: null,
    onlinePlatform: null,
    startsAt,
    endsAt: new Date(startsAt.getTime() + 90 * 60_000),
    acceptsQuestions: true,
    ...over,
  }, rule)
  return ids
}

/** The text of the GOV.UK error summary on a page, or ''. */
export const errorSummary = (html: string) => /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? ''

/** Adds one one-off event (see addEvent) and answers its id. */
export async function addOne(t: TestApp, areaId: string, fromNowMs: number, over: Partial<EventFields> = {}): Promise<string> {
  return (await addEvent(t, areaId, fromNowMs, over))[0]!
}
