import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as cheerio from 'cheerio'
import { Browser, createTestApp, type TestApp } from '../../../../../../test/helpers.ts'
import { createTestStaff, seedTestAreas, signInAs } from '../../../../../platform/auth/testing.ts'
import { errorSummary } from '../../../../areas/web/staff/upload-testing.ts'

const staffBrowser = async (t: TestApp, email: string, grants: Parameters<typeof createTestStaff>[2]) => {
  const b = new Browser(t.app)
  await signInAs(b, t.services, await createTestStaff(t.services, email, grants))
  return b
}

const blankLinks = { linkTitle: ['', '', '', '', ''], linkUrl: ['', '', '', '', ''], linkDescription: ['', '', '', '', ''] }

describe('staff profile page', () => {
  let t: TestApp
  let north: Browser, south: Browser
  const url = '/staff/neighbourhoods/test-n01/profile'

  beforeAll(async () => {
    t = await createTestApp()
    await seedTestAreas(t.db)
    north = await staffBrowser(t, 'north@example.org', [['neighbourhood_officer', 'test-n01']])
    south = await staffBrowser(t, 'south@example.org', [['neighbourhood_officer', 'test-s01']])
  })
  afterAll(async () => t.close())

  it('saves the welcome, how the team engages, contact details and links, audited and shown publicly', async () => {
    const res = await north.submit(url, {
      welcomeMessage: 'Hello from the Ashby North team.',
      engagement: 'PACT meetings every month.\n\nStreet surgeries on Saturdays.',
      email: 'ashby@police.example',
      telephone: '101',
      facebook: 'https://social.example/ashby',
      web: '',
      linkTitle: ['Ashby Watch', '', '', '', ''],
      linkUrl: ['https://watch.example/ashby', '', '', '', ''],
      linkDescription: ['Join a scheme', '', '', '', ''],
    })
    expect(res.statusCode).toBe(303)
    expect((await north.get(url)).body).toContain('The profile of Ashby North has been saved')
    expect(await t.services.neighbourhoods.team.getProfile('test-n01')).toMatchObject({
      welcomeMessage: 'Hello from the Ashby North team.',
      contactDetails: { email: 'ashby@police.example', telephone: '101', facebook: 'https://social.example/ashby' },
      links: [{ title: 'Ashby Watch', url: 'https://watch.example/ashby', description: 'Join a scheme' }],
    })
    const [entry] = await t.db.query(`select actor_email, action from audit_log where entity_type = 'nbh_profile' and entity_id = 'test-n01'`)
    expect(entry).toEqual({ actor_email: 'north@example.org', action: 'update' })
    const $ = cheerio.load((await t.app.inject('/neighbourhoods/test-n01')).body)
    expect($('#engagement').nextAll('p').slice(0, 2).map((_, p) => $(p).text()).get()).toEqual(['PACT meetings every month.', 'Street surgeries on Saturdays.'])
    expect($('a[href="https://watch.example/ashby"]').text()).toBe('Ashby Watch')
    expect($('a[href="https://social.example/ashby"]').length).toBe(1)
    // The form shows what is stored.
    const form = cheerio.load((await north.get(url)).body)
    expect(form('#email').val()).toBe('ashby@police.example')
    expect(form('#linkUrl-0').val()).toBe('https://watch.example/ashby')
  })

  it('refuses bad addresses and half-filled links, keeping what was typed', async () => {
    await north.submit(url, { welcomeMessage: 'Changed', email: 'nope', facebook: 'javascript:alert(1)', ...blankLinks, linkTitle: ['', 'Council', '', '', ''] })
    const page = await north.get(url)
    const summary = errorSummary(page.body)
    expect(summary).toContain('Enter an email address in the correct format')
    expect(summary).toContain('Enter the full Facebook address, starting https://')
    expect(summary).toContain('Enter the full address of link 2, starting https://')
    const $ = cheerio.load(page.body)
    expect($('#welcomeMessage').val()).toBe('Changed')
    expect($('#email').val()).toBe('nope')
    expect($('#linkTitle-1').val()).toBe('Council')
    expect((await t.services.neighbourhoods.team.getProfile('test-n01'))!.welcomeMessage).toBe('Hello from the Ashby North team.')
  })

  it('is 404 for another neighbourhood', async () => {
    expect((await south.get(url)).statusCode).toBe(404)
    const token = /name="_csrf" value="([^"]+)"/.exec((await south.get('/staff/neighbourhoods/test-s01/profile')).body)![1]!
    expect((await south.post(url, { _csrf: token, welcomeMessage: 'Hijacked', ...blankLinks })).statusCode).toBe(404)
    expect((await t.services.neighbourhoods.team.getProfile('test-n01'))!.welcomeMessage).toBe('Hello from the Ashby North team.')
  })
})
