import type { MessagingDeps } from './deps.ts'

/** STUB — being written by a helper; replace wholesale. */
export function createSubscribersService(_deps: MessagingDeps) {
  return {}
}
