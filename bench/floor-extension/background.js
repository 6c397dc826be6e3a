// The benchmark floor (bench/capture.mjs): the same six webRequest listeners CORS Lens registers
// (src/platform/listen.ts + webrequest.ts extraInfoSpecFor), with the same extraInfoSpec, on
// <all_urls>, and an empty body. No observer that sees preflights and Origin can cost less:
// in Chromium, 'extraHeaders' alone makes the network service route every request's headers
// through the extension process (browser-facts §C). Firefox has no 'extraHeaders' and throws on it
// (browser-facts §E), so it is feature-detected exactly like CORS Lens does.
const wr = (globalThis.browser ?? globalThis.chrome).webRequest;
const extra = wr.OnBeforeSendHeadersOptions?.EXTRA_HEADERS === 'extraHeaders';
const filter = { urls: ['<all_urls>'] };
const spec = (...names) => (extra ? [...names, 'extraHeaders'] : names);
const nothing = () => undefined;
wr.onBeforeRequest.addListener(nothing, filter, extra ? ['extraHeaders'] : undefined);
wr.onSendHeaders.addListener(nothing, filter, spec('requestHeaders'));
wr.onHeadersReceived.addListener(nothing, filter, spec('responseHeaders'));
wr.onBeforeRedirect.addListener(nothing, filter, spec('responseHeaders'));
wr.onCompleted.addListener(nothing, filter, spec('responseHeaders'));
wr.onErrorOccurred.addListener(nothing, filter);
