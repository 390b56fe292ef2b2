import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform(v => v === 'true' || v === '1' || v === 'yes')

const hexColour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #1d3b6e')

/** Every setting Beacon reads from the environment. Documented in .env.example. */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  BASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres://')
    .optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  TRUST_PROXY: bool.default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  FORCE_NAME: z.string().min(1).default('Demo Shire Police'),
  SERVICE_NAME: z.string().min(1).default('Beacon'),
  BRAND_COLOUR: hexColour.default('#1d3b6e'),
  LOGO_URL: z.string().optional(),
  CONTACT_EMAIL: z.string().email().default('engagement@demo-shire.police.example'),

  EMAIL_PROVIDER: z.enum(['outbox', 'smtp', 'notify']).default('outbox'),
  SMS_PROVIDER: z.enum(['outbox', 'notify']).default('outbox'),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://').optional(),
  MAIL_FROM: z.string().default('Beacon <no-reply@beacon.example>'),
  NOTIFY_API_KEY: z.string().optional(),
  NOTIFY_EMAIL_TEMPLATE_ID: z.string().optional(),
  NOTIFY_SMS_TEMPLATE_ID: z.string().optional(),
  NOTIFY_BASE_URL: z.string().url().optional(),
  NOTIFY_CALLBACK_TOKEN: z.string().min(20, 'must be at least 20 characters').optional(),

  RUN_WORKER: bool.optional(),
  SEED_DEMO: bool.default(true),
  DEMO_SEED: z.coerce.number().int().default(2026),
  DEMO_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),

  MESSAGING_APPROVAL_THRESHOLD: z.coerce.number().int().min(0).default(5000),
  MESSAGING_EMAIL_PER_MINUTE: z.coerce.number().int().min(1).default(3000),
  MESSAGING_SMS_PER_MINUTE: z.coerce.number().int().min(1).default(3000),
  MESSAGING_BATCH_SIZE: z.coerce.number().int().min(1).max(10000).default(500),
  MESSAGING_FAILURES_BEFORE_FAILING: z.coerce.number().int().min(1).default(3),
  MESSAGING_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(6),
  MESSAGING_DIGEST_HOUR: z.coerce.number().int().min(0).max(23).default(7),
  NEIGHBOURHOODS_CONTACT_RETENTION_DAYS: z.coerce.number().int().min(30).max(3650).default(365),
  MESSAGING_PROVIDER_REPORTS_OPENS: bool.default(false),
  SENDGRID_INBOUND_TOKEN: z.string().min(24, 'must be at least 24 characters').regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, - and _ only').optional(),
  MAILGUN_WEBHOOK_SIGNING_KEY: z.string().min(16, 'must be at least 16 characters').optional(),

  SIGNIN_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(5),
  SIGNIN_LOCK_MINUTES: z.coerce.number().int().min(1).default(15),
  SESSION_HOURS: z.coerce.number().int().min(1).default(12),
  PASSWORD_RESET_MINUTES: z.coerce.number().int().min(5).default(60),
})

export type Env = z.infer<typeof envSchema>

export interface Config {
  env: Env['NODE_ENV']
  isProduction: boolean
  port: number
  host: string
  baseUrl: string
  dataDir: string
  databaseUrl: string | undefined
  databasePoolMax: number
  sessionSecret: string
  cookieSecure: boolean
  trustProxy: boolean
  logLevel: Env['LOG_LEVEL']
  brand: { forceName: string; serviceName: string; colour: string; logoUrl: string | undefined; contactEmail: string }
  channels: {
    emailProvider: Env['EMAIL_PROVIDER']
    smsProvider: Env['SMS_PROVIDER']
    smtpUrl: string | undefined
    mailFrom: string
    notifyApiKey: string | undefined
    notifyEmailTemplateId: string | undefined
    notifySmsTemplateId: string | undefined
    /** Notify's API address; unset = Notify's production API */
    notifyBaseUrl: string | undefined
    /** bearer token Notify sends with delivery receipts to /webhooks/notify; unset = receipts refused */
    notifyCallbackToken: string | undefined
  }
  /** run job workers inside the web process (always on PGlite, which allows one process) */
  runWorkerInProcess: boolean
  demo: { seedOnEmpty: boolean; seed: number; password: string | undefined }
  auth: { maxAttempts: number; lockMinutes: number; sessionHours: number; resetMinutes: number }
  messaging: {
    /** messages to more people than this need an engagement lead's approval */
    approvalThreshold: number
    /** provider rate limits, per minute (GOV.UK Notify's default is 3,000) */
    emailPerMinute: number
    smsPerMinute: number
    /** deliveries a dispatch worker claims at a time */
    batchSize: number
    /** permanent failures in a row before a contact is marked failing */
    failuresBeforeFailing: number
    /** attempts before a temporary failure becomes final */
    maxAttempts: number
    /** local hour at which daily and weekly digests go out */
    digestHour: number
    /** the email provider tracks opens and posts them to Beacon (Mailgun events webhook); otherwise opens show "Not tracked" */
    providerReportsOpens: boolean
    /** inbound email adapters: unset = that adapter's webhook answers 404 */
    inbound: {
      /** secret in SendGrid Inbound Parse's URL (/webhooks/inbound/sendgrid/<token>, or as its basic-auth password) */
      sendgridToken: string | undefined
      /** Mailgun's HTTP webhook signing key: checks routes' forwarded replies and event webhooks */
      mailgunSigningKey: string | undefined
    }
  }
  neighbourhoods: {
    /** days a closed "contact your team" query is kept before it is erased with its replies */
    contactRetentionDays: number
  }
}

export class ConfigError extends Error {
  readonly problems: string[]
  constructor(problems: string[]) {
    super(`Beacon cannot start; fix these settings:\n${problems.map(p => `  - ${p}`).join('\n')}`)
    this.problems = problems
  }
}

/**
 * Reads and checks every setting at once, so a misconfigured deployment reports all its
 * problems in one go. In production secrets and providers' keys are required; in
 * development a session secret is generated once and kept in DATA_DIR.
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings in a .env file mean "not set".
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = envSchema.safeParse(cleaned)
  const problems: string[] = []
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`)
    throw new ConfigError(problems)
  }
  const e = parsed.data
  const isProduction = e.NODE_ENV === 'production'
  if (isProduction) {
    if (!e.SESSION_SECRET) problems.push('SESSION_SECRET: required in production')
    if (!e.BASE_URL) problems.push('BASE_URL: required in production')
    if (!e.DATABASE_URL) problems.push('DATABASE_URL: required in production (PGlite is for development)')
  }
  if (e.EMAIL_PROVIDER === 'smtp' && !e.SMTP_URL) problems.push('SMTP_URL: required when EMAIL_PROVIDER=smtp')
  const usesNotify = e.EMAIL_PROVIDER === 'notify' || e.SMS_PROVIDER === 'notify'
  if (usesNotify && !e.NOTIFY_API_KEY) problems.push('NOTIFY_API_KEY: required when a provider is notify')
  if (e.EMAIL_PROVIDER === 'notify' && !e.NOTIFY_EMAIL_TEMPLATE_ID)
    problems.push('NOTIFY_EMAIL_TEMPLATE_ID: required when EMAIL_PROVIDER=notify')
  if (e.SMS_PROVIDER === 'notify' && !e.NOTIFY_SMS_TEMPLATE_ID)
    problems.push('NOTIFY_SMS_TEMPLATE_ID: required when SMS_PROVIDER=notify')
  if (problems.length) throw new ConfigError(problems)

  const dataDir = path.resolve(e.DATA_DIR)
  const sessionSecret = e.SESSION_SECRET ?? devSecret(dataDir, e.NODE_ENV)
  return {
    env: e.NODE_ENV,
    isProduction,
    port: e.PORT,
    host: e.HOST,
    baseUrl: (e.BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    dataDir,
    databaseUrl: e.DATABASE_URL,
    databasePoolMax: e.DATABASE_POOL_MAX,
    sessionSecret,
    // Cookies are Secure everywhere but local development over plain http (tests included,
    // so they exercise what production sends).
    cookieSecure: e.NODE_ENV !== 'development',
    trustProxy: e.TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
    brand: {
      forceName: e.FORCE_NAME,
      serviceName: e.SERVICE_NAME,
      colour: e.BRAND_COLOUR,
      logoUrl: e.LOGO_URL,
      contactEmail: e.CONTACT_EMAIL,
    },
    channels: {
      emailProvider: e.EMAIL_PROVIDER,
      smsProvider: e.SMS_PROVIDER,
      smtpUrl: e.SMTP_URL,
      mailFrom: e.MAIL_FROM,
      notifyApiKey: e.NOTIFY_API_KEY,
      notifyEmailTemplateId: e.NOTIFY_EMAIL_TEMPLATE_ID,
      notifySmsTemplateId: e.NOTIFY_SMS_TEMPLATE_ID,
      notifyBaseUrl: e.NOTIFY_BASE_URL,
      notifyCallbackToken: e.NOTIFY_CALLBACK_TOKEN,
    },
    runWorkerInProcess: e.DATABASE_URL ? (e.RUN_WORKER ?? true) : true,
    demo: { seedOnEmpty: e.SEED_DEMO, seed: e.DEMO_SEED, password: e.DEMO_PASSWORD },
    messaging: {
      approvalThreshold: e.MESSAGING_APPROVAL_THRESHOLD,
      emailPerMinute: e.MESSAGING_EMAIL_PER_MINUTE,
      smsPerMinute: e.MESSAGING_SMS_PER_MINUTE,
      batchSize: e.MESSAGING_BATCH_SIZE,
      failuresBeforeFailing: e.MESSAGING_FAILURES_BEFORE_FAILING,
      maxAttempts: e.MESSAGING_MAX_ATTEMPTS,
      digestHour: e.MESSAGING_DIGEST_HOUR,
      providerReportsOpens: e.MESSAGING_PROVIDER_REPORTS_OPENS,
      inbound: { sendgridToken: e.SENDGRID_INBOUND_TOKEN, mailgunSigningKey: e.MAILGUN_WEBHOOK_SIGNING_KEY },
    },
    neighbourhoods: { contactRetentionDays: e.NEIGHBOURHOODS_CONTACT_RETENTION_DAYS },
    auth: {
      maxAttempts: e.SIGNIN_MAX_ATTEMPTS,
      lockMinutes: e.SIGNIN_LOCK_MINUTES,
      sessionHours: e.SESSION_HOURS,
      resetMinutes: e.PASSWORD_RESET_MINUTES,
    },
  }
}

/** A development secret generated on first start and kept beside the data, never committed. */
function devSecret(dataDir: string, env: string): string {
  if (env === 'test') return 'test-secret-test-secret-test-secret-0000'
  const file = path.join(dataDir, 'secrets.json')
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { sessionSecret?: string }
    if (saved.sessionSecret) return saved.sessionSecret
  }
  mkdirSync(dataDir, { recursive: true })
  const sessionSecret = randomBytes(32).toString('base64url')
  writeFileSync(file, JSON.stringify({ sessionSecret }, null, 2), { mode: 0o600 })
  return sessionSecret
}

/** For process entry points: the configuration, or every problem printed and exit 78 (EX_CONFIG). */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig()
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message)
      process.exit(78)
    }
    throw err
  }
}

/** A configuration for tests: in-memory database, outbox channels, fixed secret. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', SEED_DEMO: 'false', DATA_DIR: '/tmp/beacon-test-unused', ...overrides })
}
