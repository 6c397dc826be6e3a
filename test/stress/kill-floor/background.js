// Witness floor (test/stress/kill-floor.test.ts): the cheapest durable record a webRequest
// observer can make, with the listener options CORS Lens uses (src/platform/webrequest.ts
// extraInfoSpecFor; bench/floor-extension). Listeners are registered synchronously at the top
// level; the bodies do one storage.session.set each, not awaited; there is no restore, no
// state, nothing else at wake. `s:<id>` = send-headers seen, `c:<id>` = completion or error seen.
//
// The test runs variants from rewritten copies of this directory (the three constants below, and
// "type": "module" in the manifest): see VARIANTS in kill-floor.test.ts. As shipped here, all off.
/** Also register the three listeners CORS Lens has and this floor does not, with empty bodies. */
const ALL_SIX = false;
/** At each wake, block the worker's thread for this many ms once (a stand-in for restore work). */
const BUSY_MS = 0;
/** Also post every record to the extension page over a BroadcastChannel (a second, non-storage channel). */
const BEACON = false;
/** With BEACON: also post every event-loop gap over 50 ms seen by a 10 ms interval (the thread was held). */
const PROBE = false;

const wr = chrome.webRequest;
const filter = { urls: ['<all_urls>'] };
const wake = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
const bc = BEACON ? new BroadcastChannel('kill-floor') : null;
const put = (key, url) => {
  chrome.storage.session.set({ [key]: url }).catch(() => undefined);
  if (bc) bc.postMessage({ key, url, wake, at: Date.now() });
};
wr.onSendHeaders.addListener((d) => put('s:' + d.requestId, d.url), filter, ['requestHeaders', 'extraHeaders']);
wr.onCompleted.addListener((d) => put('c:' + d.requestId, d.url), filter, ['responseHeaders', 'extraHeaders']);
wr.onErrorOccurred.addListener((d) => put('c:' + d.requestId, d.url), filter);
if (ALL_SIX) {
  const nothing = () => undefined;
  wr.onBeforeRequest.addListener(nothing, filter, ['extraHeaders']);
  wr.onHeadersReceived.addListener(nothing, filter, ['responseHeaders', 'extraHeaders']);
  wr.onBeforeRedirect.addListener(nothing, filter, ['responseHeaders', 'extraHeaders']);
}
if (bc) bc.postMessage({ key: 'wake', url: '', wake, at: Date.now() });
if (bc && PROBE) {
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    if (now - last > 50) bc.postMessage({ key: 'gap', url: String(Math.round(now - last)), wake, at: Date.now() });
    last = now;
  }, 10);
}
if (BUSY_MS > 0) {
  setTimeout(() => {
    const end = performance.now() + BUSY_MS;
    while (performance.now() < end);
  }, 0);
}
