import type { MessagingDeps } from './deps.ts'

/** STUB — being written by a helper; replace wholesale. */
export function createInboxService(_deps: MessagingDeps) {
  return {}
}
