import pino, { type Logger } from 'pino'

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g
// UK phone numbers in the forms people type: 07700 900123, +44 7700 900123, 0161 496 0000
const PHONE = /(?:\+44\s?|\b0)(?:\d[\s-]?){9,10}\b/g
const TOKEN_PARAM = /([?&](?:token|code|key|signature|sig)=)[^&\s"]+/gi

/** Replaces emails, phone numbers and token query parameters in a string. */
export function scrub(text: string): string {
  return text.replace(EMAIL, '[email]').replace(PHONE, '[phone]').replace(TOKEN_PARAM, '$1[redacted]')
}

function scrubDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value)
  if (depth > 6 || value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map(v => scrubDeep(v, depth + 1))
  // Only plain objects are rebuilt; requests, errors and the like go to their serializers intact.
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return value
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubDeep(v, depth + 1)]))
}

/**
 * pino JSON logs with personal data and secrets removed: known secret keys are censored
 * by path, and any email address, phone number or token in any string is masked, since
 * they turn up in URLs, error messages and SMTP replies as well as in named fields.
 */
export function createLogger(opts: { level: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      level: opts.level,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'res.headers["set-cookie"]',
          '*.password',
          '*.token',
          '*.totpSecret',
          '*.secret',
          'password',
          'token',
          'email',
          'phone',
          'to',
          '*.email',
          '*.phone',
          '*.to',
        ],
        censor: '[redacted]',
      },
      formatters: { log: obj => scrubDeep(obj) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map(a => (typeof a === 'string' ? scrub(a) : a)) as Parameters<typeof method>,
          )
        },
      },
      serializers: {
        req: req => ({ method: req.method, url: scrub(String(req.url)), id: req.id }),
        res: res => ({ statusCode: res.statusCode }),
        err: pino.stdSerializers.err,
      },
    },
    opts.destination,
  )
}
