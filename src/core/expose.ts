/**
 * Which response headers the page's script may read (https://fetch.spec.whatwg.org/#main-fetch,
 * the step setting the CORS-exposed header-name list; #cors-safelisted-response-header-name;
 * #http-access-control-expose-headers): the CORS-safelisted response-header names, plus the names
 * `Access-Control-Expose-Headers` lists, or — for a request without credentials — every name when
 * it lists `*`. `Set-Cookie`/`Set-Cookie2` are forbidden response-header names and never readable.
 * Only names present in the response are returned, lower-case, sorted.
 */
import { parseTokenList, getCombined, sortByName } from './headers.ts';
import type { HeaderEntry } from './model.ts';

export const SAFELISTED_RESPONSE_HEADERS: readonly string[] = [
  'cache-control',
  'content-language',
  'content-length',
  'content-type',
  'expires',
  'last-modified',
  'pragma',
];

const NONE_LISTED: readonly string[] = [];
const FORBIDDEN_RESPONSE = new Set(['set-cookie', 'set-cookie2']);
const SAFELISTED = new Set(SAFELISTED_RESPONSE_HEADERS);

export function exposedHeaders(responseHeaders: readonly HeaderEntry[], credentialsInclude: boolean): string[] {
  const parsed = parseTokenList(getCombined(responseHeaders, 'access-control-expose-headers'));
  // An unparsable ACEH exposes nothing extra (the header "extract" fails → empty list).
  const listed = 'tokens' in parsed ? parsed.tokens.map((t) => t.toLowerCase()) : NONE_LISTED;
  // `includes` only on a list from `map`: an empty literal has another elements kind, and one
  // call site seeing both was deoptimised ("wrong map") on every 50,000-entry run.
  const any = listed.length > 0;
  const all = any && !credentialsInclude && listed.includes('*');
  // Runs for every passing response: no Set of the allowed names per call (the list is short).
  const out: string[] = [];
  for (let i = 0; i < responseHeaders.length; i++) {
    const n = lowerCased(responseHeaders[i]!.name);
    if (FORBIDDEN_RESPONSE.has(n)) continue;
    // Kept unique as it is built (a name may arrive on several lines): the list is short.
    if ((all || SAFELISTED.has(n) || (any && listed.includes(n))) && !out.includes(n)) out.push(n);
  }
  sortByName(out, null);
  return out;
}

/**
 * `name.toLowerCase()`, memoised per name as seen: every passing response's header names pass
 * here, a capture has few distinct ones, and the copies were garbage (bounded by clearing).
 */
function lowerCased(name: string): string {
  let n = lowerNames.get(name);
  if (n === undefined) {
    n = name.toLowerCase();
    if (lowerNames.size >= 1024) lowerNames.clear();
    lowerNames.set(name, n);
  }
  return n;
}

const lowerNames = new Map<string, string>();
