import { startSmtpSink } from '../src/modules/messaging/dispatch/smtp-sink.ts'
const sink = await startSmtpSink({ port: 2526 })
let last = 0
setInterval(() => { console.log('sink', sink.total - last); last = sink.total }, 1000)
