import '../src/platform/channels/smtp.ts'; import 'pg'; console.log(Math.round(process.memoryUsage().rss/1048576))
