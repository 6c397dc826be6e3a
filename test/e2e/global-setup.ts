/**
 * Builds once for the whole browser suite: the release extensions (dist/chrome, dist/firefox, the CLI)
 * and the test builds with the log sink (dist-test/*), then checks the browsers exist. A missing
 * browser fails the run with the install command; it never skips.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { ensureBrowsers } from '../../scripts/browsers.mjs';

const root = resolve(import.meta.dirname, '../..');

function run(args: string[]): void {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed with exit ${r.status}`);
}

export default function setup(): void {
  ensureBrowsers({ want: ['chromium', 'firefox'] });
  if (process.env.CORS_LENS_SKIP_BUILD !== '1') {
    run(['scripts/build.mjs']);
    run(['scripts/build.mjs', '--test', '--ext-only']);
  }
}
