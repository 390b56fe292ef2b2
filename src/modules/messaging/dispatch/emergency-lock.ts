// Shared by targeting.ts (which takes it) and dispatch.service.ts (which looks for it); a
// module of its own so the dispatch worker process loads nothing else of targeting's.

/**
 * The advisory lock an emergency message's targeting transaction holds (shared, so several
 * may run at once) while its deliveries are being written. Dispatch loops see it in pg_locks
 * and stop claiming routine work until it is gone, so the whole machine works on the
 * emergency: on a busy 2-core server a district's deliveries were written in 1.5 s with
 * routine sending at full speed beside them (docs/performance.md).
 */
export const EMERGENCY_TARGETING_LOCK = { classid: 0x6265, objid: 0x6d657267 } as const

