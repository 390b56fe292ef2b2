const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * True for a well-formed uuid. Ids from URLs and forms are checked with this first, so a
 * malformed one is simply "not found" instead of a database error.
 */
export const isUuid = (s: unknown): s is string => typeof s === 'string' && UUID.test(s)
