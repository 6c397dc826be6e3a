/**
 * Origins: serialization, comparison, the `null` origin and the tainted origin after a
 * cross-origin redirect.
 *
 * - https://fetch.spec.whatwg.org/#serializing-a-request-origin
 * - https://fetch.spec.whatwg.org/#concept-request-tainted-origin
 * - https://html.spec.whatwg.org/multipage/browsers.html#ascii-serialisation-of-an-origin
 */
import { parseUrl } from './url.ts';

/** The serialization of an opaque origin (sandboxed iframe, data: URL, tainted request). */
export const NULL_ORIGIN = 'null';

/**
 * `scheme://authority` of a URL with a special scheme, when nothing in it makes the URL parser
 * rewrite it (whitespace, backslashes, an empty host): the origin depends on that prefix alone
 * (https://url.spec.whatwg.org/#concept-url-parser: for special schemes the authority ends at
 * the first `/`, `\`, `?` or `#`, and nothing after it can change host or port). Null otherwise.
 */
export const AUTHORITY = /^(?:https?|wss?|ftp):\/\/[^/\\?#\s]+(?=[/\\?#]|$)/i;

/**
 * The prefix `AUTHORITY` matches, found by a scan instead of the regex: it runs for every URL
 * the engine compares, and each regex match allocated its result array (≈ 4 % of the engine's
 * garbage on a 50,000-entry HAR). fast-paths.test.ts checks it against the regex.
 */
export function urlAuthority(url: string): string | null {
  const colon = schemeEnd(url);
  if (colon < 0 || url.charCodeAt(colon + 1) !== 0x2f || url.charCodeAt(colon + 2) !== 0x2f) return null;
  const start = colon + 3;
  let i = start;
  for (; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c === 0x2f || c === 0x5c || c === 0x3f || c === 0x23) break; // / \ ? #
    if (isJsWhitespace(c)) return null;
  }
  return i === start ? null : url.slice(0, i);
}

/** Index of the `:` after a scheme of http, https, ws, wss or ftp (any case); -1 otherwise. */
function schemeEnd(url: string): number {
  const c0 = url.charCodeAt(0) | 0x20;
  const c1 = url.charCodeAt(1) | 0x20;
  const c2 = url.charCodeAt(2) | 0x20;
  if (c0 === 0x68 && c1 === 0x74 && c2 === 0x74 && (url.charCodeAt(3) | 0x20) === 0x70) {
    // http / https
    if (url.charCodeAt(4) === 0x3a) return 4;
    return (url.charCodeAt(4) | 0x20) === 0x73 && url.charCodeAt(5) === 0x3a ? 5 : -1;
  }
  if (c0 === 0x77 && c1 === 0x73) {
    // ws / wss
    if (url.charCodeAt(2) === 0x3a) return 2;
    return c2 === 0x73 && url.charCodeAt(3) === 0x3a ? 3 : -1;
  }
  if (c0 === 0x66 && c1 === 0x74 && c2 === 0x70 && url.charCodeAt(3) === 0x3a) return 3;
  return -1;
}

/** What `\s` matches in a JavaScript regex (ECMA-262 WhiteSpace and LineTerminator). */
function isJsWhitespace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/**
 * The ASCII serialization of `url`'s origin: `scheme://host[:port]`, no trailing slash, the
 * default port elided; `null` for opaque origins and for strings that are not URLs.
 */
export function serializeOrigin(url: string): string {
  // The same URL is asked for many times in a row (every check of one hop): the last answer
  // first, before the slice and the map lookup below.
  if (url === lastUrl) return lastOrigin;
  // Keyed by the authority prefix when there is one: a capture has thousands of distinct URLs
  // on a handful of origins, so this parses one URL per origin instead of one per URL (URL
  // parsing was the largest single cost of judging a 50,000-entry HAR; docs/bench.md).
  const key = urlAuthority(url) ?? url;
  let o = originCache.get(key);
  if (o === undefined) {
    o = parseUrl(key)?.origin ?? NULL_ORIGIN;
    // Bounded by clearing, so it never grows with the capture.
    if (originCache.size >= 4096) originCache.clear();
    originCache.set(key, o);
  }
  lastUrl = url;
  lastOrigin = o;
  return o;
}

const originCache = new Map<string, string>();
let lastUrl = '';
let lastOrigin = NULL_ORIGIN;

/**
 * Same origin (https://html.spec.whatwg.org/#same-origin): tuple equality of scheme, host and
 * port. Opaque origins are never same origin with anything here — the observer cannot tell two
 * opaque origins apart, and a `null` request origin always makes a request cross-origin.
 */
export function sameOrigin(a: string, b: string): boolean {
  const sa = a.includes('/') ? serializeOrigin(a) : a;
  const sb = b.includes('/') ? serializeOrigin(b) : b;
  if (sa === NULL_ORIGIN || sb === NULL_ORIGIN) return false;
  return sa === sb;
}

/** Whether a URL carries userinfo (`user:pass@`), which CORS redirects forbid (Fetch §HTTP-redirect fetch). */
export function hasCredentialsInUrl(url: string): boolean {
  const u = parseUrl(url);
  return !!u && (u.username !== '' || u.password !== '');
}

/**
 * Follows Chromium's `CorsURLLoader::CheckTainted` (and Fetch §HTTP-redirect fetch, the step
 * that sets the tainted origin flag): a redirect taints the request when the new URL is not
 * same origin with the current URL AND the request's origin is not same origin with the current
 * URL. A→B→C taints (B is cross-origin to A); A→A→B does not (the page's own server redirected).
 */
export function taintsOnRedirect(requestOrigin: string, currentUrl: string, nextUrl: string): boolean {
  return !sameOrigin(currentUrl, nextUrl) && !sameOrigin(requestOrigin, currentUrl);
}

/**
 * The origin a browser serializes into `Origin` and compares against ACAO for each hop of a
 * request (Fetch §serializing a request origin): the request's origin until a tainting redirect,
 * `null` afterwards. Index i is the origin of hop i.
 */
export function hopOrigins(requestOrigin: string, hopUrls: readonly string[]): string[] {
  const out: string[] = [];
  let tainted = false;
  for (let i = 0; i < hopUrls.length; i++) {
    out.push(tainted ? NULL_ORIGIN : requestOrigin);
    const next = hopUrls[i + 1];
    if (next !== undefined && !tainted && taintsOnRedirect(requestOrigin, hopUrls[i]!, next)) tainted = true;
  }
  return out;
}
