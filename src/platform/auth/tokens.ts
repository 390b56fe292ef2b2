import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** 32 random bytes, base64url: the value a cookie or emailed link carries. */
export const randomToken = (): string => randomBytes(32).toString('base64url')

/** What is stored in place of a token: a leaked table cannot be replayed as cookies or links. */
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex')

/** Constant-time string comparison for secrets of equal length. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}
