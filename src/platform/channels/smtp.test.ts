import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { SMTPServer } from 'smtp-server'
import { createSmtpChannel, classifySmtpError, type SmtpChannel } from './smtp.ts'
import { ChannelError } from './types.ts'

interface Received {
  from: string | undefined
  to: string[]
  raw: string
}

/** Splits a raw message into unfolded, lower-cased headers and the body. */
function parse(raw: string): { headers: Map<string, string>; body: string } {
  const end = raw.indexOf('\r\n\r\n')
  const head = raw.slice(0, end).replace(/\r\n[ \t]+/g, ' ')
  const headers = new Map<string, string>()
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':')
    headers.set(line.slice(0, i).toLowerCase(), line.slice(i + 1).trim())
  }
  return { headers, body: raw.slice(end + 4) }
}

describe('SMTP channel against a real SMTP server', () => {
  const received: Received[] = []
  // Per-recipient behaviour: the local part picks the server's answer.
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const local = address.address.split('@')[0]
      if (local === 'nobody') return callback(Object.assign(new Error('5.1.1 No such user here'), { responseCode: 550 }))
      if (local === 'busy') return callback(Object.assign(new Error('4.3.0 Try again later'), { responseCode: 451 }))
      callback()
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map(r => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        })
        callback()
      })
    },
  })
  let port = 0
  let channel: SmtpChannel

  beforeAll(async () => {
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve()))
    port = (server.server.address() as AddressInfo).port
    channel = createSmtpChannel({ url: `smtp://127.0.0.1:${port}`, from: 'Demo Shire Police <no-reply@police.example>' })
  })
  afterEach(() => {
    received.length = 0
  })
  afterAll(async () => {
    await channel.close()
    await new Promise<void>(resolve => server.close(() => resolve()))
  })

  it('delivers text and HTML with the From address and custom headers', async () => {
    const result = await channel.sendEmail({
      to: 'resident@example.org',
      subject: 'Burglary in Oakfield: what to do',
      text: 'Lock your doors.\nCall 101 to report.',
      html: '<p>Lock your <strong>doors</strong>.</p>',
      headers: {
        'List-Unsubscribe': '<https://beacon.example/unsubscribe/abc>',
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
      reference: 'delivery-42',
    })
    expect(result.provider).toBe('smtp')
    expect(result.awaitingReceipt).toBe(false)
    expect(result.providerId).toMatch(/^<.+@.+>$/)

    expect(received).toHaveLength(1)
    const mail = received[0]!
    expect(mail.from).toBe('no-reply@police.example')
    expect(mail.to).toEqual(['resident@example.org'])
    const { headers, body } = parse(mail.raw)
    expect(headers.get('from')).toBe('Demo Shire Police <no-reply@police.example>')
    expect(headers.get('to')).toBe('resident@example.org')
    expect(headers.get('subject')).toBe('Burglary in Oakfield: what to do')
    expect(headers.get('list-unsubscribe')).toBe('<https://beacon.example/unsubscribe/abc>')
    expect(headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click')
    expect(headers.get('x-beacon-reference')).toBe('delivery-42')
    expect(headers.get('message-id')).toBe(result.providerId)
    expect(headers.get('content-type')).toMatch(/^multipart\/alternative/)
    expect(body).toContain('Content-Type: text/plain')
    expect(body).toContain('Lock your doors.\r\nCall 101 to report.')
    expect(body).toContain('Content-Type: text/html')
    expect(body).toContain('<p>Lock your <strong>doors</strong>.</p>')
  })

  it("uses a caller's Message-ID (e.g. naming the delivery, for matching replies) as the only one", async () => {
    const result = await channel.sendEmail({
      to: 'resident@example.org',
      subject: 'Reply to me',
      text: 'Hi',
      headers: { 'Message-ID': '<delivery-77@beacon.example>', 'Reply-To': 'reply+abc@beacon.example' },
    })
    const raw = received.at(-1)!.raw
    expect(raw.match(/^message-id:/gim)).toHaveLength(1)
    expect(parse(raw).headers.get('message-id')).toBe('<delivery-77@beacon.example>')
    expect(parse(raw).headers.get('reply-to')).toBe('reply+abc@beacon.example')
    expect(result.providerId).toBe('<delivery-77@beacon.example>')
  })

  it('keeps a header value on one line so it cannot add headers of its own', async () => {
    await channel.sendEmail({
      to: 'resident@example.org',
      subject: 'Hello',
      text: 'Hi',
      headers: { 'X-Campaign': 'spring\r\nBcc: victim@example.org' },
    })
    const { headers } = parse(received[0]!.raw)
    expect(headers.has('bcc')).toBe(false)
    expect(received[0]!.to).toEqual(['resident@example.org'])
  })

  it('sends several messages over the pooled connection', async () => {
    await Promise.all(
      ['a', 'b', 'c', 'd', 'e', 'f'].map(n => channel.sendEmail({ to: `${n}@example.org`, subject: `Message ${n}`, text: 'Hello' })),
    )
    expect(received.map(r => r.to[0]).sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f'].map(n => `${n}@example.org`))
  })

  it('treats a 550 rejection of the recipient as permanent', async () => {
    const err = await channel.sendEmail({ to: 'nobody@example.org', subject: 'Hi', text: 'Hi' }).catch(e => e)
    expect(err).toBeInstanceOf(ChannelError)
    expect(err.permanent).toBe(true)
    expect(err.providerCode).toBe('550')
    expect(received).toHaveLength(0)
  })

  it('treats a 451 "try later" as temporary', async () => {
    const err = await channel.sendEmail({ to: 'busy@example.org', subject: 'Hi', text: 'Hi' }).catch(e => e)
    expect(err).toBeInstanceOf(ChannelError)
    expect(err.permanent).toBe(false)
    expect(err.providerCode).toBe('451')
  })

  it('refuses an unusable address before talking to the server, permanently', async () => {
    const err = await channel.sendEmail({ to: 'not an address', subject: 'Hi', text: 'Hi' }).catch(e => e)
    expect(err).toBeInstanceOf(ChannelError)
    expect(err.permanent).toBe(true)
  })

  it('treats a server that cannot be reached as temporary', async () => {
    // A port nothing listens on: the closed server's.
    const closed = new SMTPServer({ logger: false })
    await new Promise<void>(resolve => closed.listen(0, '127.0.0.1', () => resolve()))
    const deadPort = (closed.server.address() as AddressInfo).port
    await new Promise<void>(resolve => closed.close(() => resolve()))
    const dead = createSmtpChannel({ url: `smtp://127.0.0.1:${deadPort}`, from: 'no-reply@police.example' })
    const err = await dead.sendEmail({ to: 'resident@example.org', subject: 'Hi', text: 'Hi' }).catch(e => e)
    await dead.close()
    expect(err).toBeInstanceOf(ChannelError)
    expect(err.permanent).toBe(false)
  })

  it('verifies the connection settings', async () => {
    await expect(channel.verify()).resolves.toBeUndefined()
  })

  it('encodes non-ASCII subjects, names and bodies so they arrive intact', async () => {
    const welsh = createSmtpChannel({ url: `smtp://127.0.0.1:${port}`, from: 'Swyddfa’r Comisiynydd <swyddfa@police.example>' })
    const subject = 'Neges frys: Apêl am wybodaeth – ‘Heddlu’ '.repeat(3).trim()
    const text = `Rydym yn chwilio am ŵr 45 oed.\n.Llinell yn dechrau gyda dot\n${'Hir '.repeat(40)}`
    const html = '<p>Ffoniwch 101 – diolch. ŵ ŷ â</p>'
    await welsh.sendEmail({ to: 'preswylydd@example.org', subject, text, html, reference: 'delivery-9' })
    await welsh.close()
    const { headers, body } = parse(received.at(-1)!.raw)
    expect(headers.get('from')).toMatch(/^=\?UTF-8\?[QB]\?.+\?= <swyddfa@police\.example>$/)
    expect(decodeWords(headers.get('from')!)).toBe('Swyddfa’r Comisiynydd <swyddfa@police.example>')
    expect(decodeWords(headers.get('subject')!)).toBe(subject)
    // Every header line stays within 998 characters and a folded line starts with white space.
    const head = received.at(-1)!.raw.split('\r\n\r\n')[0]!
    for (const line of head.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998)
    expect(head).not.toMatch(/\r\n[^ \tA-Za-z]/)
    const parts = mimeParts(body, headers.get('content-type')!)
    expect(parts.map(p => p.type)).toEqual(['text/plain; charset=utf-8', 'text/html; charset=utf-8'])
    expect(parts[0]!.decoded).toBe(text.replace(/\n/g, '\r\n'))
    expect(parts[1]!.decoded).toBe(html)
  })

  it('sends short ASCII text as 7bit, one part, with CRLF line ends', async () => {
    await channel.sendEmail({ to: 'resident@example.org', subject: 'Hi', text: 'Line one\nLine two' })
    const { headers, body } = parse(received.at(-1)!.raw)
    expect(headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(headers.get('content-transfer-encoding')).toBe('7bit')
    expect(headers.get('mime-version')).toBe('1.0')
    expect(headers.get('date')).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/)
    expect(body).toBe('Line one\r\nLine two\r\n')
  })

  it('does not let a caller add a second From, To or Subject', async () => {
    await channel.sendEmail({ to: 'resident@example.org', subject: 'Hi', text: 'Hi', headers: { From: 'evil@example.org', subject: 'Other' } })
    const raw = received.at(-1)!.raw
    expect(raw.match(/^from:/gim)).toHaveLength(1)
    expect(raw.match(/^subject:/gim)).toHaveLength(1)
    expect(parse(raw).headers.get('from')).toBe('Demo Shire Police <no-reply@police.example>')
  })
})

describe('SMTP channel connections', () => {
  it('sends again on a fresh connection when the relay closed a reused one before the message', async () => {
    const refs: string[] = []
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      // The second message on any connection is refused with 421 (closing): as a relay
      // that dropped an idle session does.
      onMailFrom(_address, session, callback) {
        if (session.transaction > 1) return callback(Object.assign(new Error('Closing'), { responseCode: 421 }))
        callback()
      },
      onData(stream, _session, callback) {
        const chunks: Buffer[] = []
        stream.on('data', (c: Buffer) => chunks.push(c))
        stream.on('end', () => {
          refs.push(/X-Beacon-Reference: (\S+)/.exec(Buffer.concat(chunks).toString())?.[1] ?? '')
          callback()
        })
      },
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve()))
    const p = (server.server.address() as AddressInfo).port
    const one = createSmtpChannel({ url: `smtp://127.0.0.1:${p}`, from: 'no-reply@police.example', maxConnections: 1 })
    try {
      await one.sendEmail({ to: 'a@example.org', subject: 'A', text: 'A', reference: 'ref-a' })
      await one.sendEmail({ to: 'b@example.org', subject: 'B', text: 'B', reference: 'ref-b' })
      await one.sendEmail({ to: 'c@example.org', subject: 'C', text: 'C', reference: 'ref-c' })
      expect(refs).toEqual(['ref-a', 'ref-b', 'ref-c'])
    } finally {
      await one.close()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  })

  it('replaces a connection the relay closed while it was idle', async () => {
    let accepted = 0
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      socketTimeout: 150,
      onData(stream, _session, callback) {
        stream.resume()
        stream.on('end', () => {
          accepted++
          callback()
        })
      },
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve()))
    const p = (server.server.address() as AddressInfo).port
    const one = createSmtpChannel({ url: `smtp://127.0.0.1:${p}`, from: 'no-reply@police.example', maxConnections: 1 })
    try {
      await one.sendEmail({ to: 'a@example.org', subject: 'A', text: 'A' })
      await new Promise(r => setTimeout(r, 400))
      await one.sendEmail({ to: 'b@example.org', subject: 'B', text: 'B' })
      expect(accepted).toBe(2)
    } finally {
      await one.close()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  })
})

/** Decodes RFC 2047 encoded words (Q and B, UTF-8), joining adjacent ones. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?UTF-8\?([QB])\?([^?]*)\?=/gi, (_m, enc: string, data: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
    )
}

/** The parts of a multipart body, decoded. */
function mimeParts(body: string, contentType: string): { type: string; decoded: string }[] {
  const boundary = /boundary="([^"]+)"/.exec(contentType)![1]!
  return body
    .split(`--${boundary}`)
    .slice(1, -1)
    .map(part => {
      const { headers, body: content } = parse(part.replace(/^\r\n/, ''))
      const data = content.replace(/\r\n$/, '')
      const decoded = headers.get('content-transfer-encoding') === 'base64' ? Buffer.from(data.replace(/\r\n/g, ''), 'base64').toString('utf8') : data
      return { type: headers.get('content-type')!, decoded }
    })
}

describe('classifySmtpError', () => {
  it.each([
    [{ code: 'EENVELOPE', responseCode: 553, response: '553 bad address' }, true],
    [{ code: 'EMESSAGE', responseCode: 552, response: '552 message too big' }, true],
    [{ code: 'EENVELOPE', message: 'No recipients defined' }, true],
    [{ code: 'EENVELOPE', responseCode: 452, response: '452 mailbox full' }, false],
    [{ code: 'ECONNECTION', message: 'Connection closed' }, false],
    [{ code: 'ETIMEDOUT', message: 'Timeout' }, false],
    [{ code: 'EAUTH', responseCode: 535, response: '535 bad credentials' }, false],
    [{ code: 'ETLS', message: 'certificate' }, false],
    [new Error('something odd'), false],
  ])('%o → permanent %s', (err, permanent) => {
    expect(classifySmtpError(err).permanent).toBe(permanent)
  })
})
