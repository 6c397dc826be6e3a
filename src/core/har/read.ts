/**
 * HAR 1.2 in: turns a HAR file from Chrome DevTools, Firefox or CORS Lens itself into the
 * `ObservedRequest`s the engine judges (DESIGN §1: sources are converted at their boundary).
 *
 * Defensive by contract (issue 3 item 4): anything that is not a usable HAR throws a `HarError`
 * whose `path` names the bad field (`log.entries[3].request.headers[1].value`) and whose message
 * is one line; no input makes this module throw anything else.
 *
 * What is required, and why: the fields a verdict depends on — `log.entries`, and per entry
 * `startedDateTime`, `request.method`, `request.url`, `request.headers`, `response.status`,
 * `response.headers`. HAR-required fields that do not affect a verdict (`cookies`, `queryString`,
 * `httpVersion`, `headersSize`, `bodySize`, `content`, `cache`, `timings`) may be missing; tools
 * leave them out and refusing such files would help nobody. Fields we read must have the right
 * type when present.
 *
 * Sources (cors-anchors §5, §7; browser-facts §D, §G):
 * - Chrome DevTools: preflights are entries of their own with `_resourceType: "preflight"` and
 *   `_initiator: {type: "preflight", requestId}` where requestId is the DevTools id of the main
 *   request — which HAR does not carry for the main entry, so it is only usable when entries
 *   also carry a `_requestId` (recorders that write one); otherwise the engine pairs by URL,
 *   method and timing. A CORS-failed entry has `response._error` ("net::ERR_FAILED"); a request
 *   blocked by its preflight has status 0 and no response headers; a simple request blocked on
 *   its response keeps the real status and headers.
 * - Firefox: status 0 when there was no response; no custom fields that matter.
 * - CORS Lens (src/core/har/write.ts): `_cors` on every entry (id, credentials, the browser's
 *   outcome, pairing), `_redirects` (all hops of a redirected request), `_tabId`,
 *   `_initiatorOrigin`. These are trusted only on entries that carry a well-formed `_cors`:
 *   HAR 1.2 says parsers must ignore other tools' custom fields, and another tool could use
 *   the same names for something else.
 *
 * Redirects: HAR has one entry per hop; webRequest keeps one requestId across hops (model.ts),
 * so hops are merged back: an entry whose response is a followed 3xx with `redirectURL` equal to
 * a later entry's URL (same page, compatible method) becomes the earlier hop of that entry.
 */
import type { CorsAnnotation } from '../annotation.ts';
import type { CredentialsMode, HeaderEntry, ObservedOutcome, ObservedRequest, RequestHop } from '../model.ts';
import { headerGet } from '../model.ts';
import { findJsonSyntaxError } from './json-error.ts';
import { originOf, resolveUrl } from './url.ts';

/** A HAR that cannot be used; `path` names the offending field (`''` for the whole input). */
export class HarError extends Error {
  readonly path: string;
  /** The problem without the path, one line. */
  readonly problem: string;
  constructor(path: string, problem: string) {
    const line = problem.replace(/\s+/g, ' ').trim();
    super(path ? `${path}: ${line}` : line);
    this.name = 'HarError';
    this.path = path;
    this.problem = line;
  }
}

export interface HarReadResult {
  requests: ObservedRequest[];
  creator: { name: string; version: string } | null;
  /** Things that did not stop the read but that a user may want to know. */
  warnings: string[];
  /** The `_cors` annotations of a CORS Lens HAR, by request id; absent for other HARs. */
  annotations?: Map<string, CorsAnnotation>;
}

// ---------------------------------------------------------------------------------------------
// Typed access that throws HarError with the field's path.

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

function field(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function need(o: Obj, key: string, path: string): unknown {
  const v = o[key];
  if (v === undefined) throw new HarError(field(path, key), 'required field is missing');
  return v;
}

function wrong(path: string, expected: string, v: unknown): HarError {
  return new HarError(path, `expected ${expected}, got ${typeOf(v)}`);
}

function obj(v: unknown, path: string): Obj {
  if (!isObj(v)) throw wrong(path, 'an object', v);
  return v;
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string') throw wrong(path, 'a string', v);
  return v;
}

function num(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw wrong(path, 'a number', v);
  return v;
}

function arr(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw wrong(path, 'an array', v);
  return v;
}

function optStr(o: Obj, key: string, path: string): string | undefined {
  const v = o[key];
  return v === undefined || v === null ? undefined : str(v, field(path, key));
}

/**
 * A header list. `path` is called only to name a bad field: building the paths of every entry's
 * fields up front was a large share of the reader's allocation on a 50,000-entry HAR.
 *
 * `owned`: the list belongs to a JSON value parseHar parsed itself, so no caller holds it. Then a
 * list whose every line has a string `name` and `value` is used as it is instead of being copied
 * line by line — ~1.2 million objects fewer on a 50,000-entry HAR, and the copies were
 * long-lived, so the garbage collector moved each one. A line may carry other fields (HAR's
 * `comment`): nothing reads them, and every writer copies `name` and `value` only (har/write.ts
 * `headersOut`, background/codec.ts); counting each line's keys to refuse them cost 4 % of the
 * CLI on that HAR. A caller's own value is always copied: reading must not share (or ever hand
 * out for mutation) the caller's objects.
 */
function headers(v: unknown, path: () => string, owned: boolean): HeaderEntry[] {
  if (!Array.isArray(v)) throw wrong(path(), 'an array', v);
  const list = v as unknown[];
  if (owned && list.every(isPlainHeader)) return list as HeaderEntry[];
  const out: HeaderEntry[] = new Array<HeaderEntry>(list.length);
  for (let i = 0; i < list.length; i++) {
    // Fast path for a well-formed line: the field paths below exist only for the error message.
    const line = list[i];
    if (isObj(line) && typeof line.name === 'string' && typeof line.value === 'string') {
      out[i] = { name: line.name, value: line.value };
      continue;
    }
    const p = `${path()}[${i}]`;
    const h = obj(line, p);
    out[i] = { name: str(need(h, 'name', p), `${p}.name`), value: str(need(h, 'value', p), `${p}.value`) };
  }
  return out;
}

/** A line with a string `name` and `value` (other fields are never read: see `headers`). */
function isPlainHeader(line: unknown): boolean {
  return isObj(line) && typeof line.name === 'string' && typeof line.value === 'string';
}

// Entry fields read without building their paths: the path (`log.entries[3].request.method`)
// is made only when the field is bad. `sub` is the path below the entry (`''`, `.request`).

function entryPath(index: number, sub: string): string {
  return `log.entries[${index}]${sub}`;
}

function needAt(o: Obj, key: string, index: number, sub: string): unknown {
  const v = o[key];
  if (v === undefined) throw new HarError(field(entryPath(index, sub), key), 'required field is missing');
  return v;
}

function objAt(o: Obj, key: string, index: number, sub: string): Obj {
  const v = needAt(o, key, index, sub);
  return isObj(v) ? v : obj(v, field(entryPath(index, sub), key));
}

function strAt(o: Obj, key: string, index: number, sub: string): string {
  const v = needAt(o, key, index, sub);
  return typeof v === 'string' ? v : str(v, field(entryPath(index, sub), key));
}

function numAt(o: Obj, key: string, index: number, sub: string): number {
  const v = needAt(o, key, index, sub);
  return typeof v === 'number' && Number.isFinite(v) ? v : num(v, field(entryPath(index, sub), key));
}

function optStrAt(o: Obj, key: string, index: number, sub: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : str(v, field(entryPath(index, sub), key));
}

// ---------------------------------------------------------------------------------------------
// Time.

const ISO_RE = /^\d{4}-?\d\d-?\d\dT?\d\d:?\d\d(?::?\d\d(\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?$/i;

/**
 * ISO 8601 → epoch ms, keeping sub-millisecond digits (`Date.parse` drops them): CORS Lens writes
 * them because webRequest timestamps are fractional and a preflight and its request can start in
 * the same millisecond; the order must survive a round trip.
 */
export function parseIsoMs(s: string): number | null {
  const m = ISO_RE.exec(s.trim());
  if (!m) return null;
  const ms = Date.parse(s.trim());
  if (Number.isNaN(ms)) return null;
  const frac = m[1];
  return frac && frac.length > 4 ? ms + Number(`0.${frac.slice(4)}`) : ms;
}

// ---------------------------------------------------------------------------------------------
// One HAR entry, read.

interface RawEntry {
  index: number;
  pageref: string | null;
  hop: RequestHop;
  /** `response._error` (Chrome), when present and non-empty. */
  error: string | null;
  resourceType: string | null;
  isPreflight: boolean;
  /** Chrome `_initiator.requestId` on a preflight: the DevTools id of the main request. */
  initiatorRequestId: string | null;
  /** `_requestId`, written by some recorders; lets `_initiator.requestId` be resolved. */
  requestId: string | null;
  fromCache: boolean;
  /** CORS Lens fields, trusted only when `_cors` is well-formed. */
  cors: CorsAnnotation | null;
  ownHops: RequestHop[] | null;
  ownTabId: number | null | undefined;
  ownInitiator: string | null | undefined;
}

const KINDS = new Set(['preflight', 'preflighted', 'simple', 'not-cors']);
const VERDICTS = new Set(['pass', 'fail', 'unknown', 'n/a']);
const OUTCOMES = new Set(['completed', 'failed', 'incomplete']);
const CREDENTIALS = new Set(['include', 'same-origin', 'omit', 'unknown']);

/** A `_cors` object good enough to trust, or null (then the entry is read like any other HAR's). */
function readCors(v: unknown): CorsAnnotation | null {
  if (!isObj(v)) return null;
  if (typeof v.id !== 'string' || v.id === '' || !KINDS.has(v.kind as string) || !VERDICTS.has(v.verdict as string)) return null;
  if (v.credentials !== undefined && !CREDENTIALS.has(v.credentials as string)) return null;
  if (v.observed !== undefined && !(isObj(v.observed) && OUTCOMES.has(v.observed.outcome as string))) return null;
  if (v.pairedWith !== undefined && v.pairedWith !== null && typeof v.pairedWith !== 'string') return null;
  // What the panel renders without further checks must have its contract type.
  for (const k of ['message', 'fix'] as const) if (v[k] !== undefined && typeof v[k] !== 'string') return null;
  for (const k of ['error', 'failedParameter', 'firefoxReason', 'origin'] as const) if (v[k] !== undefined && v[k] !== null && typeof v[k] !== 'string') return null;
  if (v.warnings !== undefined && !(Array.isArray(v.warnings) && v.warnings.every((w) => isObj(w) && typeof w.code === 'string' && typeof w.message === 'string'))) return null;
  if (v.preflightTriggers !== undefined && !(Array.isArray(v.preflightTriggers) && v.preflightTriggers.every((t) => isObj(t) && typeof t.kind === 'string' && typeof t.value === 'string'))) return null;
  if (v.exposedHeaders !== undefined && v.exposedHeaders !== null && !(Array.isArray(v.exposedHeaders) && v.exposedHeaders.every((h) => typeof h === 'string'))) return null;
  return v as unknown as CorsAnnotation;
}

function readHopList(v: unknown, path: string, owned: boolean): RequestHop[] {
  const list = arr(v, path);
  if (list.length === 0) throw new HarError(path, 'expected at least one hop');
  return list.map((item, i) => {
    const p = `${path}[${i}]`;
    const h = obj(item, p);
    const started = parseIsoMs(str(need(h, 'startedDateTime', p), `${p}.startedDateTime`));
    if (started === null) throw new HarError(`${p}.startedDateTime`, 'not an ISO 8601 date-time');
    const time = h.time === null || h.time === undefined ? null : num(h.time, `${p}.time`);
    const rh = h.responseHeaders === null || h.responseHeaders === undefined ? null : headers(h.responseHeaders, () => `${p}.responseHeaders`, owned);
    return {
      url: str(need(h, 'url', p), `${p}.url`),
      method: str(need(h, 'method', p), `${p}.method`),
      requestHeaders: headers(need(h, 'requestHeaders', p), () => `${p}.requestHeaders`, owned),
      status: num(need(h, 'status', p), `${p}.status`),
      statusText: optStr(h, 'statusText', p) ?? '',
      responseHeaders: rh,
      redirectURL: optStr(h, 'redirectURL', p) || null,
      startedMs: started,
      endedMs: time === null || time < 0 ? null : started + time,
    };
  });
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

function readEntry(v: unknown, index: number, warnings: string[], owned: boolean): RawEntry {
  const e = isObj(v) ? v : obj(v, entryPath(index, ''));
  const startedText = strAt(e, 'startedDateTime', index, '');
  const startedMs = parseIsoMs(startedText);
  if (startedMs === null) throw new HarError(entryPath(index, '.startedDateTime'), `not an ISO 8601 date-time: ${JSON.stringify(startedText.slice(0, 40))}`);
  const time = e.time === undefined || e.time === null ? null : numAt(e, 'time', index, '');

  const req = objAt(e, 'request', index, '');
  const method = strAt(req, 'method', index, '.request');
  const url = strAt(req, 'url', index, '.request');
  if (method === '') throw new HarError(entryPath(index, '.request.method'), 'empty method');
  if (url === '') throw new HarError(entryPath(index, '.request.url'), 'empty URL');
  const requestHeaders = headers(needAt(req, 'headers', index, '.request'), () => entryPath(index, '.request.headers'), owned);

  const res = objAt(e, 'response', index, '');
  const rawStatus = numAt(res, 'status', index, '.response');
  const status = rawStatus > 0 ? Math.trunc(rawStatus) : 0;
  const responseHeaderList = headers(needAt(res, 'headers', index, '.response'), () => entryPath(index, '.response.headers'), owned);
  const statusText = optStrAt(res, 'statusText', index, '.response') ?? '';
  const redirectText = optStrAt(res, 'redirectURL', index, '.response');
  const errorText = optStrAt(res, '_error', index, '.response');

  const pageref = optStrAt(e, 'pageref', index, '') ?? null;
  const rt = typeof e._resourceType === 'string' && e._resourceType !== '' ? e._resourceType.toLowerCase() : null;
  const initiator = isObj(e._initiator) ? e._initiator : null;
  const initiatorType = initiator && typeof initiator.type === 'string' ? initiator.type : null;
  const isPreflight =
    method.toUpperCase() === 'OPTIONS' &&
    (rt === 'preflight' || initiatorType === 'preflight' || headerGet(requestHeaders, 'access-control-request-method') !== null);

  const error = errorText ? errorText : null;
  const redirectURL =
    redirectText && REDIRECT_STATUSES.has(status) && !isPreflight ? resolveUrl(redirectText, url) : redirectText ? redirectText : null;

  const hop: RequestHop = {
    url,
    method,
    requestHeaders,
    status,
    statusText,
    // Status 0 without headers is "no response" (Chrome: blocked by its preflight; Firefox: no
    // response at all). A real response with no header lines keeps [] (headers were seen).
    responseHeaders: status === 0 && responseHeaderList.length === 0 ? null : responseHeaderList,
    redirectURL,
    startedMs,
    endedMs: time === null || time < 0 ? null : startedMs + time,
  };

  const cors = e._cors === undefined ? null : readCors(e._cors);
  if (e._cors !== undefined && cors === null) warnings.push(`${entryPath(index, '._cors')}: not a CORS Lens annotation; ignored`);
  let ownHops: RequestHop[] | null = null;
  if (cors && e._redirects !== undefined) {
    try {
      ownHops = readHopList(e._redirects, entryPath(index, '._redirects'), owned);
    } catch (err) {
      if (!(err instanceof HarError)) throw err;
      warnings.push(`${err.message}; redirect hops ignored`);
    }
  }
  const fc = e._fromCache;
  return {
    index,
    pageref,
    hop,
    error,
    resourceType: rt,
    isPreflight,
    initiatorRequestId: isPreflight && initiator && typeof initiator.requestId === 'string' ? initiator.requestId : null,
    requestId: typeof e._requestId === 'string' ? e._requestId : null,
    fromCache: fc === true || (typeof fc === 'string' && fc !== ''),
    cors,
    ownHops,
    ownTabId: cors ? (typeof e._tabId === 'number' && Number.isInteger(e._tabId) ? e._tabId : e._tabId === null ? null : undefined) : undefined,
    ownInitiator: cors ? (typeof e._initiatorOrigin === 'string' ? e._initiatorOrigin : e._initiatorOrigin === null ? null : undefined) : undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Redirect merging.

/** Whether `next` can be the hop that followed `prev`'s redirect (Fetch §HTTP-redirect fetch step 12). */
function followsRedirect(prev: RawEntry, next: RawEntry): boolean {
  if (next.pageref !== prev.pageref || next.hop.startedMs < prev.hop.startedMs) return false;
  // Recorders that write the DevTools request id (`_requestId`) keep it across hops, as the
  // DevTools Protocol does: different ids are different requests.
  if (prev.requestId !== null && next.requestId !== null && prev.requestId !== next.requestId) return false;
  const pm = prev.hop.method.toUpperCase();
  const nm = next.hop.method.toUpperCase();
  // 307/308 keep the method; 301/302 turn POST into GET, 303 turns everything but HEAD into GET.
  if (prev.hop.status === 307 || prev.hop.status === 308) return nm === pm;
  return nm === pm || nm === 'GET';
}

function isFollowedRedirect(e: RawEntry): boolean {
  return !e.isPreflight && !e.cors && e.error === null && REDIRECT_STATUSES.has(e.hop.status) && e.hop.redirectURL !== null;
}

/** Groups entries (in start order) into requests; each group lists its hops' entries in order. */
function groupRedirects(entries: RawEntry[]): RawEntry[][] {
  const groups: RawEntry[][] = [];
  // Redirect target URL → groups waiting for their next hop, oldest first. A map keeps the
  // merge linear in the number of entries (the perf issue wants 50,000-entry files).
  const waiting = new Map<string, RawEntry[][]>();
  for (const e of entries) {
    let group: RawEntry[] | null = null;
    if (!e.isPreflight && !e.cors) {
      const candidates = waiting.get(e.hop.url);
      if (candidates) {
        const i = candidates.findIndex((g) => followsRedirect(g[g.length - 1]!, e));
        if (i >= 0) {
          group = candidates[i]!;
          candidates.splice(i, 1);
          if (candidates.length === 0) waiting.delete(e.hop.url);
          group.push(e);
        }
      }
    }
    if (!group) {
      group = [e];
      groups.push(group);
    }
    if (isFollowedRedirect(e)) {
      const target = e.hop.redirectURL!;
      const list = waiting.get(target);
      if (list) list.push(group);
      else waiting.set(target, [group]);
    }
  }
  return groups;
}

// ---------------------------------------------------------------------------------------------

function parseJson(text: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') throw new HarError('', 'empty input: expected a HAR file (JSON)');
  try {
    return JSON.parse(body) as unknown;
  } catch (err) {
    const where = findJsonSyntaxError(body);
    if (where?.truncated) {
      throw new HarError('', `truncated JSON: the input ends after ${body.length} characters in the middle of a value (line ${where.line})`);
    }
    if (where) throw new HarError('', `not valid JSON at line ${where.line}, column ${where.column}: ${where.problem}`);
    // The scanner found nothing V8 objects to (it should not happen): report V8's words, cut short.
    throw new HarError('', `not valid JSON: ${(err instanceof Error ? err.message : String(err)).slice(0, 120)}`);
  }
}

function packedHops(g: readonly RawEntry[]): RequestHop[] {
  const hops: RequestHop[] = [g[0]!.hop];
  for (let i = 1; i < g.length; i++) hops.push(g[i]!.hop);
  return hops;
}

function outcomeOf(last: RawEntry): ObservedOutcome {
  const observed = last.cors?.observed;
  if (observed) {
    if (observed.outcome === 'failed') return { outcome: 'failed', error: typeof observed.error === 'string' ? observed.error : 'failed' };
    return { outcome: observed.outcome };
  }
  if (last.error !== null) return { outcome: 'failed', error: last.error };
  if (last.hop.status === 0) return { outcome: 'failed', error: 'no response (status 0)' };
  return { outcome: 'completed' };
}

/**
 * Reads a HAR (its text, or the already-parsed JSON value). Throws `HarError` on anything that is
 * not a usable HAR 1.2 log; never throws anything else.
 */
export function parseHar(input: string | unknown): HarReadResult {
  try {
    // Parsed here, the JSON value is the reader's own; a value passed in is the caller's.
    return typeof input === 'string' ? readHar(parseJson(input), true) : readHar(input, false);
  } catch (err) {
    if (err instanceof HarError) throw err;
    // A bug here must still surface as one clear line, not a crash in the caller's UI.
    throw new HarError('', `unreadable HAR (${err instanceof Error ? err.message : String(err)})`);
  }
}

function readHar(root: unknown, owned: boolean): HarReadResult {
  if (!isObj(root)) throw new HarError('', `not a HAR file: expected a JSON object with a "log" field, got ${typeOf(root)}`);
  if (root.log === undefined) throw new HarError('log', 'not a HAR file: the top-level "log" field is missing');
  const log = obj(root.log, 'log');
  const warnings: string[] = [];

  const version = log.version;
  if (version !== undefined && typeof version !== 'string') throw wrong('log.version', 'a string', version);
  if (typeof version === 'string' && version !== '1.2' && version !== '1.1' && version !== '') {
    warnings.push(`log.version is "${version}"; read as HAR 1.2`);
  }
  let creator: HarReadResult['creator'] = null;
  if (isObj(log.creator) && typeof log.creator.name === 'string') {
    creator = { name: log.creator.name, version: typeof log.creator.version === 'string' ? log.creator.version : '' };
  }

  // Pages: pageref → a tab number (1, 2, … in page order) and the page's origin when its title
  // is a URL (Chrome writes the page URL as the title; Firefox writes the document title).
  const tabOfPage = new Map<string, number>();
  const originOfPage = new Map<string, string>();
  if (log.pages !== undefined && log.pages !== null) {
    const pages = arr(log.pages, 'log.pages');
    pages.forEach((p, i) => {
      const page = obj(p, `log.pages[${i}]`);
      const id = optStr(page, 'id', `log.pages[${i}]`);
      if (id === undefined || tabOfPage.has(id)) return;
      tabOfPage.set(id, tabOfPage.size + 1);
      const title = optStr(page, 'title', `log.pages[${i}]`);
      const origin = title ? originOf(title) : null;
      if (origin) originOfPage.set(id, origin);
    });
  }

  const list = arr(need(log, 'entries', 'log'), 'log.entries');
  const raw: RawEntry[] = new Array<RawEntry>(list.length);
  for (let i = 0; i < list.length; i++) raw[i] = readEntry(list[i], i, warnings, owned);

  // HAR entries should already be in start order; a stable sort makes sure (index breaks ties).
  // (Checked first: sorting a copy of 50,000 entries that are in order already is wasted work.)
  let inOrder = true;
  for (let i = 1; i < raw.length && inOrder; i++) inOrder = raw[i - 1]!.hop.startedMs <= raw[i]!.hop.startedMs;
  const ordered = inOrder ? raw : raw.slice().sort((a, b) => a.hop.startedMs - b.hop.startedMs || a.index - b.index);
  const groups = groupRedirects(ordered);

  // Ids: `_cors.id` when present and unique, else "h<entry index>" (stable for a given file).
  // Without any `_cors` (every HAR but CORS Lens's own) "h<index>" cannot collide: entry indexes
  // are unique. Then no id sets are kept (50,000 insertions on a large file).
  const ids = new Set<string>();
  for (const g of groups) if (g[0]!.cors) ids.add(g[0]!.cors.id);
  const checked = ids.size > 0;
  const taken = new Set<string>();
  const idOf: string[] = new Array<string>(groups.length);
  for (let gi = 0; gi < groups.length; gi++) {
    const first = groups[gi]![0]!;
    let id = first.cors && !taken.has(first.cors.id) ? first.cors.id : null;
    if (first.cors && id === null) warnings.push(`log.entries[${first.index}]._cors.id "${first.cors.id}" is used twice; renamed`);
    if (id === null) {
      id = `h${first.index}`;
      if (checked) for (let n = 1; ids.has(id) || taken.has(id); n++) id = `h${first.index}~${n}`;
    }
    if (checked) taken.add(id);
    idOf[gi] = id;
  }
  const idOfRequestId = new Map<string, string>();
  for (let gi = 0; gi < groups.length; gi++) {
    for (const e of groups[gi]!) if (e.requestId !== null && !idOfRequestId.has(e.requestId)) idOfRequestId.set(e.requestId, idOf[gi]!);
  }

  const annotations = new Map<string, CorsAnnotation>();
  const requests: ObservedRequest[] = groups.map((g, gi) => {
    const first = g[0]!;
    const last = g[g.length - 1]!;
    const id = idOf[gi]!;
    // Built by push, not `map`: `map`'s arrays came out with two different array maps in one
    // run (V8 switched its elements kind after 6,193 requests), and every optimised engine
    // function that reads `r.hops` was deoptimised and compiled again ("wrong map"). One kind
    // (PACKED_ELEMENTS, as the tracker's literal) keeps the compiled code.
    const hops = first.ownHops ?? packedHops(g);
    let tabId: number | null = 0;
    if (first.ownTabId !== undefined) tabId = first.ownTabId;
    else if (first.pageref !== null) {
      if (!tabOfPage.has(first.pageref)) tabOfPage.set(first.pageref, tabOfPage.size + 1);
      tabId = tabOfPage.get(first.pageref)!;
    }
    // The Origin header is the fallback only, looked up when the page gives no origin.
    const initiator =
      first.ownInitiator !== undefined
        ? first.ownInitiator
        : ((first.pageref !== null ? originOfPage.get(first.pageref) : undefined) ?? headerGet(hops[0]!.requestHeaders, 'origin') ?? null);
    const request: ObservedRequest = {
      id,
      tabId,
      resourceType: first.resourceType ?? (first.isPreflight ? 'preflight' : 'other'),
      initiator,
      hops,
      outcome: outcomeOf(last),
    };
    const cors = first.cors;
    if (cors) {
      annotations.set(id, cors);
      const c = cors.credentials;
      if (!cors.credentialsInferred && (c === 'include' || c === 'same-origin' || c === 'omit')) request.credentials = c as CredentialsMode;
    }
    if (first.fromCache) request.fromCache = true;
    if (first.isPreflight) {
      const target =
        cors && cors.kind === 'preflight' && typeof cors.pairedWith === 'string' && taken.has(cors.pairedWith)
          ? cors.pairedWith
          : first.initiatorRequestId !== null
            ? idOfRequestId.get(first.initiatorRequestId)
            : undefined;
      if (target !== undefined) request.preflightFor = target;
    }
    return request;
  });

  const result: HarReadResult = { requests, creator, warnings };
  if (annotations.size > 0) result.annotations = annotations;
  return result;
}
