import * as OTPAuth from 'otpauth'
import QRCode from 'qrcode'

/** RFC 6238 defaults every authenticator app understands. */
const PERIOD = 30
const DIGITS = 6

function totpFor(secretBase32: string, label = 'staff'): OTPAuth.TOTP {
  return new OTPAuth.TOTP({
    issuer: 'Beacon',
    label,
    secret: OTPAuth.Secret.fromBase32(secretBase32),
    algorithm: 'SHA1',
    digits: DIGITS,
    period: PERIOD,
  })
}

/** A new 160-bit secret, base32 as authenticator apps expect. */
export const newTotpSecret = (): string => new OTPAuth.Secret({ size: 20 }).base32

/** The secret in groups of four, easier to read aloud and to type into an app by hand. */
export const groupSecret = (secret: string): string => secret.match(/.{1,4}/g)?.join(' ') ?? secret

/** The otpauth:// URI an authenticator app scans; the issuer names the service and force. */
export function totpUri(secret: string, account: string, issuer: string): string {
  return new OTPAuth.TOTP({
    issuer,
    label: account,
    secret: OTPAuth.Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: DIGITS,
    period: PERIOD,
  }).toString()
}

/**
 * The QR code as inline SVG markup. The page's CSP forbids inline styles, so any style
 * attribute is stripped (qrcode does not emit one today; this keeps it true if it starts).
 * The size comes from the `.beacon-qr svg` stylesheet rule.
 */
export async function totpQrSvg(uri: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' })
  return svg
    .replace(/\sstyle="[^"]*"/g, '')
    .replace('<svg ', '<svg role="img" aria-label="QR code for your authenticator app" focusable="false" ')
}

/**
 * The time step a code belongs to, or null when it matches none within one step either side
 * of `now` (allowing for clock drift and slow typing).
 */
export function matchTotp(secret: string, code: string, now: Date): number | null {
  const token = code.replace(/\s+/g, '')
  if (!/^\d{6}$/.test(token)) return null
  const delta = totpFor(secret).validate({ token, timestamp: now.getTime(), window: 1 })
  if (delta === null) return null
  return Math.floor(now.getTime() / 1000 / PERIOD) + delta
}
