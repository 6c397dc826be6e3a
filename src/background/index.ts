/**
 * Background entry (Chromium: MV3 service worker; Firefox: MV3 event page).
 *
 * Every listener is registered synchronously in the first turn: a worker woken by an event only
 * delivers it to listeners that exist by then (browser-facts §F). The capture service restores
 * its state from storage.session asynchronously and queues what arrives meanwhile.
 */
import type { AnalyzedEntry } from '../core/annotation.ts';
import type { ObservedRequest } from '../core/model.ts';
import { runningBrowser } from '../platform/browser.ts';
import { realExtensionApi } from '../platform/extension-api.ts';
import { listenToRequests } from '../platform/listen.ts';
import { coreEngine } from './engine.ts';
import { CaptureService } from './service.ts';

const sink = __CORS_LENS_LOG_SINK__;
const api = realExtensionApi();

/** Finished requests of every tab, newest last, for the debug hook (independent of clears). */
const finished: ObservedRequest[] = [];
/**
 * The ring is a test aid: test builds (log sink set) keep 5,000; release builds keep only the last
 * 200, so it cannot hold thousands of requests the per-tab cap already dropped (measured: +8 MB of
 * worker heap at 20,000 requests with a 5,000 ring, docs/bench.md).
 */
const MAX_FINISHED = __CORS_LENS_LOG_SINK__ ? 5000 : 200;

const service = new CaptureService({
  api,
  profile: runningBrowser(),
  engine: coreEngine,
  onFinished: (req) => {
    finished.push(req);
    // Amortised O(1): trim in blocks rather than shifting on every request; never above the cap + 10 %.
    if (finished.length > MAX_FINISHED * 1.1) finished.splice(0, finished.length - MAX_FINISHED);
    if (sink) post({ kind: 'request', request: req });
  },
  onEntries: sink ? (entries) => entries.forEach((entry) => post({ kind: 'entry', entry })) : undefined,
});

const { extraHeaders } = listenToRequests((e, ctx) => service.onRequestEvent(e, ctx), {
  ignorePrefixes: sink ? [new URL(sink).origin] : [],
});
api.onTabRemoved((tabId) => service.onTabRemoved(tabId));
api.onConnect((port) => service.onConnect(port));
api.onMessage((message, sender) => service.onMessage(message, sender));

/**
 * Test builds only (CORS_LENS_LOG_SINK set at build time): report what the background saw to a
 * loopback collector, because Firefox automation cannot reach the background (browser-facts §E).
 */
function post(body: { kind: 'request'; request: ObservedRequest } | { kind: 'entry'; entry: AnalyzedEntry }): void {
  void fetch(sink, { method: 'POST', body: JSON.stringify(body) }).catch(() => undefined);
}

/**
 * Wake log for the stress diagnostics (test/stress/worker-kills.test.ts): one small record per
 * wake (what the restore found, how long it took, events queued meanwhile), the last 100, in
 * storage.session because this worker's memory does not outlive the next stop.
 */
const WAKES_KEY = 'diag:wakes';
void service.ready.then(async () => {
  const prev = (await api.session.get([WAKES_KEY]))[WAKES_KEY];
  const list = Array.isArray(prev) ? (prev as unknown[]).slice(-99) : [];
  list.push({ at: Date.now(), ...service.diag });
  await api.session.set({ [WAKES_KEY]: list });
}).catch(() => undefined);

/** Debug hook for Chromium tests (reached with Playwright's `sw.evaluate`). */
(globalThis as Record<string, unknown>).__corsLens = {
  extraHeaders,
  finished: () => finished.slice(-MAX_FINISHED),
  inFlight: () => service.inFlight(),
  ready: () => service.ready,
  entries: (tabId: number) => service.entries(tabId),
  counters: (tabId: number) => service.counters(tabId),
  tabIds: () => service.tabIds(),
  flush: () => service.flush(),
  persistedBytes: () => service.persistedBytes(),
  storageCalls: () => service.storageCalls(),
  wakes: async () => (await api.session.get([WAKES_KEY]))[WAKES_KEY] ?? [],
};
