/**
 * Issue 4, "survive service-worker death": the built extension in real Chromium captures a run
 * of playground scenarios, its service worker is stopped in the middle of the run through the
 * DevTools Protocol (ServiceWorker.stopWorker from an extension page's session: no debugger
 * stays attached to the worker), the next requests wake it, and the popup's export afterwards
 * holds every exchange completed before and after the stop.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { startPlayground } from '../playground/server.mjs';
import { launchChromium } from '../harness/launch.mjs';

const root = resolve(import.meta.dirname, '../..');
type Playground = Awaited<ReturnType<typeof startPlayground>>;
type HarOut = { log: { entries: { request: { url: string }; _cors: { id: string } }[] } };
type ExportReply = { ok: true; value: { har: string; count: number } } | { ok: false; error: string };

async function exportFrom(popup: Page, tabId: number): Promise<HarOut> {
  const r = (await popup.evaluate((t) => chrome.runtime.sendMessage({ type: 'export', tabId: t }), tabId)) as ExportReply;
  if (!r.ok) throw new Error(`export failed: ${r.error}`);
  return JSON.parse(r.value.har) as HarOut;
}

async function runScenarios(page: Page, ids: string[]): Promise<void> {
  for (const id of ids) {
    await page.evaluate((sid) => (window as unknown as { corsLensPlayground: { run(id: string): Promise<unknown> } }).corsLensPlayground.run(sid), id);
  }
}

/** Waits until `pred` holds, polling; fails with `what` after `ms`. */
async function until<T>(what: string, ms: number, get: () => Promise<T>, pred: (v: T) => boolean): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (pred(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('capture survives a stopped service worker (Chromium)', () => {
  let pg: Playground;
  beforeAll(async () => {
    pg = await startPlayground({ ports: { page: 0, api: 0, third: 0, warm: 0 }, quiet: true });
  });
  afterAll(async () => {
    await pg?.close();
  });

  it('exports every exchange completed before and after the stop', async () => {
    const browser = await launchChromium({ extensionDir: resolve(root, 'dist/chrome') });
    try {
      // Scenarios of one request each, without redirects or repeats, so every one is one entry by URL.
      const simple = pg.scenarios.filter((s) => !s.response.redirectTo && (s.request.repeat ?? 1) === 1 && !s.request.sandboxed).map((s) => s.id);
      const firstHalf = simple.slice(0, 12);
      const secondHalf = simple.slice(12, 24);
      expect(secondHalf.length).toBe(12);

      const page = await browser.context.newPage();
      await page.goto(pg.pageOrigin + '/');
      const tabId = (await browser.sw!.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]!.id, pg.pageOrigin + '/*')) as number;
      await runScenarios(page, firstHalf);

      const popup = await browser.context.newPage();
      await popup.goto(browser.extensionUrl(`src/popup/popup.html?tabId=${tabId}`));
      const seen = (har: HarOut, ids: string[]): boolean => ids.every((id) => har.log.entries.some((e) => e.request.url.includes(`/s/${id}/`)));
      const before = await until('the first half in the export', 15_000, () => exportFrom(popup, tabId), (h) => seen(h, firstHalf));
      // Let the batched write to storage.session happen (at most 250 ms after the last change),
      // as it does while a real worker idles towards its 30 s stop.
      await new Promise((r) => setTimeout(r, 1000));

      const cdp = await browser.context.newCDPSession(popup);
      const versions: { versionId: string; scriptURL: string; runningStatus: string }[] = [];
      cdp.on('ServiceWorker.workerVersionUpdated', (e: { versions: typeof versions }) => versions.push(...e.versions));
      await cdp.send('ServiceWorker.enable');
      const ours = await until('our worker version', 10_000, async () => versions.find((v) => v.scriptURL.startsWith(`chrome-extension://${browser.extensionId}/`)), (v) => !!v);
      await cdp.send('ServiceWorker.stopWorker', { versionId: ours!.versionId });
      await until('the worker to stop', 10_000, async () => versions.filter((v) => v.versionId === ours!.versionId).at(-1)?.runningStatus, (s) => s === 'stopped');
      await cdp.send('ServiceWorker.disable');
      await cdp.detach();

      // The next requests wake the worker (its listeners are registered at the top level).
      await runScenarios(page, secondHalf);
      const after = await until('the second half in the export', 20_000, () => exportFrom(popup, tabId), (h) => seen(h, secondHalf));
      const afterIds = new Set(after.log.entries.map((e) => e._cors.id));
      const lost = before.log.entries.filter((e) => !afterIds.has(e._cors.id)).map((e) => e.request.url);
      expect(lost).toEqual([]);
      expect(seen(after, [...firstHalf, ...secondHalf])).toBe(true);
    } finally {
      await browser.close();
    }
  });
});
