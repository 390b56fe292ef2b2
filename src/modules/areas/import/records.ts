import type { AreaKind } from '../service.ts'
import type { AreaRecord } from './write-areas.ts'
import type { ProblemList } from './problems.ts'

/** An area read from a file, with where it came from for problem reports. */
export type LocatedRecord = AreaRecord & { where: string }

export const AREA_KINDS: readonly AreaKind[] = ['force', 'district', 'neighbourhood']

/** Ids become URL segments and path parts, so they are kept to a safe alphabet. */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/

/** An id as text, or null with a problem added. Numbers are accepted (many files use them). */
export function checkId(value: unknown, label: string, where: string, problems: ProblemList): string | null {
  if (value === undefined || value === null || value === '') {
    problems.add(where, `missing property ${label}`)
    return null
  }
  const text = typeof value === 'number' && Number.isInteger(value) ? String(value) : typeof value === 'string' ? value.trim() : null
  if (text === null || !ID_PATTERN.test(text)) {
    problems.add(where, `${label} ${JSON.stringify(value)} may only use letters, digits, dots, hyphens and underscores (up to 100)`)
    return null
  }
  return text
}

/** A population: a whole number from 0 to 100 million, or undefined when not given. */
export function checkPopulation(value: unknown, where: string, problems: ProblemList): number | null | undefined {
  if (value === undefined || value === null || value === '') return undefined
  const n = typeof value === 'string' ? Number(value.replace(/,/g, '')) : value
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 100_000_000) {
    problems.add(where, `population ${JSON.stringify(value)} is not a whole number from 0 to 100,000,000`)
    return undefined
  }
  return n
}

/**
 * Checks the file's areas as a tree against what is already stored: ids unique, each kind
 * under the right kind of parent (force ← district ← neighbourhood), parents known, and no
 * stored area silently changing kind.
 */
export function checkTree(
  records: readonly LocatedRecord[],
  stored: ReadonlyMap<string, { kind: AreaKind }>,
  problems: ProblemList,
): void {
  const inFile = new Map<string, LocatedRecord>()
  for (const record of records) {
    const first = inFile.get(record.id)
    if (first) problems.add(record.where, `id ${record.id} is used by ${first.where} as well`)
    else inFile.set(record.id, record)
  }
  const expectedParent: Record<AreaKind, AreaKind | null> = { force: null, district: 'force', neighbourhood: 'district' }
  for (const record of records) {
    const existing = stored.get(record.id)
    if (existing && existing.kind !== record.kind)
      problems.add(record.where, `${record.id} is already a ${existing.kind} in Beacon; the file says ${record.kind}`)
    const wanted = expectedParent[record.kind]
    if (wanted === null) {
      if (record.parentId) problems.add(record.where, `a force cannot have a parent (parent is ${record.parentId})`)
      continue
    }
    if (!record.parentId) {
      problems.add(record.where, `missing property parent: a ${record.kind} needs the id of its ${wanted}`)
      continue
    }
    // A stored area cannot change kind (reported above), so its stored kind is the one to check against.
    const parentKind = stored.get(record.parentId)?.kind ?? inFile.get(record.parentId)?.kind
    if (!parentKind) problems.add(record.where, `unknown parent ${record.parentId}: it is not in this file or already in Beacon`)
    else if (parentKind !== wanted) problems.add(record.where, `parent ${record.parentId} is a ${parentKind}; a ${record.kind} belongs to a ${wanted}`)
  }
}

/**
 * Checks that every area the file touches lies, before and after the import, inside one of the
 * given subtrees (an administrator's granted paths), so an administrator of one force cannot
 * rewrite or take over another's areas. Run after checkTree has passed.
 */
export function checkWithin(
  records: readonly LocatedRecord[],
  storedPaths: ReadonlyMap<string, string>,
  within: readonly string[],
  problems: ProblemList,
): void {
  const inFile = new Map(records.map(r => [r.id, r]))
  const newPath = (id: string, depth = 0): string | null => {
    const record = inFile.get(id)
    if (!record) return storedPaths.get(id) ?? null
    if (!record.parentId) return `/${id}/`
    // Kinds nest at most three deep, so anything deeper is a loop the tree check let through.
    const parent = depth < 3 ? newPath(record.parentId, depth + 1) : null
    return parent && `${parent}${id}/`
  }
  const allowed = (p: string | null | undefined) => p != null && within.some(w => p.startsWith(w))
  for (const record of records) {
    const before = storedPaths.get(record.id)
    if ((before !== undefined && !allowed(before)) || !allowed(newPath(record.id)))
      problems.add(record.where, `${record.id} is outside the areas you administer`)
  }
}
