import type { MessagingDeps } from './deps.ts'

/** STUB — being written by a helper; replace wholesale. */
export function createMessagesService(_deps: MessagingDeps) {
  return {}
}
