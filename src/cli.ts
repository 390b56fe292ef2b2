import { createReadStream, existsSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { loadConfig, ConfigError } from './config.ts'
import { createDatabase, runMigrations, type Database } from './platform/db/client.ts'
import { createServices, type Services } from './services.ts'
import { seedDemo } from './demo.ts'
import { importBoundariesFromFile, importPostcodesFromFile } from './modules/areas/import/index.ts'
import { AppError } from './platform/errors.ts'

const usage = `Usage: npx beacon <command>

  migrate                      apply database migrations
  seed --demo [--seed N]       load the demo force area and staff accounts (empty database only)
  import-boundaries FILE       import area boundaries (.geojson/.json or .kml)
      [--parent ID]            KML only: the district the neighbourhoods belong to
  import-postcodes FILE        import an ONS Postcode Directory CSV (pcds, lat, long)
  create-admin EMAIL [--name NAME] [--area ID]
                               create an administrator; prints a one-off password

Uses DATABASE_URL (PostgreSQL) when set, otherwise PGlite in DATA_DIR (./data).
Stop a running \`npm start\` first when on PGlite: only one process can open it.`

async function withServices<T>(fn: (s: Services, db: Database) => Promise<T>): Promise<T> {
  const config = loadConfig()
  const db = await createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolMax: 2 })
  try {
    await runMigrations(db)
    const services = await createServices(config, db)
    return await fn(services, db)
  } finally {
    await db.close()
  }
}

/** Runs one CLI command; returns the process exit code. Exported for tests. */
export async function runCli(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  const [command, ...rest] = argv
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { demo: { type: 'boolean' }, seed: { type: 'string' }, parent: { type: 'string' }, name: { type: 'string' }, area: { type: 'string' } },
  })
  const file = positionals[0]
  const needFile = () => {
    if (!file) throw new AppError('INVALID', `${command} needs a FILE`)
    if (!existsSync(file)) throw new AppError('INVALID', `No such file: ${file}`)
    return file
  }
  switch (command) {
    case 'migrate':
      await withServices(async () => out('Migrations applied.'))
      return 0
    case 'seed': {
      if (!values.demo) throw new AppError('INVALID', 'Only `seed --demo` is available')
      const config = loadConfig()
      const result = await withServices(s => seedDemo(s, { seed: values.seed ? Number(values.seed) : config.demo.seed, password: config.demo.password }))
      if (!result.seeded) {
        out('The database already holds areas; nothing was seeded.')
        return 1
      }
      out(`Demo data loaded. Staff accounts: ${result.accounts.map(a => a.email).join(', ')}`)
      if (result.generatedPassword) out(`Their password (shown once): ${result.generatedPassword}`)
      return 0
    }
    case 'import-boundaries': {
      const path = needFile()
      const report = await withServices(s => importBoundariesFromFile(s.db, path, { parentId: values.parent }, s.areas))
      return printReport(report, out)
    }
    case 'import-postcodes': {
      const path = needFile()
      const report = await withServices(s => importPostcodesFromFile(s.db, createReadStream(path), s.areas))
      return printReport(report, out)
    }
    case 'create-admin': {
      const email = file
      if (!email) throw new AppError('INVALID', 'create-admin needs an EMAIL')
      const password = (await import('node:crypto')).randomBytes(12).toString('base64url')
      await withServices(async s => {
        const areaId = values.area ?? (await s.areas.listAreas()).find(a => a.kind === 'force')?.id
        if (!areaId) throw new AppError('INVALID', 'There are no areas yet: import boundaries or seed the demo first, or pass --area ID')
        await s.auth.createStaffUser({ email, name: values.name ?? email, password, grants: [{ role: 'administrator', areaId }] })
      })
      out(`Administrator ${email} created. One-off password (change it after signing in): ${password}`)
      out('They will set up a TOTP authenticator at first sign-in.')
      return 0
    }
    default:
      out(usage)
      return command ? 2 : 0
  }
}

/** Prints an import report (problems with where they are) and returns the exit code. */
function printReport(report: { ok: boolean; problems: { where: string; message: string }[]; summary: string }, out: (l: string) => void): number {
  if (report.ok) {
    out(report.summary)
    return 0
  }
  out(`Nothing was imported. ${report.problems.length} problem(s):`)
  for (const p of report.problems) out(`  ${p.where}: ${p.message}`)
  return 1
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    process.exitCode = await runCli(process.argv.slice(2))
  } catch (err) {
    if (err instanceof ConfigError || err instanceof AppError) {
      console.error(err.message)
      process.exitCode = 1
    } else throw err
  }
}
