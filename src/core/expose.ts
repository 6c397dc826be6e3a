/**
 * Which response headers the page's script may read (https://fetch.spec.whatwg.org/#main-fetch,
 * the step setting the CORS-exposed header-name list; #cors-safelisted-response-header-name;
 * #http-access-control-expose-headers): the CORS-safelisted response-header names, plus the names
 * `Access-Control-Expose-Headers` lists, or — for a request without credentials — every name when
 * it lists `*`. `Set-Cookie`/`Set-Cookie2` are forbidden response-header names and never readable.
 * Only names present in the response are returned, lower-case, sorted.
 */
import { parseTokenList, getCombined } from './headers.ts';
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

const FORBIDDEN_RESPONSE = new Set(['set-cookie', 'set-cookie2']);

export function exposedHeaders(responseHeaders: readonly HeaderEntry[], credentialsInclude: boolean): string[] {
  const parsed = parseTokenList(getCombined(responseHeaders, 'access-control-expose-headers'));
  // An unparsable ACEH exposes nothing extra (the header "extract" fails → empty list).
  const listed = 'tokens' in parsed ? parsed.tokens.map((t) => t.toLowerCase()) : [];
  const all = !credentialsInclude && listed.includes('*');
  const allowed = new Set([...SAFELISTED_RESPONSE_HEADERS, ...listed]);
  const out = new Set<string>();
  for (const h of responseHeaders) {
    const n = h.name.toLowerCase();
    if (FORBIDDEN_RESPONSE.has(n)) continue;
    if (all || allowed.has(n)) out.add(n);
  }
  return [...out].sort();
}
