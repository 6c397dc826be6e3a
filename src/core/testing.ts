/**
 * Test helpers: build `ObservedRequest`s from short descriptions. Used by tests only (the
 * barrel does not export it).
 */
import { serializeOrigin } from './origin.ts';
import type { CredentialsMode, HeaderEntry, ObservedOutcome, ObservedRequest, RequestHop } from './model.ts';

/** Page origin, API origin and a third origin, all loopback as in the playground. */
export const A = 'http://127.0.0.1:18411';
export const B = 'http://127.0.0.1:18412';
export const C = 'http://127.0.0.1:18413';

export type Headers = Record<string, string | readonly string[]>;

/** `{Name: value}` (or several values → several lines) → header entries, in insertion order. */
export function hdrs(h: Headers | undefined | null): HeaderEntry[] {
  const out: HeaderEntry[] = [];
  for (const [name, v] of Object.entries(h ?? {})) {
    if (typeof v === 'string') out.push({ name, value: v });
    else for (const value of v) out.push({ name, value });
  }
  return out;
}

export interface HopSpec {
  url: string;
  method?: string;
  headers?: Headers;
  status?: number;
  /** Response headers; null = no response seen. */
  response?: Headers | null;
  redirectTo?: string;
  start?: number;
  end?: number | null;
}

export interface RequestSpec extends HopSpec {
  id?: string;
  tabId?: number | null;
  type?: string;
  initiator?: string | null;
  /** Adds an `Origin` header (null = none). Defaults to A for non-navigation requests. */
  origin?: string | null;
  outcome?: ObservedOutcome;
  credentials?: CredentialsMode;
  preflightFor?: string;
  /** Further hops after redirects (the first hop is the spec itself). */
  next?: HopSpec[];
}

let autoId = 0;
export function resetIds(): void {
  autoId = 0;
}

function hop(s: HopSpec, origin: string | null, defaultStart: number): RequestHop {
  const reqHeaders = hdrs(s.headers);
  if (origin !== null && !reqHeaders.some((h) => h.name.toLowerCase() === 'origin')) reqHeaders.unshift({ name: 'Origin', value: origin });
  const hasResponse = s.response !== null;
  const start = s.start ?? defaultStart;
  return {
    url: s.url,
    method: s.method ?? 'GET',
    requestHeaders: reqHeaders,
    status: hasResponse ? (s.status ?? 200) : 0,
    statusText: '',
    responseHeaders: hasResponse ? hdrs(s.response ?? {}) : null,
    redirectURL: s.redirectTo ?? null,
    startedMs: start,
    endedMs: s.end === undefined ? start + 10 : s.end,
  };
}

/** A request; by default a cross-origin fetch from A with a 200 response and no headers. */
export function request(s: RequestSpec): ObservedRequest {
  const origin = s.origin === undefined ? A : s.origin;
  const start = s.start ?? 1000;
  const hops = [hop(s, origin, start)];
  let t = start;
  let taintedOrigin = origin;
  let prevUrl = s.url;
  for (const n of s.next ?? []) {
    t += 20;
    // Mirror the browser: after a cross-origin hop from a cross-origin URL, `Origin: null`.
    if (origin !== null && taintedOrigin !== 'null' && serializeOrigin(n.url) !== serializeOrigin(prevUrl) && serializeOrigin(prevUrl) !== origin) {
      taintedOrigin = 'null';
    }
    hops.push(hop({ ...n, method: n.method ?? s.method }, origin === null ? null : taintedOrigin, t));
    prevUrl = n.url;
  }
  const failedNoResponse = hops[hops.length - 1]!.responseHeaders === null;
  const r: ObservedRequest = {
    id: s.id ?? `r${++autoId}`,
    tabId: s.tabId === undefined ? 1 : s.tabId,
    resourceType: s.type ?? 'xmlhttprequest',
    initiator: s.initiator === undefined ? origin : s.initiator,
    hops,
    outcome: s.outcome ?? (failedNoResponse ? { outcome: 'failed', error: 'net::ERR_FAILED' } : { outcome: 'completed' }),
  };
  if (s.credentials) r.credentials = s.credentials;
  if (s.preflightFor) r.preflightFor = s.preflightFor;
  return r;
}

export interface PreflightSpec {
  id?: string;
  url: string;
  origin?: string;
  acrm: string;
  acrh?: string;
  status?: number;
  response?: Headers | null;
  redirectTo?: string;
  start?: number;
  end?: number | null;
  tabId?: number | null;
  outcome?: ObservedOutcome;
  preflightFor?: string;
}

/** An OPTIONS preflight from A (by default 204, no CORS headers — pass them in `response`). */
export function preflight(s: PreflightSpec): ObservedRequest {
  const headers: Headers = { Accept: '*/*', 'Access-Control-Request-Method': s.acrm };
  if (s.acrh !== undefined) headers['Access-Control-Request-Headers'] = s.acrh;
  const start = s.start ?? 1002;
  const spec: RequestSpec = {
    url: s.url,
    method: 'OPTIONS',
    headers,
    status: s.status ?? 204,
    response: s.response === undefined ? {} : s.response,
    start,
    end: s.end === undefined ? start + 5 : s.end,
    origin: s.origin ?? A,
    tabId: s.tabId === undefined ? 1 : s.tabId,
  };
  if (s.id !== undefined) spec.id = s.id;
  if (s.redirectTo !== undefined) spec.redirectTo = s.redirectTo;
  if (s.outcome !== undefined) spec.outcome = s.outcome;
  if (s.preflightFor !== undefined) spec.preflightFor = s.preflightFor;
  return request(spec);
}

/** The request Chromium shows when its preflight failed: never sent, no response, ERR_FAILED. */
export function blocked(s: RequestSpec): ObservedRequest {
  return request({ ...s, response: null, outcome: { outcome: 'failed', error: 'net::ERR_FAILED' } });
}
