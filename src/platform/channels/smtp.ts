import { randomBytes, randomUUID } from 'node:crypto'
import { domainToASCII } from 'node:url'
import type { Readable } from 'node:stream'
import SMTPConnection, { type SMTPConnectionOptions } from 'nodemailer/lib/smtp-connection'
import addressparser from 'nodemailer/lib/addressparser'
import { encodeWord, encodeWords, foldLines, quoteString } from 'nodemailer/lib/mime-funcs'
import { parseConnectionUrl } from 'nodemailer/lib/shared'
import { ChannelError, type EmailChannel, type EmailMessage, type SendResult } from './types.ts'

export interface SmtpOptions {
  /**
   * smtp://user:pass@host:587 (STARTTLS when offered) or smtps://…:465 (TLS from the start).
   * Query parameters are nodemailer's connection options (e.g. `?requireTLS=true`,
   * `?tls.rejectUnauthorized=false`), plus `maxMessages` (per connection before it is
   * renewed; default unlimited) and `idleTimeout` (ms an unused connection stays open;
   * default 30 s).
   */
  url: string
  /** the From header, e.g. "Demo Shire Police <no-reply@police.example>" */
  from: string
  /** connections kept open to the relay; bulk sends share them */
  maxConnections?: number
}

export type SmtpChannel = EmailChannel & {
  readonly name: 'smtp'
  /** Connects and authenticates once, to fail fast on a wrong URL or password. */
  verify(): Promise<void>
  close(): Promise<void>
}

// A header name is an RFC 5322 field name; values lose line breaks so a subscriber-supplied
// value can never start a header of its own.
const HEADER_NAME = /^[!-9;-~]+$/
const EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/
// Headers this channel writes itself: a caller's copy would make a second one.
const OWN_HEADERS = new Set(['from', 'to', 'subject', 'date', 'message-id', 'mime-version', 'content-type', 'content-transfer-encoding', 'x-beacon-reference'])

/**
 * Email over SMTP with nodemailer's SMTP client (`SMTPConnection`: the protocol, STARTTLS,
 * AUTH, PIPELINING, dot-stuffing) on a pool of persistent connections, sending a MIME
 * message this module writes itself.
 *
 * Why not `transport.sendMail`: at bulk rates its message composer (a tree of streams per
 * email, each header and part written to the socket separately) cost about 0.5 ms of CPU per
 * email, most of a dispatch worker's time (docs/performance.md, "Messaging delivery"). The
 * messages Beacon sends are always the same shape (text, optional HTML, a few headers), so
 * they are written here as one buffer, and the connection writes it in one go.
 */
export function createSmtpChannel(opts: SmtpOptions): SmtpChannel {
  const parsed = parseConnectionUrl(opts.url) as SMTPConnectionOptions & {
    auth?: { user?: string; pass?: string }
    maxMessages?: number
    idleTimeout?: number
  }
  const from = fromHeader(opts.from)
  const pool = createSmtpPool({
    connection: {
      ...parsed,
      // Without these a relay that accepts the connection and then says nothing would hold a
      // send until the dispatch lease ran out.
      connectionTimeout: parsed.connectionTimeout ?? 15_000,
      greetingTimeout: parsed.greetingTimeout ?? 15_000,
      socketTimeout: parsed.socketTimeout ?? 60_000,
    },
    auth: parsed.auth,
    maxConnections: opts.maxConnections ?? 5,
    // Keep connections open for as long as the relay allows (a new connection is a
    // handshake, and with TLS a key exchange).
    maxMessages: Number(parsed.maxMessages) > 0 ? Number(parsed.maxMessages) : Infinity,
    idleTimeout: Number(parsed.idleTimeout) > 0 ? Number(parsed.idleTimeout) : 30_000,
  })

  return {
    name: 'smtp',
    async sendEmail(m: EmailMessage): Promise<SendResult> {
      if (!EMAIL.test(m.to)) throw new ChannelError('Not a valid email address', true, 'invalid-recipient')
      const to = asciiDomain(m.to)
      const headers: [string, string][] = []
      let messageId: string | undefined
      for (const [name, value] of Object.entries(m.headers ?? {})) {
        if (!HEADER_NAME.test(name)) throw new ChannelError(`Header name not allowed: ${name}`, true, 'invalid-header')
        const clean = value.replace(/[\r\n]+/g, ' ')
        // A caller's Message-ID (e.g. one naming the delivery, for matching replies) is the
        // message's only one.
        if (name.toLowerCase() === 'message-id') messageId = clean.trim()
        else if (!OWN_HEADERS.has(name.toLowerCase())) headers.push([name, clean])
      }
      if (m.reference) headers.push(['X-Beacon-Reference', m.reference.replace(/[\r\n]+/g, ' ')])
      messageId ||= `<${randomUUID()}@${from.domain}>`
      const raw = composeMessage({ from: from.header, to, subject: m.subject, text: m.text, html: m.html, messageId, headers })
      try {
        const info = await pool.send({ from: from.address, to: [to] }, raw)
        // With a single recipient a refusal normally fails the send; a relay that accepts the
        // message but lists the address as rejected is treated the same way.
        if (info.rejected.length > 0) throw new ChannelError('The mail server refused the recipient', true, 'rejected')
        return { providerId: messageId, provider: 'smtp', awaitingReceipt: false }
      } catch (err) {
        throw classifySmtpError(err)
      }
    },
    async verify() {
      try {
        await pool.verify()
      } catch (err) {
        throw classifySmtpError(err)
      }
    },
    async close() {
      pool.close()
    },
  }
}

// --- the message --------------------------------------------------------------------------

export interface ComposeInput {
  /** the From header's value, already encoded */
  from: string
  to: string
  subject: string
  text: string
  html?: string | undefined
  messageId: string
  /** further headers, names checked and values on one line */
  headers: [string, string][]
  date?: Date
}

/**
 * Writes one email as MIME (RFC 5322, 2045–2047): the headers, then the text, or
 * multipart/alternative with the text and the HTML. Text parts are 7bit when they are short
 * printable ASCII lines, otherwise base64 (cheaper to encode than quoted-printable, and
 * safe for any content); header values that are not ASCII are RFC 2047 encoded words. Lines
 * end in CRLF; dot-stuffing is the SMTP client's job.
 */
export function composeMessage(m: ComposeInput): Buffer {
  const head: string[] = [
    `From: ${m.from}`,
    `To: ${m.to}`,
    headerLine('Subject', encodeHeaderText(m.subject)),
    `Message-ID: ${m.messageId}`,
    `Date: ${rfc2822Date(m.date)}`,
  ]
  for (const [name, value] of m.headers) head.push(headerLine(name, encodeHeaderText(value)))
  head.push('MIME-Version: 1.0')
  const text = textPart(m.text, 'plain')
  if (!m.html) {
    head.push(...text.headers)
    return Buffer.from(`${head.join('\r\n')}\r\n\r\n${text.body}\r\n`, 'utf8')
  }
  const html = textPart(m.html, 'html')
  const boundary = newBoundary(text.body, html.body)
  head.push(`Content-Type: multipart/alternative;\r\n boundary="${boundary}"`)
  return Buffer.from(
    `${head.join('\r\n')}\r\n\r\n` +
      `--${boundary}\r\n${text.headers.join('\r\n')}\r\n\r\n${text.body}\r\n` +
      `--${boundary}\r\n${html.headers.join('\r\n')}\r\n\r\n${html.body}\r\n` +
      `--${boundary}--\r\n`,
    'utf8',
  )
}

const PRINTABLE_ASCII_TEXT = /^[\t\n\r\x20-\x7e]*$/
const LONG_LINE = /[^\r\n]{77}/

function textPart(content: string, subtype: 'plain' | 'html'): { headers: string[]; body: string } {
  const crlf = content.replace(/\r\n|\r|\n/g, '\r\n')
  if (PRINTABLE_ASCII_TEXT.test(crlf) && !LONG_LINE.test(crlf))
    return { headers: [`Content-Type: text/${subtype}; charset=utf-8`, 'Content-Transfer-Encoding: 7bit'], body: crlf }
  return { headers: [`Content-Type: text/${subtype}; charset=utf-8`, 'Content-Transfer-Encoding: base64'], body: wrap76(Buffer.from(crlf, 'utf8').toString('base64')) }
}

function wrap76(b64: string): string {
  const lines: string[] = []
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76))
  return lines.join('\r\n')
}

/** A boundary no part contains: "=_" cannot occur in base64, and 7bit parts are checked. */
let boundaryPrefix = `=_beacon_${randomBytes(8).toString('hex')}_`
let boundaryCount = 0
function newBoundary(...parts: string[]): string {
  for (;;) {
    const b = `${boundaryPrefix}${(boundaryCount++).toString(36)}`
    if (!parts.some(p => p.includes(`--${b}`))) return b
    boundaryPrefix = `=_beacon_${randomBytes(8).toString('hex')}_`
  }
}

/** `Name: value`, folded at spaces when longer than 78 characters (RFC 5322 2.2.3). */
function headerLine(name: string, value: string): string {
  const line = `${name}: ${value}`
  return line.length > 78 ? foldLines(line, 76) : line
}

/** Printable ASCII stays as it is; anything else becomes RFC 2047 encoded words. */
function encodeHeaderText(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : encodeWords(value, latinShare(value) ? 'Q' : 'B', 52, true)
}

/** Mostly Latin letters: quoted-printable words stay readable; otherwise base64 is shorter. */
function latinShare(value: string): boolean {
  let latin = 0
  let other = 0
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c >= 0x80 || c < 0x20) other++
    else if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) latin++
  }
  return other < latin
}

let dateSecond = -1
let dateText = ''
/** RFC 5322 date in UTC, e.g. "Mon, 23 Nov 2026 20:01:36 +0000" (cached per second). */
function rfc2822Date(at?: Date): string {
  if (at) return at.toUTCString().replace(/GMT$/, '+0000')
  const now = Date.now()
  const second = Math.floor(now / 1000)
  if (second !== dateSecond) {
    dateSecond = second
    dateText = new Date(now).toUTCString().replace(/GMT$/, '+0000')
  }
  return dateText
}

/** The From header (display name encoded as needed), its address and its domain. */
function fromHeader(from: string): { header: string; address: string; domain: string } {
  const [first] = addressparser(from, { flatten: true })
  const address = asciiDomain(first && 'address' in first ? first.address : from.trim())
  const name = first?.name ?? ''
  const encodedName = !name ? '' : /^[\w ]*$/.test(name) ? name : /^[\x20-\x7e]*$/.test(name) ? quoteString(name) : encodeWord(name, latinShare(name) ? 'Q' : 'B', 52)
  return { header: encodedName ? `${encodedName} <${address}>` : address, address, domain: address.split('@').pop() || 'localhost' }
}

/** An address with an internationalised domain in its ASCII (punycode) form. */
function asciiDomain(address: string): string {
  if (/^[\x20-\x7e]*$/.test(address)) return address
  const at = address.lastIndexOf('@')
  return `${address.slice(0, at)}@${domainToASCII(address.slice(at + 1)) || address.slice(at + 1)}`
}

// --- the connection pool ------------------------------------------------------------------

interface PoolOptions {
  connection: SMTPConnectionOptions
  auth: { user?: string; pass?: string } | undefined
  maxConnections: number
  maxMessages: number
  idleTimeout: number
}

interface SendInfo {
  accepted: string[]
  rejected: string[]
  response: string
}

interface Job {
  envelope: { from: string; to: string[] }
  raw: Buffer
  resolve: (info: SendInfo) => void
  reject: (err: unknown) => void
  /** sent again once already, after a reused connection turned out to be closed */
  retried: boolean
}

interface Conn {
  smtp: SMTPConnection
  busy: boolean
  dropped: boolean
  messages: number
  idleTimer: NodeJS.Timeout | null
}

type SmtpError = Error & { code?: string; responseCode?: number; command?: string }

/**
 * Up to `maxConnections` SMTP sessions, each sending one message at a time (PIPELINING, when
 * the relay offers it, sends each envelope and DATA in one packet), opened as the queue needs
 * them and closed after `idleTimeout`.
 *
 * A message that fails on a reused connection before any of it was written (the relay
 * closed an idle session in the meantime) is sent once more on a fresh connection: it cannot
 * have been delivered. Every other failure is the caller's to judge (classifySmtpError).
 */
function createSmtpPool(o: PoolOptions) {
  const queue: Job[] = []
  const idle: Conn[] = []
  /** sessions open or being opened */
  let open = 0
  let connecting = 0
  let closed = false
  const auth = o.auth && (o.auth.user || o.auth.pass) ? { user: o.auth.user ?? '', pass: o.auth.pass ?? '', credentials: { user: o.auth.user ?? '', pass: o.auth.pass ?? '' } } : null

  /** Opens and (when configured) authenticates one session. */
  function connect(): Promise<SMTPConnection> {
    return new Promise((resolve, reject) => {
      const smtp = new SMTPConnection(o.connection)
      let settled = false
      const fail = (err: unknown) => {
        if (settled) return
        settled = true
        smtp.close()
        reject(err)
      }
      smtp.once('error', fail)
      // Closed before the session was ready, without an error of its own.
      smtp.once('end', () => fail(Object.assign(new Error('Connection closed'), { code: 'ECONNECTION' })))
      smtp.connect(err => {
        if (err) return fail(err)
        const ready = () => {
          if (settled) return
          settled = true
          smtp.removeListener('error', fail)
          smtp.removeAllListeners('end')
          resolve(smtp)
        }
        if (auth && smtp.allowsAuth) smtp.login(auth, e => (e ? fail(e) : ready()))
        else ready()
      })
    })
  }

  function openConnection() {
    open++
    connecting++
    connect().then(
      smtp => {
        connecting--
        const conn: Conn = { smtp, busy: false, dropped: false, messages: 0, idleTimer: null }
        // Errors during a send reach the send's callback; one between sends (an idle session
        // timing out or closed by the relay) just retires the connection.
        smtp.on('error', () => {
          if (!conn.busy) drop(conn)
        })
        smtp.once('end', () => drop(conn))
        if (closed) return drop(conn)
        release(conn)
      },
      err => {
        open--
        connecting--
        // Nothing could be connected: the oldest waiting message fails (temporarily, see
        // classifySmtpError), and the rest try again with connections of their own.
        queue.shift()?.reject(err)
        pump()
      },
    )
  }

  function pump() {
    while (queue.length > 0 && !closed) {
      const conn = idle.pop()
      if (conn) {
        run(conn, queue.shift()!)
        continue
      }
      // No session free: open more, as many as are waiting (up to the limit).
      while (open < o.maxConnections && connecting < queue.length) openConnection()
      return
    }
  }

  function run(conn: Conn, job: Job) {
    conn.busy = true
    if (conn.idleTimer) clearTimeout(conn.idleTimer)
    const reused = conn.messages > 0
    let written = false
    // A minimal source with pipe(): the client asks for the message only after the relay has
    // answered DATA with 354, so `written` says whether any of it went out.
    const source = {
      pipe<T extends NodeJS.WritableStream>(dest: T): T {
        written = true
        dest.write(job.raw)
        dest.end()
        return dest
      },
    }
    // A fresh envelope each time: the client keeps its state (and errors) on the object.
    conn.smtp.send({ from: job.envelope.from, to: [...job.envelope.to] }, source as unknown as Readable, (err, info) => {
      conn.busy = false
      conn.messages++
      if (!err) {
        job.resolve(info as unknown as SendInfo)
        release(conn)
        return
      }
      const e = err as SmtpError
      if (reused && !written && !job.retried && isConnectionError(e)) {
        job.retried = true
        queue.unshift(job)
        drop(conn)
        // (The connection may have been dropped already, as it closed, before this callback.)
        pump()
        return
      }
      job.reject(err)
      // The relay refused this message; the session itself is fine once reset.
      if ((e.code === 'EENVELOPE' || e.code === 'EMESSAGE') && e.responseCode !== 421 && !conn.smtp.destroyed) {
        conn.busy = true
        conn.smtp.reset(resetErr => {
          conn.busy = false
          if (resetErr) drop(conn)
          else release(conn)
        })
        return
      }
      drop(conn)
    })
  }

  function release(conn: Conn) {
    if (conn.dropped) return
    if (closed || conn.messages >= o.maxMessages) {
      retire(conn)
      return
    }
    idle.push(conn)
    conn.idleTimer = setTimeout(() => retire(conn), o.idleTimeout)
    conn.idleTimer.unref()
    pump()
  }

  /** Ends a healthy session politely (QUIT). */
  function retire(conn: Conn) {
    if (conn.dropped) return
    forget(conn)
    try {
      conn.smtp.quit()
    } catch {
      conn.smtp.close()
    }
  }

  function drop(conn: Conn) {
    if (conn.dropped) return
    forget(conn)
    conn.smtp.close()
    pump()
  }

  function forget(conn: Conn) {
    conn.dropped = true
    open--
    if (conn.idleTimer) clearTimeout(conn.idleTimer)
    const i = idle.indexOf(conn)
    if (i >= 0) idle.splice(i, 1)
  }

  return {
    send(envelope: Job['envelope'], raw: Buffer): Promise<SendInfo> {
      if (closed) return Promise.reject(Object.assign(new Error('The SMTP channel is closed'), { code: 'ECONNECTION' }))
      return new Promise((resolve, reject) => {
        queue.push({ envelope, raw, resolve, reject, retried: false })
        pump()
      })
    },
    async verify(): Promise<void> {
      const smtp = await connect()
      smtp.on('error', () => {})
      smtp.quit()
    },
    close() {
      closed = true
      for (const conn of [...idle]) retire(conn)
      for (const job of queue.splice(0)) job.reject(Object.assign(new Error('The SMTP channel was closed'), { code: 'ECONNECTION' }))
    },
  }
}

const isConnectionError = (e: SmtpError) => e.code === 'ECONNECTION' || e.code === 'ESOCKET' || e.code === 'ETIMEDOUT' || e.responseCode === 421

interface NodemailerError {
  code?: string
  responseCode?: number
  command?: string
  response?: string
  message?: string
}

/**
 * Decides whether a failed send is worth trying again. A 5xx reply (550 no such user, 552
 * too big, 553 bad address) or an address nodemailer cannot use will fail the same way
 * every time; a 4xx reply (451 try later, 452 mailbox full) or a broken connection may not.
 * Authentication and TLS failures are 5xx-ish but are the deployment's fault, not the
 * recipient's: they stay temporary so messages wait for the settings to be fixed instead
 * of being marked as undeliverable.
 */
export function classifySmtpError(err: unknown): ChannelError {
  if (err instanceof ChannelError) return err
  const e = (err ?? {}) as NodemailerError
  const code = e.code
  const responseCode = e.responseCode
  const detail = (e.response ?? e.message ?? 'SMTP error').slice(0, 300)
  if (code === 'EAUTH' || code === 'ENOAUTH' || code === 'ETLS' || code === 'ECONFIG' || code === 'EOAUTH2')
    return new ChannelError(`SMTP settings problem: ${detail}`, false, code)
  if (typeof responseCode === 'number') {
    if (responseCode >= 500) return new ChannelError(`Mail server refused: ${detail}`, true, String(responseCode))
    if (responseCode >= 400) return new ChannelError(`Mail server asked to try later: ${detail}`, false, String(responseCode))
  }
  // An envelope error with no server reply means nodemailer itself found the address unusable.
  if (code === 'EENVELOPE') return new ChannelError(`Unusable recipient: ${detail}`, true, code)
  return new ChannelError(`Could not reach the mail server: ${detail}`, false, code ?? 'unknown')
}
