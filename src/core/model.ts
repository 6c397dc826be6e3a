/**
 * The plain data model every part of CORS Lens speaks: what was observed on the wire.
 *
 * Sources (webRequest events via `src/platform`, HAR files via `src/core/har`) are converted
 * into `ObservedRequest`s at their boundary; the engine (`analyze.ts`) never sees a browser
 * object. Everything here is JSON-serialisable (it is persisted to `storage.session` and sent
 * over extension ports).
 */

/** The browser whose CORS behaviour a verdict follows (see cors-anchors §3a for the deviations). */
export type BrowserProfile = 'chromium' | 'firefox';

export const BROWSER_PROFILES: readonly BrowserProfile[] = ['chromium', 'firefox'];

/** One header line, exactly as sent or received: order and duplicates are kept. */
export interface HeaderEntry {
  name: string;
  value: string;
}

/**
 * A request's credentials mode (Fetch §request credentials mode). `webRequest` never reports it,
 * so live captures usually leave it undefined and the engine infers it (DESIGN §2).
 */
export type CredentialsMode = 'include' | 'same-origin' | 'omit';

/**
 * One hop of a request: the original request, or a request made after following a redirect.
 * A request that was redirected has several hops under one id (webRequest keeps one requestId
 * across redirects; HAR files have one entry per hop and are merged by the HAR reader).
 */
export interface RequestHop {
  url: string;
  method: string;
  /** Request headers as sent (with extraHeaders in Chromium). Empty when unknown. */
  requestHeaders: HeaderEntry[];
  /** Response status; 0 when no response was received for this hop. */
  status: number;
  statusText: string;
  /** Response headers; null when no response headers were seen for this hop. */
  responseHeaders: HeaderEntry[] | null;
  /** Absolute URL this hop redirected to, when it was a followed redirect; else null. */
  redirectURL: string | null;
  /** Epoch milliseconds. */
  startedMs: number;
  /** Epoch milliseconds when the hop's response ended or failed; null if unknown. */
  endedMs: number | null;
}

/** What the browser itself reported about a request (evidence, never the verdict: DESIGN §2). */
export type ObservedOutcome =
  | { outcome: 'completed' }
  | { outcome: 'failed'; error: string }
  /** Capture stopped (e.g. the service worker died) before a terminal event was seen. */
  | { outcome: 'incomplete' };

export interface ObservedRequest {
  /** Unique within one capture: webRequest requestId, or a HAR-derived id. */
  id: string;
  /** Browser tab id; null for requests without a tab (service workers, extension pages). */
  tabId: number | null;
  /**
   * Resource type, lower-case: webRequest `type` (`xmlhttprequest`, `main_frame`, `script`, …)
   * or HAR `_resourceType` (`fetch`, `xhr`, `preflight`, `document`, …); `other` when unknown.
   */
  resourceType: string;
  /** Serialized origin of the context that made the request (Chromium `initiator`, Firefox
   *  `originUrl`'s origin, HAR page), when known. Note the `Origin` header is the authority for
   *  CORS; this is the fallback when the header is hidden. */
  initiator: string | null;
  /** At least one hop. */
  hops: RequestHop[];
  outcome: ObservedOutcome;
  /** Set only when a source knows it for sure (a test, or a CORS Lens HAR that recorded it). */
  credentials?: CredentialsMode;
  /**
   * When the source itself links a preflight to its request (Chrome DevTools HAR
   * `_initiator: {type: 'preflight', requestId}`), the id of the request this preflight guards.
   */
  preflightFor?: string | null;
  /** Whether the source says the response came from the HTTP cache. */
  fromCache?: boolean;
}

export function firstHop(r: ObservedRequest): RequestHop {
  return r.hops[0]!;
}

export function lastHop(r: ObservedRequest): RequestHop {
  return r.hops[r.hops.length - 1]!;
}

/**
 * Whether header name `n` equals `lower` (a lower-case name) after `n.toLowerCase()`, without
 * allocating the lower-cased copy: the engine looks up several headers of every hop, and the
 * copy per compared name was most of its garbage. ASCII letters are folded here; a name with any
 * other character takes `toLowerCase` itself, so the result is the same for every string (e.g.
 * U+212A KELVIN SIGN lower-cases to ASCII `k`).
 */
export function nameEquals(n: string, lower: string): boolean {
  if (n === lower) return true;
  const len = n.length;
  if (len !== lower.length) return false;
  for (let i = 0; i < len; i++) {
    let c = n.charCodeAt(i);
    if (c > 0x7f) return n.toLowerCase() === lower;
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** `name` lower-cased, reusing the string when it already is (every name the engine asks for). */
function lowerName(name: string): string {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a) || c > 0x7f) return name.toLowerCase();
  }
  return name;
}

/** Case-insensitive lookup of every value of a header, in order. */
export function headerValues(headers: readonly HeaderEntry[] | null | undefined, name: string): string[] {
  return headerValuesLower(headers, lowerName(name) as Lowercase<string>);
}

/**
 * `headerValues` for a name already lower-case (the type says so: TypeScript's `Lowercase`
 * refuses a literal with a capital). The engine's lookups all name constants: checking their
 * case on every lookup was 1.5 % of the CLI on a 50,000-entry HAR.
 */
export function headerValuesLower(headers: readonly HeaderEntry[] | null | undefined, lower: Lowercase<string>): string[] {
  if (!headers) return [];
  const out: string[] = [];
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    if (nameEquals(h.name, lower)) out.push(h.value);
  }
  return out;
}

/**
 * The value of the only line carrying `name`; `null` when no line does, `undefined` when more
 * than one does (the caller then combines `headerValues`). Saves the array of `headerValues` on
 * the common case of one line or none.
 */
export function singleHeaderValue(headers: readonly HeaderEntry[] | null | undefined, name: string): string | null | undefined {
  return singleHeaderValueLower(headers, lowerName(name) as Lowercase<string>);
}

/** `singleHeaderValue` for a name already lower-case (see `headerValuesLower`). */
export function singleHeaderValueLower(headers: readonly HeaderEntry[] | null | undefined, lower: Lowercase<string>): string | null | undefined {
  if (!headers) return null;
  let found: string | null = null;
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    if (!nameEquals(h.name, lower)) continue;
    if (found !== null) return undefined;
    found = h.value;
  }
  return found;
}

/** Whether any line carries `lower` (a lower-case name), without collecting the values (`headerValues(…).length > 0`). */
export function hasHeader(headers: readonly HeaderEntry[] | null | undefined, lower: Lowercase<string>): boolean {
  if (!headers) return false;
  for (let i = 0; i < headers.length; i++) if (nameEquals(headers[i]!.name, lower)) return true;
  return false;
}

/**
 * A header's value as a browser's header getter sees it: all lines combined with ", "
 * (Fetch §concept-header-list-get), or null when absent.
 */
export function headerGet(headers: readonly HeaderEntry[] | null | undefined, name: string): string | null {
  const values = headerValues(headers, name);
  return values.length === 0 ? null : values.join(', ');
}
