/**
 * A synthetic Chrome-DevTools-style HAR with a realistic mix of CORS exchanges (passes, each kind
 * of failure, preflights, cache hits, a redirect, same-origin noise), repeated to any size. Used by
 * the UI tests, the screenshots and the 1k/10k first-render measurement.
 */
import type { Har, Entry, Header } from 'har-format';

const APP = 'http://127.0.0.1:18411';
const API = 'http://127.0.0.1:18412';
const THIRD = 'http://127.0.0.1:18413';

type H = [string, string][];
const hs = (pairs: H): Header[] => pairs.map(([name, value]) => ({ name, value }));

interface Spec {
  method: string;
  url: string;
  req: H;
  status: number;
  res: H;
  error?: string;
  preflight?: { req: H; status: number; res: H };
  redirectTo?: { url: string; status: number; res: H; req: H };
  time?: number;
  sameOrigin?: boolean;
}

function scenarios(i: number): Spec[] {
  const q = `?n=${i}`;
  const origin: H = [['Origin', APP]];
  return [
    { method: 'GET', url: `${API}/api/users${q}`, req: origin, status: 200, res: [['Access-Control-Allow-Origin', APP], ['Content-Type', 'application/json'], ['Vary', 'Origin']], time: 18 },
    { method: 'GET', url: `${API}/api/profile${q}`, req: origin, status: 200, res: [['Access-Control-Allow-Origin', `${APP}/`], ['Content-Type', 'application/json']], error: 'net::ERR_FAILED', time: 22 },
    {
      method: 'PUT',
      url: `${API}/api/items/42${q}`,
      req: [...origin, ['Content-Type', 'application/json'], ['X-Token', 'secret-token']],
      status: 200,
      res: [['Access-Control-Allow-Origin', APP], ['Content-Type', 'application/json'], ['Vary', 'Origin']],
      preflight: { req: [...origin, ['Access-Control-Request-Method', 'PUT'], ['Access-Control-Request-Headers', 'content-type,x-token']], status: 204, res: [['Access-Control-Allow-Origin', APP], ['Access-Control-Allow-Methods', 'GET, PUT'], ['Access-Control-Allow-Headers', 'content-type, x-token'], ['Access-Control-Max-Age', '600'], ['Vary', 'Origin']] },
      time: 35,
    },
    {
      method: 'POST',
      url: `${API}/api/orders${q}`,
      req: [...origin, ['Content-Type', 'application/json'], ['X-Request-Id', 'abc']],
      status: 0,
      res: [],
      error: 'net::ERR_FAILED',
      preflight: { req: [...origin, ['Access-Control-Request-Method', 'POST'], ['Access-Control-Request-Headers', 'content-type,x-request-id']], status: 204, res: [['Access-Control-Allow-Origin', APP], ['Access-Control-Allow-Methods', 'GET, POST'], ['Access-Control-Allow-Headers', 'content-type']] },
      time: 12,
    },
    { method: 'GET', url: `${THIRD}/cdn/config.json${q}`, req: origin, status: 200, res: [['Content-Type', 'application/json']], error: 'net::ERR_FAILED', time: 40 },
    { method: 'GET', url: `${API}/api/session${q}`, req: [...origin, ['Cookie', 'sid=abc123']], status: 200, res: [['Access-Control-Allow-Origin', '*'], ['Content-Type', 'application/json']], error: 'net::ERR_FAILED', time: 16 },
    { method: 'GET', url: `${APP}/static/app.js${q}`, req: [], status: 200, res: [['Content-Type', 'text/javascript']], time: 6, sameOrigin: true },
    {
      method: 'DELETE',
      url: `${API}/api/items/7${q}`,
      req: origin,
      status: 0,
      res: [],
      error: 'net::ERR_FAILED',
      preflight: { req: [...origin, ['Access-Control-Request-Method', 'DELETE']], status: 204, res: [['Access-Control-Allow-Origin', APP], ['Access-Control-Allow-Methods', 'GET, PUT, POST']] },
      time: 9,
    },
    {
      method: 'GET',
      url: `${API}/api/moved${q}`,
      req: origin,
      status: 302,
      res: [['Location', `${THIRD}/api/final${q}`], ['Access-Control-Allow-Origin', APP]],
      redirectTo: { url: `${THIRD}/api/final${q}`, status: 200, req: [['Origin', 'null']], res: [['Access-Control-Allow-Origin', 'null'], ['Content-Type', 'application/json']] },
      time: 14,
    },
  ];
}

function entry(startMs: number, method: string, url: string, req: H, status: number, res: H, time: number, extra: Record<string, unknown>, error?: string, redirectURL = ''): Entry {
  return {
    startedDateTime: new Date(startMs).toISOString(),
    time,
    request: { method, url, httpVersion: 'HTTP/1.1', headers: hs(req), queryString: [], cookies: [], headersSize: -1, bodySize: 0 },
    response: {
      status,
      statusText: status === 200 ? 'OK' : status === 204 ? 'No Content' : status === 302 ? 'Found' : '',
      httpVersion: 'HTTP/1.1',
      headers: hs(res),
      cookies: [],
      content: { size: 0, mimeType: 'application/json' },
      redirectURL,
      headersSize: -1,
      bodySize: 0,
      ...(error ? { _error: error } : {}),
    },
    cache: {},
    timings: { send: 0, wait: time, receive: 0 },
    pageref: 'page_1',
    ...extra,
  } as Entry;
}

/** `n` exchanges (a preflight and its request count as one), spaced `gapMs` apart. */
export function makeHar(n: number, t0 = Date.UTC(2026, 10, 24, 12, 0, 0), gapMs = 25): Har {
  const entries: Entry[] = [];
  let id = 1000;
  let t = t0;
  for (let i = 0; entries.length < n; i++) {
    for (const s of scenarios(i)) {
      if (entries.length >= n) break;
      const reqId = String(id++);
      t += gapMs;
      const rt = { _resourceType: s.sameOrigin ? 'script' : 'fetch', _initiator: { type: 'script' }, _requestId: reqId };
      if (s.preflight) {
        // Chromium: the request starts, then its preflight runs under its own id (browser-facts §C).
        entries.push(entry(t + 1, 'OPTIONS', s.url, s.preflight.req, s.preflight.status, s.preflight.res, 6, { _resourceType: 'preflight', _initiator: { type: 'preflight', url: s.url, requestId: reqId }, _requestId: String(id++) }));
      }
      if (s.redirectTo) {
        entries.push(entry(t, s.method, s.url, s.req, s.status, s.res, 5, rt, undefined, s.redirectTo.url));
        // The follow-up hop keeps the request's id: the DevTools Protocol (and so any recorder
        // that writes `_requestId`) uses one id for every hop of a redirected request. A new id
        // here made the HAR reader keep the hops apart, as two requests.
        entries.push(entry(t + 6, s.method, s.redirectTo.url, s.redirectTo.req, s.redirectTo.status, s.redirectTo.res, (s.time ?? 10) - 6, rt));
      } else {
        entries.push(entry(t, s.method, s.url, s.req, s.status, s.res, s.time ?? 10, rt, s.error));
      }
    }
  }
  entries.sort((a, b) => a.startedDateTime.localeCompare(b.startedDateTime));
  return {
    log: {
      version: '1.2',
      creator: { name: 'WebInspector', version: '537.36' },
      pages: [{ startedDateTime: new Date(t0).toISOString(), id: 'page_1', title: `${APP}/`, pageTimings: {} }],
      entries,
    },
  };
}
