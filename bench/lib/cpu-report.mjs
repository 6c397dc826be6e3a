/**
 * Preloaded (`node --import`) into the processes the engine benchmark times: at exit, prints the
 * process's own CPU time (user + system) on stderr as one marker line the benchmark parses. The
 * process runs unchanged otherwise.
 */
import { writeSync } from 'node:fs';

process.on('exit', () => {
  const u = process.cpuUsage();
  const mem = process.memoryUsage.rss();
  writeSync(2, `\n__BENCH_CPU__ ${JSON.stringify({ cpuMs: (u.user + u.system) / 1000, rssBytes: mem })}\n`);
});
