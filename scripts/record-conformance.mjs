#!/usr/bin/env node
// Records what real browsers decide for every playground scenario: the conformance oracle
// (DESIGN §4, issue 3 item 6).
//
//   node scripts/record-conformance.mjs [--browser chromium|firefox|both] [--out DIR] [--only ID,ID]
//                                       [--parallel N] [--quiet]
//
// Writes to DIR (default test/fixtures/conformance/):
//   chromium.har   HAR 1.2 as Chrome DevTools writes it (preflights as entries of their own with
//                  `_initiator: {type:'preflight', requestId}`, `_resourceType`, response `_error`,
//                  raw header lines incl. duplicates), plus per entry `_scenario` and
//                  `_chromium: {corsError, failedParameter} | null` = Chromium's own verdict from
//                  `Network.loadingFailed.corsErrorStatus`.
//   firefox.har    the same exchanges as Firefox ESR made them (BiDi network events; exact header
//                  lines from the playground's own log, because BiDi joins repeated lines).
//   outcomes.json  { browserVersions, scenarios: { [id]: { chromium: {...}, firefox: {...} } } }
//
// Chromium is driven over raw CDP on --remote-debugging-pipe (no TCP debugging port) so that
// child targets (sandboxed iframes run in their own process, browser-facts §G) can be
// auto-attached in flat mode. Firefox is driven by puppeteer-core 24 over WebDriver BiDi.
// Every wait is bounded; browsers are killed on exit whatever happens.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPlayground } from '../test/playground/server.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_OUT = path.join(ROOT, 'test/fixtures/conformance');

/** @typedef {import('../test/playground/server.mjs').Scenario} Scenario */
/** @typedef {import('../test/playground/server.mjs').Playground} Playground */
/** @typedef {{ name: string, value: string }} HarHeader */

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-default-browser-check',
  '--mute-audio',
];

const SCENARIO_TIMEOUT_MS = 30_000;
const NAV_TIMEOUT_MS = 15_000;

/** @param {number} ms @param {string} what @returns {Promise<never>} */
function timeout(ms, what) {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(`timeout after ${ms} ms: ${what}`)), ms).unref());
}
/** @template T @param {Promise<T>} p @param {number} ms @param {string} what @returns {Promise<T>} */
function bounded(p, ms, what) {
  return Promise.race([p, timeout(ms, what)]);
}
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` over `items` with at most `n` in flight, preserving result order. */
async function pool(/** @type {any[]} */ items, /** @type {number} */ n, /** @type {(item: any, worker: number) => Promise<any>} */ fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async (_, w) => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], w);
      }
    }),
  );
  return out;
}

/** Path `/s/<id>/<runId>/<leaf>` → scenario id (the playground makes every URL unique per run). */
export function scenarioOfUrl(/** @type {string} */ url) {
  try {
    const m = /^\/s\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(new URL(url).pathname);
    return m ? decodeURIComponent(/** @type {string} */ (m[1])) : null;
  } catch {
    return null;
  }
}

/** Splits a CDP `Network.Headers` object (duplicate lines joined by "\n") into ordered lines. */
function headerObjectToList(/** @type {Record<string, string> | undefined} */ obj) {
  /** @type {HarHeader[]} */
  const out = [];
  for (const [name, value] of Object.entries(obj ?? {})) for (const v of String(value).split('\n')) out.push({ name, value: v });
  return out;
}

/** Parses raw response header text ("HTTP/1.1 200 OK\r\nA: b\r\n…") into exact lines. */
function headersFromText(/** @type {string} */ text) {
  /** @type {HarHeader[]} */
  const out = [];
  for (const line of text.split(/\r?\n/).slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) out.push({ name: line.slice(0, i), value: line.slice(i + 1).trim() });
  }
  return out;
}

function queryString(/** @type {string} */ url) {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}

// ---------------------------------------------------------------------------------------------
// A minimal flat-mode CDP client over Chromium's --remote-debugging-pipe (fd 3 in, fd 4 out,
// NUL-separated JSON messages).

class CdpPipe {
  /** @param {import('node:child_process').ChildProcess} proc */
  constructor(proc) {
    this.writer = /** @type {import('node:stream').Writable} */ (proc.stdio[3]);
    const reader = /** @type {import('node:stream').Readable} */ (proc.stdio[4]);
    this.nextId = 1;
    /** @type {Map<number, { resolve: (v: any) => void, reject: (e: Error) => void, method: string }>} */
    this.pending = new Map();
    /** @type {((method: string, params: any, sessionId: string | undefined) => void)[]} */
    this.listeners = [];
    this.closed = false;
    let buf = '';
    reader.setEncoding('utf8');
    reader.on('data', (chunk) => {
      buf += chunk;
      let i;
      while ((i = buf.indexOf('\0')) >= 0) {
        const msg = buf.slice(0, i);
        buf = buf.slice(i + 1);
        this.dispatch(JSON.parse(msg));
      }
    });
    reader.on('close', () => {
      this.closed = true;
      for (const p of this.pending.values()) p.reject(new Error(`CDP pipe closed during ${p.method}`));
      this.pending.clear();
    });
  }

  /** @param {any} msg */
  dispatch(msg) {
    if (msg.id !== undefined) {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message}`));
      else p.resolve(msg.result);
      return;
    }
    for (const l of this.listeners) l(msg.method, msg.params, msg.sessionId);
  }

  /** @param {string} method @param {object} [params] @param {string} [sessionId] @param {number} [timeoutMs] @returns {Promise<any>} */
  send(method, params = {}, sessionId, timeoutMs = NAV_TIMEOUT_MS) {
    if (this.closed) return Promise.reject(new Error(`CDP pipe closed (${method})`));
    const id = this.nextId++;
    const msg = JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) });
    return bounded(
      new Promise((resolve, reject) => {
        this.pending.set(id, { resolve, reject, method });
        this.writer.write(msg + '\0');
      }),
      timeoutMs,
      `CDP ${method}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Chromium

/**
 * One network request as CDP reported it (one requestId; several hops when redirected).
 * @typedef {object} CdpRequest
 * @property {string} requestId
 * @property {any[]} hops                 requestWillBeSent params, one per hop
 * @property {any[]} responses            response per hop (redirectResponse or responseReceived.response), by index
 * @property {(string | undefined)[]} responseTypes
 * @property {any[]} reqExtra             requestWillBeSentExtraInfo in order
 * @property {any[]} respExtra            responseReceivedExtraInfo in order
 * @property {any} [finished]
 * @property {any} [failed]
 */

/**
 * Records every scenario in Chromium.
 * @param {Playground} pg
 * @param {Scenario[]} scenarios
 * @param {{ executablePath: string, parallel: number, log: (s: string) => void }} opts
 */
export async function recordChromium(pg, scenarios, opts) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cors-lens-chromium-'));
  const proc = spawn(opts.executablePath, [...CHROMIUM_FLAGS, '--remote-debugging-pipe', `--user-data-dir=${userDataDir}`, 'about:blank'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
  });
  let stderrTail = '';
  proc.stderr?.on('data', (c) => (stderrTail = (stderrTail + c).slice(-2000)));
  const exited = new Promise((r) => proc.once('exit', r));
  const cdp = new CdpPipe(proc);
  const t0 = Date.now();
  try {
    const version = await bounded(cdp.send('Browser.getVersion'), 20_000, `Chromium start (stderr: ${stderrTail})`);

    /** Which scenario bucket a session's events belong to. @type {Map<string, any>} */
    const bucketOfSession = new Map();
    cdp.listeners.push((method, params, sessionId) => {
      if (method === 'Target.attachedToTarget' && sessionId) {
        // A child target (e.g. the sandboxed iframe's process): same bucket as its parent.
        const bucket = bucketOfSession.get(sessionId);
        const child = params.sessionId;
        if (bucket) bucketOfSession.set(child, bucket);
        void enableSession(child).catch(() => {});
        return;
      }
      if (!sessionId) return;
      const bucket = bucketOfSession.get(sessionId);
      if (!bucket) return;
      if (method.startsWith('Network.')) bucket.events.push({ method, params, sessionId });
      else if (method === 'Log.entryAdded') bucket.console.push(params.entry.text);
      else if (method === 'Runtime.consoleAPICalled') bucket.console.push(params.args.map((/** @type {any} */ a) => a.value ?? a.description ?? '').join(' '));
    });

    /** @param {string} sessionId */
    async function enableSession(sessionId) {
      // The target waits for us (waitForDebuggerOnStart) so no request is missed; whatever
      // happens to the enables, it must be released, or a sandboxed frame hangs until timeout.
      const results = await Promise.allSettled([
        cdp.send('Network.enable', {}, sessionId),
        cdp.send('Log.enable', {}, sessionId),
        cdp.send('Runtime.enable', {}, sessionId),
        cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: true }, sessionId),
      ]);
      await cdp.send('Runtime.runIfWaitingForDebugger', {}, sessionId);
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) opts.log(`chromium: enabling a target: ${/** @type {PromiseRejectedResult} */ (failed).reason}`);
    }

    // One browser context and tab per worker, reused across its scenarios: every scenario's URLs
    // are unique to its run, so neither the HTTP cache nor the preflight cache can leak between
    // scenarios, and cookies are cleared before each one. (A fresh context per scenario costs
    // 2–3 s each on 2 cores; this keeps a full recording near half a minute, browser-facts §G.)
    const workers = Math.min(opts.parallel, scenarios.length);
    /** @type {{ events: any[], console: string[] }[]} */
    const buckets = [];
    /** @type {{ sessionId: string, browserContextId: string }[]} */
    const tabs = await Promise.all(
      Array.from({ length: workers }, async (_, w) => {
        const bucket = { events: /** @type {any[]} */ ([]), console: /** @type {string[]} */ ([]) };
        buckets[w] = bucket;
        const { browserContextId } = await cdp.send('Target.createBrowserContext', { disposeOnDetach: true });
        const { targetId } = await cdp.send('Target.createTarget', { url: 'about:blank', browserContextId });
        const { sessionId } = await cdp.send('Target.attachToTarget', { targetId, flatten: true });
        bucketOfSession.set(sessionId, bucket);
        await enableSession(sessionId);
        await cdp.send('Page.enable', {}, sessionId);
        await cdp.send('Page.navigate', { url: `${pg.pageOrigin}/` }, sessionId);
        await bounded(
          (async () => {
            for (;;) {
              const r = await cdp.send('Runtime.evaluate', { expression: 'typeof window.corsLensPlayground === "object"', returnByValue: true }, sessionId);
              if (r.result?.value === true) return;
              await sleep(25);
            }
          })(),
          NAV_TIMEOUT_MS,
          'playground page',
        );
        return { sessionId, browserContextId };
      }),
    );

    const runs = await pool(scenarios, workers, async (/** @type {Scenario} */ sc, /** @type {number} */ w) => {
      const { sessionId, browserContextId } = /** @type {{ sessionId: string, browserContextId: string }} */ (tabs[w]);
      /** @type {any} */
      let result;
      // A runner failure (timeout on a starved machine) is not a browser verdict: retry once with
      // a new run id (new URLs), and record only the attempt that completed.
      for (let attempt = 0; attempt < 2; attempt++) {
        const runId = `c${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
        await cdp.send('Storage.clearCookies', { browserContextId });
        const ev = await cdp
          .send(
            'Runtime.evaluate',
            { expression: `window.corsLensPlayground.run(${JSON.stringify(sc.id)}, ${JSON.stringify(runId)})`, awaitPromise: true, returnByValue: true, timeout: SCENARIO_TIMEOUT_MS },
            sessionId,
            SCENARIO_TIMEOUT_MS + 5000,
          )
          .catch((/** @type {Error} */ e) => ({ exceptionDetails: { text: e.message } }));
        result = ev.exceptionDetails ? { ok: false, status: 0, error: `runner: ${ev.exceptionDetails.text}`, attempts: [] } : ev.result.value;
        result.runId = runId;
        if (!/^runner: |timeout/.test(String(result.error ?? ''))) break;
        opts.log(`chromium ${sc.id}: ${result.error}; retrying`);
      }
      opts.log(`chromium ${sc.id}: ${result.ok ? 'ok' : 'error'}`);
      return { scenario: sc, result };
    });
    // Late events (loadingFinished after the script saw the response) settle quickly.
    await sleep(300);
    await Promise.all(tabs.map((t) => cdp.send('Target.disposeBrowserContext', { browserContextId: t.browserContextId }).catch(() => {})));

    // Split every worker's traffic by scenario: each request's first URL names its scenario.
    const requests = buckets.flatMap((b) => foldCdpEvents(b.events));
    const consoleLines = buckets.flatMap((b) => b.console);
    const results = runs.map((/** @type {{ scenario: Scenario, result: any }} */ r) => ({
      ...r,
      requests: requests.filter((q) => scenarioOfUrl(q.hops[0].request.url) === r.scenario.id && q.hops[0].request.url.includes(`/${r.result.runId}/`)),
      console: consoleLines.filter((t) => t.includes(`/s/${r.scenario.id}/${r.result.runId}/`)),
    }));
    return { version: `${version.product}`, results, wallMs: Date.now() - t0 };
  } finally {
    // Ask politely first so the browser takes its helper processes down with it; then insist.
    await bounded(cdp.send('Browser.close'), 3000, 'Browser.close').catch(() => {});
    await bounded(exited, 5000, 'chromium exit').catch(() => proc.kill('SIGKILL'));
    await bounded(exited, 5000, 'chromium exit after SIGKILL').catch(() => {});
    try {
      fs.rmSync(userDataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    } catch {
      /* a helper process still writing: leave the temp dir to the OS */
    }
  }
}

/**
 * Folds one scenario's CDP events into requests.
 * @param {any[]} events
 * @returns {CdpRequest[]}
 */
function foldCdpEvents(events) {
  /** @type {Map<string, CdpRequest>} */
  const byId = new Map();
  /** @param {string} id */
  const get = (id) => {
    let r = byId.get(id);
    if (!r) {
      r = { requestId: id, hops: [], responses: [], responseTypes: [], reqExtra: [], respExtra: [] };
      byId.set(id, r);
    }
    return r;
  };
  for (const { method, params } of events) {
    const r = get(params.requestId);
    switch (method) {
      case 'Network.requestWillBeSent':
        if (params.redirectResponse) r.responses[r.hops.length - 1] = params.redirectResponse;
        r.hops.push(params);
        break;
      case 'Network.responseReceived':
        r.responses[r.hops.length - 1] = params.response;
        r.responseTypes[r.hops.length - 1] = params.type;
        break;
      case 'Network.requestWillBeSentExtraInfo':
        r.reqExtra.push(params);
        break;
      case 'Network.responseReceivedExtraInfo':
        r.respExtra.push(params);
        break;
      case 'Network.loadingFinished':
        r.finished = params;
        break;
      case 'Network.loadingFailed':
        r.failed = params;
        break;
    }
  }
  return [...byId.values()].filter((r) => r.hops.length > 0);
}

/**
 * HAR entries (one per hop) for one Chromium scenario, shaped like Chrome DevTools' export.
 * @param {CdpRequest[]} requests
 * @param {string} scenarioId
 */
function chromiumEntries(requests, scenarioId) {
  const entries = [];
  for (const r of requests) {
    if (!scenarioOfUrl(r.hops[0].request.url)) continue; // the page itself, its script, favicon
    // The preflight has no response ExtraInfo when it was never answered; zip ExtraInfo by order.
    const hopsWithResponse = r.responses.filter(Boolean).length;
    for (let i = 0; i < r.hops.length; i++) {
      const hop = r.hops[i];
      const isLast = i === r.hops.length - 1;
      const resp = r.responses[i];
      const reqExtra = r.reqExtra[i];
      const respExtra = resp || (isLast && r.respExtra.length > hopsWithResponse) ? r.respExtra[i] : undefined;
      const initiator = hop.initiator ?? { type: 'other' };
      const isPreflight = initiator.type === 'preflight';
      const resourceType = isPreflight ? 'preflight' : String(r.responseTypes[i] ?? hop.type ?? 'other').toLowerCase();
      const requestHeaders = reqExtra ? headerObjectToList(reqExtra.headers) : headerObjectToList(hop.request.headers);
      const responseHeaders = respExtra?.headersText
        ? headersFromText(respExtra.headersText)
        : respExtra
          ? headerObjectToList(respExtra.headers)
          : resp
            ? headerObjectToList(resp.headers)
            : [];
      const status = respExtra?.statusCode ?? resp?.status ?? 0;
      const next = r.hops[i + 1];
      const started = hop.wallTime * 1000;
      const endTs = next ? next.timestamp : (r.finished?.timestamp ?? r.failed?.timestamp ?? hop.timestamp);
      const wait = Math.max(0, (endTs - hop.timestamp) * 1000);
      const failed = isLast && r.failed ? r.failed : null;
      const cors = failed?.corsErrorStatus ? { corsError: failed.corsErrorStatus.corsError, failedParameter: failed.corsErrorStatus.failedParameter ?? '' } : null;
      const location = responseHeaders.find((h) => h.name.toLowerCase() === 'location')?.value ?? '';
      /** @type {Record<string, any>} */
      const response = {
        status,
        statusText: resp?.statusText ?? (respExtra?.headersText ? String(respExtra.headersText.split('\r\n')[0]).replace(/^HTTP\/\S+ \d+ ?/, '') : ''),
        httpVersion: resp?.protocol ? String(resp.protocol).toUpperCase() : status ? 'HTTP/1.1' : '',
        headers: responseHeaders,
        cookies: [],
        content: { size: isLast ? Math.max(0, r.finished?.encodedDataLength ?? 0) : 0, mimeType: resp?.mimeType ?? 'x-unknown' },
        redirectURL: next ? next.request.url : location,
        headersSize: -1,
        bodySize: -1,
        _transferSize: isLast ? (r.finished?.encodedDataLength ?? 0) : 0,
      };
      if (failed) response._error = failed.errorText;
      /** @type {Record<string, any>} */
      const request = {
        method: hop.request.method,
        url: hop.request.url,
        httpVersion: response.httpVersion || 'HTTP/1.1',
        headers: requestHeaders,
        queryString: queryString(hop.request.url),
        cookies: [],
        headersSize: -1,
        bodySize: hop.request.postData ? Buffer.byteLength(hop.request.postData) : 0,
      };
      if (hop.request.postData !== undefined) {
        const ct = requestHeaders.find((h) => h.name.toLowerCase() === 'content-type')?.value ?? '';
        request.postData = { mimeType: ct, text: hop.request.postData };
      }
      entries.push({
        _initiator: isPreflight ? { type: 'preflight', url: initiator.url ?? hop.request.url, requestId: initiator.requestId } : { type: initiator.type },
        _priority: hop.request.initialPriority ?? null,
        _resourceType: resourceType,
        cache: {},
        pageref: scenarioId,
        request,
        response,
        serverIPAddress: resp?.remoteIPAddress ?? '',
        startedDateTime: new Date(started).toISOString(),
        time: wait,
        timings: { blocked: -1, dns: -1, ssl: -1, connect: -1, send: 0, wait, receive: 0 },
        _scenario: scenarioId,
        _chromium: cors,
        // Not written by DevTools: the CDP request id, so a reader can link `_initiator.requestId`.
        _requestId: r.requestId,
        _sortKey: hop.wallTime,
      });
    }
  }
  return entries;
}

// ---------------------------------------------------------------------------------------------
// Firefox

/** puppeteer's BiDi objects throw UnsupportedOperation for what BiDi cannot tell; fall back. */
function safe(/** @type {() => any} */ fn, /** @type {any} */ fallback) {
  try {
    return fn() ?? fallback;
  } catch {
    return fallback;
  }
}

/**
 * Firefox's console reason text → its reason name (cors-anchors §2; security.properties).
 * Order matters: the more specific patterns first.
 */
const FIREFOX_REASONS = /** @type {[RegExp, string][]} */ ([
  [/CORS disabled/, 'CORSDisabled'],
  [/CORS request did not succeed/, 'CORSDidNotSucceed'],
  [/CORS request not HTTP/, 'CORSRequestNotHttp'],
  [/Multiple CORS header .Access-Control-Allow-Origin. not allowed/, 'CORSMultipleAllowOriginNotAllowed'],
  [/CORS header .Access-Control-Allow-Origin. missing/, 'CORSMissingAllowOrigin'],
  [/Credential is not supported if the CORS header .Access-Control-Allow-Origin. is .\*./, 'CORSNotSupportingCredentials'],
  [/CORS header .Access-Control-Allow-Origin. does not match/, 'CORSAllowOriginNotMatchingOrigin'],
  [/expected .true. in CORS header .Access-Control-Allow-Credentials./, 'CORSMissingAllowCredentials'],
  [/CORS header .Origin. cannot be added/, 'CORSOriginHeaderNotAdded'],
  [/CORS request external redirect not allowed/, 'CORSExternalRedirectNotAllowed'],
  [/CORS preflight (channel|response) did not succeed/, 'CORSPreflightDidNotSucceed'],
  [/invalid token .* in CORS header .Access-Control-Allow-Methods./, 'CORSInvalidAllowMethod'],
  [/Did not find method in CORS header .Access-Control-Allow-Methods./, 'CORSMethodNotFound'],
  [/invalid token .* in CORS header .Access-Control-Allow-Headers./, 'CORSInvalidAllowHeader'],
  [/(missing token .* in CORS header .Access-Control-Allow-Headers.|is not allowed according to header .Access-Control-Allow-Headers.)/, 'CORSMissingAllowHeaderFromPreflight'],
]);

/** @param {string} text @returns {string | null} */
export function firefoxReasonOf(text) {
  const m = /\(Reason: (.*)\)/s.exec(text);
  const reason = m ? m[1] ?? '' : text;
  for (const [re, name] of FIREFOX_REASONS) if (re.test(reason)) return name;
  return null;
}

/**
 * Records every scenario in Firefox ESR through puppeteer-core over WebDriver BiDi.
 * @param {Playground} pg
 * @param {Scenario[]} scenarios
 * @param {{ executablePath: string, parallel: number, log: (s: string) => void }} opts
 */
export async function recordFirefox(pg, scenarios, opts) {
  const { default: puppeteer } = await import('puppeteer-core');
  const t0 = Date.now();
  const browser = await bounded(
    puppeteer.launch({
      browser: 'firefox',
      executablePath: opts.executablePath,
      headless: true,
      extraPrefsFirefox: {
        // Keep the profile quiet and local: no telemetry, no captive-portal or connectivity probes.
        'network.captive-portal-service.enabled': false,
        'network.connectivity-service.enabled': false,
        'browser.safebrowsing.malware.enabled': false,
        'browser.safebrowsing.phishing.enabled': false,
      },
    }),
    60_000,
    'Firefox launch',
  );
  try {
    const version = await browser.version();
    // One container (BiDi user context) and tab per worker, reused across its scenarios, with its
    // cookies deleted before each one; every scenario's URLs are unique to its run, so no cache can
    // leak between scenarios. Measured on this machine: a fresh container per scenario costs
    // 1.3 s+ each (5 min for the catalogue under load), and every fresh container also needs the
    // preflight-cache warm-up below, which a reused container needs only once.
    /** @type {{ sc: Scenario, consoleMessages: string[], net: any[] } | null}[]} */
    const current = [];
    /** @param {number} w */
    async function openTab(w) {
      const ctx = await browser.createBrowserContext();
      const page = await ctx.newPage();
      // Firefox's "Cross-Origin Request Blocked … (Reason: …)" reports arrive as BiDi log entries of
      // type javascript, which puppeteer surfaces as `pageerror`; keep console text as well.
      page.on('console', (m) => current[w]?.consoleMessages.push(m.text()));
      page.on('pageerror', (e) => current[w]?.consoleMessages.push(e instanceof Error ? e.message : String(e)));
      for (const kind of /** @type {const} */ (['request', 'requestfailed', 'requestfinished'])) {
        page.on(kind, (req) => {
          const cur = current[w];
          if (cur && scenarioOfUrl(req.url()) === cur.sc.id) cur.net.push({ kind: kind === 'requestfailed' ? 'failed' : kind === 'requestfinished' ? 'finished' : 'request', req, time: Date.now() });
        });
      }
      await bounded(page.goto(`${pg.pageOrigin}/`, { waitUntil: 'load' }), NAV_TIMEOUT_MS, 'Firefox playground page');
      // Warm-up (browser-facts §H, re-measured here): in a fresh Firefox container the first two
      // preflight-cache *lookups* miss whatever Max-Age said; two preflighted URLs requested twice
      // each (any loopback port) make later lookups hit, so Max-Age scenarios are deterministic.
      const base = `${pg.origins.warm}/warmup/w${w}-${Date.now().toString(36)}`;
      await bounded(
        page.evaluate(async (b) => {
          for (let u = 0; u < 2; u++) for (let i = 0; i < 2; i++) await fetch(`${b}-${u}`, { method: 'PUT', headers: { 'X-Warm': '1' } }).catch(() => {});
        }, base),
        NAV_TIMEOUT_MS,
        'warm-up',
      );
      return { ctx, page };
    }
    const workers = Math.min(opts.parallel, scenarios.length);
    /** @type {({ ctx: import('puppeteer-core').BrowserContext, page: import('puppeteer-core').Page } | null)[]} */
    const tabs = await Promise.all(Array.from({ length: workers }, (_, w) => openTab(w)));

    const results = await pool(scenarios, workers, async (/** @type {Scenario} */ sc, /** @type {number} */ w) => {
      /** @type {any} */
      let result;
      let runId = '';
      let cur = { sc, consoleMessages: /** @type {string[]} */ ([]), net: /** @type {any[]} */ ([]) };
      // A runner failure (timeout, a crashed tab) is not a browser verdict: retry once in a new
      // container with a new run id, and keep only the attempt that completed.
      for (let attempt = 0; attempt < 2; attempt++) {
        runId = `f${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
        cur = { sc, consoleMessages: [], net: [] };
        try {
          let tab = tabs[w];
          if (!tab) tab = tabs[w] = await openTab(w);
          const cookies = await tab.ctx.cookies();
          if (cookies.length) await tab.ctx.deleteCookie(...cookies);
          current[w] = cur;
          result = await bounded(
            tab.page.evaluate((id, rid) => /** @type {any} */ (window).corsLensPlayground.run(id, rid), sc.id, runId),
            SCENARIO_TIMEOUT_MS + 5000,
            `Firefox run ${sc.id}`,
          );
          await sleep(150);
          if (/timeout/.test(String(result.error ?? ''))) throw new Error(String(result.error));
          break;
        } catch (e) {
          result = { ok: false, status: 0, error: `runner: ${/** @type {Error} */ (e).message}`, attempts: [] };
          opts.log(`firefox ${sc.id}: ${result.error}${attempt === 0 ? '; retrying' : ''}`);
          // Start this worker over with a new container.
          const broken = tabs[w];
          tabs[w] = null;
          await broken?.ctx.close().catch(() => {});
        } finally {
          current[w] = null;
        }
      }
      opts.log(`firefox ${sc.id}: ${result.ok ? 'ok' : 'error'}`);
      const id = sc.id;
      return { scenario: sc, result, consoleMessages: cur.consoleMessages.filter((t) => !/Cross-Origin Request Blocked/.test(t) || t.includes(`/s/${id}/`)), net: cur.net, runId };
    });
    await Promise.all(tabs.map((t) => t?.ctx.close().catch(() => {})));
    return { version, results, wallMs: Date.now() - t0 };
  } finally {
    await bounded(browser.close(), 10_000, 'Firefox close').catch(() => {
      browser.process()?.kill('SIGKILL');
    });
  }
}

/**
 * HAR entries for one Firefox scenario: BiDi requests joined with the playground log, which has
 * the exact header lines (BiDi joins repeated lines and trims padding, browser-facts §H).
 * @param {any[]} net
 * @param {import('../test/playground/server.mjs').LoggedRequest[]} log  this run's log lines
 * @param {string} scenarioId
 * @param {string} resourceType  `fetch` or `xhr` (puppeteer's BiDi requests do not report it)
 */
function firefoxEntries(net, log, scenarioId, resourceType) {
  const entries = [];
  /** @type {Map<any, { started: number, end?: number, failed?: string }>} */
  const seen = new Map();
  for (const n of net) {
    const s = seen.get(n.req) ?? { started: n.time };
    if (n.kind === 'failed') s.failed = safe(() => n.req.failure()?.errorText, null) ?? 'failed';
    if (n.kind !== 'request') s.end = n.time;
    seen.set(n.req, s);
  }
  const used = new Set();
  const logFor = (/** @type {string} */ method, /** @type {string} */ url) => {
    const p = new URL(url);
    const hit = log.find((l) => !used.has(l) && l.method === method && l.url === p.pathname + p.search);
    if (hit) used.add(hit);
    return hit;
  };
  for (const [req, s] of seen) {
    const method = req.method();
    const url = req.url();
    const l = logFor(method, url);
    const resp = safe(() => req.response(), null);
    const bidiReq = Object.entries(safe(() => req.headers(), {})).map(([name, value]) => ({ name, value: String(value) }));
    const bidiResp = resp ? Object.entries(safe(() => resp.headers(), {})).map(([name, value]) => ({ name, value: String(value) })) : [];
    const status = l?.response ? l.response.status : resp ? safe(() => resp.status(), 0) : 0;
    const isPreflight = method === 'OPTIONS' && bidiReq.some((h) => h.name.toLowerCase() === 'access-control-request-method');
    /** @type {Record<string, any>} */
    const response = {
      status,
      statusText: resp ? safe(() => resp.statusText(), '') : '',
      httpVersion: status ? 'HTTP/1.1' : '',
      headers: l?.response ? l.response.headers.map(([name, value]) => ({ name, value })) : bidiResp,
      cookies: [],
      content: { size: 0, mimeType: bidiResp.find((h) => h.name.toLowerCase() === 'content-type')?.value ?? 'x-unknown' },
      redirectURL: l?.response?.headers.find(([n]) => n.toLowerCase() === 'location')?.[1] ?? '',
      headersSize: -1,
      bodySize: -1,
    };
    if (s.failed) response._error = s.failed;
    const wait = Math.max(0, (s.end ?? s.started) - s.started);
    entries.push({
      pageref: scenarioId,
      startedDateTime: new Date(l?.time ?? s.started).toISOString(),
      time: wait,
      request: {
        method,
        url,
        httpVersion: 'HTTP/1.1',
        headers: l ? l.headers.map(([name, value]) => ({ name, value })) : bidiReq,
        queryString: queryString(url),
        cookies: [],
        headersSize: -1,
        bodySize: -1,
      },
      response,
      cache: {},
      timings: { blocked: -1, dns: -1, ssl: -1, connect: -1, send: 0, wait, receive: 0 },
      _resourceType: isPreflight ? 'preflight' : resourceType,
      _scenario: scenarioId,
      _sentToServer: Boolean(l),
      _sortKey: (l?.time ?? s.started) / 1000,
    });
  }
  // The server may have received requests BiDi did not report (e.g. after a redirect): keep them.
  for (const l of log) {
    if (used.has(l) || l.scenario !== scenarioId || l.url.endsWith('/set-cookie')) continue;
    const url = `${l.origin}${l.url}`;
    entries.push({
      pageref: scenarioId,
      startedDateTime: new Date(l.time).toISOString(),
      time: 0,
      request: { method: l.method, url, httpVersion: 'HTTP/1.1', headers: l.headers.map(([name, value]) => ({ name, value })), queryString: queryString(url), cookies: [], headersSize: -1, bodySize: -1 },
      response: {
        status: l.response?.status ?? 0,
        statusText: '',
        httpVersion: 'HTTP/1.1',
        headers: (l.response?.headers ?? []).map(([name, value]) => ({ name, value })),
        cookies: [],
        content: { size: 0, mimeType: 'x-unknown' },
        redirectURL: '',
        headersSize: -1,
        bodySize: -1,
      },
      cache: {},
      timings: { blocked: -1, dns: -1, ssl: -1, connect: -1, send: 0, wait: 0, receive: 0 },
      _resourceType: l.method === 'OPTIONS' ? 'preflight' : 'fetch',
      _scenario: scenarioId,
      _sentToServer: true,
      _fromServerLogOnly: true,
      _sortKey: l.time / 1000,
    });
  }
  return entries;
}

// ---------------------------------------------------------------------------------------------

/** @param {string} name @param {string} version @param {any[]} entries @param {any[]} pages */
function har(name, version, entries, pages) {
  // By start time, as DevTools writes them; the sub-millisecond key breaks ties that the ISO
  // timestamps cannot (a preflight starts within a millisecond of its request).
  entries.sort((a, b) => a._sortKey - b._sortKey);
  for (const e of entries) delete e._sortKey;
  return {
    log: {
      version: '1.2',
      creator: { name: 'cors-lens record-conformance', version: '1' },
      browser: { name, version },
      pages,
      entries,
    },
  };
}

/** Finds a browser binary: env override, then the usual Debian/Ubuntu paths. */
function findBinary(/** @type {string} */ envName, /** @type {string[]} */ candidates) {
  const fromEnv = process.env[envName];
  if (fromEnv) return fromEnv;
  for (const c of candidates) if (fs.existsSync(c)) return c;
  throw new Error(`${envName}: no browser found (tried ${candidates.join(', ')}); run \`node scripts/browsers.mjs --ensure\``);
}

/**
 * Records the conformance fixtures.
 * @param {{ browsers?: ('chromium' | 'firefox')[], outDir?: string, only?: string[], parallel?: number, quiet?: boolean,
 *           ports?: Partial<import('../test/playground/server.mjs').Playground['ports']> }} [opts]
 */
export async function recordConformance(opts = {}) {
  const browsers = opts.browsers ?? ['chromium', 'firefox'];
  const outDir = opts.outDir ?? DEFAULT_OUT;
  const log = opts.quiet ? () => {} : (/** @type {string} */ s) => process.stderr.write(s + '\n');
  // Port 0 everywhere: live recordings (CI, tests) must not collide with a running demo. The
  // scenarios' header values are port-independent ({origin}, {pagePort}, …).
  const pg = await startPlayground({ ports: opts.ports ?? { page: 0, api: 0, third: 0, warm: 0 } });
  const scenarios = opts.only ? pg.scenarios.filter((s) => opts.only?.includes(s.id)) : pg.scenarios;
  fs.mkdirSync(outDir, { recursive: true });
  const outcomesPath = path.join(outDir, 'outcomes.json');
  /** @type {{ browserVersions: Record<string, string>, scenarios: Record<string, any> }} */
  const outcomes = fs.existsSync(outcomesPath) && !opts.only ? { browserVersions: {}, scenarios: {} } : { browserVersions: {}, scenarios: {} };
  for (const sc of scenarios) outcomes.scenarios[sc.id] = {};
  const pages = scenarios.map((sc) => ({ id: sc.id, title: sc.title, startedDateTime: new Date().toISOString(), pageTimings: {} }));
  /** @type {Record<string, { wallMs: number, scenarios: number, errors: Record<string, number> }>} */
  const stats = {};
  const parallel = opts.parallel ?? 4;
  try {
    if (browsers.includes('chromium')) {
      const exe = findBinary('CHROMIUM_PATH', ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']);
      const rec = await recordChromium(pg, scenarios, { executablePath: exe, parallel, log });
      outcomes.browserVersions.chromium = rec.version;
      const all = [];
      /** @type {Record<string, number>} */
      const errors = {};
      for (const { scenario, result, requests: reqs, console: consoleLines } of rec.results) {
        const entries = chromiumEntries(reqs, scenario.id);
        all.push(...entries);
        const requests = entries
          .filter((e) => !e.request.url.endsWith('/set-cookie'))
          .map((e) => ({ url: e.request.url, method: e.request.method, resourceType: e._resourceType, status: e.response.status, corsError: e._chromium?.corsError ?? null, failedParameter: e._chromium?.failedParameter ?? null, netError: e.response._error ?? null }));
        for (const r of requests) if (r.corsError) errors[r.corsError] = (errors[r.corsError] ?? 0) + 1;
        outcomes.scenarios[scenario.id].chromium = {
          pageOutcome: result.ok ? 'ok' : 'error',
          pageError: result.ok ? null : (result.error ?? null),
          attempts: (result.attempts ?? []).map((/** @type {any} */ a) => (a.ok ? 'ok' : 'error')),
          readableHeaders: result.ok ? (result.readableHeaders ?? null) : null,
          requests,
          consoleMessages: consoleLines.filter((/** @type {string} */ t) => /CORS|blocked/i.test(t)),
        };
      }
      const p = pages.map((pg1) => ({ ...pg1, startedDateTime: all.find((e) => e.pageref === pg1.id)?.startedDateTime ?? pg1.startedDateTime }));
      fs.writeFileSync(path.join(outDir, 'chromium.har'), JSON.stringify(har('Chromium', rec.version, all, p), null, 1) + '\n');
      stats.chromium = { wallMs: rec.wallMs, scenarios: scenarios.length, errors };
    }
    if (browsers.includes('firefox')) {
      const exe = findBinary('FIREFOX_PATH', ['/usr/bin/firefox-esr', '/usr/bin/firefox']);
      pg.clearLog();
      const rec = await recordFirefox(pg, scenarios, { executablePath: exe, parallel, log });
      outcomes.browserVersions.firefox = rec.version;
      const all = [];
      /** @type {Record<string, number>} */
      const errors = {};
      for (const { scenario, result, consoleMessages, net, runId } of rec.results) {
        const entries = firefoxEntries(net, pg.log.filter((l) => l.runId === runId), scenario.id, scenario.request.via === 'xhr' ? 'xhr' : 'fetch');
        all.push(...entries);
        const cors = consoleMessages.filter((t) => /Cross-Origin Request Blocked/.test(t));
        const reasons = cors.map((t) => firefoxReasonOf(t) ?? `unparsed: ${t}`);
        for (const r of reasons) errors[r] = (errors[r] ?? 0) + 1;
        outcomes.scenarios[scenario.id].firefox = {
          pageOutcome: result.ok ? 'ok' : 'error',
          pageError: result.ok ? null : (result.error ?? null),
          attempts: (result.attempts ?? []).map((/** @type {any} */ a) => (a.ok ? 'ok' : 'error')),
          readableHeaders: result.ok ? (result.readableHeaders ?? null) : null,
          consoleReasons: reasons,
          consoleMessages: cors,
          serverSaw: pg.log.filter((l) => l.runId === runId && !l.url.endsWith('/set-cookie')).map((l) => `${l.method} ${l.url.split('/').pop()}`),
        };
      }
      const p = pages.map((pg1) => ({ ...pg1, startedDateTime: all.find((e) => e.pageref === pg1.id)?.startedDateTime ?? pg1.startedDateTime }));
      fs.writeFileSync(path.join(outDir, 'firefox.har'), JSON.stringify(har('Firefox', rec.version, all, p), null, 1) + '\n');
      stats.firefox = { wallMs: rec.wallMs, scenarios: scenarios.length, errors };
    }
  } finally {
    await pg.close();
  }
  // Merge with an existing outcomes file when only one browser was recorded, so the other's
  // results survive (`--browser firefox` after a full run).
  if (fs.existsSync(outcomesPath) && browsers.length < 2) {
    try {
      const prev = JSON.parse(fs.readFileSync(outcomesPath, 'utf8'));
      for (const [id, o] of Object.entries(outcomes.scenarios)) outcomes.scenarios[id] = { ...(prev.scenarios?.[id] ?? {}), ...o };
      outcomes.browserVersions = { ...(prev.browserVersions ?? {}), ...outcomes.browserVersions };
      for (const [id, o] of Object.entries(prev.scenarios ?? {})) if (!(id in outcomes.scenarios)) outcomes.scenarios[id] = o;
    } catch {
      /* a broken previous file is simply replaced */
    }
  }
  fs.writeFileSync(outcomesPath, JSON.stringify(outcomes, null, 1) + '\n');
  return { outcomes, stats, outDir };
}

// ---------------------------------------------------------------------------------------------
// CLI

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  /** @type {('chromium' | 'firefox')[]} */
  let browsers = ['chromium', 'firefox'];
  let outDir = DEFAULT_OUT;
  /** @type {string[] | undefined} */
  let only;
  let parallel = 4;
  let quiet = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return /** @type {string} */ (v);
    };
    if (a === '--browser') {
      const b = val();
      if (b === 'both') browsers = ['chromium', 'firefox'];
      else if (b === 'chromium' || b === 'firefox') browsers = [b];
      else usage(`unknown browser ${b}`);
    } else if (a === '--out') outDir = path.resolve(val());
    else if (a === '--only') only = val().split(',');
    else if (a === '--parallel') parallel = Math.max(1, Number(val()) || 1);
    else if (a === '--quiet') quiet = true;
    else if (a === '-h' || a === '--help') usage();
    else usage(`unknown argument ${a}`);
  }
  const t0 = Date.now();
  const { outcomes, stats } = await recordConformance({ browsers, outDir, parallel, quiet, ...(only ? { only } : {}) });
  const n = Object.keys(outcomes.scenarios).length;
  process.stdout.write(`recorded ${n} scenarios into ${path.relative(process.cwd(), outDir) || '.'} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  for (const [b, s] of Object.entries(stats)) {
    const okCount = Object.values(outcomes.scenarios).filter((o) => o[b]?.pageOutcome === 'ok').length;
    process.stdout.write(`\n${b} ${outcomes.browserVersions[b]}: ${(s.wallMs / 1000).toFixed(1)} s, page outcome ok ${okCount} / error ${n - okCount}\n`);
    for (const [code, count] of Object.entries(s.errors).sort((x, y) => y[1] - x[1])) process.stdout.write(`  ${String(count).padStart(4)}  ${code}\n`);
  }
  process.exit(0);
}

/** @param {string} [msg] @returns {never} */
function usage(msg) {
  if (msg) process.stderr.write(`record-conformance: ${msg}\n`);
  process.stderr.write('usage: node scripts/record-conformance.mjs [--browser chromium|firefox|both] [--out DIR] [--only ID,ID] [--parallel N] [--quiet]\n');
  process.exit(msg ? 2 : 0);
}
