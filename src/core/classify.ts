/**
 * Request classification: not-CORS, simple, or preflighted, and *why* a preflight is needed.
 *
 * - CORS-safelisted method: https://fetch.spec.whatwg.org/#cors-safelisted-method
 * - CORS-safelisted request-header: https://fetch.spec.whatwg.org/#cors-safelisted-request-header
 * - CORS-unsafe request-header names: https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names
 * - Forbidden request-header: https://fetch.spec.whatwg.org/#forbidden-request-header
 * - When a preflight happens: https://fetch.spec.whatwg.org/#main-fetch (use-CORS-preflight flag)
 *
 * When a real preflight was observed, its `Access-Control-Request-Method/-Headers` are the truth
 * (DESIGN §2): the browsers exclude the headers they add themselves (whatwg/fetch#1005), so
 * re-deriving from the request's headers as seen on the wire can only be an approximation.
 */
import type { PreflightTriggerKind } from './annotation.ts';
import { getCombined, normalizeValue, sortByName } from './headers.ts';
import { firstHop, hasHeader, type BrowserProfile, type HeaderEntry, type ObservedRequest } from './model.ts';
import { NULL_ORIGIN, sameOrigin, serializeOrigin } from './origin.ts';

/** A preflight trigger with the sentence that explains it (the annotation keeps {kind, value}). */
export interface TriggerDetail {
  kind: PreflightTriggerKind;
  value: string;
  reason: string;
}

/** Fetch §methods: byte-exact — `patch` is not normalized by fetch()/XHR and is not `PATCH`. */
export function isSafelistedMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'POST';
}

const FORBIDDEN_NAMES = new Set([
  'accept-charset',
  'accept-encoding',
  'access-control-request-headers',
  'access-control-request-method',
  'connection',
  'content-length',
  'cookie',
  'cookie2',
  'date',
  'dnt',
  'expect',
  'host',
  'keep-alive',
  'origin',
  'referer',
  'set-cookie',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'via',
]);

/** Fetch §forbidden request-header: scripts cannot set these, so they never trigger a preflight. */
export function isForbiddenRequestHeader(name: string): boolean {
  const n = name.toLowerCase();
  return FORBIDDEN_NAMES.has(n) || n.startsWith('proxy-') || n.startsWith('sec-');
}

/**
 * Headers the browser itself adds that an observer sees on the wire but the CORS algorithm never
 * counts (Chromium `CorsUnsafeNotForbiddenRequestHeaderNames` runs before the network stack adds
 * them; Firefox computes the list in the DOM). `user-agent` is not forbidden by the standard,
 * but both browsers add it and a script-set one cannot be told apart from the wire.
 * `priority` and `alt-used` are added by Firefox's HTTP stack, `x-client-data` by Chrome.
 */
const BROWSER_ADDED = new Set(['user-agent', 'priority', 'alt-used', 'x-client-data', 'upgrade-insecure-requests']);

/** Fetch §CORS-unsafe request-header byte. */
export function isUnsafeByte(c: number): boolean {
  return (
    (c < 0x20 && c !== 0x09) ||
    c === 0x22 || c === 0x28 || c === 0x29 || c === 0x3a || c === 0x3c || c === 0x3e || c === 0x3f ||
    c === 0x40 || c === 0x5b || c === 0x5c || c === 0x5d || c === 0x7b || c === 0x7d || c === 0x7f
  );
}

function hasUnsafeByte(v: string): boolean {
  for (let i = 0; i < v.length; i++) if (isUnsafeByte(v.charCodeAt(i))) return true;
  return false;
}

/** Header values are byte sequences; count UTF-8 bytes for anything beyond Latin-1. */
export function byteLength(v: string): number {
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x100) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

const SAFELISTED_CONTENT_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);
const TOKEN = "[!#$%&'*+\\-.^_`|~0-9a-z]+";
const MIME_ESSENCE = new RegExp(`^(${TOKEN})/(${TOKEN})$`);

/** The essence of a Content-Type value (`type/subtype`, lower-case), or null when unparsable. */
export function mimeEssence(value: string): string | null {
  const head = normalizeValue(value.toLowerCase().split(';')[0]!);
  return MIME_ESSENCE.test(head) ? head : null;
}

/** Fetch §simple range header value / single range: `bytes=N-` or `bytes=N-M` with N ≤ M. */
export function isSingleRange(value: string): boolean {
  const m = /^bytes[\t ]*=[\t ]*(\d+)[\t ]*-[\t ]*(\d*)$/.exec(value);
  if (!m) return false;
  return m[2] === '' || Number(m[1]) <= Number(m[2]);
}

/** Chromium-only safelisted names (client hints, `cors.cc IsCorsSafelistedHeader`), value-checked. */
function chromiumExtraSafelisted(name: string, value: string): boolean | null {
  switch (name) {
    case 'intervention':
      return true;
    case 'save-data':
      return value.toLowerCase() === 'on';
    case 'device-memory':
    case 'dpr':
      return /^\d+(\.\d+)?$/.test(value);
    case 'width':
    case 'viewport-width':
      return /^\d+$/.test(value);
    default:
      return null;
  }
}

/**
 * Whether one header is CORS-safelisted (Fetch §CORS-safelisted request-header); when it is
 * not, the sentence saying why.
 */
export type SafelistVerdict = { readonly safe: true } | { safe: false; kind: PreflightTriggerKind; reason: string };

/** One shared answer for a safelisted header: nearly every header of every request gets it. */
const SAFE: SafelistVerdict = Object.freeze({ safe: true });

export function safelistVerdict(
  name: string,
  value: string,
  profile: BrowserProfile,
): SafelistVerdict {
  const n = name.toLowerCase();
  const v = normalizeValue(value);
  if (byteLength(v) > 128) {
    return { safe: false, kind: n === 'content-type' ? 'content-type' : 'header', reason: `the \`${n}\` value is longer than 128 bytes` };
  }
  switch (n) {
    case 'accept':
      return hasUnsafeByte(v) ? { safe: false, kind: 'header', reason: 'the `accept` value contains a CORS-unsafe byte' } : { safe: true };
    case 'accept-language':
    case 'content-language':
      return /^[0-9A-Za-z *,\-.;=]*$/.test(v)
        ? SAFE
        : { safe: false, kind: 'header', reason: `the \`${n}\` value contains a character outside 0-9 A-Z a-z space * , - . ; =` };
    case 'content-type': {
      if (hasUnsafeByte(v)) return { safe: false, kind: 'content-type', reason: 'the Content-Type value contains a CORS-unsafe byte' };
      const essence = mimeEssence(v);
      if (essence && SAFELISTED_CONTENT_TYPES.has(essence)) return SAFE;
      return {
        safe: false,
        kind: 'content-type',
        reason: `Content-Type \`${essence ?? v}\` is not application/x-www-form-urlencoded, multipart/form-data or text/plain`,
      };
    }
    case 'range':
      return isSingleRange(v) ? SAFE : { safe: false, kind: 'header', reason: `\`range: ${v}\` is not a single \`bytes=N-[M]\` range` };
  }
  if (profile === 'chromium') {
    const extra = chromiumExtraSafelisted(n, v);
    if (extra === true) return SAFE;
  }
  return { safe: false, kind: 'header', reason: `\`${n}\` is not a CORS-safelisted request header` };
}

/**
 * Detects the cache-bypass pair a browser adds itself when DevTools "Disable cache" is on or on a
 * hard reload (`Pragma: no-cache` + `Cache-Control: no-cache`), which scripts rarely send
 * together; counting them would invent a preflight trigger for every request.
 */
function isBrowserCacheBypass(headers: readonly HeaderEntry[]): boolean {
  return getCombined(headers, 'pragma') === 'no-cache' && getCombined(headers, 'cache-control') === 'no-cache';
}

/**
 * Fetch §CORS-unsafe request-header names, derived from headers as observed on the wire:
 * forbidden and browser-added headers are skipped; the 1024-byte rule makes every safelisted
 * header unsafe when their values add up to more than 1024 bytes. Names lower-case, sorted, unique.
 */
export function deriveHeaderTriggers(headers: readonly HeaderEntry[], profile: BrowserProfile): TriggerDetail[] {
  const bypass = isBrowserCacheBypass(headers);
  // Names and triggers in parallel arrays, made only when a header is unsafe: most requests have
  // none or one, and a Map, its entries and a sort per request were a large share of the
  // engine's garbage (docs/bench.md, "Engine: allocation").
  let names: string[] | null = null;
  let triggers: TriggerDetail[] | null = null;
  let safelisted: string[] | null = null;
  let total = 0;
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    const n = countedName(h.name);
    if (n === null) continue;
    if (bypass && (n === 'pragma' || n === 'cache-control')) continue;
    const s = safelistVerdict(n, h.value, profile);
    if (s.safe) {
      (safelisted ??= []).push(n);
      total += byteLength(normalizeValue(h.value));
    } else if (names === null || !names.includes(n)) {
      (names ??= []).push(n);
      (triggers ??= []).push({ kind: s.kind, value: s.kind === 'content-type' ? normalizeValue(h.value) : n, reason: s.reason });
    }
  }
  if (total > 1024 && safelisted !== null) {
    for (const n of safelisted) {
      if (names === null || !names.includes(n)) {
        (names ??= []).push(n);
        (triggers ??= []).push({
          kind: n === 'content-type' ? 'content-type' : 'header',
          value: n === 'content-type' ? (getCombined(headers, n) ?? n) : n,
          reason: `the CORS-safelisted header values add up to ${total} bytes, more than 1024`,
        });
      }
    }
  }
  if (names === null || triggers === null) return [];
  if (names.length > 1) sortByName(names, triggers);
  return triggers;
}

/**
 * A request header's lower-case name, or null when it never counts toward a preflight (forbidden,
 * or added by the browser). Memoised per name as seen: a capture has few distinct header names,
 * and every request's headers are classified (bounded by clearing).
 */
function countedName(name: string): string | null {
  let n = countedNames.get(name);
  if (n === undefined) {
    const lower = name.toLowerCase();
    n = isForbiddenRequestHeader(lower) || BROWSER_ADDED.has(lower) ? null : lower;
    if (countedNames.size >= 1024) countedNames.clear();
    countedNames.set(name, n);
  }
  return n;
}

const countedNames = new Map<string, string | null>();

/** Triggers of a request as it would be sent: method first, then header names in ACRH order. */
export function deriveTriggers(method: string, headers: readonly HeaderEntry[], profile: BrowserProfile): TriggerDetail[] {
  const out: TriggerDetail[] = [];
  if (!isSafelistedMethod(method)) {
    out.push({ kind: 'method', value: method, reason: `method ${method} is not CORS-safelisted (only GET, HEAD and POST are, byte for byte)` });
  }
  out.push(...deriveHeaderTriggers(headers, profile));
  return out;
}

/** `Access-Control-Request-Headers` as a list of lower-case names (Fetch: comma-separated, no spaces). */
export function requestedHeaderNames(preflightHeaders: readonly HeaderEntry[]): string[] {
  const v = getCombined(preflightHeaders, 'access-control-request-headers');
  if (!v) return [];
  // One pass and one array (split, map and filter made three per preflight, twice each).
  const out: string[] = [];
  let start = 0;
  for (;;) {
    const comma = v.indexOf(',', start);
    const part = normalizeValue(comma < 0 ? v.slice(start) : v.slice(start, comma)).toLowerCase();
    if (part !== '') out.push(part);
    if (comma < 0) return out;
    start = comma + 1;
  }
}

const NO_TRIGGERS: readonly TriggerDetail[] = [];

/**
 * Triggers read from an observed preflight (the truth). `mainHeaders` (the request's own headers,
 * when seen) only adds detail: the Content-Type value and the reason a safelisted name was listed.
 */
export function triggersFromPreflight(
  preflightHeaders: readonly HeaderEntry[],
  mainHeaders: readonly HeaderEntry[] | null,
  profile: BrowserProfile,
  /** ACRM and `requestedHeaderNames` of `preflightHeaders`, when the caller read them already. */
  read?: { method: string; names: readonly string[] },
): TriggerDetail[] {
  const out: TriggerDetail[] = [];
  const acrm = read ? read.method : (getCombined(preflightHeaders, 'access-control-request-method') ?? '');
  if (!isSafelistedMethod(acrm)) {
    out.push({ kind: 'method', value: acrm, reason: `method ${acrm} is not CORS-safelisted (only GET, HEAD and POST are, byte for byte)` });
  }
  // A list of a few triggers: searched, not indexed by a Map per request.
  const derived = mainHeaders ? deriveHeaderTriggers(mainHeaders, profile) : NO_TRIGGERS;
  for (const name of read ? read.names : requestedHeaderNames(preflightHeaders)) {
    const d = derived.find((t) => (t.kind === 'content-type' ? 'content-type' : t.value) === name);
    if (d) out.push(d);
    else if (name === 'content-type') {
      const ct = mainHeaders ? getCombined(mainHeaders, 'content-type') : null;
      out.push({ kind: 'content-type', value: ct ?? 'content-type', reason: 'the browser listed `content-type` in Access-Control-Request-Headers' });
    } else out.push({ kind: 'header', value: name, reason: `the browser listed \`${name}\` in Access-Control-Request-Headers` });
  }
  if (out.length === 0) {
    const pna = hasHeader(preflightHeaders, 'access-control-request-private-network');
    out.push(
      pna
        ? { kind: 'other', value: 'private-network-access', reason: 'a Private Network Access preflight (Access-Control-Request-Private-Network)' }
        : { kind: 'other', value: 'forced-preflight', reason: 'the browser forced a preflight although method and headers are safelisted (an upload listener or a streaming body sets the use-CORS-preflight flag)' },
    );
  }
  return out;
}

/** True for an OPTIONS request carrying `Access-Control-Request-Method`: a page cannot send that header itself. */
export function isPreflight(req: ObservedRequest): boolean {
  const h = firstHop(req);
  return h.method === 'OPTIONS' && hasHeader(h.requestHeaders, 'access-control-request-method');
}

const NAVIGATION_TYPES = new Set(['main_frame', 'sub_frame', 'document', 'navigation', 'outermost_frame', 'iframe', 'frame']);

/** Navigations are never CORS requests (Fetch: request mode `navigate`). */
export function isNavigation(resourceType: string): boolean {
  return NAVIGATION_TYPES.has(resourceType.toLowerCase());
}

/** Resource types that are script-initiated fetches (mode `cors` by default). */
const FETCH_TYPES = new Set(['xmlhttprequest', 'fetch', 'xhr', 'beacon', 'eventsource', 'ping', 'websocket', 'preflight']);

export interface RequestOriginInfo {
  /** The request's serialized origin; null when not determinable. */
  origin: string | null;
  /** `header`: the `Origin` the browser sent (the authority); `initiator`: inferred. */
  source: 'header' | 'initiator' | null;
  /** The `Origin` header of the first hop that carried one, exactly as sent. */
  header: string | null;
}

export function requestOrigin(req: ObservedRequest): RequestOriginInfo {
  for (const hop of req.hops) {
    const o = getCombined(hop.requestHeaders, 'origin');
    // A hop after a tainting redirect sends `null`; the request's own origin is the first one.
    if (o !== null) return { origin: o, source: 'header', header: o };
  }
  if (req.initiator) return { origin: req.initiator, source: 'initiator', header: null };
  return { origin: null, source: null, header: null };
}

/**
 * Whether the request ran in CORS mode and crossed origins (the CORS flag of Fetch §main fetch),
 * from what an observer sees:
 * - navigations are not CORS;
 * - Chromium and Firefox send `Origin` on every cross-origin fetch/XHR: with an `Origin`, the
 *   request is CORS iff some hop's URL is not same origin with it (`null` is never same origin);
 * - without any `Origin`: a GET/HEAD is a no-cors subresource or same-origin; other methods count
 *   as CORS only with cross-origin initiator evidence on a fetch/XHR (headers hidden from the
 *   observer, e.g. Chromium without extraHeaders).
 * A request paired with an observed preflight is CORS whatever its headers say (Chromium shows a
 * request blocked by its preflight with provisional headers only, no `Origin`).
 */
export function isCorsRequest(req: ObservedRequest, hasPreflight: boolean): boolean {
  if (hasPreflight) return true;
  if (isNavigation(req.resourceType)) return false;
  // `Sec-Fetch-Mode` states the request mode outright (Fetch Metadata); both browsers send it to
  // potentially trustworthy URLs, loopback included. Only `cors` runs the CORS protocol.
  const mode = getCombined(firstHop(req).requestHeaders, 'sec-fetch-mode');
  if (mode !== null && mode !== 'cors') return false;
  const o = requestOrigin(req);
  if (o.source === 'header') return o.origin === NULL_ORIGIN || req.hops.some((h) => !sameOrigin(o.origin!, h.url));
  const method = firstHop(req).method;
  if (method === 'GET' || method === 'HEAD') return false;
  if (o.source === 'initiator' && FETCH_TYPES.has(req.resourceType.toLowerCase())) {
    return req.hops.some((h) => serializeOrigin(h.url) !== o.origin);
  }
  return false;
}
