/**
 * The toolbar badge (Chromium): after a run of playground scenarios, the tab's badge shows how
 * many cross-origin requests failed, on the badge colour. The colour is set once per worker as
 * every tab's default (src/platform/extension-api.ts `setBadge`), not with each update.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { startPlayground } from '../playground/server.mjs';
import { launchChromium } from '../harness/launch.mjs';

const root = resolve(import.meta.dirname, '../..');
type Playground = Awaited<ReturnType<typeof startPlayground>>;
type SummaryReply = { ok: true; value: { counters: { failed: number } } } | { ok: false; error: string };

describe('toolbar badge (Chromium)', () => {
  let pg: Playground;
  beforeAll(async () => {
    pg = await startPlayground({ ports: { page: 0, api: 0, third: 0, warm: 0 }, quiet: true });
  });
  afterAll(async () => {
    await pg?.close();
  });

  it('shows the tab’s failure count on the badge colour', async () => {
    const browser = await launchChromium({ extensionDir: resolve(root, 'dist/chrome') });
    try {
      const ids = pg.scenarios.filter((s) => !s.response.redirectTo && (s.request.repeat ?? 1) === 1 && !s.request.sandboxed).map((s) => s.id).slice(0, 12);
      const page = await browser.context.newPage();
      await page.goto(pg.pageOrigin + '/');
      const tabId = (await browser.sw!.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]!.id, pg.pageOrigin + '/*')) as number;
      for (const id of ids) {
        await page.evaluate((sid) => (window as unknown as { corsLensPlayground: { run(id: string): Promise<unknown> } }).corsLensPlayground.run(sid), id);
      }
      const popup = await browser.context.newPage();
      await popup.goto(browser.extensionUrl(`src/popup/popup.html?tabId=${tabId}`));
      // The badge follows the counters within the live batching interval; poll until they agree.
      const end = Date.now() + 15_000;
      let failed = 0;
      let text = '';
      for (;;) {
        const r = (await popup.evaluate((t) => chrome.runtime.sendMessage({ type: 'summary', tabId: t }), tabId)) as SummaryReply;
        if (!r.ok) throw new Error(r.error);
        failed = r.value.counters.failed;
        text = (await browser.sw!.evaluate((t) => chrome.action.getBadgeText({ tabId: t }), tabId)) as string;
        if (failed > 0 && text === String(failed)) break;
        if (Date.now() > end) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(failed).toBeGreaterThan(0);
      expect(text).toBe(String(failed));
      const color = (await browser.sw!.evaluate((t) => chrome.action.getBadgeBackgroundColor({ tabId: t }), tabId)) as number[];
      // BADGE_COLOR of src/background/service.ts, #c5221f, opaque.
      expect(color).toEqual([0xc5, 0x22, 0x1f, 255]);
    } finally {
      await browser.close();
    }
  });
});
