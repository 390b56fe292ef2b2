import type { MessagingDeps } from '../deps.ts'

/** STUB — being written by a helper; replace wholesale. */
export function createDispatchService(_deps: MessagingDeps) {
  return {}
}
