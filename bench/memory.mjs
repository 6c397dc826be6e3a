/**
 * Benchmark 4 — memory of the background service worker (Chromium, release build). The bench
 * page (lib/server.mjs) fires the same call mix as the capture benchmark; the worker's heap is
 * read over CDP on the service-worker target (HeapProfiler.collectGarbage, then
 * Runtime.getHeapUsage), which is a measurement, not a timing, so automation cost does not matter
 * here.
 *
 *   per stored entry   (heap with the tab's entries stored − heap before) / entries stored,
 *                      measured below the per-tab cap (entries = judged exchanges, preflights
 *                      included, as `__corsLens.entries(tabId)` returns them)
 *   after 20,000       heap after ≥ 20,000 webRequest requests (calls + their preflights) with the
 *                      default cap (settings.maxEntriesPerTab) in force
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { launchChromium } from '../test/harness/launch.mjs';
import { connectCdp, freePort } from './lib/cdp.mjs';
import { startBenchServer } from './lib/server.mjs';

const JOB_TIMEOUT_MS = 180_000;
export const MEMORY_REQUESTS = 20_000;

/**
 * @param {{log: (s: string) => void, extensionDir: string, budgetMs: number, profileDir?: string}} opts
 *   profileDir: also write a CPU profile of the worker over one 2,000-call batch and a heap
 *   snapshot of it below the cap (evidence for docs/bench.md)
 */
export async function runMemory(opts) {
  const server = await startBenchServer();
  // Playwright opens CDP sessions on pages only: a loopback debugging port reaches the worker.
  const port = await freePort();
  const browser = await launchChromium({ extensionDir: opts.extensionDir, headless: true, args: [`--remote-debugging-port=${port}`] });
  const t0 = performance.now();
  const cdp = await connectCdp(port);
  try {
    const sw = /** @type {import('playwright-core').Worker} */ (browser.sw);
    const session = await cdp.attach((t) => t.type === 'service_worker' && t.url === sw.url());
    await cdp.send('HeapProfiler.enable', {}, session);
    const heap = async () => {
      // Two passes: the first may leave weakly held objects for the second.
      await cdp.send('HeapProfiler.collectGarbage', {}, session);
      await cdp.send('HeapProfiler.collectGarbage', {}, session);
      const u = /** @type {{usedSize: number, totalSize: number}} */ (await cdp.send('Runtime.getHeapUsage', {}, session));
      return u.usedSize;
    };
    const page = await browser.context.newPage();
    await page.goto(server.pageUrl('mem'));
    await server.waitReady('mem', 30_000);
    const tabId = await sw.evaluate(async () => {
      const hook = /** @type {any} */ (globalThis).__corsLens;
      await hook.ready();
      const ids = /** @type {number[]} */ (hook.tabIds()).filter((id) => id >= 0);
      return ids[ids.length - 1] ?? null;
    });
    if (tabId === null) throw new Error('the worker has no tab with entries after the bench page loaded');
    const stored = () =>
      sw.evaluate(async (id) => {
        const hook = /** @type {any} */ (globalThis).__corsLens;
        await hook.flush();
        return { entries: hook.entries(id).length, persistedBytes: hook.persistedBytes(), finished: hook.finished().length };
      }, tabId);

    // Warm-up: one small job so code paths are compiled and the caches exist before the baseline.
    await server.runJob('mem', { tag: 'mem-warm', calls: 100, wave: 100, failEvery: 10 }, JOB_TIMEOUT_MS);
    const base = { heap: await heap(), ...(await stored()) };
    // Below the cap: 2,000 calls → 3,000 entries (half the calls have their own preflight entry).
    let calls = 100;
    if (opts.profileDir) {
      // CPU profile of the worker over this batch: where the capture's own cost goes.
      await cdp.send('Profiler.enable', {}, session);
      await cdp.send('Profiler.start', {}, session);
    }
    await server.runJob('mem', { tag: 'mem-a', calls: 2000, wave: 200, failEvery: 10 }, JOB_TIMEOUT_MS);
    calls += 2000;
    if (opts.profileDir) {
      const { profile } = await cdp.send('Profiler.stop', {}, session);
      writeFileSync(resolve(opts.profileDir, 'worker-capture.cpuprofile'), JSON.stringify(profile));
      opts.log(`  memory: CPU profile of the worker over 2,000 calls written to ${opts.profileDir}`);
    }
    const below = { heap: await heap(), ...(await stored()) };
    const perEntry = (below.heap - base.heap) / Math.max(1, below.entries - base.entries);
    opts.log(
      `  memory: ${base.entries} → ${below.entries} entries, heap ${(base.heap / 1e6).toFixed(2)} → ${(below.heap / 1e6).toFixed(2)} MB: ${(perEntry / 1024).toFixed(2)} KB per entry`,
    );
    if (opts.profileDir) {
      const chunks = /** @type {string[]} */ ([]);
      cdp.on('HeapProfiler.addHeapSnapshotChunk', (p) => chunks.push(p.chunk));
      await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false }, session);
      const file = resolve(opts.profileDir, 'worker.heapsnapshot');
      writeFileSync(file, chunks.join(''));
      opts.log(`  memory: heap snapshot written to ${file}`);
    }
    // On to 20,000 requests (a preflighted call is two webRequest requests).
    let requests = calls * 1.5;
    let job = 0;
    while (requests < MEMORY_REQUESTS && performance.now() - t0 < opts.budgetMs) {
      const n = 2000;
      await server.runJob('mem', { tag: `mem-b${job++}`, calls: n, wave: 200, failEvery: 10 }, JOB_TIMEOUT_MS);
      calls += n;
      requests = calls * 1.5;
    }
    const after = { heap: await heap(), ...(await stored()) };
    opts.log(
      `  memory: after ${requests} requests (${calls} calls): ${after.entries} entries stored (cap in force), heap ${(after.heap / 1e6).toFixed(2)} MB, storage.session ≈ ${(after.persistedBytes / 1e6).toFixed(2)} MB, debug ring ${after.finished}`,
    );
    server.stop('mem');
    return {
      tabId,
      baseline: base,
      belowCap: below,
      perEntryBytes: perEntry,
      afterCap: { ...after, requests, calls, reachedTarget: requests >= MEMORY_REQUESTS },
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    cdp.close();
    await browser.close();
    await server.close();
  }
}
