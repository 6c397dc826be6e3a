#!/usr/bin/env node
/**
 * `npm run demo`: builds CORS Lens, starts the CORS playground (a page origin and two API origins on
 * loopback) and opens Chromium with the extension loaded on the playground page.
 *
 *   npm run demo                                  a window (needs a display; else use --headless)
 *   npm run demo -- --headless [--out report.har] no window: runs every scenario through the
 *                                                 extension, exports the annotated HAR and prints
 *                                                 the verdict table; exits by itself
 *   --no-build     reuse dist/ as it is
 *   --port N       first of three consecutive ports for the playground (default 18411)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBrowsers } from './browsers.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => {
  const i = args.indexOf(name);
  if (i < 0) return null;
  const v = args[i + 1];
  if (!v || v.startsWith('--')) fail(`${name} needs a value`);
  return v;
};
function fail(msg) {
  console.error(`cors-lens demo: ${msg}`);
  process.exit(2);
}
const known = new Set(['--headless', '--out', '--no-build', '--port', '--help', '-h']);
for (const [i, a] of args.entries()) {
  if (a.startsWith('-') && !known.has(a)) fail(`unknown option ${a} (try --help)`);
  if (!a.startsWith('-') && !['--out', '--port'].includes(args[i - 1] ?? '')) fail(`unexpected argument ${a}`);
}
if (flag('--help') || flag('-h')) {
  console.log('Usage: npm run demo -- [--headless] [--out report.har] [--no-build] [--port N]');
  process.exit(0);
}
const headless = flag('--headless');
const out = option('--out');
const basePort = option('--port') ? Number(option('--port')) : 18411;
if (!Number.isInteger(basePort) || basePort < 1024 || basePort > 65530) fail('--port must be a number between 1024 and 65530');
if (!headless && !process.env.DISPLAY) {
  fail('no display found (DISPLAY is not set). Run `npm run demo -- --headless`, or under a virtual display: xvfb-run -a npm run demo');
}

const t0 = performance.now();
const step = (s) => console.error(`[demo ${((performance.now() - t0) / 1000).toFixed(1)}s] ${s}`);

try {
  ensureBrowsers({ want: ['chromium'], log: step });
} catch (e) {
  fail(e instanceof Error ? e.message : String(e));
}
if (!flag('--no-build') || !existsSync(resolve(root, 'dist/chrome/manifest.json'))) {
  step('building the extension and the CLI');
  const r = spawnSync(process.execPath, [resolve(root, 'scripts/build.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) fail('build failed (see above)');
}

const { startPlayground } = await import('../test/playground/server.mjs');
const { launchChromium } = await import('../test/harness/launch.mjs');
const { runDemoScenarios } = await import('../test/harness/demo-driver.mjs');

const playground = await startPlayground({ ports: { page: basePort, api: basePort + 1, third: basePort + 2 }, quiet: true });
step(`playground: page ${playground.pageOrigin}, APIs ${playground.origins.api}, ${playground.origins.apiLocalhost}, ${playground.origins.third}`);
const browser = await launchChromium({ extensionDir: resolve(root, 'dist/chrome'), headless, viewport: headless ? undefined : null });
step(`Chromium ${browser.executablePath} with CORS Lens ${browser.extensionId}`);

const shutdown = async () => {
  await browser.close();
  await playground.close();
};
process.on('SIGINT', () => void shutdown().then(() => process.exit(130)));

if (!headless) {
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await page.goto(playground.pageOrigin + '/');
  step('open DevTools (F12) → "CORS" tab, then press Run on the scenarios. Close the window or press Ctrl+C to stop.');
  await new Promise((ok) => browser.context.on('close', ok));
  await playground.close();
  process.exit(0);
}

let code = 0;
try {
  const result = await runDemoScenarios({ browser, playground, log: step });
  if (out) {
    writeFileSync(resolve(process.cwd(), out), result.har);
    step(`wrote ${out} (${result.entries} entries)`);
  }
  process.stdout.write(result.table);
} catch (e) {
  console.error(`cors-lens demo: ${e instanceof Error ? e.message : String(e)}`);
  code = 1;
} finally {
  await shutdown();
}
process.exit(code);
