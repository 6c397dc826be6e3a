/**
 * The popup at scale (issue 5: "renders in under 100 ms for a tab with 5,000 exchanges"), against
 * the REAL background in Chromium: a page on one loopback origin makes a little over 5,000
 * cross-origin requests to a second loopback origin (bounded batches), so the background's own
 * per-tab store holds a full tab (the 5,000-entry cap) that it captured through webRequest. Then
 * the popup is opened as an extension page with ?tabId=N, once with the service worker running
 * (warm) and once after the worker was stopped over the DevTools Protocol, as Chromium does after
 * about 30 s idle (cold: the store is restored from storage.session and the tab re-judged).
 *
 * The figures come from performance marks the popup sets (src/popup/main.tsx, Popup.tsx), read
 * with page.evaluate, relative to navigation start. They are printed, never asserted (tests
 * never assert timings); the assertions are what a user sees: the counts add up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../harness/launch.mjs';

const root = resolve(import.meta.dirname, '../..');
type Launched = Awaited<ReturnType<typeof launchChromium>>;

/**
 * What the page sends, in order: [method, path, count]. The first PUT goes alone so its preflight
 * is cached (Access-Control-Max-Age) before the other PUTs to the same URL start: they are cache
 * hits. The passing GETs come first, so the cap (which drops the oldest) drops only some of them
 * (and the page's own document) and keeps every preflight, PUT and failure.
 */
const PUTS = 100;
const PLAN: [method: 'GET' | 'PUT', path: string, count: number][] = [
  ['GET', '/ok', 4850],
  ['PUT', '/items', 1],
  ['PUT', '/items', PUTS - 1],
  ['GET', '/no-acao', 40],
  ['GET', '/slash', 30],
];
const CROSS_ORIGIN = PLAN.reduce((n, [, , c]) => n + c, 0);
const FAILED = 40 + 30;
const CAP = 5000;
const BATCH = 50;

interface Counts {
  crossOrigin: number;
  passed: number;
  failed: number;
  preflights: number;
  cacheHits: number;
  dropped: number;
}

let browser: Launched;
let pageServer: Server;
let apiServer: Server;
let pageOrigin: string;
let apiOrigin: string;
let tabId: number;
/** Requests the two servers answered, by method (the ground truth of what the tab sent). */
const served = { page: 0, options: 0, other: 0 };

const PAGE = `<!doctype html><meta charset="utf-8"><title>5,000 exchanges</title>
<script>
  // Sends the plan in batches of at most BATCH concurrent requests; resolves when all settled.
  window.fire = async (api, plan, batch) => {
    let n = 0;
    for (const [method, path, count] of plan) {
      for (let i = 0; i < count; i += batch) {
        const k = Math.min(batch, count - i);
        await Promise.allSettled(Array.from({ length: k }, (_, j) =>
          method === 'PUT'
            // Same URL for every PUT: the preflight cache is keyed by URL (Fetch §4.8 CORS-preflight cache).
            ? fetch(api + path, { method, headers: { 'content-type': 'application/json' }, body: '{}' })
            : fetch(api + path + '?i=' + (i + j))));
        n += k;
      }
    }
    return n;
  };
</script><h1>5,000 exchanges</h1>`;

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
  return new Promise((ok) => {
    const s = createServer(handler);
    s.keepAliveTimeout = 30_000;
    s.listen(0, '127.0.0.1', () => ok(s));
  });
}

function api(req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin ?? '';
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'OPTIONS') {
    served.options++;
    res.writeHead(204, {
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Methods': 'PUT',
      'Access-Control-Allow-Headers': 'content-type',
      'Access-Control-Max-Age': '600',
      Vary: 'Origin',
    });
    res.end();
    return;
  }
  served.other++;
  req.resume();
  const headers: Record<string, string> = { 'Content-Type': 'text/plain', Vary: 'Origin' };
  if (path === '/ok' || path === '/items') headers['Access-Control-Allow-Origin'] = origin;
  // A trailing slash makes the value differ from the serialized origin: AllowOriginMismatch.
  if (path === '/slash') headers['Access-Control-Allow-Origin'] = `${origin}/`;
  res.writeHead(200, headers);
  res.end('ok');
}

async function until<T>(what: string, ms: number, get: () => Promise<T>, pred: (v: T) => boolean): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (pred(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

type Hook = { counters(t: number): Counts; entries(t: number): unknown[]; persistedBytes(): number; flush(): Promise<void> };
/** The background's debug hook (src/background/index.ts), reached in the worker. */
const counters = (): Promise<Counts> => browser.sw!.evaluate((t) => ((globalThis as Record<string, unknown>).__corsLens as Hook).counters(t), tabId);
const stored = (): Promise<number> => browser.sw!.evaluate((t) => ((globalThis as Record<string, unknown>).__corsLens as Hook).entries(t).length, tabId);
const persisted = (): Promise<number> =>
  browser.sw!.evaluate(async () => {
    const h = (globalThis as Record<string, unknown>).__corsLens as Hook;
    await h.flush();
    return h.persistedBytes();
  });

/** The marks the popup set, in ms since navigation start. */
async function popupMarks(page: Page): Promise<Record<string, number>> {
  await page.waitForFunction(() => performance.getEntriesByName('cors-lens:popup-painted').length > 0, undefined, { timeout: 60_000 });
  return page.evaluate(() =>
    Object.fromEntries(
      performance
        .getEntriesByType('mark')
        .filter((m) => m.name.startsWith('cors-lens:popup-'))
        .map((m) => [m.name.slice('cors-lens:popup-'.length), Math.round(m.startTime * 10) / 10] as const)
        // The document itself: its response arrived, then parsing finished (the module scripts
        // are deferred, so 'script' comes after domInteractive).
        .concat(
          (performance.getEntriesByType('navigation') as PerformanceNavigationTiming[]).flatMap((n) => [
            ['html', Math.round(n.responseEnd * 10) / 10] as const,
            ['parsed', Math.round(n.domInteractive * 10) / 10] as const,
          ]),
        ),
    ),
  );
}

/** What the popup shows, read from the page as text. */
async function shown(page: Page): Promise<Counts & { top: string[]; droppedNote: string }> {
  const num = async (label: string): Promise<number> => Number(await page.getByLabel('Counts').locator('div', { has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) }).locator('dd').textContent());
  return {
    crossOrigin: await num('Cross-origin calls'),
    passed: await num('Passed'),
    failed: await num('Failed'),
    preflights: await num('Preflights'),
    cacheHits: await num('Cache hits'),
    dropped: Number((/^(\d+) older exchanges were dropped/.exec((await page.locator('.p-muted').first().textContent()) ?? '') ?? [])[1] ?? 0),
    droppedNote: (await page.locator('.p-muted').first().textContent()) ?? '',
    top: (await page.locator('.p-fails li').allTextContents()).map((t) => t.trim()),
  };
}

async function openPopup(): Promise<{ page: Page; marks: Record<string, number> }> {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 360, height: 560 });
  await page.goto(browser.extensionUrl(`src/popup/popup.html?tabId=${tabId}&theme=light`));
  return { page, marks: await popupMarks(page) };
}

beforeAll(async () => {
  apiServer = await listen(api);
  pageServer = await listen((req, res) => {
    served.page++;
    if (req.url === '/') res.writeHead(200, { 'Content-Type': 'text/html' }).end(PAGE);
    else res.writeHead(404).end();
  });
  pageOrigin = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}`;
  apiOrigin = `http://127.0.0.1:${(apiServer.address() as AddressInfo).port}`;
  browser = await launchChromium({ extensionDir: resolve(root, 'dist/chrome'), viewport: { width: 1280, height: 760 } });
  const page = await browser.context.newPage();
  await page.goto(pageOrigin + '/');
  tabId = (await browser.sw!.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]?.id ?? -1, pageOrigin + '/*')) as number;
  expect(tabId).toBeGreaterThan(0);
  const t0 = Date.now();
  const sent = await page.evaluate(([a, plan, batch]) => (window as unknown as { fire(a: string, p: unknown, b: number): Promise<number> }).fire(a, plan, batch), [apiOrigin, PLAN, BATCH] as const);
  expect(sent).toBe(CROSS_ORIGIN);
  // The background judges as events arrive; wait until it has seen the last failure.
  await until('the background to judge every request', 60_000, counters, (c) => c.failed === FAILED);
  console.log(`[popup-scale] page sent ${sent} cross-origin requests in ${Date.now() - t0} ms; servers answered ${JSON.stringify(served)}`);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => apiServer?.close(r));
  await new Promise((r) => pageServer?.close(r));
});

describe('popup with 5,000 exchanges in the real background (Chromium)', () => {
  let before: Counts;

  it('the background holds a full tab: the cap of 5,000 entries', async () => {
    expect(await stored()).toBe(CAP);
    before = await counters();
    console.log(`[popup-scale] background counters ${JSON.stringify(before)}`);
  });

  it('warm worker: the summary adds up to what the page sent (figures printed, not asserted)', async () => {
    const runs: Record<string, number>[] = [];
    const floor: number[] = [];
    let seen: Awaited<ReturnType<typeof shown>> | null = null;
    for (let i = 0; i < 7; i++) {
      // The floor, measured interleaved at the same machine load: the smallest extension page
      // we ship (the devtools_page, one 129-byte module) from navigation start until its module
      // ran (DOMContentLoaded waits for deferred module scripts). Outside DevTools its module
      // throws at chrome.devtools, after the load we time.
      const bare = await browser.context.newPage();
      await bare.goto(browser.extensionUrl('src/devtools/devtools.html'), { waitUntil: 'load' });
      floor.push(await bare.evaluate(() => Math.round((performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).domContentLoadedEventEnd * 10) / 10));
      await bare.close();
      const { page, marks } = await openPopup();
      runs.push(marks);
      if (i === 0) seen = await shown(page);
      await page.close();
    }
    const s = seen!;
    // Every call the page made is judged and counted, or counted as dropped by the cap.
    expect(s.failed).toBe(FAILED);
    expect(s.passed + s.failed).toBe(s.crossOrigin);
    // The tab is full: what is shown (calls and preflights) plus what was dropped covers every
    // request the servers answered for the page (the page's own document is not cross-origin and
    // can only be among the dropped, being the oldest).
    expect(s.crossOrigin + s.preflights).toBeLessThanOrEqual(CAP);
    expect(s.crossOrigin + s.preflights).toBeGreaterThanOrEqual(CAP - served.page);
    expect(s.crossOrigin + s.preflights + s.dropped).toBeGreaterThanOrEqual(served.other + served.options);
    expect(s.crossOrigin + s.preflights + s.dropped).toBeLessThanOrEqual(served.other + served.options + served.page);
    expect(s.dropped).toBeGreaterThan(0);
    expect(s.droppedNote).toMatch(/older exchanges were dropped \(per-tab cap\)/);
    expect(s.preflights).toBe(served.options);
    // Each preflight the server answered let one PUT through; every other PUT used the cache.
    expect(s.cacheHits).toBe(PUTS - served.options);
    expect(s.top).toHaveLength(2);
    expect(s.top[0]).toContain(`GET ${apiOrigin}/no-acao`);
    expect(s.top[0]).toContain('×40');
    expect(s.top[0]).toContain('MissingAllowOriginHeader');
    expect(s.top[1]).toContain(`GET ${apiOrigin}/slash`);
    expect(s.top[1]).toContain('×30');
    expect(s.top[1]).toContain('AllowOriginMismatch');
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    const figures = {
      summaryInDom: median(runs.map((m) => m.summary!)),
      moduleRan: median(runs.map((m) => m.script!)),
      ownWork: median(runs.map((m) => Math.round((m.summary! - m.script!) * 10) / 10)),
      bareExtensionPage: median(floor),
    };
    console.log(
      `[popup-scale] warm, medians of ${runs.length} opens, ms from navigation start: summary in DOM ${figures.summaryInDom}; popup module running ${figures.moduleRan}; ` +
        `module running → summary in DOM ${figures.ownWork}; a bare extension page's module ran at ${figures.bareExtensionPage}. Per open: ${JSON.stringify(runs)}; bare: ${JSON.stringify(floor)}`,
    );
  });

  it('summary round trip from the popup vs. a trivial message (figures printed, not asserted)', async () => {
    const { page } = await openPopup();
    const r = await page.evaluate(async (t) => {
      const time = async (msg: unknown): Promise<number[]> => {
        const out: number[] = [];
        for (let i = 0; i < 15; i++) {
          const a = performance.now();
          await chrome.runtime.sendMessage(msg);
          out.push(Math.round((performance.now() - a) * 10) / 10);
        }
        return out.sort((x, y) => x - y);
      };
      const summary = await time({ type: 'summary', tabId: t });
      const settings = await time({ type: 'get-settings' });
      const bytes = JSON.stringify(await chrome.runtime.sendMessage({ type: 'summary', tabId: t })).length;
      return { summaryMedian: summary[7], settingsMedian: settings[7], summary, settings, replyBytes: bytes };
    }, tabId);
    console.log(`[popup-scale] one-shot round trips in ms: ${JSON.stringify(r)}`);
    expect(r.replyBytes).toBeLessThan(5000);
    await page.close();
  });

  it('cold worker (stopped as after 30 s idle): the popup shows the same totals (figure printed, not asserted)', async () => {
    // Let the batched storage.session writes settle, as they do while a worker idles.
    let last = -1;
    await until('persistence to settle', 30_000, persisted, (b) => {
      const same = b === last;
      last = b;
      return same && b > 0;
    });
    const probe = await browser.context.newPage();
    await probe.goto(browser.extensionUrl('src/popup/popup.html?tabId=-1'));
    const cdp = await browser.context.newCDPSession(probe);
    const versions: { versionId: string; scriptURL: string; runningStatus: string }[] = [];
    cdp.on('ServiceWorker.workerVersionUpdated', (e: { versions: typeof versions }) => versions.push(...e.versions));
    await cdp.send('ServiceWorker.enable');
    const ours = await until('our worker version', 10_000, async () => versions.find((v) => v.scriptURL.startsWith(`chrome-extension://${browser.extensionId}/`)), (v) => !!v);
    await cdp.send('ServiceWorker.stopWorker', { versionId: ours!.versionId });
    await until('the worker to stop', 10_000, async () => versions.filter((v) => v.versionId === ours!.versionId).at(-1)?.runningStatus, (s) => s === 'stopped');
    await cdp.send('ServiceWorker.disable');
    await cdp.detach();
    await probe.close();

    const { page, marks } = await openPopup();
    const s = await shown(page);
    // Persistence may keep fewer requests than the cap (it then counts the rest as dropped):
    // the totals a user sees stay the same across the restart.
    expect(s.crossOrigin + s.preflights + s.dropped).toBe(before.crossOrigin + before.preflights + before.dropped);
    expect(s.passed + s.failed).toBe(s.crossOrigin);
    expect(s.failed).toBe(FAILED);
    console.log(`[popup-scale] cold (worker stopped first): navigation start → summary in DOM ${marks.summary} ms; marks ${JSON.stringify(marks)}; shown ${JSON.stringify({ ...s, top: s.top.length })}`);
    await page.close();
  });
});
