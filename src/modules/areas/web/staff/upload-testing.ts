/**
 * Multipart uploads for the import pages' route tests, the way a browser sends the form: the
 * CSRF token in the address (the body is streamed past the check), the file as a part.
 * Not used by the application.
 */
import type { Browser } from '../../../../../test/helpers.ts'

export interface UploadPart {
  name: string
  value?: string
  filename?: string
  content?: string | Buffer
  contentType?: string
}

/** Builds a multipart/form-data body. */
export function multipartBody(parts: UploadPart[]): { payload: Buffer; contentType: string } {
  const boundary = `----beacon-test-${Math.random().toString(16).slice(2)}`
  const chunks: Buffer[] = []
  for (const part of parts) {
    const file = part.filename !== undefined
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"${file ? `; filename="${part.filename}"` : ''}\r\n` +
          (file ? `Content-Type: ${part.contentType ?? 'application/octet-stream'}\r\n` : '') +
          '\r\n',
      ),
      Buffer.isBuffer(part.content) ? part.content : Buffer.from(part.content ?? part.value ?? ''),
      Buffer.from('\r\n'),
    )
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` }
}

/** GETs the upload page for its CSRF token, then posts the parts as the page's form would. */
export async function upload(browser: Browser, url: string, parts: UploadPart[], opts: { withToken?: boolean } = {}) {
  const page = await browser.get(url)
  const token = /action="[^"]*\?_csrf=([^"]+)"/.exec(page.body)?.[1]
  if (!token) throw new Error(`no upload form on ${url} (status ${page.statusCode})`)
  const { payload, contentType } = multipartBody(parts)
  const res = await browser.app.inject({
    method: 'POST',
    url: opts.withToken === false ? url : `${url}?_csrf=${token}`,
    headers: { cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': contentType },
    payload,
  })
  // Keep the cookies it sets (the flash carrying the success notice), as Browser does.
  for (const c of [res.headers['set-cookie'] ?? []].flat()) {
    const pair = c.split(';')[0]!
    const i = pair.indexOf('=')
    const value = pair.slice(i + 1)
    if (value === '' || /max-age=0|expires=Thu, 01 Jan 1970/i.test(c)) browser.cookies.delete(pair.slice(0, i))
    else browser.cookies.set(pair.slice(0, i), value)
  }
  return res
}

/** The text of each row of the problems table, "where | what". */
export const problemRows = (html: string) =>
  [...html.matchAll(/<th scope="row" class="govuk-table__header">([^<]*)<\/th>\s*<td class="govuk-table__cell">([^<]*)<\/td>/g)].map(
    m => `${m[1]} | ${decode(m[2]!)}`,
  )

const decode = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')

/** The GOV.UK error summary's HTML, or '' when the page has none. */
export const errorSummary = (html: string) => /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? ''
