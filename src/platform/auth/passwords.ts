import { hash, verify } from '@node-rs/argon2'

/**
 * argon2id with OWASP's first recommended profile (19 MiB, 2 passes, 1 lane): about 50–80 ms
 * on one core, slow enough to make offline guessing expensive and fast enough that a burst of
 * sign-ins does not starve the event loop (the work runs on libuv's thread pool).
 */
const ARGON2_OPTIONS = {
  // Algorithm.Argon2id: the package exports a const enum, which type stripping cannot inline.
  algorithm: 2,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const

export const PASSWORD_MIN_LENGTH = 12
/** Long enough for any passphrase; the cap stops megabyte "passwords" being hashed. */
export const PASSWORD_MAX_LENGTH = 256

/** Hashes a password for storage (PHC string with salt and parameters). */
export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS)
}

/** True when `password` matches the stored hash; false (never throws) for a malformed hash. */
export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
  try {
    return await verify(storedHash, password)
  } catch {
    return false
  }
}

let dummyHash: Promise<string> | undefined
/**
 * Verifies against a throw-away hash so that an unknown email costs as much time as a wrong
 * password: the response time must not reveal whether an account exists.
 */
export async function verifyDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword('beacon-timing-equaliser-not-a-real-password')
  await verifyPassword(await dummyHash, password)
  return false
}

/**
 * The password rules, as the message to show, or null when acceptable. Length is what makes a
 * password strong (NCSC guidance), so there are no composition rules.
 */
export function passwordProblem(password: string, email: string): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) return `Password must be ${PASSWORD_MIN_LENGTH} characters or more`
  if (password.length > PASSWORD_MAX_LENGTH) return `Password must be ${PASSWORD_MAX_LENGTH} characters or fewer`
  const lowered = password.trim().toLowerCase()
  const address = email.trim().toLowerCase()
  if (lowered === address || lowered === address.split('@')[0]) return 'Password must not be your email address'
  if (new Set(password).size < 4) return 'Password must not be the same few characters repeated'
  return null
}
