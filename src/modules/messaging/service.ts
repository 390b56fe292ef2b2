import type { MessagingDeps } from './deps.ts'
import { createSubscribersService } from './subscribers.service.ts'
import { createMessagesService } from './messages.service.ts'
import { createDispatchService } from './dispatch/dispatch.service.ts'
import { createInboxService } from './inbox.service.ts'
import { createStatsService } from './stats.service.ts'
import { createGroupsService } from './groups.service.ts'

/**
 * The messaging module's services, wired together. Each part is its own file:
 * subscribers (residents, consent, links), messages (compose, target, approve),
 * dispatch (delivery workers, digests, receipts), inbox (replies) and stats.
 */
export function createMessagingService(deps: MessagingDeps) {
  const subscribers = createSubscribersService(deps)
  const messages = createMessagesService(deps)
  const dispatch = createDispatchService(deps)
  const inbox = createInboxService(deps)
  const stats = createStatsService(deps)
  const groups = createGroupsService(deps)
  return { subscribers, messages, dispatch, inbox, stats, groups }
}

export type MessagingService = ReturnType<typeof createMessagingService>
