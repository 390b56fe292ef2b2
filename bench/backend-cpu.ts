import { readFileSync } from 'node:fs'
import type { Database } from '../src/platform/db/client.ts'

/**
 * CPU time a local PostgreSQL backend has used, in ms, from /proc (utime + stime, in clock
 * ticks of 10 ms); null where it cannot be read (a server on another machine). Benchmarks
 * report it beside wall-clock times because this shared virtual machine's speed swings by a
 * quarter from one run to the next, and CPU time shows what a change saved regardless.
 */
export function backendCpuMs(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 10
  } catch {
    return null
  }
}

/**
 * Runs `fn` in a transaction and answers its result with the CPU time its backend used
 * (null on PGlite, which runs inside this process and has no backend of its own).
 */
export async function withBackendCpu<T>(db: Database, fn: (q: Database['query']) => Promise<T>): Promise<{ result: T; cpuMs: number | null }> {
  if (db.kind !== 'postgres') return { result: await db.transaction(fn), cpuMs: null }
  return db.transaction(async q => {
    const [row] = await q<{ pid: number }>('select pg_backend_pid() as pid')
    const before = backendCpuMs(row!.pid)
    const result = await fn(q)
    const after = backendCpuMs(row!.pid)
    return { result, cpuMs: before === null || after === null ? null : after - before }
  })
}
