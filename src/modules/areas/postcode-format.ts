/**
 * UK postcode format: outward code (area letters, district digit, optional digit or letter)
 * then inward code (sector digit, two unit letters). Unit letters never include C, I, K, M,
 * O or V. GIR 0AA is the one historic exception still in the directory.
 */
const POSTCODE = /^(?:[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][ABD-HJLNP-UW-Z]{2}|GIR0AA)$/

/**
 * Normalises what someone typed ("la1 1aa", " LA11AA ", "LA1  1AA") to the stored key
 * ("LA11AA"), or returns null when it is not a well-formed UK postcode.
 */
export function normalisePostcode(text: string): string | null {
  const compact = text.replace(/\s+/g, '').toUpperCase()
  return POSTCODE.test(compact) ? compact : null
}

/** The printed form of a normalised postcode: one space before the inward code ("LA1 1AA"). */
export function formatPostcode(normalised: string): string {
  return `${normalised.slice(0, -3)} ${normalised.slice(-3)}`
}
