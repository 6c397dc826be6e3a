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
const AUTHORITY = /^(?:https?|wss?|ftp):\/\/[^/\\?#\s]+(?=[/\\?#]|$)/i;

export function urlAuthority(url: string): string | null {
  const m = AUTHORITY.exec(url);
  return m ? m[0] : null;
}

/**
 * The ASCII serialization of `url`'s origin: `scheme://host[:port]`, no trailing slash, the
 * default port elided; `null` for opaque origins and for strings that are not URLs.
 */
export function serializeOrigin(url: string): string {
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
  return o;
}

const originCache = new Map<string, string>();

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
