/**
 * Runs the playground's conformance scenarios THROUGH the built extension and holds what the
 * extension exported against what the browser itself decided in the very same run (issue 4,
 * "done when" 1; DESIGN §4: the browser is the oracle).
 *
 * Chromium (dist/chrome, playwright-core): one tab runs every scenario while a DevTools Protocol
 * session on that tab records Chromium's own verdict per request (`Network.loadingFailed
 * .corsErrorStatus`, browser-facts §G). Sandboxed iframes run in their own process (browser-facts
 * §G), so the session auto-attaches to child targets. Playwright's CDPSession drops events of
 * flat-mode child sessions it did not create itself, so the children are attached in non-flat
 * mode and spoken to through `Target.sendMessageToTarget` / `receivedMessageFromTarget`
 * (measured: works in Chromium 156). The extension's own judgement comes from the popup's
 * one-shot `export` message — exactly what the Export HAR button downloads.
 *
 * Firefox (dist-test/firefox, puppeteer-core over BiDi): Firefox automation cannot reach the
 * background (browser-facts §E), so the test build POSTs every judged entry to the loopback
 * collector (test/harness/collector.mjs); the latest record per `cors.id` is the extension's
 * final judgement. Firefox's own outcome is what the page's script saw (`run()`'s result).
 *
 * Both runs mimic scripts/record-conformance.mjs: scenarios one after another in one tab,
 * cookies cleared before each scenario (the playground's cookies are per scenario but the jar is
 * per host, and 127.0.0.1 is one host for every port), URLs unique per run (so neither the HTTP
 * cache nor the preflight cache leaks between scenarios), a runner failure retried once with a
 * new run id. In Firefox the preflight cache is warmed first (browser-facts §H).
 *
 * The comparison rules are those of test/conformance/compare.ts (engine vs recorded browser),
 * applied here to the extension's exported `_cors` instead of a fresh engine run.
 */

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const SCENARIO_TIMEOUT_MS = 35_000;
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/** @template T @param {Promise<T>} p @param {number} ms @param {string} what @returns {Promise<T>} */
export function bounded(p, ms, what) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let t;
  const timer = new Promise((_, reject) => {
    t = setTimeout(() => reject(new Error(`timeout after ${ms} ms: ${what}`)), ms);
  });
  return /** @type {Promise<T>} */ (Promise.race([p, timer]).finally(() => clearTimeout(t)));
}

/** `/s/<id>/<runId>/<leaf>` → {scenario, runId, leaf}, or null for other URLs. */
export function scenarioUrl(/** @type {string} */ url) {
  try {
    const m = /^\/s\/([^/]+)\/([^/]+)\/([^/?]+)$/.exec(new URL(url).pathname);
    return m ? { scenario: decodeURIComponent(/** @type {string} */ (m[1])), runId: decodeURIComponent(/** @type {string} */ (m[2])), leaf: /** @type {string} */ (m[3]) } : null;
  } catch {
    return null;
  }
}

const newRunId = (/** @type {string} */ prefix) => `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/**
 * Runs one scenario in the page, retrying once (new run id) when the runner itself failed
 * (a timeout on a starved machine is not a browser verdict).
 * @param {(id: string, runId: string) => Promise<any>} evaluate
 * @param {() => Promise<void>} clearCookies
 * @param {string} id
 * @param {string} prefix
 * @param {(s: string) => void} log
 * @returns {Promise<{ runId: string, result: import('../playground/server.mjs').PlaygroundRunResult, retried: boolean }>}
 */
async function runOne(evaluate, clearCookies, id, prefix, log) {
  /** @type {any} */
  let result;
  let runId = '';
  for (let attempt = 0; attempt < 2; attempt++) {
    runId = newRunId(prefix);
    await clearCookies();
    try {
      result = await bounded(evaluate(id, runId), SCENARIO_TIMEOUT_MS, `scenario ${id}`);
    } catch (e) {
      result = { ok: false, status: 0, error: `runner: ${/** @type {Error} */ (e).message}`, attempts: [] };
    }
    if (!/^runner: |timeout/.test(String(result.error ?? ''))) return { runId, result, retried: attempt > 0 };
    log(`${id}: ${result.error}; retrying`);
  }
  return { runId, result, retried: true };
}

// ---------------------------------------------------------------------------------------------
// Export (the popup's one-shot message, DESIGN §3.4)

/**
 * The annotated HAR of one tab, through the popup page's `export` message.
 * @param {import('playwright-core').Page} popup  an extension page (e.g. src/popup/popup.html)
 * @param {number} tabId
 * @returns {Promise<{ har: any, count: number, bytes: number }>}
 */
export async function exportTab(popup, tabId) {
  const reply = /** @type {any} */ (await popup.evaluate((t) => chrome.runtime.sendMessage({ type: 'export', tabId: t }), tabId));
  if (!reply || reply.ok !== true) throw new Error(`export failed: ${reply?.error ?? 'no reply from the background'}`);
  return { har: JSON.parse(reply.value.har), count: reply.value.count, bytes: reply.value.har.length };
}

/** The tab id of the first tab whose URL matches `pattern`, asked in the service worker. */
export async function tabIdOf(/** @type {import('playwright-core').Worker} */ sw, /** @type {string} */ pattern) {
  const id = await sw.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]?.id, pattern);
  if (typeof id !== 'number') throw new Error(`no tab matches ${pattern}`);
  return id;
}

// ---------------------------------------------------------------------------------------------
// Chromium

/**
 * One network request as Chromium's DevTools Protocol reported it.
 * @typedef {object} CdpRequest
 * @property {string} key          target + requestId (child targets have their own ids)
 * @property {string} method
 * @property {string[]} urls       one per hop
 * @property {boolean} isPreflight initiator.type === 'preflight'
 * @property {string | null} guardedKey  on a preflight: the key of the request it guards
 * @property {number} wallTime     seconds since epoch, first hop
 * @property {number} order        arrival order of the first requestWillBeSent
 * @property {{ errorText: string, corsError: string | null, failedParameter: string | null } | null} failed
 * @property {boolean} finished
 */

/**
 * Records Chromium's own view of a page's network traffic, child targets (sandboxed iframes) included.
 * @param {import('playwright-core').BrowserContext} context
 * @param {import('playwright-core').Page} page
 */
export async function recordCdp(context, page) {
  const cdp = await context.newCDPSession(page);
  /** @type {Map<string, CdpRequest>} */
  const requests = new Map();
  let order = 0;
  let childMsgId = 1_000_000;
  /** @param {string} target @param {string} method @param {any} p */
  const onEvent = (target, method, p) => {
    if (method === 'Network.requestWillBeSent') {
      const key = `${target}:${p.requestId}`;
      const r = requests.get(key);
      if (r) r.urls.push(p.request.url);
      else {
        const isPreflight = p.initiator?.type === 'preflight';
        requests.set(key, {
          key,
          method: p.request.method,
          urls: [p.request.url],
          isPreflight,
          guardedKey: isPreflight && p.initiator.requestId ? `${target}:${p.initiator.requestId}` : null,
          wallTime: p.wallTime,
          order: order++,
          failed: null,
          finished: false,
        });
      }
    } else if (method === 'Network.loadingFailed') {
      const r = requests.get(`${target}:${p.requestId}`);
      if (r) r.failed = { errorText: p.errorText, corsError: p.corsErrorStatus?.corsError ?? null, failedParameter: p.corsErrorStatus ? (p.corsErrorStatus.failedParameter ?? '') : null };
    } else if (method === 'Network.loadingFinished') {
      const r = requests.get(`${target}:${p.requestId}`);
      if (r) r.finished = true;
    }
  };
  for (const m of ['Network.requestWillBeSent', 'Network.loadingFailed', 'Network.loadingFinished']) {
    cdp.on(/** @type {any} */ (m), (/** @type {any} */ p) => onEvent('top', m, p));
  }
  // Child targets (out-of-process iframes): non-flat mode, see the file comment.
  cdp.on('Target.attachedToTarget', (/** @type {any} */ e) => {
    const send = (/** @type {string} */ method) =>
      cdp.send('Target.sendMessageToTarget', { sessionId: e.sessionId, message: JSON.stringify({ id: childMsgId++, method, params: {} }) }).catch(() => undefined);
    // The child waits for us (waitForDebuggerOnStart): enable Network first, then release it, so
    // none of its requests is missed.
    void send('Network.enable').then(() => send('Runtime.runIfWaitingForDebugger'));
  });
  cdp.on('Target.receivedMessageFromTarget', (/** @type {any} */ e) => {
    let m;
    try {
      m = JSON.parse(e.message);
    } catch {
      return;
    }
    if (m.method) onEvent(`child-${e.sessionId}`, m.method, m.params);
  });
  await cdp.send('Network.enable');
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: false });
  return {
    /** Requests under the playground's /s/ paths, in the order they started. */
    scenarioRequests: () => [...requests.values()].filter((r) => scenarioUrl(/** @type {string} */ (r.urls[0])) !== null).sort((a, b) => a.order - b.order),
    detach: () => cdp.detach().catch(() => undefined),
  };
}

/**
 * Runs every scenario through the extension in one Chromium tab and exports the tab.
 * @param {{ browser: Awaited<ReturnType<typeof import('./launch.mjs').launchChromium>>,
 *           playground: import('../playground/server.mjs').Playground,
 *           scenarios: import('../playground/server.mjs').Scenario[],
 *           log?: (s: string) => void }} opts
 */
export async function runChromiumThroughExtension({ browser, playground, scenarios, log = () => undefined }) {
  const t0 = Date.now();
  const sw = /** @type {import('playwright-core').Worker} */ (browser.sw);
  const page = await browser.context.newPage();
  await page.goto(playground.pageOrigin + '/');
  const tabId = await tabIdOf(sw, playground.pageOrigin + '/*');
  const cdp = await recordCdp(browser.context, page);
  /** @type {{ scenario: import('../playground/server.mjs').Scenario, runId: string, result: import('../playground/server.mjs').PlaygroundRunResult, retried: boolean }[]} */
  const runs = [];
  const evaluate = (/** @type {string} */ id, /** @type {string} */ runId) =>
    page.evaluate(([sid, rid]) => /** @type {any} */ (window).corsLensPlayground.run(sid, rid), [id, runId]);
  for (const sc of scenarios) {
    const r = await runOne(evaluate, () => browser.context.clearCookies(), sc.id, 'c', log);
    runs.push({ scenario: sc, ...r });
  }
  const runMs = Date.now() - t0;
  log(`chromium: ${scenarios.length} scenarios run in ${(runMs / 1000).toFixed(1)} s`);

  // Wait (bounded) until the background has judged every request Chromium reported as ended:
  // a request's terminal webRequest event can trail the page's promise by a few ms.
  const runIds = new Set(runs.map((r) => r.runId));
  const mine = () => cdp.scenarioRequests().filter((r) => runIds.has(scenarioUrl(/** @type {string} */ (r.urls[0]))?.runId ?? ''));
  const waitStart = Date.now();
  /** @type {string[]} */
  let missing = [];
  while (Date.now() - waitStart < 30_000) {
    const seen = /** @type {string[]} */ (
      await sw.evaluate((t) => /** @type {any} */ (globalThis).__corsLens.entries(t).map((/** @type {any} */ e) => `${e.request.hops[0].method} ${e.request.hops[0].url}`), tabId)
    );
    const counts = new Map();
    for (const k of seen) counts.set(k, (counts.get(k) ?? 0) + 1);
    missing = [];
    for (const r of mine()) {
      if (!r.finished && !r.failed) continue;
      const k = `${r.method} ${r.urls[0]}`;
      const n = counts.get(k) ?? 0;
      if (n > 0) counts.set(k, n - 1);
      else missing.push(k);
    }
    if (missing.length === 0) break;
    await sleep(300);
  }
  const settleMs = Date.now() - waitStart;
  await cdp.detach();

  const popup = await browser.context.newPage();
  await popup.goto(browser.extensionUrl(`src/popup/popup.html?tabId=${tabId}`));
  const exported = await exportTab(popup, tabId);
  await popup.close();
  await page.close();
  return { tabId, runs, cdp: mine(), har: exported.har, exportCount: exported.count, runMs, settleMs, wallMs: Date.now() - t0, missingAfterWait: missing };
}

/** Chromium CORS errors raised while checking the preflight answer (reported on the guarded request). */
const PREFLIGHT_PHASE = /^(Preflight|MethodDisallowed|HeaderDisallowed|InvalidAllowMethods|InvalidAllowHeaders)/;

/**
 * @typedef {object} ChromiumRow
 * @property {string} scenario
 * @property {string} label       method + last path segment (+ hops)
 * @property {string} kind        `_cors.kind`, or `(not exported)`
 * @property {string} extension   verdict / error / failedParameter as exported
 * @property {string} chromium    what Chromium reported
 * @property {string[]} problems  empty when they agree
 */

const fmtParam = (/** @type {string | null | undefined} */ p) => (p === null || p === undefined ? '' : ` ${JSON.stringify(p)}`);

/**
 * Pairs every request Chromium reported with the exported HAR entry of the same run, method and
 * first URL (in start order), and applies compare.ts's rules to the exported `_cors`.
 * @param {Awaited<ReturnType<typeof runChromiumThroughExtension>>} run
 * @returns {Map<string, ChromiumRow[]>}  per scenario id
 */
export function compareChromiumRun(run) {
  /** @type {any[]} */
  const entries = run.har.log.entries;
  /** @type {Map<string, any[]>} method + first URL → exported entries, in export (start) order */
  const byKey = new Map();
  for (const e of entries) {
    const k = `${e._cors.kind === 'preflight' ? 'P' : 'R'} ${e.request.method} ${e.request.url}`;
    byKey.set(k, [...(byKey.get(k) ?? []), e]);
  }
  /** @type {Map<string, any>} CDP key → exported entry */
  const match = new Map();
  for (const r of run.cdp) {
    const list = byKey.get(`${r.isPreflight ? 'P' : 'R'} ${r.method} ${r.urls[0]}`);
    const e = list?.shift();
    if (e) match.set(r.key, e);
  }
  const byRunId = new Map(run.runs.map((x) => [x.runId, x]));
  /** @type {Map<string, ChromiumRow[]>} */
  const out = new Map(run.runs.map((x) => [x.scenario.id, /** @type {ChromiumRow[]} */ ([])]));
  for (const r of run.cdp) {
    const where = /** @type {{ scenario: string, runId: string, leaf: string }} */ (scenarioUrl(/** @type {string} */ (r.urls[0])));
    const sr = byRunId.get(where.runId);
    if (!sr) continue;
    const e = match.get(r.key);
    const c = e?._cors;
    const problems = [];
    const chromium = r.failed ? `${r.failed.errorText}${r.failed.corsError ? ` ${r.failed.corsError}${fmtParam(r.failed.failedParameter)}` : ''}` : r.finished ? 'completed' : 'no end event';
    if (!c) {
      // Only a request Chromium never finished may be absent (the page gave up on it).
      if (r.finished || r.failed) problems.push('Chromium made this request, the export has no entry for it');
    } else if (r.isPreflight) {
      // Chromium reports a failing preflight on the request it guards (browser-facts §G).
      const guarded = run.cdp.find((g) => g.key === r.guardedKey);
      const gf = guarded?.failed;
      const preflightPhase = !!gf?.corsError && PREFLIGHT_PHASE.test(gf.corsError) && guarded?.urls[guarded.urls.length - 1] === r.urls[0];
      if (preflightPhase && c.verdict !== 'fail') problems.push(`preflight verdict ${c.verdict}, but Chromium blocked its request with ${gf?.corsError}`);
      if (!preflightPhase && c.verdict === 'fail' && sr.result.ok) problems.push(`preflight verdict fail (${c.error}), but the page got its response`);
    } else if (r.failed?.corsError) {
      if (c.verdict !== 'fail') problems.push(`verdict ${c.verdict}, Chromium: fail`);
      if (c.error !== r.failed.corsError) problems.push(`error ${c.error}, Chromium: ${r.failed.corsError}`);
      if ((c.failedParameter ?? '') !== r.failed.failedParameter) problems.push(`failedParameter ${JSON.stringify(c.failedParameter)}, Chromium: ${JSON.stringify(r.failed.failedParameter)}`);
    } else if (r.failed && r.failed.errorText !== 'net::ERR_ABORTED') {
      // A network error without a CORS error (connection dropped, redirect mode "error"):
      // Chromium names no CorsError, so the export must not invent one, nor call it a pass.
      if (c.verdict === 'pass' && !sr.scenario.nonCorsFailure) problems.push(`verdict pass, but Chromium failed it with ${r.failed.errorText}`);
      if (c.error !== null && c.error !== 'InvalidResponse') problems.push(`error ${c.error}, Chromium reported no CORS error (${r.failed.errorText})`);
    } else if (c.verdict === 'fail') {
      problems.push(`verdict fail (${c.error}${fmtParam(c.failedParameter)}), Chromium let it through`);
    }
    const leaf = (/** @type {string} */ u) => new URL(u).pathname.split('/').pop();
    /** @type {ChromiumRow[]} */ (out.get(sr.scenario.id)).push({
      scenario: sr.scenario.id,
      label: `${r.isPreflight ? 'OPTIONS (preflight)' : r.method} ${leaf(/** @type {string} */ (r.urls[0]))}${r.urls.length > 1 ? ` (+${r.urls.length - 1} hop)` : ''}`,
      kind: c?.kind ?? '(not exported)',
      extension: c ? `${c.verdict}${c.error ? ` ${c.error}${fmtParam(c.failedParameter)}` : ''}` : '-',
      chromium,
      problems,
    });
  }
  // Exported entries of these runs that Chromium never reported (should not exist).
  const matched = new Set(match.values());
  for (const e of entries) {
    const where = scenarioUrl(e.request.url);
    const sr = where ? byRunId.get(where.runId) : undefined;
    if (!sr || matched.has(e)) continue;
    /** @type {ChromiumRow[]} */ (out.get(sr.scenario.id)).push({
      scenario: sr.scenario.id,
      label: `${e.request.method} ${new URL(e.request.url).pathname.split('/').pop()}`,
      kind: e._cors.kind,
      extension: e._cors.verdict,
      chromium: '(no such request)',
      problems: e._cors.verdict === 'fail' ? ['exported as a failure, but Chromium reported no such request'] : [],
    });
  }
  return out;
}

/**
 * The scenario-level check of test/conformance/conformance.test.ts: the page saw an error exactly
 * when some exported request (not a preflight) failed — unless the scenario fails on purpose for a
 * reason that is not a CORS check, or a request died of a network error without a CORS error.
 * @param {Awaited<ReturnType<typeof runChromiumThroughExtension>>} run
 * @param {Map<string, ChromiumRow[]>} rows
 * @returns {Map<string, string | null>}  per scenario: the disagreement, or null
 */
export function chromiumPageOutcomes(run, rows) {
  /** @type {Map<string, string | null>} */
  const out = new Map();
  for (const sr of run.runs) {
    const mineCdp = run.cdp.filter((r) => scenarioUrl(/** @type {string} */ (r.urls[0]))?.runId === sr.runId);
    const netFailure = mineCdp.some((r) => r.failed && r.failed.errorText !== 'net::ERR_ABORTED' && !r.failed.corsError);
    const extFails = (rows.get(sr.scenario.id) ?? []).some((x) => !x.label.startsWith('OPTIONS (preflight)') && x.extension.startsWith('fail'));
    const pageError = !sr.result.ok;
    if (sr.scenario.nonCorsFailure || netFailure || extFails === pageError) out.set(sr.scenario.id, null);
    else out.set(sr.scenario.id, extFails ? `the export fails a request, the page got its response` : `the page saw an error (${sr.result.error}), the export fails no request`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Firefox

/**
 * Runs every scenario through the test build in one Firefox tab; the judged entries arrive at the
 * collector.
 * @param {{ browser: Awaited<ReturnType<typeof import('./launch.mjs').launchFirefox>>,
 *           collector: Awaited<ReturnType<typeof import('./collector.mjs').startCollector>>,
 *           playground: import('../playground/server.mjs').Playground,
 *           scenarios: import('../playground/server.mjs').Scenario[],
 *           log?: (s: string) => void }} opts
 */
export async function runFirefoxThroughExtension({ browser, collector, playground, scenarios, log = () => undefined }) {
  const t0 = Date.now();
  const ctx = browser.browser.defaultBrowserContext();
  const page = await browser.browser.newPage();
  await bounded(page.goto(playground.pageOrigin + '/', { waitUntil: 'load' }), 30_000, 'Firefox playground page');
  // Warm-up (browser-facts §H, as the recorder does): in a fresh profile the first preflight-cache
  // lookups miss whatever Max-Age said; two preflighted URLs requested twice make later ones hit.
  const base = `${playground.origins.warm}/warmup/ext-${Date.now().toString(36)}`;
  await bounded(
    page.evaluate(async (b) => {
      for (let u = 0; u < 2; u++) for (let i = 0; i < 2; i++) await fetch(`${b}-${u}`, { method: 'PUT', headers: { 'X-Warm': '1' } }).catch(() => undefined);
    }, base),
    30_000,
    'warm-up',
  );
  /** @type {{ scenario: import('../playground/server.mjs').Scenario, runId: string, result: import('../playground/server.mjs').PlaygroundRunResult, retried: boolean }[]} */
  const runs = [];
  const evaluate = (/** @type {string} */ id, /** @type {string} */ runId) =>
    page.evaluate((sid, rid) => /** @type {any} */ (window).corsLensPlayground.run(sid, rid), id, runId);
  const clearCookies = async () => {
    const cookies = await ctx.cookies();
    if (cookies.length) await ctx.deleteCookie(...cookies);
  };
  for (const sc of scenarios) {
    const r = await runOne(evaluate, clearCookies, sc.id, 'f', log);
    runs.push({ scenario: sc, ...r });
  }
  const runMs = Date.now() - t0;
  log(`firefox: ${scenarios.length} scenarios run in ${(runMs / 1000).toFixed(1)} s`);

  // Wait (bounded) until an entry arrived for every request the playground server answered for
  // these runs; requests that never reached the server (blocked by their preflight) end before
  // the page's promise settles, so a short settle after that covers them.
  const runIds = new Set(runs.map((r) => r.runId));
  const waitStart = Date.now();
  const missingNow = () => {
    // Entries are re-posted when re-judged: count distinct cors ids per method + path (the run id
    // makes paths unique; the host may be spelled localhost in the URL and 127.0.0.1 in the log).
    /** @type {Map<string, Set<string>>} */
    const ids = new Map();
    for (const rec of collector.records) {
      if (rec.kind !== 'entry') continue;
      const hop = rec.entry.request.hops[0];
      const k = `${hop.method} ${new URL(hop.url).pathname}`;
      ids.set(k, (ids.get(k) ?? new Set()).add(rec.entry.cors.id));
    }
    /** @type {Map<string, number>} */
    const need = new Map();
    /** @type {Set<string>} */
    const reset = new Set();
    for (const l of playground.log) {
      const where = scenarioUrl(`http://x${l.url}`);
      // Every request starts at /resource or /set-cookie; later redirect hops are part of it.
      if (!where || !runIds.has(where.runId) || (where.leaf !== 'resource' && where.leaf !== 'set-cookie')) continue;
      const k = `${l.method} ${new URL(l.url, 'http://x').pathname}`;
      // Firefox retries a request whose connection was reset inside the same channel (measured:
      // the server saw the GET 10 times, webRequest one request ending NS_ERROR_NET_RESET).
      if (l.response?.closed) {
        if (reset.has(k)) continue;
        reset.add(k);
      }
      need.set(k, (need.get(k) ?? 0) + 1);
    }
    /** @type {string[]} */
    const missing = [];
    for (const [k, n] of need) for (let i = ids.get(k)?.size ?? 0; i < n; i++) missing.push(k);
    return missing;
  };
  /** @type {string[]} */
  let missing = [];
  while (Date.now() - waitStart < 30_000) {
    missing = missingNow();
    if (missing.length === 0) break;
    await sleep(300);
  }
  await sleep(1000);
  const settleMs = Date.now() - waitStart;
  await page.close();
  /** @type {Map<string, any>} cors.id → latest AnalyzedEntry */
  const latest = new Map();
  for (const rec of collector.records) if (rec.kind === 'entry') latest.set(rec.entry.cors.id, rec.entry);
  return { runs, entries: [...latest.values()], runMs, settleMs, wallMs: Date.now() - t0, missingAfterWait: missing };
}

/**
 * @typedef {object} FirefoxRow
 * @property {string} scenario
 * @property {string} page        what the page's script saw in Firefox
 * @property {string} extension   the exported verdicts of the scenario's requests
 * @property {string[]} problems
 */

/**
 * compare.ts's Firefox rule on the extension's entries: the extension fails some request of the
 * scenario (a `fail`, or an `unknown` that the browser itself reported as failed: no headers to
 * judge) exactly when the page's script saw a network error in Firefox.
 * @param {Awaited<ReturnType<typeof runFirefoxThroughExtension>>} run
 * @returns {Map<string, FirefoxRow>}
 */
export function compareFirefoxRun(run) {
  const byRunId = new Map(run.runs.map((x) => [x.runId, /** @type {any[]} */ ([])]));
  for (const e of run.entries) {
    const where = scenarioUrl(e.request.hops[0].url);
    if (where) byRunId.get(where.runId)?.push(e);
  }
  /** @type {Map<string, FirefoxRow>} */
  const out = new Map();
  for (const sr of run.runs) {
    const list = /** @type {any[]} */ (byRunId.get(sr.runId)).sort((a, b) => a.request.hops[0].startedMs - b.request.hops[0].startedMs);
    const failing = list.filter((a) => a.cors.kind !== 'preflight' && (a.cors.verdict === 'fail' || (a.cors.verdict === 'unknown' && a.request.outcome.outcome === 'failed')));
    const extFails = failing.length > 0;
    const problems = [];
    const leaf = (/** @type {any} */ a) => `${a.cors.kind === 'preflight' ? 'OPTIONS (preflight)' : a.request.hops[0].method} ${a.request.hops[0].url.split('/').pop()}`;
    if (list.filter((a) => !a.request.hops[0].url.endsWith('/set-cookie')).length === 0) problems.push('the extension reported no request of this scenario');
    if (sr.scenario.nonCorsFailure) {
      const invented = failing.filter((f) => f.cors.error !== null && f.cors.error !== 'InvalidResponse');
      if (invented.length) problems.push(`invents ${invented.map((f) => `${leaf(f)}: ${f.cors.error}`).join('; ')} for a failure that is not a CORS check`);
    } else if (extFails !== !sr.result.ok) {
      problems.push(extFails ? `the export fails ${failing.map((f) => `${leaf(f)}: ${f.cors.error}`).join('; ')}, the Firefox page got its response` : `the Firefox page saw an error (${sr.result.error}), the export fails no request`);
    }
    out.set(sr.scenario.id, {
      scenario: sr.scenario.id,
      page: sr.result.ok ? 'ok' : `error (${sr.result.error})`,
      extension: list.map((a) => `${leaf(a)}: ${a.cors.verdict}${a.cors.error ? ` ${a.cors.error}` : ''}${a.cors.credentialsInferred ? '' : a.cors.credentials === 'unknown' ? ' [credentials unknown]' : ''}`).join('; '),
      problems,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Worker heap (Chromium)

/**
 * The extension service worker's live JS heap, in bytes, after two forced garbage collections.
 *
 * Playwright opens CDP sessions on pages only, so this goes through a page's session: it finds
 * the worker's target, attaches to it in non-flat mode (Playwright would drop the events of a
 * flat child session it did not create), sends `HeapProfiler.collectGarbage` twice and
 * `Runtime.getHeapUsage` through `Target.sendMessageToTarget`, and detaches again. Nothing
 * stays attached between measurements, and no debugging port is opened.
 * @param {import('playwright-core').BrowserContext} context
 * @param {import('playwright-core').Page} page  any page of the context (only used as a way in)
 * @param {string} workerUrl  the service worker's script URL (browser.sw.url())
 * @returns {Promise<{ usedSize: number, totalSize: number }>}
 */
export async function workerHeap(context, page, workerUrl) {
  const cdp = await context.newCDPSession(page);
  try {
    const { targetInfos } = /** @type {{ targetInfos: { targetId: string, type: string, url: string }[] }} */ (await cdp.send('Target.getTargets'));
    const target = targetInfos.find((t) => t.type === 'service_worker' && t.url === workerUrl);
    if (!target) throw new Error(`no service worker target at ${workerUrl}`);
    const { sessionId } = /** @type {{ sessionId: string }} */ (await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false }));
    /** @type {Map<number, (m: any) => void>} */
    const waiting = new Map();
    cdp.on('Target.receivedMessageFromTarget', (/** @type {any} */ e) => {
      if (e.sessionId !== sessionId) return;
      const m = JSON.parse(e.message);
      if (m.id !== undefined) waiting.get(m.id)?.(m);
    });
    let id = 1;
    const call = async (/** @type {string} */ method) => {
      const my = id++;
      const reply = new Promise((resolve) => waiting.set(my, resolve));
      await cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: my, method, params: {} }) });
      const m = /** @type {any} */ (await bounded(reply, 60_000, `worker ${method}`));
      if (m.error) throw new Error(`worker ${method}: ${m.error.message}`);
      return m.result;
    };
    try {
      await call('HeapProfiler.enable');
      // Two passes: the first may leave weakly held objects for the second.
      await call('HeapProfiler.collectGarbage');
      await call('HeapProfiler.collectGarbage');
      const u = await call('Runtime.getHeapUsage');
      await call('HeapProfiler.disable');
      return { usedSize: u.usedSize, totalSize: u.totalSize };
    } finally {
      await cdp.send('Target.detachFromTarget', { sessionId }).catch(() => undefined);
    }
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// A private copy of a build

/**
 * Copies a built extension to a temp dir and returns its path: other work on this machine may
 * rebuild dist/ while a long run is going, and a browser that loads a chunk after the rebuild
 * emptied the directory runs a half-loaded background (seen once: Firefox judged nothing).
 * @param {string} dir
 * @returns {{ dir: string, remove: () => void }}
 */
export function snapshotBuild(dir) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cors-lens-build-'));
  fs.cpSync(dir, out, { recursive: true });
  if (!fs.existsSync(path.join(out, 'manifest.json'))) throw new Error(`${dir} holds no manifest.json: build first`);
  return { dir: out, remove: () => fs.rmSync(out, { recursive: true, force: true }) };
}

/**
 * A private test build of the Firefox extension whose background reports to `sinkUrl`.
 * The shared dist-test/ is rebuilt by other suites with sinks of their own (seen: a build with
 * the sink on a random port made a whole run report nothing to :18419), so a run that depends
 * on the sink builds its own, from the same sources and vite config as scripts/build.mjs.
 * @param {string} sinkUrl
 * @returns {{ dir: string, remove: () => void }}
 */
export function buildFirefoxTestBuild(sinkUrl) {
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cors-lens-ffbuild-'));
  const script = `const { build } = await import('vite'); await build({ root: ${JSON.stringify(root)}, configFile: ${JSON.stringify(path.join(root, 'vite.config.ts'))}, logLevel: 'warn' });`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, TARGET: 'firefox', CORS_LENS_OUT_DIR: out, CORS_LENS_LOG_SINK: sinkUrl },
    timeout: 180_000,
  });
  if (r.status !== 0 || !fs.existsSync(path.join(out, 'manifest.json'))) {
    fs.rmSync(out, { recursive: true, force: true });
    throw new Error(`Firefox test build failed (exit ${r.status}): ${(r.stderr || r.stdout || '').slice(-2000)}`);
  }
  return { dir: out, remove: () => fs.rmSync(out, { recursive: true, force: true }) };
}

/** A free loopback port (listen on 0, read it, close). */
export function freePort() {
  return /** @type {Promise<number>} */ (
    new Promise((resolve, reject) => {
      const s = net.createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const port = /** @type {import('node:net').AddressInfo} */ (s.address()).port;
        s.close(() => resolve(port));
      });
    })
  );
}
