/**
 * A synthetic Chrome-DevTools-style HAR for the engine benchmark: seeded and deterministic (the
 * same seed and size give the same bytes), HAR 1.2 shaped like a real DevTools export (headers,
 * query strings, timings, small bodies), with a realistic mix of exchanges:
 *
 *   not-cors   same-origin documents, scripts, images, XHR                 ~30 %
 *   simple     cross-origin GET/POST that pass                              ~28 %
 *   simple ✗   cross-origin GET without / with a wrong ACAO, or `*` + cookie ~6 %
 *   preflight  OPTIONS + PUT/DELETE/JSON POST that pass (2 entries)         ~24 %
 *   preflight✗ OPTIONS that rejects; request status 0, net::ERR_FAILED       ~6 %
 *   redirect   cross-origin GET 302 → third origin (Origin: null), 2 entries ~6 %
 *
 * Preflights are their own entries (`_resourceType: "preflight"`, `_initiator.type:
 * "preflight"`), as Chrome writes them (browser-facts §D); entries are in start order.
 *
 *   node bench/synthetic-har.mjs [entries=50000] [seed=1] > file.har
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** mulberry32: a tiny seeded PRNG (deterministic across Node versions). @param {number} seed */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PAGE = 'https://app.example.test';
const APIS = ['https://api.example.test', 'https://cdn.example-static.test', 'https://auth.example.test', 'http://localhost:8080'];
const THIRD = 'https://files.example-storage.test';
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
const PATHS = ['/v1/users', '/v1/orders', '/v2/search', '/graphql', '/v1/items/42', '/upload', '/session', '/v1/cart'];

/** @param {string} name @param {string} value */
const h = (name, value) => ({ name, value });

function baseRequestHeaders(/** @type {string} */ origin, /** @type {boolean} */ cors) {
  const hs = [
    h('Accept', 'application/json, text/plain, */*'),
    h('Accept-Encoding', 'gzip, deflate, br, zstd'),
    h('Accept-Language', 'en-GB,en;q=0.9'),
    h('Referer', PAGE + '/dashboard'),
    h('User-Agent', UA),
    h('sec-ch-ua', '"Chromium";v="156", "Not-A.Brand";v="24"'),
    h('sec-ch-ua-mobile', '?0'),
    h('sec-ch-ua-platform', '"Linux"'),
    h('Sec-Fetch-Dest', 'empty'),
    h('Sec-Fetch-Mode', cors ? 'cors' : 'same-origin'),
    h('Sec-Fetch-Site', cors ? 'same-site' : 'same-origin'),
  ];
  if (cors) hs.push(h('Origin', origin));
  return hs;
}

function baseResponseHeaders(/** @type {string} */ mime, /** @type {number} */ len) {
  return [
    h('Content-Type', mime),
    h('Content-Length', String(len)),
    h('Date', 'Tue, 24 Nov 2026 12:00:00 GMT'),
    h('Server', 'nginx/1.25.3'),
    h('Cache-Control', 'no-cache, private'),
    h('X-Request-Id', 'req-0000000000'),
    h('Strict-Transport-Security', 'max-age=31536000'),
  ];
}

function queryOf(/** @type {string} */ url) {
  const u = new URL(url);
  return [...u.searchParams].map(([name, value]) => ({ name, value }));
}

/**
 * @param {number} count number of HAR entries (exactly)
 * @param {number} [seed]
 * @param {{corsOnly?: boolean}} [opts] corsOnly: no same-origin entries (the panel benchmark,
 *   whose list hides not-cors rows by default, wants every entry to be a visible row)
 */
export function generateHar(count, seed = 1, opts = {}) {
  const rand = rng(seed);
  const pick = (/** @type {readonly any[]} */ xs) => xs[Math.floor(rand() * xs.length)];
  const t0 = Date.UTC(2026, 10, 24, 12, 0, 0);
  let t = t0;
  let n = 0;
  /** @type {any[]} */
  const entries = [];
  const body = (/** @type {number} */ i) => JSON.stringify({ id: i, ok: true, items: [i % 7, i % 11, i % 13], note: 'synthetic' });

  /** @param {any} o */
  function entry(o) {
    const started = new Date(t + (o.offsetMs ?? 0)).toISOString();
    const text = o.status >= 200 && o.status < 300 && o.status !== 204 ? body(n) : '';
    const respHeaders = o.respHeaders ?? (o.status === 0 ? [] : [...baseResponseHeaders(o.mime ?? 'application/json', text.length), ...(o.extraResp ?? [])]);
    const wait = 2 + Math.floor(rand() * 40);
    const e = {
      _initiator: o.initiator ?? { type: 'script', stack: { callFrames: [] } },
      _priority: 'High',
      _resourceType: o.resourceType ?? 'fetch',
      cache: {},
      pageref: 'page_1',
      request: {
        method: o.method,
        url: o.url,
        httpVersion: 'http/2.0',
        headers: o.reqHeaders,
        queryString: queryOf(o.url),
        cookies: [],
        headersSize: -1,
        bodySize: o.reqBody ? o.reqBody.length : 0,
        ...(o.reqBody ? { postData: { mimeType: 'application/json', text: o.reqBody } } : {}),
      },
      response: {
        status: o.status,
        statusText: o.status === 0 ? '' : o.status === 204 ? 'No Content' : o.status === 302 ? 'Found' : 'OK',
        httpVersion: o.status === 0 ? '' : 'http/2.0',
        headers: respHeaders,
        cookies: [],
        content: { size: text.length, mimeType: o.status === 0 ? 'x-unknown' : (o.mime ?? 'application/json'), ...(text ? { text } : {}) },
        redirectURL: o.redirectURL ?? '',
        headersSize: -1,
        bodySize: text.length,
        _transferSize: text.length + 300,
        ...(o.error ? { _error: o.error } : {}),
      },
      // No serverIPAddress: optional in HAR 1.2, and test/unit/har-schema.ts rejects IPv4 values
      // (its ipv6 format also matches them, so har-schema's oneOf fails).
      startedDateTime: started,
      time: wait + 1,
      timings: { blocked: 0.5, dns: -1, ssl: -1, connect: -1, send: 0.1, wait, receive: 0.4 },
    };
    entries.push(e);
    n++;
    return e;
  }

  while (n < count) {
    t += 3 + Math.floor(rand() * 20);
    const left = count - n;
    const r = opts.corsOnly ? 0.3 + rand() * 0.7 : rand();
    const api = pick(APIS);
    const url = `${api}${pick(PATHS)}?page=${n % 50}&q=item%20${n}`;
    const acao = h('Access-Control-Allow-Origin', PAGE);
    const vary = h('Vary', 'Origin');
    if (r < 0.3) {
      // not-cors: same-origin subresources and XHR
      const kind = pick(['script', 'image', 'stylesheet', 'xhr', 'fetch']);
      entry({
        method: 'GET',
        url: `${PAGE}/static/${kind}/${n}.${kind === 'image' ? 'png' : 'js'}`,
        resourceType: kind,
        initiator: { type: 'parser', url: PAGE + '/dashboard' },
        reqHeaders: baseRequestHeaders(PAGE, false),
        status: 200,
        mime: kind === 'image' ? 'image/png' : 'text/javascript',
      });
    } else if (r < 0.58 || left < 2) {
      // simple cross-origin, passing
      const post = rand() < 0.2;
      entry({
        method: post ? 'POST' : 'GET',
        url,
        reqHeaders: [...baseRequestHeaders(PAGE, true), ...(post ? [h('Content-Type', 'text/plain;charset=UTF-8')] : [])],
        reqBody: post ? '{"q":1}' : undefined,
        status: 200,
        extraResp: [acao, vary, ...(rand() < 0.5 ? [h('Access-Control-Expose-Headers', 'X-Request-Id')] : [])],
      });
    } else if (r < 0.64) {
      // simple cross-origin, failing on the response
      const how = pick(['missing', 'wrong', 'star-with-cookie']);
      const cookie = how === 'star-with-cookie';
      entry({
        method: 'GET',
        url,
        reqHeaders: [...baseRequestHeaders(PAGE, true), ...(cookie ? [h('Cookie', 'sid=abc123; theme=dark')] : [])],
        status: 200,
        extraResp: how === 'missing' ? [] : how === 'wrong' ? [h('Access-Control-Allow-Origin', 'https://other.example.test')] : [h('Access-Control-Allow-Origin', '*')],
        error: 'net::ERR_FAILED',
      });
    } else if (r < 0.94) {
      // preflighted: the preflight entry, then the request
      const fails = r >= 0.88;
      const method = pick(['PUT', 'DELETE', 'POST', 'PATCH']);
      const custom = pick(['X-Requested-With', 'Authorization', 'X-Api-Key', 'X-Trace-Id']);
      const json = method === 'POST' || rand() < 0.3;
      const acrh = [custom.toLowerCase(), ...(json ? ['content-type'] : [])].sort().join(',');
      entry({
        method: 'OPTIONS',
        url,
        resourceType: 'preflight',
        initiator: { type: 'preflight', url, requestId: `${1000 + n}.1` },
        reqHeaders: [
          h('Accept', '*/*'),
          h('Access-Control-Request-Method', method),
          h('Access-Control-Request-Headers', acrh),
          h('Origin', PAGE),
          h('User-Agent', UA),
          h('Sec-Fetch-Mode', 'cors'),
          h('Sec-Fetch-Site', 'same-site'),
          h('Sec-Fetch-Dest', 'empty'),
        ],
        status: 204,
        respHeaders: [
          acao,
          // A failing preflight allows neither the method nor the custom header: PUT/DELETE/PATCH
          // fail on the method, POST (a safelisted method, Fetch §4.8) on the header.
          h('Access-Control-Allow-Methods', fails ? 'GET, POST' : `GET, POST, ${method}`),
          h('Access-Control-Allow-Headers', fails ? 'content-type' : acrh),
          h('Access-Control-Max-Age', pick(['600', '7200', '86400'])),
          vary,
          h('Date', 'Tue, 24 Nov 2026 12:00:00 GMT'),
        ],
      });
      const reqHeaders = [...baseRequestHeaders(PAGE, true), h(custom, 'token-' + (n % 97)), ...(json ? [h('Content-Type', 'application/json')] : [])];
      if (fails) {
        // Blocked by its preflight: never sent, status 0 (browser-facts §D).
        entry({ method, url, reqHeaders, reqBody: json ? '{"a":1}' : undefined, status: 0, error: 'net::ERR_FAILED', offsetMs: 1 });
      } else {
        entry({ method, url, reqHeaders, reqBody: json ? '{"a":1}' : undefined, status: 200, extraResp: [acao, vary], offsetMs: 1 });
      }
    } else {
      // cross-origin redirect: api 302 → third origin, which sees Origin: null (Fetch §4.4 step 10)
      const target = `${THIRD}/blob/${n}`;
      entry({
        method: 'GET',
        url,
        reqHeaders: baseRequestHeaders(PAGE, true),
        status: 302,
        respHeaders: [h('Location', target), acao, vary, h('Content-Length', '0'), h('Date', 'Tue, 24 Nov 2026 12:00:00 GMT')],
        redirectURL: target,
      });
      const passes = rand() < 0.7;
      entry({
        method: 'GET',
        url: target,
        reqHeaders: baseRequestHeaders('null', true),
        status: 200,
        extraResp: passes ? [h('Access-Control-Allow-Origin', 'null')] : [],
        error: passes ? undefined : 'net::ERR_FAILED',
        offsetMs: 1,
      });
    }
  }
  return {
    log: {
      version: '1.2',
      creator: { name: 'WebInspector', version: '537.36' },
      pages: [{ startedDateTime: new Date(t0).toISOString(), id: 'page_1', title: PAGE + '/dashboard', pageTimings: { onContentLoad: 120, onLoad: 250 } }],
      entries,
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const count = Number(process.argv[2] ?? 50_000);
  const seed = Number(process.argv[3] ?? 1);
  const out = process.argv[4];
  const text = JSON.stringify(generateHar(count, seed));
  if (out) writeFileSync(out, text);
  else process.stdout.write(text);
}
