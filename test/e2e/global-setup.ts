/**
 * Builds once for the whole browser suite: the release extensions (dist/chrome, dist/firefox, the CLI)
 * and the test builds with the log sink (dist-test/*), then checks the browsers exist. A missing
 * browser fails the run with the install command; it never skips.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { ensureBrowsers } from '../../scripts/browsers.mjs';

const root = resolve(import.meta.dirname, '../..');
/** Which port the current dist-test build reports to. */
const SINK_PORT_FILE = resolve(root, 'dist-test/sink-port');

function run(args: string[]): void {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed with exit ${r.status}`);
}

/** A port that is free right now on loopback, for the test build's log sink. */
function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => ok(port));
    });
  });
}

export default async function setup(): Promise<void> {
  ensureBrowsers({ want: ['chromium', 'firefox'] });
  if (process.env.CORS_LENS_SKIP_BUILD !== '1') {
    // Test workers inherit this environment: the collector listens where the build reports.
    const port = await freePort();
    process.env.CORS_LENS_SINK_PORT = String(port);
    run(['scripts/build.mjs']);
    run(['scripts/build.mjs', '--test', '--ext-only', '--sink', `http://127.0.0.1:${port}/__cors_lens_log`]);
    writeFileSync(SINK_PORT_FILE, String(port));
  } else if (existsSync(SINK_PORT_FILE)) {
    // Reusing builds (CORS_LENS_SKIP_BUILD=1): listen where the existing test build reports.
    process.env.CORS_LENS_SINK_PORT = readFileSync(SINK_PORT_FILE, 'utf8').trim();
  }
}
