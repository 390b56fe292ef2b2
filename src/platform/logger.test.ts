import { Writable } from 'node:stream'
import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { createLogger, scrub, scrubDeep } from './logger.ts'

/** A logger writing JSON lines into an array. */
function capture(level = 'trace') {
  const lines: Record<string, unknown>[] = []
  const raw: string[] = []
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        raw.push(line)
        lines.push(JSON.parse(line) as Record<string, unknown>)
      }
      done()
    },
  })
  return { logger: createLogger({ level, destination }), lines, raw }
}

describe('scrub', () => {
  it.each([
    ['sent to jo.bloggs+alerts@example.co.uk today', 'sent to [email] today'],
    ['<Resident.One@Mail.Example.org>', '<[email]>'],
    ['550 5.1.1 <nobody@example.org>: Recipient address rejected', '550 5.1.1 <[email]>: Recipient address rejected'],
    ['/staff/outbox?recipient=ann%40example.org&page=2', '/staff/outbox?recipient=[email]&page=2'],
  ])('masks emails: %s', (input, output) => {
    expect(scrub(input)).toBe(output)
  })

  it.each([
    '07700 900123',
    '07700900123',
    '07700-900-123',
    '+44 7700 900123',
    '+447700900123',
    '+44 (0)20 7946 0000',
    '0044 20 7946 0000',
    '020 7946 0000',
    '0161 496 0000',
    '(0161) 496 0000',
    '01632 960 001',
  ])('masks the UK phone number %s', phone => {
    expect(scrub(`call ${phone} now`)).toBe('call [phone] now')
  })

  it.each([
    ['/staff/reset-password/Zm9vYmFyYmF6cXV4cXV1eA?x=1', '/staff/reset-password/[redacted]?x=1'],
    ['/subscribe/confirm/abc123def456', '/subscribe/confirm/[redacted]'],
    ['/s/kT9xQ2mZ7vB1nL4pR8sW3yH6jD0fG5aC2eU', '/s/[redacted]'],
    ['/login?token=abc.def-ghi&next=/staff', '/login?token=[redacted]&next=/staff'],
    ['/verify?email=a%40b.example&code=123456', '/verify?email=[email]&code=[redacted]'],
    ['https://x.example/cb#access_token=eyJhbGciOi', 'https://x.example/cb#access_token=[redacted]'],
    ['/api?key=sk_live_123&Signature=abc', '/api?key=[redacted]&Signature=[redacted]'],
    ['Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig', 'Authorization: Bearer [redacted]'],
    ['reset token=abc123 sent', 'reset token=[redacted] sent'],
  ])('masks tokens in URLs and headers: %s', (input, output) => {
    expect(scrub(input)).toBe(output)
  })

  it.each([
    'job 1795452466713 finished',
    'at 2026-05-01T10:00:05.000Z',
    'at 2026-05-01 10:00:05',
    'area e05000026 has 12345 postcodes',
    'request id req-1b, 3 ms, status 200',
    'order 123456789012345',
    '/staff/outbox/a1b2c3d4-0000-4000-8000-000000000001',
    '/staff/users/0123abcd-0123-4567-8901-012345678901/grants',
    'took 0.1234567890123 seconds',
    'version 10.4.2, 3.14159265358979',
    'postcode SW1A 1AA',
  ])('leaves ordinary numbers and ids alone: %s', text => {
    expect(scrub(text)).toBe(text)
  })
})

describe('scrubDeep', () => {
  it('censors secret and personal keys at any depth and scrubs every string', () => {
    const out = scrubDeep({
      user: { id: 42, email: 'a@b.example', profile: { phone: '07700900123', note: 'ring 07700 900123' } },
      list: [{ password: 'hunter2hunter2' }, 'mail c@d.example'],
      headers: { Authorization: 'Bearer x', Cookie: 'beacon_session=abc', 'content-type': 'text/html' },
      count: 1795452466713,
      when: new Date('2026-05-01T10:00:00Z'),
      missing: null,
    })
    expect(out).toEqual({
      user: { id: 42, email: '[redacted]', profile: { phone: '[redacted]', note: 'ring [phone]' } },
      list: [{ password: '[redacted]' }, 'mail [email]'],
      headers: { Authorization: '[redacted]', Cookie: '[redacted]', 'content-type': 'text/html' },
      count: 1795452466713,
      when: new Date('2026-05-01T10:00:00Z'),
      missing: null,
    })
  })

  it('copes with cycles and stops at a depth', () => {
    const a: Record<string, unknown> = { name: 'a' }
    a.self = a
    expect(scrubDeep(a)).toEqual({ name: 'a', self: '[circular]' })
    let deep: Record<string, unknown> = { v: 1 }
    for (let i = 0; i < 20; i++) deep = { deep }
    expect(JSON.stringify(scrubDeep(deep))).toContain('[too deep]')
  })

  it('never passes through objects it does not know', () => {
    class Socket {
      secret = 'Bearer abc'
    }
    expect(scrubDeep({ s: new Socket() })).toEqual({ s: '[Socket]' })
  })
})

describe('createLogger', () => {
  it('scrubs the message, the merged object and child bindings', () => {
    const { logger, lines } = capture()
    logger.child({ email: 'child@example.org', subject: 'for jo@example.org' }).info({ meta: { to: 'x@y.example', n: 7 } }, 'sent to resident@example.org on 07700 900123')
    const [line] = lines
    expect(line!.msg).toBe('sent to [email] on [phone]')
    expect(line!.meta).toEqual({ to: '[redacted]', n: 7 })
    expect(line!.email).toBe('[redacted]')
    expect(line!.subject).toBe('for [email]')
  })

  it('scrubs errors, their causes and stack, keeping codes and numbers', () => {
    const { logger, lines, raw } = capture()
    const err = Object.assign(new Error('550 <nobody@example.org> rejected', { cause: new Error('for 07700 900123') }), {
      code: 'EENVELOPE',
      responseCode: 550,
    })
    logger.error({ err }, 'send failed')
    const logged = lines[0]!.err as Record<string, unknown>
    expect(logged.message).toBe('550 <[email]> rejected: for [phone]')
    expect(logged.code).toBe('EENVELOPE')
    expect(logged.responseCode).toBe(550)
    expect(logged.type).toBe('Error')
    expect(raw[0]).not.toContain('nobody@example.org')
    expect(raw[0]).not.toContain('900123')
  })

  it('scrubs a string logged on its own and an error logged as the first argument', () => {
    const { logger, raw } = capture()
    logger.warn('reset asked for a@b.example')
    logger.error(new Error('token=abc123 for c@d.example'))
    expect(raw.join('\n')).not.toMatch(/a@b\.example|c@d\.example|abc123/)
  })

  it('leaves ids, timestamps and durations intact', () => {
    const { logger, lines } = capture()
    logger.info({ jobId: 'a1b2c3d4-0000-4000-8000-000000000001', count: 12345678901, at: '2026-05-01T10:00:05.000Z', ms: 0.123456789 }, 'job 1795452466713 done')
    expect(lines[0]).toMatchObject({
      jobId: 'a1b2c3d4-0000-4000-8000-000000000001',
      count: 12345678901,
      at: '2026-05-01T10:00:05.000Z',
      ms: 0.123456789,
      msg: 'job 1795452466713 done',
    })
  })

  it('logs Fastify requests without query-string personal data, tokens, cookies or authorization', async () => {
    const { logger, raw } = capture()
    const app = Fastify({ loggerInstance: logger })
    app.get('/staff/reset-password/:token', async () => 'ok')
    app.get('/find', async req => {
      req.log.info({ headers: req.headers }, 'headers seen')
      return 'ok'
    })
    await app.inject({ url: '/staff/reset-password/Zm9vYmFyYmF6cXV4cXV1eDEyMzQ1Njc4OTA' })
    await app.inject({
      url: '/find?email=jo%40example.org&phone=07700900123&token=sekrit',
      headers: { authorization: 'Bearer sekrit-bearer', cookie: 'beacon_session=sekrit-cookie' },
    })
    await app.close()
    const all = raw.join('\n')
    expect(all).toContain('"url":"/staff/reset-password/[redacted]"')
    expect(all).toContain('/find?email=[email]&phone=[phone]&token=[redacted]')
    for (const leak of ['Zm9vYmFy', 'jo%40example.org', '07700900123', 'sekrit']) expect(all).not.toContain(leak)
    expect(all).toContain('"statusCode":200')
  })

  it('honours the level', () => {
    const { logger, lines } = capture('warn')
    logger.info('quiet')
    logger.warn('loud')
    expect(lines.map(l => l.msg)).toEqual(['loud'])
  })
})
