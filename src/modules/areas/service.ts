import type { Database } from '../../platform/db/client.ts'

/** Areas, boundaries, postcodes and the spatial index. TODO(helper A). */
export async function createAreasService(_db: Database) {
  return {}
}
