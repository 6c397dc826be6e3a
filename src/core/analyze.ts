/**
 * The engine's entry point: pairs preflights with their requests, judges every exchange the way
 * the chosen browser does, and fills the `_cors` annotation (DESIGN §3.3) of each request.
 *
 * Pairing is pure and works for live webRequest data and HAR data alike: a preflight is an
 * OPTIONS request carrying `Access-Control-Request-Method`; it guards the request of the same
 * tab, with a hop at the same URL whose method equals ACRM. Event order differs per browser
 * (browser-facts §C/§E: Chromium starts the request, then the preflight; Firefox sends the
 * request's headers before the preflight), so pairing looks at start times only: the request
 * that started last before the preflight wins (else the first within 2 s after it), preflights
 * taken latest-first (so two identical requests in flight pair first-with-first); a request
 * that got a response must not have finished before its preflight. A source's explicit link
 * (`preflightFor`, Chrome DevTools HAR `_initiator`) always wins. On the 202 recorded Chromium
 * scenarios, pairing without `_initiator` finds exactly the pairs Chromium recorded.
 */
import type { AnalyzedEntry, CorsAnnotation, CorsWarning, PreflightCacheHit, PreflightCacheInfo } from './annotation.ts';
import { BROWSER_CAP_SECONDS, cacheCovers, preflightCacheInfo, type CacheQuery, type PreflightCacheEntry } from './cache.ts';
import {
  deriveTriggers,
  isCorsRequest,
  isNavigation,
  isPreflight,
  requestedHeaderNames,
  requestOrigin,
  triggersFromPreflight,
  type TriggerDetail,
} from './classify.ts';
import type { CorsFailure } from './codes.ts';
import { credentialsOf, includesCredentials, type CredentialsInfo } from './credentials.ts';
import {
  explainError,
  explainNotCors,
  explainPass,
  explainUnknown,
  explainWarning,
  WARNING_TEXT_FACTS,
  type ExchangeFacts,
  type Explanation,
  type NotCorsReason,
  type UnknownReason,
} from './explain.ts';
import { exposedHeaders } from './expose.ts';
import { getCombined } from './headers.ts';
import { firstHop, lastHop, type BrowserProfile, type HeaderEntry, type ObservedRequest, type RequestHop } from './model.ts';
import { sameOrigin } from './origin.ts';
import { judgePreflight, type PreflightJudgement } from './preflight.ts';
import { judgeChain, redirectTarget, type ChainJudgement } from './redirect.ts';
import { duplicateCorsHeaders, maxAgeWarnings, missingVaryOrigin, type PendingWarning } from './warnings.ts';

export interface AnalyzeOptions {
  browser: BrowserProfile;
}

/**
 * Slack when comparing a request's end with its preflight's end (HAR timings are rounded,
 * webRequest stamps of different events are taken on different threads).
 */
const ORDER_SLACK_MS = 50;
/** How far after a preflight's start its request may start when the source's order is reversed. */
const LATE_REQUEST_WINDOW_MS = 2000;
/** Errors that are the browser's own CORS block (evidence, not the verdict). */
const CORS_BLOCK_ERRORS = new Set(['net::ERR_FAILED', 'NS_ERROR_DOM_BAD_URI']);

interface PreflightLink {
  requestId: string;
  /** The request's hop the preflight guards. */
  hop: number;
  /** The request's position in the list given to pairPreflights. */
  index: number;
}

interface Pairing {
  /** preflight id → request id and the request's hop it guards. */
  byPreflight: Map<string, PreflightLink>;
  /** request id → hop index → preflight id. */
  byRequest: Map<string, Map<number, string>>;
}

function endOf(r: ObservedRequest): number | null {
  return lastHop(r).endedMs;
}

/** Pairs preflights with requests (see the module comment). Deterministic for a given input order. */
export function pairPreflights(reqs: readonly ObservedRequest[]): Pairing {
  const flags = reqs.map(isPreflight);
  return pairPreflightsOf(reqs, flags);
}

/** Lists at most this long are searched when pairing, not indexed (see `candidatesAt`). */
const SCAN_CANDIDATES = 8;

/** `pairPreflights` with `isPreflight` of each request already known (`flags[i]`). */
function pairPreflightsOf(reqs: readonly ObservedRequest[], flags: readonly boolean[]): Pairing {
  const byPreflight = new Map<string, PreflightLink>();
  const byRequest = new Map<string, Map<number, string>>();
  // Nearly every group is one preflight and its request: the lists, maps and index below are
  // built for what the group holds (they were most of the engine's garbage per group).
  const preflights: number[] = [];
  const candidates: number[] = [];
  let explicit = false;
  for (let i = 0; i < reqs.length; i++) {
    if (flags[i]) {
      preflights.push(i);
      if (reqs[i]!.preflightFor) explicit = true;
    } else candidates.push(i);
  }
  const link = (p: ObservedRequest, r: ObservedRequest, index: number, hop: number) => {
    byPreflight.set(p.id, { requestId: r.id, hop, index });
    let m = byRequest.get(r.id);
    if (!m) byRequest.set(r.id, (m = new Map()));
    // A hop keeps the first preflight linked to it (see the order of step 1 below).
    if (!m.has(hop)) m.set(hop, p.id);
  };
  const acrmOf = (p: ObservedRequest) => getCombined(firstHop(p).requestHeaders, 'access-control-request-method') ?? '';
  /** The first hop of `r` the preflight `p` guards (same URL, method = ACRM), free ones only unless `anyHop`. */
  const matchingHop = (p: ObservedRequest, r: ObservedRequest, anyHop = false): number => {
    const url = firstHop(p).url;
    const acrm = acrmOf(p);
    for (let i = 0; i < r.hops.length; i++) {
      const h = r.hops[i]!;
      if (h.url === url && h.method === acrm && (anyHop || !byRequest.get(r.id)?.has(i))) return i;
    }
    return -1;
  };

  // 1. Explicit links from the source. Several preflights can name one request (a preflight per
  // redirect hop, a retried preflight, a hand-edited HAR); which one a hop keeps must not depend
  // on the order of the input, because our own HAR export sorts entries by start time and the
  // file read back must judge the same (test/unit/property/har.test.ts). So the links are made
  // in a fixed order: preflights whose URL and ACRM match a hop of the request first, then the
  // latest first (as in step 2), then by id; a hop keeps the first preflight linked to it. A
  // preflight that matches no free hop is still the named request's preflight (its own
  // annotation says so) but takes a hop only if nobody has.
  if (explicit) {
    // id → position; a repeated id means its last request.
    const indexOf = new Map<string, number>();
    for (let i = 0; i < reqs.length; i++) indexOf.set(reqs[i]!.id, i);
    const named: { pi: number; ri: number; exact: boolean; start: number }[] = [];
    for (const pi of preflights) {
      const p = reqs[pi]!;
      if (!p.preflightFor) continue;
      const ri = indexOf.get(p.preflightFor);
      if (ri === undefined || flags[ri]) continue;
      const start = firstHop(p).startedMs;
      named.push({ pi, ri, exact: false, start: Number.isFinite(start) ? start : -Infinity });
    }
    // Only several names need an order (a Chrome DevTools HAR names one preflight per request:
    // no second hop scan for each of them).
    if (named.length > 1) {
      for (const n of named) n.exact = matchingHop(reqs[n.pi]!, reqs[n.ri]!, true) >= 0;
      named.sort((a, b) => {
        if (a.exact !== b.exact) return a.exact ? -1 : 1;
        if (a.start !== b.start) return a.start > b.start ? -1 : 1;
        const ia = reqs[a.pi]!.id;
        const ib = reqs[b.pi]!.id;
        return ia < ib ? -1 : ia > ib ? 1 : a.pi - b.pi;
      });
    }
    for (const { pi, ri } of named) {
      const p = reqs[pi]!;
      const r = reqs[ri]!;
      const hop = matchingHop(p, r);
      link(p, r, ri, hop >= 0 ? hop : 0);
    }
  }

  // 2. The rest by tab, URL, method and time; latest preflight first. Candidates are indexed by
  // (tab, hop URL) and sorted by that hop's start, so each preflight looks at its neighbours only.
  const rest: number[] = [];
  for (const pi of preflights) if (!byPreflight.has(reqs[pi]!.id) && !reqs[pi]!.preflightFor) rest.push(pi);
  // Every preflight linked by its source (Chrome DevTools HARs): no index to build.
  if (rest.length === 0) return { byPreflight, byRequest };
  if (rest.length > 1) rest.sort((a, b) => firstHop(reqs[b]!).startedMs - firstHop(reqs[a]!).startedMs || b - a);

  // Candidates at (tab, URL): each request once, with the start of its first hop at that URL,
  // sorted by that start (stable). An index when the group is large, a scan when it is not.
  type Candidate = { r: ObservedRequest; index: number; start: number };
  let index: Map<string, Candidate[]> | null = null;
  const keyOf = (tab: number | null, url: string) => `${tab ?? ''} ${url}`;
  const candidatesAt = (tab: number | null, url: string): Candidate[] | undefined => {
    if (candidates.length <= SCAN_CANDIDATES) {
      let list: Candidate[] | undefined;
      for (const ci of candidates) {
        const r = reqs[ci]!;
        if ((r.tabId ?? null) !== (tab ?? null)) continue;
        const h = r.hops.find((x) => x.url === url);
        if (h) (list ??= []).push({ r, index: ci, start: h.startedMs });
      }
      if (list && list.length > 1) list.sort((a, b) => a.start - b.start);
      return list;
    }
    if (index === null) {
      index = new Map();
      for (const ci of candidates) {
        const r = reqs[ci]!;
        const seen = r.hops.length > 1 ? new Set<string>() : null;
        for (const h of r.hops) {
          const k = keyOf(r.tabId, h.url);
          if (seen) {
            if (seen.has(k)) continue;
            seen.add(k);
          }
          let list = index.get(k);
          if (!list) index.set(k, (list = []));
          list.push({ r, index: ci, start: h.startedMs });
        }
      }
      for (const list of index.values()) list.sort((a, b) => a.start - b.start);
    }
    return index.get(keyOf(tab, url));
  };
  for (const pi of rest) {
    const p = reqs[pi]!;
    const list = candidatesAt(p.tabId, firstHop(p).url);
    if (!list) continue;
    const pStart = firstHop(p).startedMs;
    const pEnd = firstHop(p).endedMs;
    const pOrigin = getCombined(firstHop(p).requestHeaders, 'origin');
    const feasible = (r: ObservedRequest): number => {
      const hop = matchingHop(p, r);
      if (hop < 0) return -1;
      const h = r.hops[hop]!;
      // On the first hop the Origins must agree (after a redirect they may not: Chromium sends
      // `null` on both, Firefox keeps the page origin on the preflight only).
      const rOrigin = getCombined(h.requestHeaders, 'origin');
      if (hop === 0 && rOrigin !== null && pOrigin !== null && rOrigin !== pOrigin) return -1;
      // A request that was sent cannot have finished before its preflight did. (A request
      // blocked by its preflight is not held to it: Chrome DevTools HARs time its failure
      // before the preflight entry even starts.)
      const rEnd = endOf(r);
      if (hasResponse(h) && rEnd !== null && pEnd !== null && rEnd < pEnd - ORDER_SLACK_MS) return -1;
      return hop;
    };
    // Prefer the closest request that started no later than the preflight (scan back from the
    // last one); failing that, the closest one that started within the window after it.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.start <= pStart) lo = mid + 1;
      else hi = mid;
    }
    let chosen: Candidate | null = null;
    let chosenHop = -1;
    for (let i = lo - 1; i >= 0 && !chosen; i--) {
      const hop = feasible(list[i]!.r);
      if (hop >= 0) {
        chosen = list[i]!;
        chosenHop = hop;
      }
    }
    for (let i = lo; i < list.length && !chosen && list[i]!.start - pStart <= LATE_REQUEST_WINDOW_MS; i++) {
      const hop = feasible(list[i]!.r);
      if (hop >= 0) {
        chosen = list[i]!;
        chosenHop = hop;
      }
    }
    if (chosen) link(p, chosen.r, chosen.index, chosenHop);
  }
  return { byPreflight, byRequest };
}

interface PreflightFacts {
  request: ObservedRequest;
  origin: string;
  method: string;
  unsafeHeaders: string[];
  /** The preflight judged for a request without / with credentials, once asked (analyzeGroup). */
  omitJudged: PreflightJudgement | undefined;
  includeJudged: PreflightJudgement | undefined;
  /**
   * What both sides of a pair would otherwise compute twice (the request's annotation and the
   * preflight's): the preflight's cache info, and its triggers read with the request's headers
   * (`triggersMain`: the headers they were read with, compared by identity).
   */
  cacheInfo: PreflightCacheInfo | undefined;
  triggers: TriggerDetail[] | undefined;
  triggersMain: readonly HeaderEntry[] | null;
}

function preflightFacts(p: ObservedRequest): PreflightFacts {
  const h = firstHop(p);
  return {
    request: p,
    origin: getCombined(h.requestHeaders, 'origin') ?? p.initiator ?? 'null',
    method: getCombined(h.requestHeaders, 'access-control-request-method') ?? '',
    unsafeHeaders: requestedHeaderNames(h.requestHeaders),
    omitJudged: undefined,
    includeJudged: undefined,
    cacheInfo: undefined,
    triggers: undefined,
    triggersMain: null,
  };
}

function runPreflight(pf: PreflightFacts, include: boolean): PreflightJudgement {
  return judgePreflight({ preflight: pf.request, origin: pf.origin, credentialsInclude: include, method: pf.method, unsafeHeaders: pf.unsafeHeaders });
}

/** The preflight judged under one credentials mode, at most once per mode (memoised on its facts). */
function judgedAs(pf: PreflightFacts, include: boolean): PreflightJudgement {
  if (include) return (pf.includeJudged ??= runPreflight(pf, true));
  return (pf.omitJudged ??= runPreflight(pf, false));
}

function cacheInfoOf(pf: PreflightFacts, profile: BrowserProfile): PreflightCacheInfo {
  return (pf.cacheInfo ??= preflightCacheInfo(firstHop(pf.request).responseHeaders, profile));
}

/** The preflight's triggers (classify.ts `triggersFromPreflight`), read with the request's headers `main`. */
function pfTriggersOf(pf: PreflightFacts, main: readonly HeaderEntry[] | null, profile: BrowserProfile): TriggerDetail[] {
  if (pf.triggers === undefined || pf.triggersMain !== main) {
    // ACRM and ACRH as `preflightFacts` read them (they were looked up again per pair).
    pf.triggers = triggersFromPreflight(firstHop(pf.request).requestHeaders, main, profile, { method: pf.method, names: pf.unsafeHeaders });
    pf.triggersMain = main;
  }
  return pf.triggers;
}

function credentialsFacts(c: CredentialsInfo): ExchangeFacts['credentials'] {
  return c.mode === 'unknown' ? 'unknown' : c.mode === 'include' ? 'include' : 'not-include';
}

/**
 * The empty lists of an annotation, shared like OBSERVED_COMPLETED below: most annotations have
 * no warning and a simple request no trigger, and one fresh [] each was 50,000 long-lived arrays
 * on a large capture. Frozen, so a consumer that tried to add to one would fail loudly.
 */
const NO_WARNINGS = Object.freeze([]) as unknown as CorsWarning[];
const NO_TRIGGERS = Object.freeze([]) as unknown as CorsAnnotation['preflightTriggers'];

/**
 * Warnings whose text names no URL (explain.ts `WARNING_TEXT_FACTS`) are shared: equal facts give
 * the same warning, so one frozen object serves every entry (on a large capture one warning text
 * on most entries was the largest part of the annotations' memory, and building it again for
 * every entry most of the cost of warning). They are kept in a tree of Maps keyed by the code and
 * then by each fact in turn (exact for any value, no key string to build). A leaf is the warning. Bounded: the tree is dropped
 * when it holds 1,024 warnings (the facts are header values from the capture).
 */
type WarningTree = Map<unknown, WarningTree | CorsWarning>;
let sharedWarnings: WarningTree = new Map();
let sharedCount = 0;

function warningOf(w: PendingWarning): CorsWarning {
  const factsOf = WARNING_TEXT_FACTS[w.code];
  if (!factsOf) return makeWarning(w);
  const facts = factsOf(w.facts);
  let node: WarningTree = sharedWarnings;
  const path: unknown[] = [w.code, ...facts.map((v) => v ?? null)];
  for (let i = 0; i < path.length - 1; i++) {
    let next = node.get(path[i]) as WarningTree | undefined;
    if (!next) node.set(path[i], (next = new Map()));
    node = next;
  }
  const last = path[path.length - 1];
  const known = node.get(last) as CorsWarning | undefined;
  if (known) return known;
  if (sharedCount >= 1024) {
    sharedWarnings = new Map();
    sharedCount = 0;
    return makeWarning(w);
  }
  const made = Object.freeze(makeWarning(w));
  node.set(last, made);
  sharedCount++;
  return made;
}

function makeWarning(w: PendingWarning): CorsWarning {
  const e = explainWarning(w.code, w.facts);
  return { code: w.code, message: `${e.message} ${e.fix}` };
}

function toWarnings(ws: readonly PendingWarning[]): CorsWarning[] {
  if (ws.length === 0) return NO_WARNINGS;
  if (ws.length === 1) return [warningOf(ws[0]!)];
  const seen = new Set<string>();
  const out: CorsWarning[] = [];
  for (const w of ws) {
    if (seen.has(w.code)) continue;
    seen.add(w.code);
    out.push(warningOf(w));
  }
  return out;
}

/** Shared by every annotation that has them (interned: one object, not one per stored entry). */
const OBSERVED_COMPLETED: CorsAnnotation['observed'] = Object.freeze({ outcome: 'completed' });
const OBSERVED_INCOMPLETE: CorsAnnotation['observed'] = Object.freeze({ outcome: 'incomplete' });

function observedOf(r: ObservedRequest): CorsAnnotation['observed'] {
  if (r.outcome.outcome === 'failed') return { outcome: 'failed', error: r.outcome.error };
  return r.outcome.outcome === 'completed' ? OBSERVED_COMPLETED : OBSERVED_INCOMPLETE;
}

function publicTriggers(ts: readonly TriggerDetail[]): CorsAnnotation['preflightTriggers'] {
  if (ts.length === 0) return NO_TRIGGERS;
  return ts.map((t) => ({ kind: t.kind, value: t.value }));
}

interface Base {
  id: string;
  kind: CorsAnnotation['kind'];
  triggers: TriggerDetail[];
  credentials: CredentialsInfo;
  origin: string | null;
  pairedWith: string | null;
  preflightCache: PreflightCacheInfo | PreflightCacheHit | null;
  observed: CorsAnnotation['observed'];
}

function annotation(
  b: Base,
  verdict: CorsAnnotation['verdict'],
  ex: Explanation,
  extra: { failure?: CorsFailure; warnings?: CorsWarning[]; exposed?: string[] | null } = {},
): CorsAnnotation {
  return {
    id: b.id,
    kind: b.kind,
    verdict,
    error: extra.failure?.error ?? null,
    failedParameter: extra.failure ? extra.failure.failedParameter : null,
    firefoxReason: extra.failure?.firefoxReason ?? null,
    message: ex.message,
    fix: ex.fix,
    warnings: extra.warnings ?? NO_WARNINGS,
    pairedWith: b.pairedWith,
    preflightTriggers: publicTriggers(b.triggers),
    preflightCache: b.preflightCache,
    credentials: b.credentials.mode,
    credentialsInferred: b.credentials.inferred,
    exposedHeaders: extra.exposed ?? null,
    origin: b.origin,
    observed: b.observed,
  };
}

function hasResponse(h: RequestHop): boolean {
  return h.responseHeaders !== null && !(h.status === 0 && h.responseHeaders.length === 0);
}

function isBlockedBeforeSend(r: ObservedRequest): boolean {
  return !hasResponse(firstHop(r)) && r.outcome.outcome === 'failed';
}

/** Judges one group of requests (closed under pairing and cache relations). */
type PfJudge = (preflightId: string, include: boolean) => PreflightJudgement;
type PfJudged = Map<string, { facts: PreflightFacts; creds: CredentialsInfo; judgement: PreflightJudgement }>;

/** The request's origin: its own `Origin`, else its initiator, else its first preflight's `Origin`. */
function corsOriginOf(r: ObservedRequest, paired: ReadonlyMap<number, string>, facts: ReadonlyMap<string, PreflightFacts>): string | null {
  const ro = requestOrigin(r);
  if (ro.origin !== null) return ro.origin;
  const first = [...paired.keys()].sort((a, b) => a - b)[0];
  return first === undefined ? null : facts.get(paired.get(first)!)!.origin;
}

/**
 * A request's chain judgements by credentials mode, computed at most once each: a request the
 * browser blocked is judged without credentials to infer its mode, then again for its verdict.
 */
interface ChainMemo {
  omit?: ChainJudgement;
  include?: ChainJudgement;
}

/** The actual request's hops judged under one credentials mode, its preflights included. */
function chainFor(r: ObservedRequest, origin: string, include: boolean, paired: ReadonlyMap<number, string>, judgePf: PfJudge, memo: ChainMemo): ChainJudgement {
  const known = include ? memo.include : memo.omit;
  if (known) return known;
  const j = judgeChainOf(r, origin, include, paired, judgePf);
  if (include) memo.include = j;
  else memo.omit = j;
  return j;
}

function judgeChainOf(r: ObservedRequest, origin: string, include: boolean, paired: ReadonlyMap<number, string>, judgePf: PfJudge): ChainJudgement {
  return judgeChain({
    req: r,
    origin,
    credentialsInclude: include,
    preflightFailureAt: (i) => {
      const id = paired.get(i);
      if (id === undefined) return null;
      const j = judgePf(id, include);
      return j.state === 'fail' ? j.failure : null;
    },
  });
}

/**
 * The request's credentials mode (credentials.ts), plus one more inference: when the browser
 * itself blocked the request (net::ERR_FAILED, NS_ERROR_DOM_BAD_URI) and the headers pass
 * without credentials but fail with them, the mode was `include` — the browser's outcome is the
 * evidence (a request blocked by its preflight never shows its cookies: it was never sent).
 */
function requestCredentials(
  r: ObservedRequest,
  paired: ReadonlyMap<number, string>,
  facts: ReadonlyMap<string, PreflightFacts>,
  judgePf: PfJudge,
  memo: ChainMemo,
): CredentialsInfo {
  const c = credentialsOf(r);
  if (c.mode !== 'unknown' || r.outcome.outcome !== 'failed' || !CORS_BLOCK_ERRORS.has(r.outcome.error)) return c;
  // An unfollowed redirect fails for reasons of its own (redirect mode `error`): no evidence.
  if (redirectTarget(r, r.hops.length - 1) !== null) return c;
  const origin = corsOriginOf(r, paired, facts);
  if (origin === null || !isCorsRequest(r, paired.size > 0)) return c;
  if (chainFor(r, origin, false, paired, judgePf, memo).state === 'fail') return c;
  return chainFor(r, origin, true, paired, judgePf, memo).state === 'fail' ? INFERRED_INCLUDE : c;
}

const INFERRED_INCLUDE: CredentialsInfo = Object.freeze({ mode: 'include', inferred: true });
const NO_PREFLIGHTS: ReadonlyMap<number, string> = new Map();
const NO_FACTS: ReadonlyMap<string, PreflightFacts> = new Map();
const NO_PF_JUDGED: PfJudged = new Map();
const NO_CACHE_ENTRIES: readonly PreflightCacheEntry[] = [];
const noPreflightToJudge: PfJudge = () => {
  throw new Error('no preflight in this group');
};

/**
 * A group of one request that is not a preflight (nearly every URL in a capture): nothing to
 * pair and no cache entry to consult, so `analyzeGroup`'s maps would all stay empty.
 */
function analyzeLone(r: ObservedRequest, profile: BrowserProfile): CorsAnnotation {
  const memo: ChainMemo = {};
  const creds = requestCredentials(r, NO_PREFLIGHTS, NO_FACTS, noPreflightToJudge, memo);
  return judgeRequest(r, profile, creds, NO_PREFLIGHTS, NO_PF_JUDGED, noPreflightToJudge, NO_CACHE_ENTRIES, memo);
}

/** Judges one group of requests (closed under pairing and cache relations). */
function analyzeGroup(reqs: readonly ObservedRequest[], profile: BrowserProfile): Map<string, CorsAnnotation> {
  const out = new Map<string, CorsAnnotation>();
  if (reqs.length === 1 && !isPreflight(reqs[0]!)) {
    out.set(reqs[0]!.id, analyzeLone(reqs[0]!, profile));
    return out;
  }
  const flags = reqs.map(isPreflight);
  const pairing = pairPreflightsOf(reqs, flags);
  const facts = new Map<string, PreflightFacts>();
  for (let i = 0; i < reqs.length; i++) if (flags[i]) facts.set(reqs[i]!.id, preflightFacts(reqs[i]!));
  // Memoised on the facts (one judgement per preflight and credentials mode), and the requests'
  // credentials and chain memos by position: no Map and no key string per group or per call.
  const judgePf: PfJudge = (id, include) => judgedAs(facts.get(id)!, include);
  const credsOf: (CredentialsInfo | undefined)[] = new Array(reqs.length);
  const chains: (ChainMemo | undefined)[] = new Array(reqs.length);
  for (let i = 0; i < reqs.length; i++) {
    const r = reqs[i]!;
    if (facts.has(r.id)) continue;
    const memo: ChainMemo = {};
    chains[i] = memo;
    credsOf[i] = requestCredentials(r, pairing.byRequest.get(r.id) ?? NO_PREFLIGHTS, facts, judgePf, memo);
  }

  // Preflight judgements, with the paired request's credentials mode (Fetch §CORS-preflight fetch).
  const pfJudged: PfJudged = new Map();
  facts.forEach((f, id) => {
    const link = pairing.byPreflight.get(id);
    const creds = link ? credsOf[link.index]! : credentialsOf(null);
    pfJudged.set(id, { facts: f, creds, judgement: judgePf(id, includesCredentials(creds)) });
  });

  // Cache entries made by passing preflights (Fetch §CORS-preflight cache).
  const cacheEntries: PreflightCacheEntry[] = [];
  pfJudged.forEach((pj, id) => {
    if (pj.judgement.state !== 'pass') return;
    const h = firstHop(pj.facts.request);
    const info = cacheInfoOf(pj.facts, profile);
    const created = h.endedMs ?? h.startedMs;
    cacheEntries.push({
      preflightId: id,
      origin: pj.facts.origin,
      url: h.url,
      credentials: includesCredentials(pj.creds),
      methods: pj.judgement.methods,
      headers: pj.judgement.headers,
      createdMs: created,
      expiresMs: created + info.effectiveSeconds * 1000,
    });
  });

  if (cacheEntries.length > 1) cacheEntries.sort((x, y) => x.createdMs - y.createdMs);
  for (let i = 0; i < reqs.length; i++) {
    const r = reqs[i]!;
    if (facts.has(r.id)) continue;
    out.set(r.id, judgeRequest(r, profile, credsOf[i]!, pairing.byRequest.get(r.id) ?? NO_PREFLIGHTS, pfJudged, judgePf, cacheEntries, chains[i]!));
  }
  pfJudged.forEach((pj, id) => {
    const link = pairing.byPreflight.get(id);
    out.set(id, judgePreflightEntry(pj, link ? reqs[link.index]! : null, link?.hop ?? 0, profile));
  });
  return out;
}

function judgePreflightEntry(
  pj: { facts: PreflightFacts; creds: CredentialsInfo; judgement: PreflightJudgement },
  req: ObservedRequest | null,
  hop: number,
  profile: BrowserProfile,
): CorsAnnotation {
  const p = pj.facts.request;
  const h = firstHop(p);
  const mainHeaders = req && req.hops[hop]!.requestHeaders.length > 0 ? req.hops[hop]!.requestHeaders : null;
  const info = cacheInfoOf(pj.facts, profile);
  const b: Base = {
    id: p.id,
    kind: 'preflight',
    triggers: pfTriggersOf(pj.facts, mainHeaders, profile),
    credentials: pj.creds,
    origin: getCombined(h.requestHeaders, 'origin'),
    pairedWith: req?.id ?? null,
    // A failed preflight is not cached.
    preflightCache: pj.judgement.state === 'pass' ? info : { ...info, effectiveSeconds: 0 },
    observed: observedOf(p),
  };
  const fx: ExchangeFacts = { method: pj.facts.method, url: h.url, origin: b.origin, credentials: credentialsFacts(pj.creds) };
  const j = pj.judgement;
  if (j.state === 'unknown') {
    return annotation(
      b,
      'unknown',
      j.reason === 'network-error' ? explainUnknown('network-error', { ...fx, method: 'OPTIONS', ...(j.netError ? { netError: j.netError } : {}) }) : explainUnknown('preflight-incomplete', fx),
    );
  }
  if (j.state === 'fail') return annotation(b, 'fail', explainError(j.failure.error, { ...fx, ...j.failure.facts }), { failure: j.failure });
  const ws: PendingWarning[] = [];
  ws.push(...maxAgeWarnings(info.maxAgeHeader, info.effectiveSeconds, profile, h.url));
  if (j.authorizationCoveredByWildcard) ws.push({ code: 'AuthorizationCoveredByWildcard', facts: { url: h.url } });
  const dup = duplicateCorsHeaders(h.responseHeaders ?? [], h.url);
  if (dup) ws.push(dup);
  if (pj.creds.mode === 'unknown') {
    // Usually judged already: the paired request's own `CredentialsModeUnknown` check ran its chain with credentials.
    const alt = judgedAs(pj.facts, true);
    if (alt.state === 'fail') {
      ws.push({
        code: 'CredentialsModeUnknown',
        facts: { origin: pj.facts.origin, alternateError: alt.failure.error, alternateParameter: alt.failure.failedParameter },
      });
    }
  }
  return annotation(b, 'pass', explainPass('preflight', { method: fx.method, url: fx.url, origin: fx.origin, credentials: fx.credentials, cacheSeconds: info.effectiveSeconds }), {
    warnings: toWarnings(ws),
  });
}

/**
 * The most recent cache entry that covers the query, or null. `entries` is sorted by creation
 * time; nothing older than the browser's cap can still be fresh, so the scan stops there.
 */
function latestCovering(entries: readonly PreflightCacheEntry[], q: CacheQuery, profile: BrowserProfile): string | null {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (entries[mid]!.createdMs <= q.atMs) lo = mid + 1;
    else hi = mid;
  }
  const oldest = q.atMs - BROWSER_CAP_SECONDS[profile] * 1000;
  for (let i = lo - 1; i >= 0 && entries[i]!.createdMs >= oldest; i--) {
    if (cacheCovers(entries[i]!, q)) return entries[i]!.preflightId;
  }
  return null;
}

function notCorsReason(r: ObservedRequest): NotCorsReason {
  if (isNavigation(r.resourceType)) return 'navigation';
  const mode = getCombined(firstHop(r).requestHeaders, 'sec-fetch-mode');
  if (mode === 'no-cors') return 'no-cors';
  const o = requestOrigin(r);
  if (o.source === 'header') return 'same-origin';
  return 'no-origin';
}

function judgeRequest(
  r: ObservedRequest,
  profile: BrowserProfile,
  creds: CredentialsInfo,
  paired: ReadonlyMap<number, string>,
  pfJudged: PfJudged,
  judgePf: PfJudge,
  cacheEntries: readonly PreflightCacheEntry[],
  memo: ChainMemo,
): CorsAnnotation {
  // The earliest hop with a paired preflight (most requests have none, or one).
  let pfHop = -1;
  if (paired.size > 0) for (const k of paired.keys()) if (pfHop < 0 || k < pfHop) pfHop = k;
  const firstPf = pfHop >= 0 ? pfJudged.get(paired.get(pfHop)!)! : null;
  const h0 = firstHop(r);
  const ro = requestOrigin(r);
  const origin = ro.origin ?? firstPf?.facts.origin ?? null;
  const headerOrigin = ro.header ?? (firstPf ? getCombined(firstHop(firstPf.facts.request).requestHeaders, 'origin') : null);
  const b: Base = {
    id: r.id,
    kind: 'simple',
    triggers: [],
    credentials: creds,
    origin: headerOrigin,
    pairedWith: firstPf ? firstPf.facts.request.id : null,
    preflightCache: null,
    observed: observedOf(r),
  };
  const fx: ExchangeFacts = { method: h0.method, url: h0.url, origin, credentials: credentialsFacts(creds) };

  if (origin === null || !isCorsRequest(r, paired.size > 0)) {
    // A cookie says nothing about the mode of a same-origin or no-cors request: only a known mode is reported.
    const known: CredentialsInfo = r.credentials ? { mode: r.credentials, inferred: false } : { mode: 'unknown', inferred: false };
    b.kind = 'not-cors';
    b.credentials = known;
    fx.credentials = credentialsFacts(known);
    return annotation(b, 'n/a', explainNotCors(notCorsReason(r), fx));
  }

  // The first hop that runs with the CORS flag decides the preflight (a same-origin hop needs none).
  let corsHop = r.hops.findIndex((h) => origin === 'null' || !sameOrigin(origin, h.url));
  if (corsHop < 0) corsHop = 0;
  const ch: RequestHop = r.hops[corsHop]!;
  if (firstPf) {
    const main = r.hops[pfHop]!.requestHeaders;
    b.triggers = pfTriggersOf(firstPf.facts, main.length ? main : null, profile);
    b.kind = 'preflighted';
  } else {
    b.triggers = deriveTriggers(ch.method, ch.requestHeaders, profile);
    b.kind = b.triggers.length ? 'preflighted' : 'simple';
  }

  // Preflighted without an observed preflight.
  let cacheHit: PreflightCacheHit | null = null;
  if (b.kind === 'preflighted' && !firstPf) {
    if (isBlockedBeforeSend(r)) {
      const err = r.outcome.outcome === 'failed' ? r.outcome.error : '';
      if (CORS_BLOCK_ERRORS.has(err)) return annotation(b, 'unknown', explainUnknown('preflight-unseen', fx));
    } else if (hasResponse(ch)) {
      const include = includesCredentials(creds);
      const unsafeHeaders = b.triggers.filter((t) => t.kind !== 'method').map((t) => (t.kind === 'content-type' ? 'content-type' : t.value));
      cacheHit = { hit: true, preflightId: latestCovering(cacheEntries, { origin, url: ch.url, credentials: include, method: ch.method, unsafeHeaders, atMs: ch.startedMs }, profile) };
      b.preflightCache = cacheHit;
    }
  }

  const run = (include: boolean): ChainJudgement => chainFor(r, origin, include, paired, judgePf, memo);

  const include = includesCredentials(creds);
  const chain = run(include);
  if (chain.state === 'fail') {
    const f = chain.failure;
    const facts = { ...fx, ...f.facts, method: f.facts.preflight ? fx.method : (f.facts.method ?? fx.method) };
    return annotation(b, 'fail', explainError(f.error, facts), { failure: f });
  }
  if (chain.state === 'unknown') {
    // A preflight that never finished leaves its request undecided too.
    const pfUnknown = [...paired.values()].some((id) => pfJudged.get(id)!.judgement.state === 'unknown');
    const reason: UnknownReason = pfUnknown && chain.reason !== 'network-error' ? 'preflight-incomplete' : r.outcome.outcome === 'incomplete' ? 'incomplete' : chain.reason;
    return annotation(b, 'unknown', explainUnknown(reason, { ...fx, ...(chain.netError ? { netError: chain.netError } : {}) }));
  }

  const ws: PendingWarning[] = [];
  const fh = chain.finalHop;
  const v = missingVaryOrigin(fh.responseHeaders ?? [], chain.finalOrigin, fh.url);
  if (v) ws.push(v);
  for (const h of r.hops) {
    const d = duplicateCorsHeaders(h.responseHeaders ?? [], h.url);
    if (d) ws.push(d);
  }
  for (const id of paired.values()) {
    const j = pfJudged.get(id)!.judgement;
    if (j.state === 'pass' && j.authorizationCoveredByWildcard) ws.push({ code: 'AuthorizationCoveredByWildcard', facts: { url: fh.url } });
  }
  if (creds.mode === 'unknown') {
    const alt = run(true);
    if (alt.state === 'fail') {
      ws.push({ code: 'CredentialsModeUnknown', facts: { origin, alternateError: alt.failure.error, alternateParameter: alt.failure.failedParameter } });
    }
  }
  if (r.outcome.outcome === 'failed' && CORS_BLOCK_ERRORS.has(r.outcome.error)) {
    ws.push({ code: 'BrowserOutcomeDiffers', facts: { observedError: r.outcome.error } });
  }
  // What the script can read: only a response that reached the page; an unfollowed redirect
  // reaches it as an opaque-redirect response, which exposes nothing.
  const exposed = chain.opaqueRedirect ? [] : r.outcome.outcome === 'completed' ? exposedHeaders(fh.responseHeaders ?? [], include) : null;
  const passFacts = { method: fx.method, url: fx.url, origin: fx.origin, credentials: fx.credentials, cacheHit: cacheHit !== null };
  return annotation(b, 'pass', explainPass(b.kind === 'preflighted' ? 'preflighted' : 'simple', passFacts), {
    warnings: toWarnings(ws),
    exposed,
  });
}

function startOf(r: ObservedRequest): number {
  return firstHop(r).startedMs;
}

/**
 * Split requests into the groups `CorsAnalyzer` judges together: requests sharing a hop URL,
 * transitively (pairing and preflight-cache hits only ever relate requests at the same URL).
 */
export function urlGroups(reqs: readonly ObservedRequest[]): ObservedRequest[][] {
  const parent = reqs.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  const firstAt = new Map<string, number>();
  reqs.forEach((r, i) => {
    for (const h of r.hops) {
      const j = firstAt.get(h.url);
      if (j === undefined) firstAt.set(h.url, i);
      else parent[find(i)] = find(j);
    }
  });
  const groups = new Map<number, ObservedRequest[]>();
  reqs.forEach((r, i) => {
    const root = find(i);
    let g = groups.get(root);
    if (!g) groups.set(root, (g = []));
    g.push(r);
  });
  return [...groups.values()];
}

/**
 * Analyze a whole capture at once (the CLI, imported HAR files): the same judgement as adding
 * each request to a `CorsAnalyzer` in order, but each URL group is judged once instead of on
 * every addition. Entries sorted by first hop start (ties: input order). A repeated id replaces
 * the earlier request in its place, as `CorsAnalyzer.add` does.
 */
export function analyzeCapture(reqs: readonly ObservedRequest[], opts: AnalyzeOptions): AnalyzedEntry[] {
  const pos = new Map<string, number>();
  const unique: ObservedRequest[] = [];
  for (const r of reqs) {
    const at = pos.get(r.id);
    if (at === undefined) {
      pos.set(r.id, unique.length);
      unique.push(r);
    } else unique[at] = r;
  }
  const cors = new Map<string, CorsAnnotation>();
  for (const g of urlGroups(unique)) {
    if (g.length === 1 && !isPreflight(g[0]!)) cors.set(g[0]!.id, analyzeLone(g[0]!, opts.browser));
    else analyzeGroup(g, opts.browser).forEach((c, id) => cors.set(id, c));
  }
  // parseHar hands requests over in start order: then the stable sort would change nothing, and
  // checking costs one pass instead of a sort record per request.
  let sorted = true;
  for (let i = 1; i < unique.length && sorted; i++) sorted = startOf(unique[i - 1]!) <= startOf(unique[i]!);
  const order = sorted
    ? unique
    : unique
        .map((r, i) => ({ r, i }))
        .sort((a, b) => startOf(a.r) - startOf(b.r) || a.i - b.i)
        .map(({ r }) => r);
  return order.map((r) => ({ request: r, cors: cors.get(r.id)! }));
}

/**
 * Judge one exchange — a request and, optionally, its preflight — as if it were the whole
 * capture. The panel's "what-if" edits headers and calls this. The preflight is linked to the
 * request explicitly, so edited timings or URLs cannot break the pairing.
 */
export function judge(
  exchange: { request: ObservedRequest | null; preflight?: ObservedRequest | null },
  opts: AnalyzeOptions,
): { request: CorsAnnotation | null; preflight: CorsAnnotation | null } {
  const reqs: ObservedRequest[] = [];
  if (exchange.preflight) reqs.push(exchange.request ? { ...exchange.preflight, preflightFor: exchange.request.id } : exchange.preflight);
  if (exchange.request) reqs.push(exchange.request);
  const res = analyzeGroup(reqs, opts.browser);
  return {
    request: exchange.request ? (res.get(exchange.request.id) ?? null) : null,
    preflight: exchange.preflight ? (res.get(exchange.preflight.id) ?? null) : null,
  };
}

/**
 * Deep equality of two JSON-shaped values, with `JSON.stringify`'s view of them (key order
 * aside: annotations are always built in the same key order) — `undefined` properties are absent.
 */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  let na = 0;
  for (const k in ao) {
    if (ao[k] === undefined) continue;
    na++;
    if (!sameJson(ao[k], bo[k])) return false;
  }
  let nb = 0;
  for (const k in bo) if (bo[k] !== undefined) nb++;
  return na === nb;
}

export class CorsAnalyzer {
  private readonly profile: BrowserProfile;
  private readonly reqs = new Map<string, { req: ObservedRequest; seq: number; cors: CorsAnnotation | null }>();
  private readonly byUrl = new Map<string, Set<string>>();
  private seq = 0;

  constructor(opts: AnalyzeOptions) {
    this.profile = opts.browser;
  }

  /**
   * Add one finished (or incomplete) request, in completion order. Returns every entry whose
   * annotation is new or changed by this addition (e.g. a preflight gets pairedWith when its
   * request arrives later). Adding a request with a known id replaces it (an incomplete request
   * that later completed).
   */
  add(req: ObservedRequest): AnalyzedEntry[] {
    const prev = this.reqs.get(req.id);
    if (prev) {
      for (const h of prev.req.hops) {
        const s = this.byUrl.get(h.url);
        s?.delete(req.id);
        if (s?.size === 0) this.byUrl.delete(h.url);
      }
    }
    this.reqs.set(req.id, { req, seq: prev?.seq ?? this.seq++, cors: prev?.cors ?? null });
    const alone = this.index(req) && prev === undefined;
    // A new request that is not a preflight and shares no URL with another (most of a capture):
    // its group is itself, judged as analyzeGroup would judge it, without the group's sets,
    // queue, sort and result map (this runs in the worker for every finished request).
    if (alone && !isPreflight(req)) {
      const entry = this.reqs.get(req.id)!;
      entry.cors = analyzeLone(req, this.profile);
      return [{ request: req, cors: entry.cors }];
    }
    // Everything that shares a URL with the new request, transitively, may be affected; so may
    // everything that shared a URL with the version it replaces (a preflight it was paired with
    // at its old URL must lose that pairing).
    const group = new Set<string>([req.id]);
    const queue = [req.id];
    const seenUrls = new Set<string>();
    const visit = (url: string): void => {
      if (seenUrls.has(url)) return;
      seenUrls.add(url);
      for (const other of this.byUrl.get(url) ?? []) {
        if (!group.has(other)) {
          group.add(other);
          queue.push(other);
        }
      }
    };
    if (prev) for (const h of prev.req.hops) visit(h.url);
    while (queue.length) {
      const id = queue.pop()!;
      for (const h of this.reqs.get(id)!.req.hops) visit(h.url);
    }
    const members = [...group].map((id) => this.reqs.get(id)!).sort((a, b) => a.seq - b.seq);
    const result = analyzeGroup(
      members.map((m) => m.req),
      this.profile,
    );
    const changed: AnalyzedEntry[] = [];
    for (const m of members) {
      const cors = result.get(m.req.id)!;
      // Structural comparison instead of keeping a JSON string per entry (≈ 0.7 KB of heap each
      // in the worker, and a stringify of every member on every addition).
      if (m.req === req || m.cors === null || !sameJson(m.cors, cors)) {
        m.cors = cors;
        changed.push({ request: m.req, cors });
      }
    }
    return changed;
  }

  /**
   * Records a request that shares no URL with any other, without judging it: the next `add` of a
   * request that shares a URL with it judges the two together and returns its entry too (its
   * judgement is new then). Returns false, and records nothing, when a request already holds one
   * of its URLs (then its judgement could change theirs: it must be `add`ed).
   *
   * Why: the capture worker judges each request as it finishes, and a preflight finishes before
   * the request it guards. Judging the preflight alone and then again with its request was about
   * a quarter of the worker's judging (docs/bench.md, "Judging, measured in Node"); deferred, the
   * pair is judged once. `judge` gives a deferred request its judgement when it is asked for
   * before a partner arrives.
   */
  defer(req: ObservedRequest): boolean {
    if (this.reqs.has(req.id)) return false;
    for (const h of req.hops) if (this.byUrl.has(h.url)) return false;
    this.reqs.set(req.id, { req, seq: this.seq++, cors: null });
    this.index(req);
    return true;
  }

  /** Registers the request under each of its hops' URLs; true when it is the only one at all of them. */
  private index(req: ObservedRequest): boolean {
    let alone = true;
    for (const h of req.hops) {
      let s = this.byUrl.get(h.url);
      if (!s) this.byUrl.set(h.url, (s = new Set()));
      s.add(req.id);
      if (s.size > 1) alone = false;
    }
    return alone;
  }

  /**
   * The entries of the group of a recorded request (`defer`red or added) judged now; the ones new
   * or changed are returned, as by `add`. Nothing when the request is not recorded.
   */
  judge(req: ObservedRequest): AnalyzedEntry[] {
    const m = this.reqs.get(req.id);
    return m ? this.add(m.req) : [];
  }

  /** All entries sorted by first hop startedMs (ties: insertion order). */
  entries(): AnalyzedEntry[] {
    for (const m of this.reqs.values()) if (m.cors === null) this.judge(m.req);
    return [...this.reqs.values()]
      .sort((a, b) => startOf(a.req) - startOf(b.req) || a.seq - b.seq)
      .map((m) => ({ request: m.req, cors: m.cors! }));
  }
}
