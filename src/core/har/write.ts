/**
 * HAR 1.2 out: the annotated HAR of DESIGN §3.3, the one report format of the extension's
 * Export and of the CLI's `--format har`.
 *
 * Shape choices (DESIGN is silent on them):
 * - One HAR entry per `ObservedRequest`, preflights included (they are requests of their own),
 *   so every entry carries exactly one `_cors` with a unique `id`. A redirected request is NOT
 *   split into one entry per hop (that would need several entries sharing one `_cors`, or ids
 *   that do not match the request the panel shows). Its entry shows the FIRST hop's request (the
 *   URL the page asked for, which is what people search a HAR for) and the LAST hop's response
 *   (the outcome), and `_redirects` lists every hop in full (url, method, status, statusText,
 *   redirectURL, startedDateTime, time, requestHeaders, responseHeaders), which the reader uses
 *   to restore the hops.
 * - Entries are sorted by `startedDateTime` (their first hop's start); ties keep input order.
 *   Times keep sub-millisecond digits (webRequest timestamps are fractional; a preflight and its
 *   request can start within one millisecond and their order matters for pairing).
 * - Extra custom fields (HAR 1.2: custom fields start with `_`): `_resourceType` (same meaning
 *   as Chrome's), `_tabId`, `_initiatorOrigin` (ObservedRequest.initiator), `_fromCache` (only
 *   when true), `response._error` (like Chrome's, when the browser reported a failure).
 * - Nothing HAR-required is invented beyond what HAR itself prescribes for unknowns:
 *   `headersSize: -1`, response `bodySize: -1` (0 when there was no response), request
 *   `bodySize: 0` for methods without a body else -1, `content.size: 0` with the response's
 *   Content-Type (or "x-unknown", as Chrome writes), `httpVersion: ""` (webRequest does not tell
 *   it), timings `{blocked, dns, connect, ssl: -1, send: 0, wait: <duration>, receive: 0}` and
 *   `time` = their non-(-1) sum. An unknown end time gives a duration of 0.
 */
import type { AnalyzedEntry, CorsAnnotation } from '../annotation.ts';
import type { HeaderEntry, ObservedRequest, RequestHop } from '../model.ts';
import { headerGet, headerValues } from '../model.ts';
import { REDACTED, redactHeaders } from './redact.ts';
import { queryPairs } from './url.ts';

export interface HarNameVersion {
  name: string;
  version: string;
}

export interface HarHeader {
  name: string;
  value: string;
}

export interface HarCookie {
  name: string;
  value: string;
  path?: string;
  domain?: string;
  expires?: string;
  httpOnly?: boolean;
  secure?: boolean;
}

export interface HarRequestOut {
  method: string;
  url: string;
  httpVersion: string;
  cookies: HarCookie[];
  headers: HarHeader[];
  queryString: HarHeader[];
  headersSize: -1;
  bodySize: number;
}

export interface HarResponseOut {
  status: number;
  statusText: string;
  httpVersion: string;
  cookies: HarCookie[];
  headers: HarHeader[];
  content: { size: number; mimeType: string };
  redirectURL: string;
  headersSize: -1;
  bodySize: number;
  /** Like Chrome's: the error the browser reported, when it reported one. */
  _error?: string;
}

export interface HarTimingsOut {
  blocked: -1;
  dns: -1;
  connect: -1;
  ssl: -1;
  send: number;
  wait: number;
  receive: number;
}

/** One hop of a redirected request, in `_redirects`. */
export interface HarRedirectHop {
  url: string;
  method: string;
  status: number;
  statusText: string;
  redirectURL: string | null;
  startedDateTime: string;
  /** Milliseconds from start to end, or null when the end is unknown. */
  time: number | null;
  requestHeaders: HarHeader[];
  responseHeaders: HarHeader[] | null;
}

export interface AnnotatedHarEntry {
  startedDateTime: string;
  time: number;
  request: HarRequestOut;
  response: HarResponseOut;
  cache: Record<string, never>;
  timings: HarTimingsOut;
  _cors: CorsAnnotation;
  _resourceType: string;
  _tabId: number | null;
  _initiatorOrigin: string | null;
  _fromCache?: true;
  _redirects?: HarRedirectHop[];
}

export interface AnnotatedHarLog {
  version: '1.2';
  creator: HarNameVersion;
  browser?: HarNameVersion;
  comment?: string;
  entries: AnnotatedHarEntry[];
}

/** The root object of a HAR file. */
export interface AnnotatedHar {
  log: AnnotatedHarLog;
}

export interface ToHarOptions {
  /** Keep Cookie/Set-Cookie/Authorization/Proxy-Authorization values (the user opted in). */
  includeSecrets: boolean;
  creator: HarNameVersion;
  browser?: HarNameVersion;
  comment?: string;
}

// ---------------------------------------------------------------------------------------------

const MAX_DATE_MS = 8.64e15;

/** Epoch ms → ISO 8601 (UTC), with microseconds when the time has a fraction of a millisecond. */
export function isoTime(ms: number): string {
  const t = Number.isFinite(ms) && Math.abs(ms) < MAX_DATE_MS ? ms : 0;
  const whole = Math.floor(t);
  const base = new Date(whole).toISOString();
  const micros = Math.round((t - whole) * 1000);
  return micros > 0 && micros < 1000 ? `${base.slice(0, -1)}${String(micros).padStart(3, '0')}Z` : base;
}

function duration(startedMs: number, endedMs: number | null): number {
  if (endedMs === null || !Number.isFinite(endedMs) || endedMs < startedMs) return 0;
  return endedMs - startedMs;
}

/** HAR request cookies from `Cookie` header lines (`a=1; b=2`). */
export function requestCookies(headers: readonly HeaderEntry[]): HarCookie[] {
  const out: HarCookie[] = [];
  for (const line of headerValues(headers, 'cookie')) {
    for (const part of line.split(';')) {
      const pair = part.trim();
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      out.push(eq < 0 ? { name: '', value: pair } : { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim() });
    }
  }
  return out;
}

/** HAR response cookies from `Set-Cookie` lines (one cookie each; Chrome may join lines with "\n"). */
export function responseCookies(headers: readonly HeaderEntry[] | null): HarCookie[] {
  const out: HarCookie[] = [];
  for (const value of headerValues(headers, 'set-cookie')) {
    for (const line of value.split('\n')) {
      const [pair = '', ...attrs] = line.split(';');
      if (pair.trim() === '') continue;
      const eq = pair.indexOf('=');
      const cookie: HarCookie = eq < 0 ? { name: '', value: pair.trim() } : { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim() };
      for (const attr of attrs) {
        const aeq = attr.indexOf('=');
        const key = (aeq < 0 ? attr : attr.slice(0, aeq)).trim().toLowerCase();
        const val = aeq < 0 ? '' : attr.slice(aeq + 1).trim();
        if (key === 'path') cookie.path = val;
        else if (key === 'domain') cookie.domain = val;
        else if (key === 'httponly') cookie.httpOnly = true;
        else if (key === 'secure') cookie.secure = true;
        else if (key === 'expires') {
          const t = Date.parse(val);
          if (!Number.isNaN(t)) cookie.expires = new Date(t).toISOString();
        }
      }
      out.push(cookie);
    }
  }
  return out;
}

function redactCookies(cookies: HarCookie[], includeSecrets: boolean): HarCookie[] {
  return includeSecrets ? cookies : cookies.map((c) => ({ ...c, value: REDACTED }));
}

function headersOut(headers: readonly HeaderEntry[], includeSecrets: boolean): HarHeader[] {
  return includeSecrets ? headers.map((h) => ({ name: h.name, value: h.value })) : redactHeaders(headers);
}

// Fetch §concept-method: GET and HEAD requests have a null body.
const BODYLESS = new Set(['GET', 'HEAD', 'OPTIONS']);

function requestOut(hop: RequestHop, includeSecrets: boolean): HarRequestOut {
  return {
    method: hop.method,
    url: hop.url,
    httpVersion: '',
    cookies: redactCookies(requestCookies(hop.requestHeaders), includeSecrets),
    headers: headersOut(hop.requestHeaders, includeSecrets),
    queryString: queryPairs(hop.url),
    headersSize: -1,
    bodySize: BODYLESS.has(hop.method.toUpperCase()) ? 0 : -1,
  };
}

function responseOut(hop: RequestHop, r: ObservedRequest, includeSecrets: boolean): HarResponseOut {
  const headers = hop.responseHeaders ?? [];
  const noResponse = hop.status === 0 && hop.responseHeaders === null;
  const out: HarResponseOut = {
    status: hop.status,
    statusText: hop.statusText,
    httpVersion: '',
    cookies: redactCookies(responseCookies(hop.responseHeaders), includeSecrets),
    headers: headersOut(headers, includeSecrets),
    content: { size: 0, mimeType: headerGet(headers, 'content-type') ?? 'x-unknown' },
    redirectURL: hop.redirectURL ?? '',
    headersSize: -1,
    bodySize: noResponse ? 0 : -1,
  };
  if (r.outcome.outcome === 'failed') out._error = r.outcome.error;
  return out;
}

function hopOut(hop: RequestHop, includeSecrets: boolean): HarRedirectHop {
  return {
    url: hop.url,
    method: hop.method,
    status: hop.status,
    statusText: hop.statusText,
    redirectURL: hop.redirectURL,
    startedDateTime: isoTime(hop.startedMs),
    time: hop.endedMs === null ? null : duration(hop.startedMs, hop.endedMs),
    requestHeaders: headersOut(hop.requestHeaders, includeSecrets),
    responseHeaders: hop.responseHeaders === null ? null : headersOut(hop.responseHeaders, includeSecrets),
  };
}

function entryOut(e: AnalyzedEntry, includeSecrets: boolean): AnnotatedHarEntry {
  const r = e.request;
  const first = r.hops[0]!;
  const last = r.hops[r.hops.length - 1]!;
  const wait = duration(first.startedMs, last.endedMs);
  const entry: AnnotatedHarEntry = {
    startedDateTime: isoTime(first.startedMs),
    time: wait,
    request: requestOut(first, includeSecrets),
    response: responseOut(last, r, includeSecrets),
    cache: {},
    timings: { blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait, receive: 0 },
    _cors: e.cors,
    _resourceType: r.resourceType,
    _tabId: r.tabId,
    _initiatorOrigin: r.initiator,
  };
  if (r.fromCache) entry._fromCache = true;
  if (r.hops.length > 1) entry._redirects = r.hops.map((h) => hopOut(h, includeSecrets));
  return entry;
}

/** The annotated HAR (root object `{log}`) of analyzed requests. Does not modify its input. */
export function toAnnotatedHar(entries: readonly AnalyzedEntry[], opts: ToHarOptions): AnnotatedHar {
  const order = entries.map((e, i) => ({ e, i, t: e.request.hops[0]?.startedMs ?? 0 }));
  order.sort((a, b) => a.t - b.t || a.i - b.i);
  const log: AnnotatedHarLog = {
    version: '1.2',
    creator: { name: opts.creator.name, version: opts.creator.version },
    entries: order.filter(({ e }) => e.request.hops.length > 0).map(({ e }) => entryOut(e, opts.includeSecrets)),
  };
  if (opts.browser) log.browser = { name: opts.browser.name, version: opts.browser.version };
  if (opts.comment !== undefined) log.comment = opts.comment;
  return { log };
}

/** The HAR file's text: indented like the browsers' own exports, UTF-8 safe, newline-terminated. */
export function stringifyHar(har: AnnotatedHar): string {
  return `${JSON.stringify(har, null, 2)}\n`;
}

/**
 * A download name for an export: `cors-lens-<host_port>-<UTC date>.har`, e.g.
 * `cors-lens-127.0.0.1_18411-2026-11-24T23-59-01.har`. Characters that are not safe in file
 * names on every OS (`:` on Windows, `/`, brackets of IPv6 hosts …) become `_`.
 */
export function exportFilename(pageUrlOrHost: string, date: Date): string {
  const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/(?:[^/?#@]*@)?([^/?#]*)/.exec(pageUrlOrHost.trim());
  const host = (m ? m[1]! : pageUrlOrHost.trim().split(/[/?#]/)[0]!).replace(/[^A-Za-z0-9.-]+/g, '_');
  const t = Number.isNaN(date.getTime()) ? new Date(0) : date;
  const stamp = t.toISOString().slice(0, 19).replace(/:/g, '-');
  return `cors-lens-${host || 'capture'}-${stamp}.har`;
}
