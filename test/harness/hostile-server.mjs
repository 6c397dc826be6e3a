/**
 * A small loopback server for the hardening tests (issue 7): it answers cross-origin requests with
 * hostile header values (markup, script break-outs, control characters, non-ASCII, huge values,
 * thousands of headers), and serves a page that fetches them, plus a plain endpoint for request
 * bursts. Every request it receives is logged (method, path, origin, headers) so tests can count
 * what really went over the wire and check that the extension itself sent nothing.
 *
 * Hostile responses are written as raw bytes on the socket: node:http refuses control
 * characters and non-Latin-1 text in header values, and a hostile server does not ask first.
 *
 * Kept apart from the playground's scenario catalogue on purpose: these are not CORS scenarios
 * with an expected verdict, only inputs that must not break the extension.
 */
import { createServer } from 'node:http';

/** Values a hostile server may put in any header; each carries a distinct alert number. */
export const HOSTILE_VALUES = [
  { name: 'img-onerror', value: '<img src=x onerror=alert(1)>' },
  { name: 'script-breakout', value: '</script><script>alert(2)</script>' },
  { name: 'javascript-url', value: 'javascript:alert(3)' },
  { name: 'attribute-breakout', value: '"><svg onload=alert(4)>' },
  { name: 'template-injection', value: "{{constructor.constructor('alert(5)')()}}" },
  { name: 'iframe-srcdoc', value: '<iframe srcdoc="<script>alert(6)</script>"></iframe>' },
  { name: 'html-entities', value: '&lt;b&gt;&#x3C;img src=x onerror=alert(7)&#62;' },
  { name: 'style-exfiltration', value: '<style>*{background:url(http://127.0.0.1:9/leak)}</style>' },
  { name: 'control-characters', value: 'a\u0001b\u0007c\u001b[31md\u007fe' },
  { name: 'non-ascii', value: 'Ωmega ☃ 漢字 \u202eevil' },
  { name: 'long-200k', value: `${'B'.repeat(200 * 1024)}<img src=x onerror=alert(8)>` },
];

/** Secret values the privacy test looks for in exports. */
export const SECRETS = { cookie: 'COOKIE-SECRET-5f2a', setCookie: 'SETCOOKIE-SECRET-77c1', authorization: 'Bearer AUTH-SECRET-9d3e' };

/** Printable payloads whose exact text the panel must show (the rest may be normalised by the browser). */
export const VISIBLE_PAYLOADS = HOSTILE_VALUES.filter((p) => /^[\x20-\x7e]+$/.test(p.value) && p.value.length < 1000);

const PAGE_SCRIPT = String.raw`
const api = document.documentElement.dataset.api;
async function one(path, init) {
  try {
    const r = await fetch(api + path, init);
    await r.text();
    return { path, ok: true, status: r.status };
  } catch (e) {
    return { path, ok: false, error: String(e) };
  }
}
window.hostile = {
  /** Fetches every hostile endpoint once, one after the other; resolves with the results. */
  async runAll(paths) {
    const out = [];
    for (const p of paths) out.push(await one(p.path, p.init));
    return out;
  },
  /** Sets a cookie on the API origin, then sends it back with an Authorization header. */
  async secrets(auth) {
    const a = await one('/secret/set', { credentials: 'include' });
    const b = await one('/secret/echo', { credentials: 'include', headers: { Authorization: auth } });
    return [a, b];
  },
  /** n simple CORS GETs with at most 'parallel' in flight; resolves with how many completed. */
  async burst(n, parallel, tag) {
    let next = 0;
    let ok = 0;
    let failed = 0;
    async function worker() {
      while (next < n) {
        const i = next++;
        const r = await one('/ok/' + tag + '/' + i, {});
        if (r.ok) ok++;
        else failed++;
      }
    }
    await Promise.all(Array.from({ length: parallel }, worker));
    return { ok, failed };
  },
};
document.title = 'hostile page ready';
`;

/**
 * The requests the page makes, with the path each one hits. `kind` tells what the test expects
 * to find in the panel: 'fail' (a CORS failure naming the payload), 'pass', or 'any'.
 * @param {number} i index in HOSTILE_VALUES
 */
function pathsFor(i) {
  return [
    { path: `/h/acao/${i}`, init: {}, kind: 'fail', payload: i },
    { path: `/h/pass/${i}`, init: {}, kind: 'pass', payload: i },
    { path: `/h/methods/${i}`, init: { method: 'PUT', headers: { 'X-Custom': '1' } }, kind: 'fail', payload: i },
  ];
}

export const SPECIAL_PATHS = [
  { path: '/h/many-headers', init: {}, kind: 'pass', payload: 0 },
  { path: '/h/huge-1mb', init: {}, kind: 'any', payload: null },
  { path: '/h/nul-byte', init: {}, kind: 'any', payload: null },
  { path: '/h/bad-header-name', init: {}, kind: 'any', payload: null },
  { path: '/h/redirect', init: {}, kind: 'any', payload: null },
  { path: `/h/${encodeURIComponent('<img src=x onerror=alert(9)>')}`, init: {}, kind: 'fail', payload: null },
];

/** Every request the hostile page makes in `runAll`. */
export const ALL_PATHS = [...HOSTILE_VALUES.flatMap((_, i) => pathsFor(i)), ...SPECIAL_PATHS];

/** @param {[string, string][]} headers @param {string} statusLine */
function raw(statusLine, headers) {
  const head = [statusLine, ...headers.map(([n, v]) => `${n}: ${v}`), 'Content-Length: 2', 'Connection: close', '', ''].join('\r\n');
  // UTF-8 on the wire: non-ASCII arrives as bytes >= 0x80, as from a real misconfigured server.
  return Buffer.concat([Buffer.from(head, 'utf8'), Buffer.from('ok')]);
}

/**
 * @param {{port?: number, apiPort?: number}} [opts] ports (0 = any free port)
 */
export async function startHostileServer(opts = {}) {
  /** @type {{server: 'page'|'api', method: string, path: string, origin: string|null, headers: Record<string, string|string[]|undefined>, at: number}[]} */
  const log = [];
  let pageOrigin = '';
  let apiOrigin = '';

  const page = createServer((req, res) => {
    log.push({ server: 'page', method: req.method ?? '', path: req.url ?? '', origin: req.headers.origin ?? null, headers: req.headers, at: Date.now() });
    if (req.url === '/' || req.url?.startsWith('/?')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(`<!doctype html><html data-api="${apiOrigin}"><head><meta charset="utf-8"><title>hostile page</title></head><body><h1>hostile page</h1><script>${PAGE_SCRIPT}</script></body></html>`);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });

  const api = createServer((req, res) => {
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : null;
    const path = req.url ?? '';
    log.push({ server: 'api', method: req.method ?? '', path, origin, headers: req.headers, at: Date.now() });
    const send = (/** @type {string} */ statusLine, /** @type {[string, string][]} */ headers) => {
      req.socket.end(raw(statusLine, headers));
    };
    const allow = /** @type {[string, string][]} */ (origin ? [['Access-Control-Allow-Origin', origin]] : []);

    // The burst endpoint: a plain pass, answered by node:http (keep-alive, fast).
    if (path.startsWith('/ok/')) {
      res.writeHead(200, { 'access-control-allow-origin': '*', 'content-type': 'text/plain', 'cache-control': 'no-store' });
      res.end('ok');
      return;
    }
    // Credentialed exchanges carrying every secret a page can make the browser send: a cookie set
    // by /secret/set, and an Authorization header (the privacy test checks their redaction).
    if (path.startsWith('/secret/')) {
      const cred = /** @type {[string, string][]} */ ([...allow, ['Access-Control-Allow-Credentials', 'true'], ['Vary', 'Origin']]);
      if (req.method === 'OPTIONS') send('HTTP/1.1 204 No Content', [...cred, ['Access-Control-Allow-Methods', 'GET'], ['Access-Control-Allow-Headers', 'authorization']]);
      else if (path === '/secret/set') send('HTTP/1.1 200 OK', [...cred, ['Set-Cookie', `sid=${SECRETS.cookie}; Path=/; SameSite=Lax`]]);
      else send('HTTP/1.1 200 OK', [...cred, ['Set-Cookie', `other=${SECRETS.setCookie}; Path=/`]]);
      return;
    }
    if (req.method === 'OPTIONS') {
      const m = /^\/h\/methods\/(\d+)$/.exec(path);
      const p = m ? HOSTILE_VALUES[Number(m[1])] : undefined;
      send('HTTP/1.1 204 No Content', [...allow, ['Access-Control-Allow-Methods', p ? p.value : 'GET, PUT'], ['Access-Control-Allow-Headers', p ? p.value : 'x-custom']]);
      return;
    }
    let m;
    if ((m = /^\/h\/acao\/(\d+)$/.exec(path))) {
      const p = HOSTILE_VALUES[Number(m[1])];
      // Status texts cannot carry a huge value in every browser; keep them to the short payloads.
      send(`HTTP/1.1 200 ${p.value.length < 1000 ? p.value : 'OK'}`, [['Access-Control-Allow-Origin', p.value], ['X-Hostile', p.value], ['Content-Type', 'text/plain']]);
    } else if ((m = /^\/h\/pass\/(\d+)$/.exec(path))) {
      const p = HOSTILE_VALUES[Number(m[1])];
      send('HTTP/1.1 200 OK', [...allow, ['Access-Control-Expose-Headers', p.value], ['X-Hostile', p.value], ['Set-Cookie', `c=${p.value.length < 1000 ? p.value : 'long'}`], ['Content-Type', 'text/plain']]);
    } else if (path === '/h/many-headers') {
      const many = /** @type {[string, string][]} */ (Array.from({ length: 3000 }, (_, i) => [`X-H-${i}`, HOSTILE_VALUES[i % 9].value]));
      send('HTTP/1.1 200 OK', [...allow, ...many]);
    } else if (path === '/h/huge-1mb') {
      send('HTTP/1.1 200 OK', [...allow, ['X-Huge', `${'H'.repeat(1024 * 1024)}<img src=x onerror=alert(10)>`]]);
    } else if (path === '/h/nul-byte') {
      send('HTTP/1.1 200 OK', [...allow, ['X-Nul', 'a\u0000<img src=x onerror=alert(11)>']]);
    } else if (path === '/h/bad-header-name') {
      send('HTTP/1.1 200 OK', [...allow, ['X-Evil"<img src=x onerror=alert(12)>', '1']]);
    } else if (path === '/h/redirect') {
      send('HTTP/1.1 302 Found', [...allow, ['Location', `/h/pass/0?q=<svg/onload=alert(13)>`]]);
    } else {
      // Any other path (e.g. a payload in the URL): a response without ACAO, a CORS failure.
      send('HTTP/1.1 200 OK', [['Content-Type', 'text/plain']]);
    }
  });

  const listen = (/** @type {import('node:http').Server} */ s, /** @type {number} */ port) =>
    new Promise((ok, fail) => {
      s.once('error', fail);
      s.listen(port, '127.0.0.1', () => ok(/** @type {import('node:net').AddressInfo} */ (s.address()).port));
    });
  pageOrigin = `http://127.0.0.1:${await listen(page, opts.port ?? 0)}`;
  apiOrigin = `http://127.0.0.1:${await listen(api, opts.apiPort ?? 0)}`;
  return {
    pageOrigin,
    apiOrigin,
    log,
    async close() {
      for (const s of [page, api]) {
        s.closeAllConnections();
        await new Promise((ok) => s.close(() => ok(undefined)));
      }
    },
  };
}
