/**
 * A small JSON Schema checker for the subset the OpenAPI document uses: `$ref` into
 * components, `type` (one or a list, "null" included), `required`, `properties`,
 * `additionalProperties`, `items`, `pattern` and `enum`. Enough to hold every live API
 * answer to its documented shape without adding a validator dependency.
 */

type Schema = Record<string, unknown>

const typeOf = (v: unknown): string => {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number'
  return typeof v
}

const typeAllows = (allowed: string, actual: string) => allowed === actual || (allowed === 'number' && actual === 'integer')

/** Problems with `value` against `schema` (empty when it conforms), each with a JSON path. */
export function checkSchema(document: Record<string, unknown>, schema: Schema, value: unknown, path = '$'): string[] {
  const ref = schema.$ref
  if (typeof ref === 'string') {
    const target = ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], document) as Schema | undefined
    if (!target) return [`${path}: unresolved ${ref}`]
    return checkSchema(document, target, value, path)
  }
  const problems: string[] = []
  const actual = typeOf(value)
  if (schema.type !== undefined) {
    const allowed = [schema.type].flat() as string[]
    if (!allowed.some(t => typeAllows(t, actual))) return [`${path}: expected ${allowed.join(' or ')}, got ${actual}`]
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) problems.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`)
  if (typeof schema.pattern === 'string' && typeof value === 'string' && !new RegExp(schema.pattern).test(value))
    problems.push(`${path}: ${JSON.stringify(value)} does not match ${schema.pattern}`)
  if (actual === 'array' && schema.items) (value as unknown[]).forEach((item, i) => problems.push(...checkSchema(document, schema.items as Schema, item, `${path}[${i}]`)))
  if (actual === 'object') {
    const obj = value as Record<string, unknown>
    for (const key of (schema.required as string[] | undefined) ?? []) if (!(key in obj)) problems.push(`${path}: missing required "${key}"`)
    const properties = (schema.properties as Record<string, Schema> | undefined) ?? {}
    for (const [key, v] of Object.entries(obj)) {
      const sub = properties[key]
      if (sub) problems.push(...checkSchema(document, sub, v, `${path}.${key}`))
      else if (schema.additionalProperties === false) problems.push(`${path}: unexpected "${key}"`)
      else if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
        problems.push(...checkSchema(document, schema.additionalProperties as Schema, v, `${path}.${key}`))
    }
  }
  return problems
}
