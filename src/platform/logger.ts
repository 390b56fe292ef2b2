import pino, { type Logger } from 'pino'

// Also the URL-encoded form (%40), as in a logged query string.
const EMAIL = /[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g
// UK phone numbers in the forms people type: 07700 900123, 07700-900-123, +44 7700 900123,
// +44 (0)20 7946 0000, 0044 20 7946 0000, (0161) 496 0000. After the 0 or 44 come the 9 or 10
// digits of the national number, with spaces, hyphens or a bracket between them. A longer
// run of digits (an id, a timestamp) is not a phone number and is left alone.
const PHONE = /(?:(?:\+|\b00)44[\s-]?(?:\(0\)[\s-]?)?|\(0|\b0)\d(?:[\s)-]{0,2}\d){8,9}(?!\d)/g
// Secrets in query strings, fragments and key=value text.
const TOKEN_PARAM = /((?:^|[?&#\s;,])(?:token|code|key|signature|sig|password|secret|access_token|api_key|apikey)=)[^&#\s"']+/gi
// Secrets in paths: a reset or sign-in link's token, or any long opaque segment.
const TOKEN_PATH = /(\/(?:reset-password|invitation|invite|verify|confirm|unsubscribe|sign-in|token|magic)\/)[A-Za-z0-9_~.-]{8,}/gi
const LONG_SEGMENT = /\/(?![0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?:[/?#]|$))[A-Za-z0-9_-]{32,}(?=[/?#\s"']|$)/gi
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g

/** Keys whose values are secrets or personal data wherever they appear. */
const SECRET_KEYS = new Set(
  [
    'password',
    'newpassword',
    'confirmpassword',
    'passwordhash',
    'token',
    'secret',
    'totpsecret',
    'sessionsecret',
    'apikey',
    'api_key',
    'notifyapikey',
    'authorization',
    'cookie',
    'set-cookie',
    'email',
    'phone',
    'to',
    'recipient',
    'emailaddress',
    'email_address',
    'phonenumber',
    'phone_number',
  ].map(k => k.toLowerCase()),
)

/** Replaces emails, phone numbers, bearer tokens and secret URL parts in a string. */
export function scrub(text: string): string {
  return text
    .replace(EMAIL, '[email]')
    .replace(BEARER, '$1 [redacted]')
    .replace(TOKEN_PARAM, '$1[redacted]')
    .replace(TOKEN_PATH, '$1[redacted]')
    .replace(LONG_SEGMENT, '/[redacted]')
    .replace(PHONE, '[phone]')
}

/**
 * A copy of `value` with secret keys censored and every string scrubbed. Plain objects and
 * arrays are copied; errors become pino's error shape (type, message, stack, code…),
 * scrubbed; dates stay; a URL becomes its scrubbed address. Any other object (a socket, a
 * request) becomes its class name, so nothing unreviewed reaches the log.
 */
export function scrubDeep(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return scrub(value)
  if (value === null || typeof value !== 'object') return value
  if (value instanceof Date) return value
  if (value instanceof URL) return scrub(value.href)
  if (depth > 8) return '[too deep]'
  if (seen.has(value)) return '[circular]'
  seen.add(value)
  if (Array.isArray(value)) return value.map(v => scrubDeep(v, depth + 1, seen))
  if (value instanceof Error) return scrubDeep(Object.fromEntries(Object.entries(pino.stdSerializers.err(value))), depth, seen)
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return `[${(value.constructor as { name?: string } | undefined)?.name ?? 'object'}]`
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.has(k.toLowerCase()) && v != null ? '[redacted]' : scrubDeep(v, depth + 1, seen)]),
  )
}

/** Keys pino hands to a serializer after the log formatter; the serializers scrub them. */
const SERIALIZED = new Set(['req', 'res', 'err'])

function scrubLogObject(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(obj).map(([k, v]) => [
      k,
      SERIALIZED.has(k) ? v : SECRET_KEYS.has(k.toLowerCase()) && v != null ? '[redacted]' : scrubDeep(v, 1),
    ]),
  )
}

/**
 * pino JSON logs with personal data and secrets removed: values under secret or personal
 * keys are censored at any depth, and any email address, phone number or token in any
 * string is masked, since they turn up in URLs, error messages and SMTP replies as well as
 * in named fields. Serializers' output is scrubbed too, so errors and requests are covered.
 */
export function createLogger(opts: { level: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      level: opts.level,
      redact: {
        // Belt and braces for the common paths; scrubDeep catches the rest at any depth.
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'res.headers["set-cookie"]',
          'headers.authorization',
          'headers.cookie',
          '*.headers.authorization',
          '*.headers.cookie',
        ],
        censor: '[redacted]',
      },
      formatters: { log: scrubLogObject, bindings: scrubLogObject },
      // pino gives child loggers no bindings formatter, so their bindings (already rendered as
      // JSON by now) are scrubbed here.
      onChild(child) {
        const rendered = (child as unknown as Record<symbol, string>)[pino.symbols.chindingsSym] ?? ''
        if (!rendered) return
        const bindings = JSON.parse(`{${rendered.slice(1)}}`) as Record<string, unknown>
        ;(child as unknown as Record<symbol, string>)[pino.symbols.chindingsSym] = `,${JSON.stringify(scrubLogObject(bindings)).slice(1, -1)}`
      },
      hooks: {
        logMethod(args, method) {
          // logger.error(err) takes its message from the error: scrub that too.
          const [first, second] = args as unknown[]
          const withMessage = first instanceof Error && typeof second !== 'string' ? [first, first.message, ...args.slice(1)] : args
          method.apply(this, withMessage.map(a => (typeof a === 'string' ? scrub(a) : a)) as Parameters<typeof method>)
        },
      },
      serializers: {
        req: req => ({ method: req.method, url: scrub(String(req.url)), id: req.id }),
        res: res => ({ statusCode: res.statusCode }),
        err: err => scrubDeep(err),
      },
    },
    opts.destination,
  )
}
