/**
 * The benchmark's SMTP relay, in its own process so the worker's figures are the worker's.
 * Talks to its parent over IPC: {cmd:'stats'|'hold'|'refs'|'reset'} → answers on the same
 * channel. Prints "port N" once listening.
 */
import { startSmtpSink, sinkSummary } from '../src/modules/messaging/dispatch/smtp-sink.ts'

const sink = await startSmtpSink()
process.send?.({ port: sink.port })

process.on('message', (m: { cmd: string; on?: boolean; prefix?: string }) => {
  if (m.cmd === 'stats') {
    const cpu = process.cpuUsage()
    process.send?.({ cmd: 'stats', total: sink.total, held: sink.held, cpuMs: (cpu.user + cpu.system) / 1000, ...sinkSummary(sink) })
  }
  else if (m.cmd === 'hold') {
    sink.hold(m.on === true)
    process.send?.({ cmd: 'hold', on: m.on === true })
  } else if (m.cmd === 'refs') {
    process.send?.({ cmd: 'refs', refs: [...sink.received].filter(([r]) => !m.prefix || r.startsWith(m.prefix)) })
  } else if (m.cmd === 'reset') {
    sink.received.clear()
    process.send?.({ cmd: 'reset' })
  } else if (m.cmd === 'close') void sink.close().then(() => process.exit(0))
})
