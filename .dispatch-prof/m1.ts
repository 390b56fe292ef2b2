import '../src/modules/areas/service.ts'; console.log(Math.round(process.memoryUsage().rss/1048576))
