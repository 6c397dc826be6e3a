/**
 * The conformance comparison shared by the fast suite (committed fixtures, `unit` project) and the
 * live suite (a fresh recording, `browser` project): run the recorded HAR through the engine
 * exactly as the CLI would (`parseHar` → `analyzeCapture`) and hold every verdict against what
 * the real browser decided (DESIGN §4: the browser is the oracle).
 *
 * Chromium (per request): Chromium's own `Network.loadingFailed.corsErrorStatus`, recorded as
 * `_chromium` on the request's last hop, must equal the engine's `error` and `failedParameter`;
 * a request Chromium let through must not fail in the engine.
 * Firefox (per scenario): the engine with the Firefox profile fails some request of the
 * scenario exactly when the page's script saw a network error in Firefox.
 */
import type { AnalyzedEntry } from '../../src/core/annotation.ts';
import { analyzeCapture } from '../../src/core/analyze.ts';
import { parseHar } from '../../src/core/har/read.ts';
import type { Scenario } from '../playground/server.mjs';

export interface ChromiumScenarioOutcome {
  pageOutcome: 'ok' | 'error';
  pageError: string | null;
  requests: { url: string; method: string; corsError: string | null; failedParameter: string | null; netError: string | null }[];
}
export interface FirefoxScenarioOutcome {
  pageOutcome: 'ok' | 'error';
  consoleReasons: string[];
}
export interface Outcomes {
  browserVersions: Record<string, string>;
  scenarios: Record<string, { chromium?: ChromiumScenarioOutcome; firefox?: FirefoxScenarioOutcome }>;
}

interface HarEntryLike {
  request: { method: string; url: string };
  response: { status: number; _error?: string };
  _scenario?: string;
  _requestId?: string;
  _resourceType?: string;
  _chromium?: { corsError: string; failedParameter: string } | null;
}

/** One request of a scenario as the engine judged it, beside what Chromium said. */
export interface ChromiumCheck {
  label: string;
  kind: string;
  engine: { verdict: string; error: string | null; failedParameter: string | null };
  chromium: { corsError: string | null; failedParameter: string | null; netError: string | null };
  /** Human-readable reasons this request disagrees; empty when it agrees. */
  problems: string[];
}

const scenarioOf = (url: string): string | null => {
  const m = /^\/s\/([^/]+)\/[^/]+\/[^/]+$/.exec(new URL(url).pathname);
  return m ? decodeURIComponent(m[1]!) : null;
};

function entryIndex(e: AnalyzedEntry): number {
  return Number(/^h(\d+)/.exec(e.request.id)?.[1] ?? NaN);
}

/**
 * Judges the Chromium HAR and returns, per scenario, every request with its comparison.
 * Preflights are judged as part of their request: Chromium reports a failing preflight on the
 * request it guards (browser-facts §G), so a preflight entry only has to agree in its verdict.
 */
export function compareChromium(harText: string, outcomes: Outcomes, scenarios: readonly Scenario[]): Map<string, ChromiumCheck[]> {
  const nonCors = new Set(scenarios.filter((s) => s.nonCorsFailure).map((s) => s.id));
  const har = JSON.parse(harText) as { log: { entries: HarEntryLike[] } };
  const entries = har.log.entries;
  const analyzed = analyzeCapture(parseHar(harText).requests, { browser: 'chromium' });
  const out = new Map<string, ChromiumCheck[]>();
  for (const a of analyzed) {
    const first = entries[entryIndex(a)];
    const sc = first?._scenario ?? scenarioOf(a.request.hops[0]!.url);
    if (!first || !sc) continue;
    if (a.request.hops[0]!.url.endsWith('/set-cookie')) continue;
    // Every HAR entry of the same CDP request (its redirect hops) carries Chromium's verdict on its last one.
    const same = entries.filter((e) => e._scenario === sc && e._requestId !== undefined && e._requestId === first._requestId);
    const verdictEntry = same.find((e) => e._chromium) ?? null;
    const last = same[same.length - 1] ?? first;
    const chromium = {
      corsError: verdictEntry?._chromium?.corsError ?? null,
      failedParameter: verdictEntry?._chromium?.failedParameter ?? null,
      netError: last.response._error ?? null,
    };
    const c = a.cors;
    const engine = { verdict: c.verdict, error: c.error, failedParameter: c.failedParameter };
    const problems: string[] = [];
    const pageOutcome = outcomes.scenarios[sc]?.chromium?.pageOutcome;
    if (c.kind === 'preflight') {
      // The request this preflight guards carries Chromium's verdict.
      const guarded = analyzed.find((x) => x.request.id === c.pairedWith);
      const guardedFirst = guarded ? entries[entryIndex(guarded)] : undefined;
      const guardedEntries = guardedFirst ? entries.filter((e) => e._requestId === guardedFirst._requestId) : [];
      const guardedVerdict = guardedEntries.find((e) => e._chromium)?._chromium ?? undefined;
      // A redirected request is preflighted once per hop; the error belongs to the last hop's preflight.
      const guardedLastUrl = guardedEntries[guardedEntries.length - 1]?.request.url;
      const preflightPhase =
        guardedVerdict &&
        guardedLastUrl === a.request.hops[0]!.url &&
        /^(Preflight|MethodDisallowed|HeaderDisallowed|InvalidAllowMethods|InvalidAllowHeaders)/.test(guardedVerdict.corsError);
      if (preflightPhase && c.verdict !== 'fail') problems.push(`preflight verdict ${c.verdict}, but Chromium blocked its request with ${guardedVerdict.corsError}`);
      if (!preflightPhase && c.verdict === 'fail' && pageOutcome === 'ok') problems.push(`preflight verdict fail (${c.error}), but the page got its response`);
    } else if (chromium.corsError) {
      if (c.verdict !== 'fail') problems.push(`verdict ${c.verdict}, Chromium: fail`);
      if (c.error !== chromium.corsError) problems.push(`error ${c.error}, Chromium: ${chromium.corsError}`);
      if ((c.failedParameter ?? '') !== chromium.failedParameter) problems.push(`failedParameter ${JSON.stringify(c.failedParameter)}, Chromium: ${JSON.stringify(chromium.failedParameter)}`);
    } else if (chromium.netError && chromium.netError !== 'net::ERR_ABORTED') {
      // A network error without a CORS error (connection dropped, redirect mode "error"):
      // Chromium names no CorsError, so the engine must not invent one, nor call it a pass.
      if (c.verdict === 'pass' && !nonCors.has(sc)) problems.push(`verdict pass, but Chromium failed it with ${chromium.netError}`);
      if (c.error !== null && c.error !== 'InvalidResponse') problems.push(`error ${c.error}, Chromium reported no CORS error (${chromium.netError})`);
    } else if (c.verdict === 'fail') {
      problems.push(`verdict fail (${c.error} ${JSON.stringify(c.failedParameter)}), Chromium let it through`);
    }
    const label = `${a.request.hops[0]!.method} ${new URL(a.request.hops[0]!.url).pathname.split('/').pop()}${a.request.hops.length > 1 ? ` (+${a.request.hops.length - 1} hop)` : ''}`;
    const list = out.get(sc) ?? [];
    list.push({ label, kind: c.kind, engine, chromium, problems });
    out.set(sc, list);
  }
  return out;
}

export interface FirefoxCheck {
  engineFails: boolean;
  failing: { label: string; error: string | null; firefoxReason: string | null }[];
  firefox: FirefoxScenarioOutcome | undefined;
  problems: string[];
}

/** Judges the Firefox HAR with the Firefox profile; one result per scenario. */
export function compareFirefox(harText: string, outcomes: Outcomes, scenarios: readonly Scenario[]): Map<string, FirefoxCheck> {
  const byId = new Map(scenarios.map((s) => [s.id, s]));
  // Firefox reports a CORS-blocked simple response as completed (browser-facts §E), so a Firefox
  // HAR holds no evidence of the credentials mode when no cookie was sent (localhost is
  // cross-site, a sandboxed frame has no cookies). The recorder scripted the mode, so the test
  // states it (model.ts: `credentials` is set when a source knows it for sure): this compares the
  // Firefox rules, not the inference, which the Chromium comparison covers.
  const requests = parseHar(harText).requests.map((r) => {
    const sc = byId.get(scenarioOf(r.hops[0]!.url) ?? '');
    return sc && !r.hops[0]!.url.endsWith('/set-cookie') ? { ...r, credentials: sc.request.credentials } : r;
  });
  const analyzed = analyzeCapture(requests, { browser: 'firefox' });
  const byScenario = new Map<string, AnalyzedEntry[]>();
  for (const a of analyzed) {
    const sc = scenarioOf(a.request.hops[0]!.url);
    if (!sc || a.request.hops[0]!.url.endsWith('/set-cookie')) continue;
    byScenario.set(sc, [...(byScenario.get(sc) ?? []), a]);
  }
  const out = new Map<string, FirefoxCheck>();
  for (const [id, o] of Object.entries(outcomes.scenarios)) {
    const list = byScenario.get(id) ?? [];
    // A request that failed at the network level is judged `unknown` (no headers to judge): that
    // is the engine reporting the failure, not contradicting it.
    const failing = list
      .filter((a) => a.cors.kind !== 'preflight' && (a.cors.verdict === 'fail' || (a.cors.verdict === 'unknown' && a.request.outcome.outcome === 'failed')))
      .map((a) => ({ label: `${a.request.hops[0]!.method} ${a.request.hops[0]!.url.split('/').pop()}`, error: a.cors.error, firefoxReason: a.cors.firefoxReason }));
    const engineFails = failing.length > 0;
    const problems: string[] = [];
    const ff = o.firefox;
    if (byId.get(id)?.nonCorsFailure) {
      // Not a CORS failure: the engine must not invent a CORS error for it.
      const invented = failing.filter((f) => f.error !== null && f.error !== 'InvalidResponse');
      if (invented.length) problems.push(`engine invents ${invented.map((f) => `${f.label}: ${f.error}`).join('; ')} for a failure that is not a CORS check`);
    } else if (ff) {
      if (engineFails !== (ff.pageOutcome === 'error')) {
        problems.push(engineFails ? `engine (firefox profile) fails ${failing.map((f) => `${f.label}: ${f.error}`).join('; ')}, Firefox page got its response` : `engine (firefox profile) passes every request, Firefox page saw an error (${ff.consoleReasons.join(', ') || 'no console reason'})`);
      }
    }
    out.set(id, { engineFails, failing, firefox: ff, problems });
  }
  return out;
}
