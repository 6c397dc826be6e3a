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

  // Wait until the background has seen every request the playground server answered (the log is
  // the ground truth of what went over the wire), bounded in time.
  const apiRequests = () => playground.log.filter((r) => r.scenario).length;
  const deadline = Date.now() + Math.min(timeoutMs, 30_000);
  let seen = 0;
  while (Date.now() < deadline) {
    seen = await browser.sw.evaluate(() => {
      const h = globalThis.__corsLens;
      return h.finished().length;
    });
    if (seen >= apiRequests()) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  log(`server answered ${apiRequests()} scenario requests; background finished ${seen} requests`);

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
