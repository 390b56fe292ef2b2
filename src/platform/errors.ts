/** Stable error codes every service throws; one handler maps them to pages and statuses. */
export const AppErrorCode = {
  /** The record does not exist, or the user may not know that it does. */
  NOT_FOUND: 404,
  /** Signed in but the grants do not cover this record or action. */
  FORBIDDEN: 403,
  /** Not signed in (staff pages redirect to sign-in instead). */
  UNAUTHENTICATED: 401,
  /** Input was understood but is not acceptable; `fieldErrors` says where. */
  INVALID: 400,
  /** The record changed or exists already. */
  CONFLICT: 409,
  /** Too many attempts; try later. */
  RATE_LIMITED: 429,
  /** A file upload or body was larger than allowed. */
  TOO_LARGE: 413,
} as const
export type AppErrorCode = keyof typeof AppErrorCode

export class AppError extends Error {
  readonly code: AppErrorCode
  readonly fieldErrors: Record<string, string> | undefined
  constructor(code: AppErrorCode, message: string, fieldErrors?: Record<string, string>) {
    super(message)
    this.name = 'AppError'
    this.code = code
    this.fieldErrors = fieldErrors
  }
  get status(): number {
    return AppErrorCode[this.code]
  }
}

export const notFound = (what = 'Page') => new AppError('NOT_FOUND', `${what} not found`)
export const forbidden = (message = 'You do not have access to this') => new AppError('FORBIDDEN', message)
