import { createHash } from 'node:crypto'
import { existsSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createDatabase, migrationsFolder, runMigrations } from '../src/platform/db/client.ts'

/**
 * A migrated PGlite cluster saved once per run, so each test file starts from a copy
 * (about 1.5 s) instead of creating a cluster and migrating it (about 5 s): with a hundred
 * test files on two cores that is minutes. The file's name carries a hash of the migrations
 * and PGlite's version, so a changed migration never loads an old template.
 */
export function pgliteTemplatePath(): string {
  const hash = createHash('sha1')
  // PGlite's version too: a dump is only good for the build that wrote it.
  hash.update(readFileSync(fileURLToPath(new URL('../node_modules/@electric-sql/pglite/package.json', import.meta.url))))
  for (const f of readdirSync(migrationsFolder, { recursive: true }).map(String).sort()) {
    const full = path.join(migrationsFolder, f)
    if (f.endsWith('.sql') || f.endsWith('.json')) hash.update(f).update(readFileSync(full))
  }
  return path.join(os.tmpdir(), `beacon-pglite-template-${hash.digest('hex').slice(0, 16)}.tar`)
}

/** Builds the template unless it is already there (vitest globalSetup for the PGlite pass). */
export async function ensurePgliteTemplate(): Promise<void> {
  const file = pgliteTemplatePath()
  if (existsSync(file)) return
  const db = await createDatabase({})
  await runMigrations(db)
  const dump = await (db.raw as { pglite: { dumpDataDir(c: 'none'): Promise<Blob> } }).pglite.dumpDataDir('none')
  await db.close()
  // Written aside and renamed, so a reader never sees half a file.
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()))
  renameSync(tmp, file)
}

/** The template as PGlite wants it, or undefined when none was built (a file run on its own). */
export function loadPgliteTemplate(): Blob | undefined {
  const file = pgliteTemplatePath()
  return existsSync(file) ? new Blob([readFileSync(file)]) : undefined
}
