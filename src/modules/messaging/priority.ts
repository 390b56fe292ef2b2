// A module of its own (schema.ts re-exports it) so the dispatch worker process can use the
// ranks without loading the table definitions.

export const PRIORITIES = ['emergency', 'high', 'normal'] as const
export type Priority = (typeof PRIORITIES)[number]
/** Dispatch order: lower first. Emergency always ahead of any backlog. */
export const PRIORITY_RANK: Record<Priority, number> = { emergency: 0, high: 1, normal: 2 }
/** Every rank: with a message id, a probe per rank finds its rows in msg_deliveries_queue_idx. */
export const ALL_PRIORITY_RANKS: readonly number[] = [...new Set(Object.values(PRIORITY_RANK))]
