import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { markdownToHtml, markdownToText, validateMarkdown } from './markdown.ts'

const OUR_TAGS = /^<\/?(p|br|strong|em|a|ul|ol|li|h2|h3)[\s>]/

/** Every `<` in the output opens or closes one of the tags the renderer creates. */
function onlyOurTags(html: string): boolean {
  for (let i = html.indexOf('<'); i !== -1; i = html.indexOf('<', i + 1)) if (!OUR_TAGS.test(html.slice(i, i + 12))) return false
  return true
}

/** Every href uses an allowed scheme. */
const hrefsSafe = (html: string) => [...html.matchAll(/href="([^"]*)"/g)].every(m => /^(https?:\/\/|mailto:|tel:)/i.test(m[1]!))

describe('markdown subset', () => {
  it('renders paragraphs, line breaks, emphasis, links, lists and headings', () => {
    const md = [
      '## Burglaries in Ashby',
      '',
      'We have had **three** reports this week.',
      'Please *lock* your sheds.',
      '',
      '- Mark your tools',
      '- Fit a [shed alarm](https://www.example.police.uk/alarms)',
      '',
      '1. Call 101',
      '2. Or [email us](mailto:team@example.police.uk)',
      '',
      '### More',
    ].join('\n')
    const html = markdownToHtml(md)
    expect(html).toContain('<h2 class="govuk-heading-m">Burglaries in Ashby</h2>')
    expect(html).toContain('<p class="govuk-body">We have had <strong>three</strong> reports this week.<br>Please <em>lock</em> your sheds.</p>')
    expect(html).toContain('<ul class="govuk-list govuk-list--bullet"><li>Mark your tools</li><li>Fit a <a href="https://www.example.police.uk/alarms" rel="noopener" class="govuk-link">shed alarm</a></li></ul>')
    expect(html).toContain('<ol class="govuk-list govuk-list--number"><li>Call 101</li>')
    expect(html).toContain('<h3 class="govuk-heading-s">More</h3>')
    const text = markdownToText(md)
    expect(text).toContain('We have had three reports this week.\nPlease lock your sheds.')
    expect(text).toContain('- Fit a shed alarm (https://www.example.police.uk/alarms)')
    expect(text).toContain('2. Or email us (mailto:team@example.police.uk)')
  })

  it('escapes HTML instead of passing it through, and drops unsafe links to their text', () => {
    const html = markdownToHtml('<script>alert(1)</script> <b>x</b> [click](javascript:alert(1)) & "q"')
    expect(html).not.toContain('<script')
    expect(html).not.toContain('<b>')
    expect(html).toContain('&lt;script&gt;')
    expect(html).not.toContain('href')
    expect(html).toContain('&amp; &quot;q&quot;')
  })

  it('gives emails inline styles and pages classes', () => {
    expect(markdownToHtml('Hello', { variant: 'email' })).toMatch(/^<p style="[^"]+">Hello<\/p>$/)
    expect(markdownToHtml('Hello')).not.toContain('style=')
  })

  it('explains what is wrong with HTML, scripts and unsafe links', () => {
    expect(validateMarkdown('Plain **bold** text and [a link](https://example.org)')).toEqual([])
    expect(validateMarkdown('<p>Hello</p>').map(p => p.message)).toEqual(['Remove the HTML from the message: use the formatting shown'])
    expect(validateMarkdown('Hi <script>alert(1)</script>')[0]!.code).toBe('script')
    expect(validateMarkdown('<img src=x onerror=alert(1)>')[0]!.code).toBe('script')
    expect(validateMarkdown('[x](javascript:alert(1))').map(p => p.code)).toContain('unsafe-link')
    expect(validateMarkdown('[x](ftp://example.org)').map(p => p.code)).toContain('unsafe-link')
    expect(validateMarkdown('a < b and c > d')).toEqual([])
    expect(validateMarkdown('x'.repeat(10_001)).map(p => p.code)).toEqual(['too-long'])
  })

  it('never lets input create a tag, a script or an unsafe link (property)', () => {
    const pieces = fc.constantFrom('<', '>', '<script>', '</script>', 'javascript:', '[', ']', '(', ')', '*', '**', '_', '\n', '\n\n', '- ', '1. ', '## ', '"', "'", '&', 'https://x.org', 'mailto:a@b', ' ', 'word', 'onerror=', '<img src=x>', '<a href="javascript:alert(1)">')
    const source = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.array(pieces, { maxLength: 40 }).map(a => a.join('')))
    fc.assert(
      fc.property(source, md => {
        for (const html of [markdownToHtml(md), markdownToHtml(md, { variant: 'email' })]) {
          expect(html.toLowerCase()).not.toContain('<script')
          expect(onlyOurTags(html)).toBe(true)
          expect(hrefsSafe(html)).toBe(true)
          expect(html).not.toMatch(/href="[^"]*javascript:/i)
        }
      }),
      { numRuns: 2000 },
    )
  })
})
