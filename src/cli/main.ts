/**
 * `cors-lens` command line (DESIGN §3.2): wires `run` (src/cli/run.ts) to the real process.
 * Imports only src/core and node:* (the core boundary of DESIGN §1; lint enforces it).
 */
import { setFlagsFromString } from 'node:v8';
import { analyzeCapture } from '../core/analyze.ts';
import { run } from './run.ts';

// A one-shot batch: V8's optimising compiler inlines the analyzer's call tree into a few very
// large functions, which deoptimise on the next object shape and are compiled again, up to four
// times each on a 50,000-entry HAR, on compiler threads that cost as much CPU as the judging
// itself. A smaller inlining budget keeps the compiled units small. Measured with `npm run
// bench -- --only engine` and per-thread CPU (docs/bench.md, "Engine: the compiler's share").
// Set before any engine code has been optimised (nothing has run yet); output is unchanged.
setFlagsFromString('--max-inlined-bytecode-size-cumulative=150');

// Injected by the esbuild bundle (scripts/build.mjs); absent when the module is run unbundled.
const VERSION = typeof __CORS_LENS_VERSION__ === 'string' ? __CORS_LENS_VERSION__ : '0.0.0-dev';

// A reader that stops early (`cors-lens analyze x.har | head`) closes the pipe: that is not an
// error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env }, analyzeCapture, VERSION).then(
  (code) => {
    // exitCode, not exit(): a large report written to a pipe is flushed asynchronously and
    // process.exit() would cut it short.
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`cors-lens: internal error: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n`);
    process.exitCode = 2;
  },
);
