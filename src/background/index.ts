/**
 * Background entry (Chromium: MV3 service worker; Firefox: MV3 event page).
 * Listeners are registered synchronously in the first turn (browser-facts §F).
 */
import { RequestTracker } from '../core/tracker.ts';
import type { ObservedRequest } from '../core/model.ts';
import { listenToRequests } from '../platform/listen.ts';

const tracker = new RequestTracker();
/** Finished requests, newest last (proof of life; issue 4 replaces this with the per-tab store). */
const finished: ObservedRequest[] = [];
const MAX_FINISHED = 5000;

const sink = __CORS_LENS_LOG_SINK__;

const { extraHeaders } = listenToRequests(
  (e) => {
    const done = tracker.handle(e);
    if (!done) return;
    finished.push(done);
    if (finished.length > MAX_FINISHED) finished.splice(0, finished.length - MAX_FINISHED);
    if (sink) reportToSink(done);
  },
  { ignorePrefixes: sink ? [new URL(sink).origin] : [] },
);

/**
 * Test builds only (CORS_LENS_LOG_SINK set at build time): report what the background saw to a
 * loopback collector, because Firefox automation cannot reach the background (browser-facts §E).
 */
function reportToSink(req: ObservedRequest): void {
  void fetch(sink, { method: 'POST', body: JSON.stringify({ kind: 'request', request: req }) }).catch(() => undefined);
}

/** Debug hook for Chromium tests (reached with Playwright's `sw.evaluate`). */
(globalThis as Record<string, unknown>).__corsLens = {
  extraHeaders,
  finished: () => finished,
  inFlight: () => tracker.inFlightRequests(),
};
