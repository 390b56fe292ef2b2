import { describe, expect, it } from 'vitest'
import { testConfig } from '../../config.ts'
import { verifyLink, verifyShortManage } from './links.ts'
import { NO_WELSH_VERSION, pickTranslation, renderDigestEmail, renderDigestSms, renderEmail, renderSms } from './render.ts'

const config = testConfig({ BASE_URL: 'https://beacon.example' })
const who = { id: '8d0c1b7e-0000-4000-8000-000000000001', linkVersion: 3, email: 'sam@example.org', phone: '+447700900123' }
const message = {
  id: '5f0c1b7e-0000-4000-8000-000000000009',
  title: 'Sheds broken into',
  bodyMarkdown: 'Three sheds were **forced** last night.\n\n- Lock up\n- [Report it](https://www.example.police.uk/report)',
  organisation: 'force' as const,
  allowReplies: true,
  priority: 'normal' as const,
  smsText: 'Sheds broken into in Ashby. Please lock up.',
}

const tokenIn = (url: string) => url.split('/').pop()!

describe('rendering a message for a resident', () => {
  it('makes an email with text, accessible HTML and RFC 8058 one-click unsubscribe', () => {
    const email = renderEmail(config, message, null, who)
    expect(email.to).toBe('sam@example.org')
    expect(email.subject).toBe('Sheds broken into')
    expect(email.text).toContain('Three sheds were forced last night.')
    expect(email.text).toContain('- Report it (https://www.example.police.uk/report)')
    expect(email.text).toContain(`From ${config.brand.forceName}`)
    expect(email.html).toContain('<html lang="en">')
    expect(email.html).toContain('<h1 style="margin:0 0 20px 0;font-size:32px;line-height:1.1;">Sheds broken into</h1>')
    expect(email.html).toContain('<strong>forced</strong>')
    expect(email.headers!['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click')
    const unsubscribe = /^<(https:\/\/beacon\.example\/alerts\/unsubscribe\/[^>]+)>$/.exec(email.headers!['List-Unsubscribe']!)![1]!
    const claims = verifyLink(config, tokenIn(unsubscribe), 'unsubscribe')
    expect(claims).toMatchObject({ ok: true, claims: { subscriberId: who.id, linkVersion: 3, messageId: message.id, channel: 'email' } })
    const reply = /https:\/\/beacon\.example\/alerts\/reply\/[\w.-]+/.exec(email.text)![0]
    expect(verifyLink(config, tokenIn(reply), 'reply')).toMatchObject({ ok: true, claims: { messageId: message.id } })
    expect(email.text).toMatch(/Was this message useful\? https:\/\/beacon\.example\/alerts\/feedback\//)
    expect(email.text).toMatch(/Change what you get or where: https:\/\/beacon\.example\/alerts\/manage\//)
  })

  it('leaves out the reply link when replies are off, and marks emergencies', () => {
    const email = renderEmail(config, { ...message, allowReplies: false, priority: 'emergency' }, null, who)
    expect(email.text).not.toContain('/alerts/reply/')
    expect(email.html).not.toContain('/alerts/reply/')
    expect(email.subject).toBe('Emergency message: Sheds broken into')
  })

  it('sends the translation, with the footer in Welsh for a Welsh translation', () => {
    const cy = { language: 'cy', title: 'Siediau wedi’u torri i mewn', bodyMarkdown: 'Cloiwch eich sied.', smsText: 'Cloiwch eich sied.' }
    const email = renderEmail(config, message, cy, who)
    expect(email.subject).toBe('Siediau wedi’u torri i mewn')
    expect(email.html).toContain('<html lang="cy">')
    expect(email.text).toContain('Dad-danysgrifio')
    expect(renderSms(config, message, cy, who).text).toMatch(/^Cloiwch eich sied\.\nRheoli neu stopio: https:/)
  })

  it('puts Beacon’s own words in the resident’s language even when the message has no Welsh version', () => {
    const email = renderEmail(config, message, null, { ...who, language: 'cy' })
    expect(email.html).toContain('<html lang="cy">')
    // The English message is marked as English inside the Welsh email, and the resident is told why.
    expect(email.html).toContain('<div lang="en">')
    expect(email.text.startsWith(`${NO_WELSH_VERSION}\n\nSheds broken into`)).toBe(true)
    expect(email.text).toContain('Oddi wrth Demo Shire Police')
    expect(email.text).toMatch(/Newid beth a gewch chi, neu ar gyfer ble: https:\/\/beacon\.example\/alerts\/manage\//)
    expect(email.text).toMatch(/Dad-danysgrifio: https:/)
    expect(renderSms(config, message, null, { ...who, language: 'cy' }).text).toMatch(/\nRheoli neu stopio: https:/)
    // The PCC's office has a Welsh name.
    expect(renderEmail(config, { ...message, organisation: 'opcc' }, null, { ...who, language: 'cy' }).html).toContain('Swyddfa’r Comisiynydd Heddlu a Throseddu')
    // An English speaker with a Polish translation: English footer, the body marked as Polish.
    const pl = renderEmail(config, message, { language: 'pl', title: 'Szopy', bodyMarkdown: 'Zamknij szopę.' }, { ...who, language: 'pl' })
    expect(pl.html).toContain('<html lang="en">')
    expect(pl.html).toContain('<div lang="pl">')
    expect(pl.text).not.toContain(NO_WELSH_VERSION)
  })

  it('makes digests in the resident’s language, marking messages with no Welsh version', () => {
    const d = { id: 'd1', subscriberId: who.id, linkVersion: 3, email: who.email, phone: who.phone, language: 'cy', frequency: 'weekly' as const }
    const entries = [
      { messageId: 'm1', title: 'Sheds', bodyMarkdown: 'Lock **up**.', isPublic: true, translated: { title: 'Siediau', bodyMarkdown: 'Cloiwch.' } },
      { messageId: 'm2', title: 'Bikes', bodyMarkdown: 'Mark them.', isPublic: false, translated: null },
    ]
    const cy = renderDigestEmail(config, d, entries)
    expect(cy.subject).toBe('Eich crynodeb wythnosol: 2 neges gan Beacon')
    expect(cy.html).toContain('<html lang="cy">')
    expect(cy.html).toContain('<h2 style="font-size:21px;margin:24px 0 8px 0;"><a href="https://beacon.example/messages/m1" style="color:#1d70b8;">Siediau</a></h2>')
    expect(cy.html).toMatch(/<h2[^>]* lang="en"><a href="https:\/\/beacon\.example\/alerts\/manage\/[^"]+"[^>]*>Bikes<\/a><\/h2><p[^>]*>Saesneg yn unig<\/p>/)
    expect(cy.text).toContain('Bikes (Saesneg yn unig)')
    expect(cy.html).toContain('Dad-danysgrifio</a>')
    expect(cy.headers!['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click')
    expect(cy.reference).toBe('digest-d1')
    const en = renderDigestEmail(config, { ...d, language: 'en', frequency: 'daily' }, entries.slice(0, 1))
    expect(en.subject).toBe('Your daily summary: 1 message from Beacon')
    expect(en.text).toContain('Here is the message sent to you since your last summary.')
    expect(en.html).toContain('Unsubscribe</a>')
    expect(renderDigestSms(config, d, 2).text).toMatch(/^Beacon: 2 neges newydd\. Darllenwch nhw a rheoli eich rhybuddion: https:\/\/beacon\.example\/alerts\/manage\//)
    expect(renderDigestSms(config, { ...d, language: null }, 1).text).toMatch(/^Beacon: 1 new message\. Read them/)
  })

  it('makes a text message with a short manage link, falling back to the title', () => {
    const sms = renderSms(config, message, null, who)
    expect(sms.to).toBe('+447700900123')
    const [text, line] = sms.text.split('\n')
    expect(text).toBe('Sheds broken into in Ashby. Please lock up.')
    // A short link keeps the text to as few parts as possible; it leads to the manage page.
    const link = line!.replace('Manage or stop: ', '')
    expect(link.length).toBeLessThan(60)
    expect(verifyShortManage(config, link.split('/a/')[1]!)).toEqual({ subscriberId: who.id, linkVersion: who.linkVersion })
    expect(renderSms(config, { ...message, smsText: null }, null, who).text.startsWith('Sheds broken into\n')).toBe(true)
  })

  it('picks the resident’s language, or the original for English and missing ones', () => {
    const ts = [{ language: 'cy', title: 'a', bodyMarkdown: 'b', smsText: null }, { language: 'pl', title: 'c', bodyMarkdown: 'd', smsText: null }]
    expect(pickTranslation(ts, 'cy')?.title).toBe('a')
    expect(pickTranslation(ts, 'pl')?.title).toBe('c')
    expect(pickTranslation(ts, 'en')).toBeNull()
    expect(pickTranslation(ts, 'ur')).toBeNull()
  })
})
