// The CORS playground: a small node:http server on several loopback origins that answers
// scripted CORS scenarios (test/playground/scenarios.json). The demo, the conformance recorder
// and the end-to-end tests all drive it. Plain ESM JavaScript so `node` runs it directly; the
// JSDoc types are checked by `tsc` (tsconfig includes test/).
//
// Origins (all on 127.0.0.1; `localhost` resolves to 127.0.0.1 here, which gives a second,
// cross-SITE spelling of the api origin):
//   page  :18411  the playground page (the requesting origin of every scenario)
//   api   :18412  the cross-origin API (same-site with the page: 127.0.0.1 is the site)
//   third :18413  a third origin, target of cross-origin redirects
//   warm  :18414  a spare origin the recorder uses to warm Firefox's preflight cache (browser-facts §H)
// Default ports sit far from common dev servers (3000, 5173, 8080, …).

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export const DEFAULT_PORTS = { page: 18411, api: 18412, third: 18413, warm: 18414 };

/** @typedef {'page' | 'api' | 'apiLocalhost' | 'third'} TargetName */
/** @typedef {[string, string]} HeaderPair */

/**
 * @typedef {object} RedirectSpec
 * @property {TargetName} target   origin the redirect points to
 * @property {string} [path]       last path segment under /s/<id>/<runId>/ (default `hop2`)
 * @property {number} [status]     redirect status (default 302)
 * @property {string} [userinfo]   `user:pass` put into the Location URL
 */

/**
 * @typedef {object} Answer
 * @property {number} status
 * @property {HeaderPair[]} headers   ordered; duplicates allowed; `{origin}` (the request's Origin header),
 *   `{pageOrigin}`, `{pagePort}`, `{apiPort}` are substituted at serve time
 * @property {string} [body]
 * @property {RedirectSpec} [redirectTo]
 * @property {boolean} [closeConnection]  destroy the socket instead of answering (→ a net error)
 */

/**
 * @typedef {object} ScenarioRequest
 * @property {TargetName} target
 * @property {string} method
 * @property {Record<string, string> | HeaderPair[]} headers  pairs are appended in order (duplicates allowed)
 * @property {'omit' | 'same-origin' | 'include'} credentials
 * @property {string} [body]
 * @property {string} [contentType]
 * @property {'cors' | 'no-cors' | 'same-origin'} [mode]
 * @property {'follow' | 'manual' | 'error'} [redirect]
 * @property {number} [repeat]
 * @property {number} [delayBetweenMs]
 * @property {'fetch' | 'xhr'} [via]
 * @property {boolean} [sandboxed]
 * @property {boolean} [setCookie]  visit the api origin's /set-cookie first (default: credentials !== 'omit')
 */

/**
 * @typedef {object} Scenario
 * @property {string} id
 * @property {string} title
 * @property {string} group
 * @property {ScenarioRequest} request
 * @property {Answer} preflight    the answer to OPTIONS on the first URL
 * @property {Answer} response     the answer to the actual request on the first URL
 * @property {{ preflight: Answer, response: Answer }} hop2  answers at the redirect target
 * @property {string} [notes]
 * @property {boolean} [nonCorsFailure]  the page fails for a reason that is not a CORS check (a dropped
 *   connection, redirect mode "error"): browsers name no CORS error, and headers alone cannot tell
 */

/**
 * @typedef {object} LoggedRequest
 * @property {string} origin          the listener's origin (e.g. http://127.0.0.1:18412)
 * @property {string} method          exactly as received (a lower-case `patch` stays lower-case)
 * @property {string} url             path + query
 * @property {HeaderPair[]} headers   raw order, duplicates kept
 * @property {number} time            epoch ms
 * @property {string | null} scenario
 * @property {string | null} runId
 * @property {{ status: number, headers: HeaderPair[], closed: boolean } | null} response  what the server answered
 */

/**
 * @typedef {object} Playground
 * @property {string} pageOrigin
 * @property {{ page: string, api: string, apiLocalhost: string, third: string, warm: string }} origins
 * @property {{ page: number, api: number, third: number, warm: number }} ports
 * @property {Scenario[]} scenarios
 * @property {LoggedRequest[]} log
 * @property {() => void} clearLog
 * @property {() => Promise<void>} close
 */

const TARGETS = ['page', 'api', 'apiLocalhost', 'third'];
const ID_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** @param {unknown} v @param {string} where @returns {HeaderPair[]} */
function pairs(v, where) {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new Error(`${where}: headers must be an array of [name, value]`);
  return v.map((p, i) => {
    if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== 'string' || typeof p[1] !== 'string') {
      throw new Error(`${where}[${i}]: expected [name, value]`);
    }
    return /** @type {HeaderPair} */ ([p[0], p[1]]);
  });
}

/** @param {any} a @param {Answer} dflt @param {string} where @returns {Answer} */
function normAnswer(a, dflt, where) {
  if (a === undefined) return { ...dflt, headers: [...dflt.headers] };
  /** @type {Answer} */
  const out = { status: a.status ?? dflt.status, headers: pairs(a.headers, `${where}.headers`) };
  if (a.body !== undefined) out.body = String(a.body);
  if (a.closeConnection) out.closeConnection = true;
  if (a.redirectTo !== undefined) {
    const r = typeof a.redirectTo === 'string' ? { target: a.redirectTo } : a.redirectTo;
    if (!TARGETS.includes(r.target)) throw new Error(`${where}.redirectTo.target: unknown target ${r.target}`);
    out.redirectTo = { target: r.target, path: r.path ?? 'hop2', status: r.status ?? (out.status >= 300 && out.status < 400 ? out.status : 302), ...(r.userinfo ? { userinfo: r.userinfo } : {}) };
  }
  if (!Number.isInteger(out.status) || out.status < 100 || out.status > 599) throw new Error(`${where}.status: bad status ${out.status}`);
  return out;
}

/**
 * Reads and normalises the scenario catalogue (fills defaults, validates shape and ids).
 * @param {string} [file]
 * @returns {Scenario[]}
 */
export function loadScenarios(file = path.join(HERE, 'scenarios.json')) {
  const raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  const list = Array.isArray(raw) ? raw : raw.scenarios;
  if (!Array.isArray(list)) throw new Error(`${file}: expected an array of scenarios or {scenarios: [...]}`);
  const seen = new Set();
  return list.map((s, i) => {
    const where = `scenarios[${i}]${s && s.id ? ` (${s.id})` : ''}`;
    if (!s || typeof s.id !== 'string' || !ID_RE.test(s.id)) throw new Error(`${where}: id must be kebab-case`);
    if (seen.has(s.id)) throw new Error(`${where}: duplicate id`);
    seen.add(s.id);
    const r = s.request ?? {};
    const target = r.target ?? 'api';
    if (!TARGETS.includes(target)) throw new Error(`${where}.request.target: unknown target ${target}`);
    const headers = Array.isArray(r.headers) ? pairs(r.headers, `${where}.request.headers`) : { ...(r.headers ?? {}) };
    /** @type {ScenarioRequest} */
    const request = {
      target,
      method: r.method ?? 'GET',
      headers,
      credentials: r.credentials ?? 'same-origin',
    };
    for (const k of ['body', 'contentType', 'mode', 'redirect', 'repeat', 'delayBetweenMs', 'via', 'sandboxed', 'setCookie']) {
      if (r[k] !== undefined) /** @type {Record<string, unknown>} */ (request)[k] = r[k];
    }
    const okPreflight = { status: 204, headers: [] };
    const okResponse = { status: 200, headers: [] };
    const h2 = s.hop2 ?? {};
    return {
      id: s.id,
      title: String(s.title ?? s.id),
      group: String(s.group ?? 'misc'),
      request,
      preflight: normAnswer(s.preflight, okPreflight, `${where}.preflight`),
      response: normAnswer(s.response, okResponse, `${where}.response`),
      hop2: {
        preflight: normAnswer(h2.preflight, okPreflight, `${where}.hop2.preflight`),
        response: normAnswer(h2.response, okResponse, `${where}.hop2.response`),
      },
      ...(s.notes ? { notes: String(s.notes) } : {}),
      ...(s.nonCorsFailure ? { nonCorsFailure: true } : {}),
    };
  });
}

/** @param {string | undefined} v */
function num(v) {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`bad port ${v}`);
  return n;
}

/**
 * The few headers every playground answer carries. `no-store` so the HTTP cache never answers
 * for the server (the CORS preflight cache is separate and is what the scenarios exercise).
 */
const BASE_HEADERS = /** @type {HeaderPair[]} */ ([['Cache-Control', 'no-store']]);

/** @param {string} s */
function htmlEscape(s) {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Starts every origin of the playground.
 * @param {{ ports?: Partial<typeof DEFAULT_PORTS>, quiet?: boolean, scenariosFile?: string }} [opts]
 * @returns {Promise<Playground>}
 */
export async function startPlayground(opts = {}) {
  const quiet = opts.quiet ?? true;
  const scenarios = loadScenarios(opts.scenariosFile);
  const byId = new Map(scenarios.map((s) => [s.id, s]));
  /** @type {LoggedRequest[]} */
  const log = [];
  const wanted = { ...DEFAULT_PORTS, ...(opts.ports ?? {}) };
  /** @type {http.Server[]} */
  const servers = [];
  /** @type {Set<import('node:net').Socket>} */
  const sockets = new Set();
  const ports = { page: 0, api: 0, third: 0, warm: 0 };
  const origins = { page: '', api: '', apiLocalhost: '', third: '', warm: '' };
  const pageScript = fs.readFileSync(path.join(HERE, 'page.js'), 'utf8');

  /** @param {TargetName} t */
  const originOf = (t) => origins[t];

  /**
   * @param {string} listenerOrigin
   * @param {{ method: string, url: string, rawHeaders: string[], body: string }} req
   * @returns {{ status: number, headers: HeaderPair[], body: string, close?: boolean }}
   */
  function answer(listenerOrigin, req) {
    const headers = /** @type {HeaderPair[]} */ ([]);
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.push([/** @type {string} */ (req.rawHeaders[i]), /** @type {string} */ (req.rawHeaders[i + 1])]);
    const u = new URL(req.url, 'http://x');
    const m = /^\/s\/([^/]+)\/([^/]+)\/([^/?]+)$/.exec(u.pathname);
    /** @type {LoggedRequest} */
    const entry = {
      origin: listenerOrigin,
      method: req.method,
      url: req.url,
      headers,
      time: Date.now(),
      scenario: m ? decodeURIComponent(/** @type {string} */ (m[1])) : null,
      runId: m ? decodeURIComponent(/** @type {string} */ (m[2])) : null,
      response: null,
    };
    log.push(entry);
    const routed = route();
    // `no-store` on everything except preflight answers: OPTIONS responses never enter the HTTP
    // cache anyway, and Firefox does not put a preflight answered with `no-store` into its
    // preflight cache (measured, Firefox ESR 153), which would hide every Max-Age scenario.
    const a = { ...routed, headers: req.method === 'OPTIONS' ? routed.headers : [...BASE_HEADERS, ...routed.headers] };
    // What we answered, exactly (the lines the server wrote itself; Node adds Date, Connection and
    // framing headers after them). The Firefox recorder takes raw header lines from here because
    // BiDi joins repeated lines (browser-facts §H).
    entry.response = a.close ? { status: 0, headers: [], closed: true } : { status: a.status, headers: a.headers, closed: false };
    return a;

    /** @returns {{ status: number, headers: HeaderPair[], body: string, close?: boolean }} */
    function route() {
    const originHdr = headers.find(([n]) => n.toLowerCase() === 'origin')?.[1] ?? '';
    /** @param {string} v */
    const subst = (v) =>
      v.replaceAll('{origin}', originHdr).replaceAll('{pageOrigin}', origins.page).replaceAll('{pagePort}', String(ports.page)).replaceAll('{apiPort}', String(ports.api));

    if (u.pathname === '/' && listenerOrigin === origins.page) return { status: 200, headers: [['Content-Type', 'text/html; charset=utf-8']], body: pageHtml(false) };
    if (u.pathname === '/frame' && listenerOrigin === origins.page) return { status: 200, headers: [['Content-Type', 'text/html; charset=utf-8']], body: pageHtml(true) };
    if (u.pathname === '/playground.js') return { status: 200, headers: [['Content-Type', 'text/javascript; charset=utf-8']], body: pageScript };
    if (u.pathname === '/scenarios.json') return { status: 200, headers: [['Content-Type', 'application/json']], body: JSON.stringify(scenarios) };
    if (u.pathname === '/favicon.ico') return { status: 204, headers: [], body: '' };
    if (u.pathname.startsWith('/warmup/')) {
      // A permissive endpoint for warming a browser's preflight cache (browser-facts §H).
      const allow = /** @type {HeaderPair[]} */ ([['Access-Control-Allow-Origin', originHdr || '*']]);
      if (req.method === 'OPTIONS') return { status: 204, headers: [...allow, ['Access-Control-Allow-Methods', 'PUT'], ['Access-Control-Allow-Headers', 'x-warm'], ['Access-Control-Max-Age', '600']], body: '' };
      return { status: 200, headers: allow, body: 'warm' };
    }
    if (!m) return { status: 404, headers: [['Content-Type', 'text/plain']], body: 'not found' };
    const [, rawId, runId, leaf] = m;
    const id = decodeURIComponent(/** @type {string} */ (rawId));
    const sc = byId.get(id);
    if (!sc) return { status: 404, headers: [['Content-Type', 'text/plain']], body: `unknown scenario ${id}` };
    if (leaf === 'set-cookie') {
      // Per-scenario cookie so credentialed requests carry a Cookie header (the only evidence of
      // credentials mode `include` an observer gets, DESIGN §2). SameSite=Lax rides along on
      // credentialed fetches from 127.0.0.1:18411 because 127.0.0.1:18412 is same-site.
      return { status: 200, headers: [['Set-Cookie', `cl_${id.replace(/-/g, '_').slice(0, 40)}=1; Path=/; SameSite=Lax`], ['Content-Type', 'text/plain']], body: 'cookie set' };
    }
    const part = leaf === 'resource' ? sc : leaf === (sc.response.redirectTo?.path ?? 'hop2') || leaf === 'hop2' ? sc.hop2 : null;
    if (!part) return { status: 404, headers: [['Content-Type', 'text/plain']], body: `unknown leaf ${leaf}` };
    const ans = req.method === 'OPTIONS' ? part.preflight : part.response;
    if (ans.closeConnection) return { status: 0, headers: [], body: '', close: true };
    const out = /** @type {HeaderPair[]} */ (ans.headers.map(([n, v]) => [n, subst(v)]));
    if (ans.redirectTo) {
      const target = new URL(originOf(ans.redirectTo.target));
      if (ans.redirectTo.userinfo) {
        const [user, pass] = ans.redirectTo.userinfo.split(':');
        target.username = user ?? '';
        target.password = pass ?? '';
      }
      target.pathname = `/s/${encodeURIComponent(id)}/${encodeURIComponent(/** @type {string} */ (runId))}/${ans.redirectTo.path ?? 'hop2'}`;
      out.push(['Location', target.href]);
    }
    const hasType = out.some(([n]) => n.toLowerCase() === 'content-type');
    if (!hasType && req.method !== 'OPTIONS') out.push(['Content-Type', 'text/plain; charset=utf-8']);
    const body = req.method === 'OPTIONS' || ans.redirectTo ? (ans.body ?? '') : (ans.body ?? `ok:${id}`);
    return { status: ans.redirectTo ? ans.redirectTo.status ?? ans.status : ans.status, headers: out, body };
    }
  }

  /** @param {boolean} frame */
  function pageHtml(frame) {
    const cfg = JSON.stringify({ origins, frame, scenarios }).replace(/</g, '\\u003c');
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>CORS Lens playground</title>
<style>
 body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;max-width:70rem}
 h2{margin:1.5rem 0 .3rem;font-size:1.05rem}
 table{border-collapse:collapse;width:100%} td{border-top:1px solid #ddd;padding:.25rem .4rem;vertical-align:top}
 .ok{color:#05700f;font-weight:600} .error{color:#b00020;font-weight:600} code{font-size:12px}
</style></head>
<body>${frame ? '' : `<h1>CORS Lens playground</h1>
<p>Page origin <code>${htmlEscape(origins.page)}</code>; API <code>${htmlEscape(origins.api)}</code> and <code>${htmlEscape(origins.apiLocalhost)}</code>; third origin <code>${htmlEscape(origins.third)}</code>.
Each scenario fetches a URL unique to one run, so the preflight cache never leaks between scenarios.</p>
<p><button id="run-all">Run all</button> <span id="summary"></span></p>
<div id="list"></div>`}
<script>window.__CORS_LENS_PLAYGROUND__=${cfg};</script>
<script src="/playground.js"></script>
</body></html>`;
  }

  /**
   * @param {string} listenerOrigin
   * @param {http.IncomingMessage} req
   * @param {http.ServerResponse} res
   */
  function handle(listenerOrigin, req, res) {
    /** @type {Buffer[]} */
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const a = answer(listenerOrigin, { method: req.method ?? '', url: req.url ?? '/', rawHeaders: req.rawHeaders, body: Buffer.concat(chunks).toString('utf8') });
      if (a.close) {
        req.socket.destroy();
        return;
      }
      // writeHead with a flat array keeps our order and duplicate lines (two ACAO lines are a scenario).
      const flat = [];
      for (const [n, v] of a.headers) flat.push(n, v);
      res.writeHead(a.status, flat);
      res.end(a.body);
    });
  }

  /**
   * Node's HTTP parser answers a method it does not know (a lower-case `patch`, which fetch sends
   * as-is because only DELETE/GET/HEAD/OPTIONS/POST/PUT are normalised, Fetch §concept-method-normalize)
   * with 400 before any handler runs. Parse such requests by hand and answer on the socket
   * (browser-facts §G).
   * @param {string} listenerOrigin
   * @param {Error & { code?: string, rawPacket?: Buffer }} err
   * @param {import('node:net').Socket} socket
   */
  function clientError(listenerOrigin, err, socket) {
    const raw = err.rawPacket?.toString('latin1') ?? '';
    const headEnd = raw.indexOf('\r\n\r\n');
    const lines = (headEnd >= 0 ? raw.slice(0, headEnd) : raw).split('\r\n');
    const reqLine = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/1\.[01]$/.exec(lines[0] ?? '');
    if (!reqLine || !socket.writable) {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    /** @type {string[]} */
    const rawHeaders = [];
    for (const line of lines.slice(1)) {
      const i = line.indexOf(':');
      if (i > 0) rawHeaders.push(line.slice(0, i).trim(), line.slice(i + 1).trim());
    }
    const a = answer(listenerOrigin, { method: /** @type {string} */ (reqLine[1]), url: /** @type {string} */ (reqLine[2]), rawHeaders, body: headEnd >= 0 ? raw.slice(headEnd + 4) : '' });
    if (a.close) {
      socket.destroy();
      return;
    }
    const body = Buffer.from(a.body, 'utf8');
    let head = `HTTP/1.1 ${a.status} ${http.STATUS_CODES[a.status] ?? 'Status'}\r\n`;
    for (const [n, v] of a.headers) head += `${n}: ${v}\r\n`;
    head += `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
    socket.end(Buffer.concat([Buffer.from(head, 'latin1'), body]));
  }

  /**
   * @param {string} host
   * @param {number} port
   * @param {() => string} originFn  evaluated per request (the port is known only after listen)
   * @returns {Promise<http.Server>}
   */
  function listen(host, port, originFn) {
    const server = http.createServer((req, res) => handle(originFn(), req, res));
    server.on('clientError', (err, socket) => clientError(originFn(), err, /** @type {import('node:net').Socket} */ (socket)));
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        servers.push(server);
        resolve(server);
      });
    });
  }

  try {
    for (const name of /** @type {const} */ (['page', 'api', 'third', 'warm'])) {
      const s = await listen('127.0.0.1', wanted[name], () => `http://127.0.0.1:${ports[name]}`);
      ports[name] = /** @type {import('node:net').AddressInfo} */ (s.address()).port;
    }
    // `localhost` may resolve to ::1 for some clients; serve the api there too when IPv6 loopback exists.
    try {
      await listen('::1', ports.api, () => `http://localhost:${ports.api}`);
    } catch (e) {
      const code = /** @type {{ code?: string }} */ (e).code;
      if (code !== 'EADDRNOTAVAIL' && code !== 'EAFNOSUPPORT' && code !== 'EADDRINUSE') throw e;
    }
  } catch (e) {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(() => r(undefined)))));
    throw e;
  }
  origins.page = `http://127.0.0.1:${ports.page}`;
  origins.api = `http://127.0.0.1:${ports.api}`;
  origins.apiLocalhost = `http://localhost:${ports.api}`;
  origins.third = `http://127.0.0.1:${ports.third}`;
  origins.warm = `http://127.0.0.1:${ports.warm}`;
  if (!quiet) process.stdout.write(`CORS playground: page ${origins.page}  api ${origins.api} / ${origins.apiLocalhost}  third ${origins.third}\n`);

  return {
    pageOrigin: origins.page,
    origins,
    ports,
    scenarios,
    log,
    clearLog() {
      log.length = 0;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise((r) => s.close(() => r(undefined)))));
    },
  };
}

// `node test/playground/server.mjs [--port-page N] [--port-api N] [--port-third N] [--port-warm N]`
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  /** @type {Partial<typeof DEFAULT_PORTS>} */
  const ports = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const m = /^--port-(page|api|third|warm)(?:=(\d+))?$/.exec(argv[i] ?? '');
    if (!m) {
      process.stderr.write(`usage: node test/playground/server.mjs [--port-page N] [--port-api N] [--port-third N] [--port-warm N]\n`);
      process.exit(2);
    }
    ports[/** @type {keyof typeof DEFAULT_PORTS} */ (m[1])] = num(m[2] ?? argv[++i]);
  }
  const pg = await startPlayground({ ports, quiet: false });
  process.stdout.write(`${pg.scenarios.length} scenarios. Open ${pg.pageOrigin}/  (Ctrl-C stops)\n`);
  const stop = () => pg.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
