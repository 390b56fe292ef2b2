import { SMTPServer } from 'smtp-server'

/**
 * A local SMTP relay for the exactly-once test and the benchmark. It records the
 * X-Beacon-Reference header of every message it accepts (a message is accepted when the
 * sink answers 250 to the end of its data), so duplicates are visible: the sink never
 * de-duplicates. `hold` makes it keep new messages unanswered, as a relay that has the
 * data but has not yet taken responsibility for it; a client that dies meanwhile has not
 * delivered that message (SMTP semantics: no 250, no delivery).
 */
export interface SmtpSink {
  port: number
  /** reference → times accepted */
  received: Map<string, number>
  /** messages accepted in all (including duplicates) */
  readonly total: number
  /** messages waiting for an answer while held */
  readonly held: number
  hold(on: boolean): void
  close(): Promise<void>
}

const REFERENCE = /^x-beacon-reference:\s*(.+?)\s*$/im

/** Starts a sink on 127.0.0.1 (port 0 = any free port). */
export async function startSmtpSink(opts: { port?: number; onAccept?: (reference: string) => void } = {}): Promise<SmtpSink> {
  const received = new Map<string, number>()
  let total = 0
  let holding = false
  let held = 0
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    maxClients: 200,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = []
      let size = 0
      stream.on('data', (c: Buffer) => {
        // Headers are all the sink reads; the body is counted, not kept.
        if (size < 16_384) chunks.push(c)
        size += c.length
      })
      stream.on('end', () => {
        if (holding) {
          held++
          return // never answered: the client times out or dies
        }
        const head = Buffer.concat(chunks).toString('utf8').split(/\r?\n\r?\n/, 1)[0] ?? ''
        const reference = REFERENCE.exec(head)?.[1] ?? '(none)'
        received.set(reference, (received.get(reference) ?? 0) + 1)
        total++
        opts.onAccept?.(reference)
        callback()
      })
    },
  })
  server.on('error', () => {})
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve())
  })
  const address = server.server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    port,
    received,
    get total() {
      return total
    },
    get held() {
      return held
    },
    hold(on) {
      holding = on
    },
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  }
}

/** References accepted more than once, and how many references in all. */
export function sinkSummary(sink: Pick<SmtpSink, 'received'>) {
  let duplicates = 0
  for (const n of sink.received.values()) if (n > 1) duplicates += n - 1
  return { distinct: sink.received.size, duplicates }
}
