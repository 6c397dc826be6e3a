/**
 * Drives every playground scenario through CORS Lens in a launched Chromium and collects the report:
 * the annotated HAR exported by the extension itself (the popup's `export` message, exactly what the
 * Export HAR button downloads) and the verdict table in the CLI's text format.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * @param {{browser: any, playground: any, log?: (s: string) => void, timeoutMs?: number}} opts
 * @returns {Promise<{har: string, entries: number, table: string, tabId: number}>}
 */
export async function runDemoScenarios({ browser, playground, log = () => undefined, timeoutMs = 120_000 }) {
  const page = await browser.context.newPage();
  await page.goto(playground.pageOrigin + '/');
  const total = playground.scenarios.length;
  log(`running ${total} scenarios`);
  const started = Date.now();
  await page.evaluate(() => window.corsLensPlayground.runAll());
  log(`scenarios done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const tabId = await browser.sw.evaluate(async (url) => (await chrome.tabs.query({ url }))[0]?.id, playground.pageOrigin + '/*');
  if (typeof tabId !== 'number') throw new Error('could not find the playground tab');

  // Wait until the background has nothing in flight and the tab's entry count has settled
  // (bounded in time): then every request the playground answered has been filed.
  const apiRequests = () => playground.log.filter((r) => r.scenario).length;
  const deadline = Date.now() + Math.min(timeoutMs, 30_000);
  let stored = -1;
  let stableSince = Date.now();
  while (Date.now() < deadline) {
    const now = await browser.sw.evaluate((id) => {
      const h = globalThis.__corsLens;
      return { inFlight: h.inFlight().length, stored: h.entries(id).length };
    }, tabId);
    if (now.stored !== stored) {
      stored = now.stored;
      stableSince = Date.now();
    } else if (now.inFlight === 0 && Date.now() - stableSince >= 500) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  log(`server answered ${apiRequests()} scenario requests; the tab holds ${stored} entries (preflights and page requests included)`);

  const ext = await browser.context.newPage();
  await ext.goto(browser.extensionUrl(`src/popup/popup.html?tabId=${tabId}`));
  const reply = await ext.evaluate((id) => chrome.runtime.sendMessage({ type: 'export', tabId: id }), tabId);
  await ext.close();
  if (!reply || reply.ok !== true) throw new Error(`export failed: ${reply?.error ?? 'no reply from the background'}`);
  const { har, count } = reply.value;

  const dir = mkdtempSync(join(tmpdir(), 'cors-lens-demo-'));
  try {
    const file = join(dir, 'report.har');
    writeFileSync(file, har);
    const cli = resolve(root, 'dist/cli/cors-lens.mjs');
    if (!existsSync(cli)) throw new Error('dist/cli/cors-lens.mjs is missing: run npm run build');
    const r = spawnSync(process.execPath, [cli, 'analyze', file], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    if (r.status === 2) throw new Error(`the CLI rejected the exported HAR: ${r.stderr.trim()}`);
    return { har, entries: count, table: r.stdout, tabId };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
