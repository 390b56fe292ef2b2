console.log(Math.round(process.memoryUsage().rss/1048576))
