import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Browser, createTestApp, type TestApp } from '../../../../../test/helpers.ts'
import { demoExamples, loadDemoArea } from '../../../areas/demo.ts'
import { signLink } from '../../links.ts'
import { checked, codeIn, duplicateIds, errorSummary, heading, lastMessageTo, linkIn, wordingsOn } from './testing.ts'
import { errorIn, PUBLIC_WORDS } from './words.ts'

const SEED = 2026
const ex = demoExamples(SEED)

/** Every English sentence of the resident pages (the words that differ from the Welsh). */
function englishSentences(): string[] {
  const out: string[] = []
  const walk = (en: unknown, cy: unknown) => {
    if (typeof en === 'string') {
      if (en !== cy && en.length >= 12 && !en.includes('%{')) out.push(en)
    } else if (Array.isArray(en)) en.forEach((v, i) => walk(v, (cy as unknown[])[i]))
    else if (en && typeof en === 'object') for (const [k, v] of Object.entries(en)) walk(v, (cy as Record<string, unknown>)[k])
  }
  walk(PUBLIC_WORDS.en, PUBLIC_WORDS.cy)
  return out
}
const ENGLISH = englishSentences()

/** English sentences of ours on a page that should be all Welsh (data such as place names aside). */
const englishOn = (html: string) => {
  // Text marked as English (the consent wording, which is recorded in English) is allowed.
  const text = html
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<(\w+)\b[^>]*\slang="en"[^>]*>[\s\S]*?<\/\1>/g, '').replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/\s+/g, ' ')
  return ENGLISH.filter(s => text.includes(s))
}

describe('the resident pages and messages in Welsh', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp()
    await loadDemoArea(t.db, SEED, t.services.areas)
  })
  afterAll(async () => t.close())

  it('has a Welsh word for every English one, and Welsh for the service’s error messages', () => {
    expect(ENGLISH.length).toBeGreaterThan(100)
    for (const message of [
      'Enter a full UK postcode, like DS1 1AA (you entered DS1 1A)',
      'We could not find the postcode DS99 9ZZ. Check it, or choose the neighbourhood from the list',
      'ZZ1 1ZZ is outside the Demo Shire Police area, so we cannot send you alerts for it',
      'Enter up to 5 other postcodes',
      'Select at least one interest',
      'Enter an email address or a UK mobile number, or both',
      'Select who may send you alerts: you need to agree to at least one',
      'That email address already gets alerts on another account',
      'Your reply must be 5,000 characters or fewer',
      'The code is 6 numbers, like 123456',
    ])
      expect(errorIn('cy', message), message).not.toBe(message)
    expect(errorIn('cy', 'ZZ1 1ZZ is outside the Demo Shire Police area, so we cannot send you alerts for it')).toBe(
      'Mae ZZ1 1ZZ y tu allan i ardal Demo Shire Police, felly ni allwn anfon rhybuddion atoch ar ei gyfer',
    )
    expect(errorIn('en', 'Select at least one interest')).toBe('Select at least one interest')
  })

  it('signs up in Welsh (?lang=cy): Welsh pages, Welsh errors, and Welsh confirmation email, code and welcome', async () => {
    const b = new Browser(t.app)
    const start = await b.get('/alerts?lang=cy')
    expect(start.body).toContain('<html lang="cy"')
    expect(heading(start.body)).toBe('Cael rhybuddion cymunedol gan Demo Shire Police')
    expect(start.body).toContain('href="/alerts/sign-up?lang=cy"')
    expect(englishOn(start.body)).toEqual([])

    const form = await b.get('/alerts/sign-up?lang=cy')
    expect(heading(form.body)).toBe('Cofrestru ar gyfer rhybuddion cymunedol')
    expect(form.body).toContain('action="/alerts/sign-up?lang=cy"')
    expect(form.body).toContain('Apeliadau a phobl ar goll')
    expect(checked(form.body, 'language')).toEqual(['cy'])
    expect(form.body).toContain('href="/alerts/sign-up?lang=en" hreflang="en" lang="en">English</a>')
    expect(duplicateIds(form.body)).toEqual([])
    // The consent wording is English only for now: shown as recorded, marked as English.
    expect(form.body).toMatch(/<div[^>]*lang="en"[^>]*>\s*I agree that the police force/)
    expect(englishOn(form.body)).toEqual([])

    // Problems are explained in Welsh, and the page stays Welsh.
    const bad = await b.submit('/alerts/sign-up?lang=cy', { wordings: wordingsOn(form.body), email: '', phone: '', homePostcode: ex.unknownPostcode, interests: 'appeals', consents: 'force' })
    expect(bad.headers.location).toBe('/alerts/sign-up?lang=cy')
    const again = (await b.get('/alerts/sign-up?lang=cy')).body
    expect(again).toContain('<title>Gwall: ')
    expect(again).toContain('Mae problem wedi codi')
    expect(errorSummary(again)).toEqual([
      'email: Rhowch gyfeiriad e-bost neu rif ffôn symudol yn y DU, neu’r ddau',
      `homePostcode: Ni allem ddod o hyd i’r cod post ${ex.unknownPostcode}. Gwiriwch ef, neu dewiswch y gymdogaeth o’r rhestr`,
    ])
    expect(again).toContain('<span class="govuk-visually-hidden">Gwall:</span>')

    const res = await b.submit('/alerts/sign-up?lang=cy', {
      wordings: wordingsOn(form.body),
      email: 'gwen@example.org',
      phone: '07700 900 777',
      homePostcode: ex.postcodes[0]!.postcode,
      interests: ['appeals'],
      language: 'cy',
      consents: ['force'],
    })
    expect(res.headers.location).toBe('/alerts/check?lang=cy')
    const check = (await b.get('/alerts/check')).body
    // The check page remembers the sign-up's language even without ?lang.
    expect(heading(check)).toBe('Cadarnhau eich manylion cyswllt')
    expect(englishOn(check)).toEqual([])

    const mail = (await lastMessageTo(t.db, 'gwen@example.org'))!
    expect(mail.subject).toBe('Cadarnhewch eich cyfeiriad e-bost ar gyfer rhybuddion Demo Shire Police')
    expect(mail.body_text).toContain('I gadarnhau, agorwch y ddolen hon o fewn 24 awr:')
    const sms = (await lastMessageTo(t.db, '+447700900777'))!
    expect(sms.body_text).toMatch(/^\d{6} yw eich cod i gadarnhau rhybuddion Demo Shire Police\. Mae'n dod i ben ymhen 15 munud\./)
    // Kept to GSM-7 characters, so the Welsh code costs one text message like the English.
    expect(sms.body_text).toMatch(/^[\x20-\x7e]+$/)

    const link = linkIn(mail.body_text, '/alerts/confirm/')
    const confirm = await b.get(link)
    expect(heading(confirm.body)).toBe('Cadarnhau eich cyfeiriad e-bost')
    expect(englishOn(confirm.body)).toEqual([])
    const done = await b.submit(link, {})
    expect(heading(done.body)).toBe('Cyfeiriad e-bost wedi’i gadarnhau')
    const welcome = (await lastMessageTo(t.db, 'gwen@example.org'))!
    expect(welcome.subject).toBe('Rydych wedi cofrestru ar gyfer rhybuddion Demo Shire Police')
    expect(welcome.body_text).toContain('Mewn argyfwng, ffoniwch 999 bob amser.')

    const codeDone = await b.submit('/alerts/check', { code: codeIn(sms.body_text) })
    expect(heading(codeDone.body)).toBe('Rhif ffôn symudol wedi’i gadarnhau')
    expect((await lastMessageTo(t.db, '+447700900777'))!.body_text).toMatch(/^Rydych wedi cofrestru ar gyfer rhybuddion Demo Shire Police\. Rheoli neu stopio: /)

    const manage = /href="(\/alerts\/manage\/[^"?]+)"/.exec(done.body)![1]!
    const page = await b.get(manage)
    expect(page.body).toContain('<html lang="cy"')
    expect(heading(page.body)).toBe('Rheoli eich rhybuddion')
    expect(page.body).toContain('Yn cael rhybuddion')
    expect(englishOn(page.body)).toEqual([])
    // The language link shows the same page in English.
    const english = await b.get(`${manage}?lang=en`)
    expect(heading(english.body)).toBe('Manage your alerts')
    expect(english.body).toContain(`action="${manage}?lang=en"`)
  })

  it('opens the pages linked from a Welsh resident’s messages in Welsh', async () => {
    const s = await t.services.messaging.subscribers.createConfirmedSubscriber({
      email: 'dafydd@example.org',
      phone: '+447700900778',
      postcode: ex.postcodes[0]!.postcode,
      interests: ['appeals'],
      organisations: ['force'],
      language: 'cy',
    })
    const [m] = await t.db.query<{ id: string }>(
      `insert into msg_messages (title, body_markdown, category, area_id, area_path, allow_replies, status, sent_at)
       select 'Missing man', 'Have you seen him?', 'appeals', id, path, true, 'sent', now() from areas where id = $1 returning id`,
      [ex.postcodes[0]!.neighbourhoodId],
    )
    await t.db.query(`insert into msg_message_translations (message_id, language, title, body_markdown) values ($1, 'cy', 'Dyn ar goll', 'Ydych chi wedi ei weld?')`, [m!.id])
    const who = { subscriberId: s.id, linkVersion: s.linkVersion }
    const b = new Browser(t.app)

    const unsubscribe = await b.get(`/alerts/unsubscribe/${signLink(t.config, { purpose: 'unsubscribe', ...who, messageId: m!.id, channel: 'email' })}`)
    expect(heading(unsubscribe.body)).toBe('Stopio rhybuddion e-bost?')
    expect(unsubscribe.body).toContain('Ni fyddwch yn cael rhagor o rybuddion cymunedol drwy e-bost.')
    expect(englishOn(unsubscribe.body)).toEqual([])

    const replyPath = `/alerts/reply/${signLink(t.config, { purpose: 'reply', ...who, messageId: m!.id })}`
    const reply = await b.get(replyPath)
    expect(heading(reply.body)).toBe('Ymateb i’r neges hon')
    // The message's Welsh title, and the character count's words in Welsh.
    expect(reply.body).toContain('Ymateb i: Dyn ar goll')
    expect(reply.body).toContain('Gallwch roi hyd at 5000 nod')
    expect(englishOn(reply.body)).toEqual([])
    await b.submit(replyPath, { body: '', answerChannel: 'email' })
    expect(errorSummary((await b.get(replyPath)).body)).toEqual(['body: Rhowch eich ymateb'])
    const sent = await b.submit(replyPath, { body: 'Gwelais ef ger yr orsaf.', answerChannel: 'sms' })
    expect(heading(sent.body)).toBe('Ymateb wedi’i anfon')
    expect(sent.body).toContain('Ein nod yw ateb o fewn 72 awr, drwy neges destun.')

    const feedbackPath = `/alerts/feedback/${signLink(t.config, { purpose: 'feedback', ...who, messageId: m!.id })}`
    const feedback = await b.get(`${feedbackPath}?useful=yes`)
    expect(feedback.body).toContain('Oedd y neges hon yn ddefnyddiol?')
    expect(feedback.body).toMatch(/value="yes" checked/)
    expect(feedback.body).toMatch(/>\s*Nac oedd\s*<\/label>/)
    const thanks = await b.submit(feedbackPath, { useful: 'no' })
    expect(heading(thanks.body)).toBe('Diolch am eich adborth')

    // Someone signing up again with a Welsh resident's address: the "you already get alerts" email is in Welsh.
    await t.services.messaging.subscribers.startSignUp({ email: 'dafydd@example.org', homePostcode: ex.postcodes[0]!.postcode, interests: ['appeals'], consents: ['force'] })
    expect((await lastMessageTo(t.db, 'dafydd@example.org'))!.subject).toBe('Rydych eisoes yn cael rhybuddion Demo Shire Police')

    // A link that no longer works, in Welsh when asked.
    const problem = await b.get('/alerts/manage/not-a-token?lang=cy')
    expect(problem.statusCode).toBe(404)
    expect(heading(problem.body)).toBe('Nid yw’r ddolen hon yn ddilys')
  })
})
