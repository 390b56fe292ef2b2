import { describe, expect, it } from 'vitest'
import { testConfig } from '../../../config.ts'
import { renderEmail } from '../render.ts'
import { buildEmailTemplate, createEmailTemplates, fillEmailTemplate } from './email-template.ts'
import type { DeliveryRef } from '../delivery-ref.ts'

const config = testConfig({ BASE_URL: 'https://beacon.example' })
const base = {
  id: '5f0c1b7e-0000-4000-8000-000000000009',
  title: 'Sheds broken into',
  bodyMarkdown:
    'Three sheds were **forced** last night.\n\n- Lock up\n- [Report it](https://www.example.police.uk/report?a=1&b=2)\n\n' +
    'Again: [the same page](https://www.example.police.uk/report?a=1&b=2), [call us](tel:101) or [email](mailto:team@police.example).',
  organisation: 'force' as const,
  allowReplies: true,
  priority: 'normal' as const,
}
const residents = [
  { id: '8d0c1b7e-0000-4000-8000-000000000001', linkVersion: 3, email: 'sam@example.org' },
  { id: 'f3a9c2d1-1111-4abc-9def-0123456789ab', linkVersion: 12, email: 'o’brien+alerts@example.co.uk' },
]
/** A delivery of message number `messageRef` to this resident by email. */
const deliveryOf = (who: { id: string }, messageRef: number): DeliveryRef => ({ messageRef: String(messageRef), subscriberId: who.id, channel: 'email' })

describe('email templates (render once, fill in each resident)', () => {
  const cases = [
    ['a normal message', base, null],
    ['an emergency without replies', { ...base, priority: 'emergency' as const, allowReplies: false }, null],
    ['from the PCC, no links in the body', { ...base, organisation: 'opcc' as const, bodyMarkdown: 'Plain words only.' }, null],
    ['in Welsh', base, { language: 'cy', title: 'Siediau wedi’u torri', bodyMarkdown: 'Mae [mwy yma](https://www.example.police.uk/cy).' }],
  ] as const

  it.each(cases)('gives exactly what renderEmail gives: %s', (_name, message, translation) => {
    const template = buildEmailTemplate(config, message, translation)
    expect(template).not.toBeNull()
    for (const [i, who] of residents.entries()) {
      const delivery = deliveryOf(who, 1000 + i)
      expect(fillEmailTemplate(config, template!, message.id, who, delivery)).toEqual(renderEmail(config, message, translation, who, { delivery }))
    }
  })

  it('follows the resident’s language for Beacon’s own words, even without a translation', () => {
    const templates = createEmailTemplates(config)
    const english = { ...residents[0]!, language: 'en' }
    const welsh = { ...residents[1]!, language: 'cy' }
    const cy = templates.render(base, null, welsh, deliveryOf(welsh, 9))
    expect(cy).toEqual(renderEmail(config, base, null, welsh, { delivery: deliveryOf(welsh, 9) }))
    expect(cy.html).toContain('lang="cy"')
    // The English resident's email, rendered after the Welsh one, is not given the Welsh template.
    const en = templates.render(base, null, english, deliveryOf(english, 10))
    expect(en).toEqual(renderEmail(config, base, null, english, { delivery: deliveryOf(english, 10) }))
    expect(en.html).toContain('lang="en"')
  })

  it('keeps one template per message and language, and renders in full when there is none', () => {
    const templates = createEmailTemplates(config)
    const who = residents[0]!
    expect(templates.render(base, null, who, deliveryOf(who, 7))).toEqual(renderEmail(config, base, null, who, { delivery: deliveryOf(who, 7) }))
    // A message whose text contains a resident-specific value the template cannot know about
    // (here: a body that happens to contain the probe's address) still comes out right.
    const odd = { ...base, id: '5f0c1b7e-0000-4000-8000-00000000000a', bodyMarkdown: 'Write to probe-a@probe.invalid.' }
    expect(templates.render(odd, null, who, deliveryOf(who, 8))).toEqual(renderEmail(config, odd, null, who, { delivery: deliveryOf(who, 8) }))
  })
})
