import { ensurePgliteTemplate } from './pglite-template.ts'
import { usingPostgres } from './helpers.ts'

/** Vitest globalSetup: the PGlite pass builds its migrated template once, before any test file. */
export default async function setup(): Promise<void> {
  if (!usingPostgres()) await ensurePgliteTemplate()
}
