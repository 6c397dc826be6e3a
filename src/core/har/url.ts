/**
 * The little URL handling the HAR reader and writer need: the origin of a page URL, a query
 * string split into pairs, and a redirect target resolved against the URL it came from.
 * src/core compiles without DOM or Node types (src/core/tsconfig.json), so the WHATWG `URL` is
 * reached through `globalThis` with only the members used here.
 */

/** The members of the WHATWG `URL` used here (see the header comment for why not the global type). */
interface WhatwgUrl {
  readonly href: string;
  readonly protocol: string;
  readonly origin: string;
}
type UrlCtor = new (input: string, base?: string) => WhatwgUrl;
// `URL` exists in every runtime the engine runs in (Node, service worker, extension pages); the
// WHATWG parser is the one browsers use, so origins serialize exactly as a browser's would.
const URLImpl = (globalThis as unknown as { URL: UrlCtor }).URL;

function parse(input: string, base?: string): WhatwgUrl | null {
  try {
    return base === undefined ? new URLImpl(input) : new URLImpl(input, base);
  } catch {
    return null;
  }
}

/**
 * The serialized origin of an http(s)/ws(s) URL (URL standard §origin), or null for anything
 * else (a page title that is not a URL, `about:blank`, `data:`: HAR says nothing more about
 * such contexts).
 */
export function originOf(url: string): string | null {
  const u = parse(url.trim());
  if (!u || !/^(https?|wss?):$/.test(u.protocol)) return null;
  return u.origin;
}

function decode(s: string): string {
  try {
    // application/x-www-form-urlencoded: `+` is a space (URL standard §urlencoded parsing).
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s; // malformed percent-encoding: keep the raw text rather than fail the export
  }
}

/** HAR `queryString`: every `name=value` pair of the URL's query, decoded, in order. */
export function queryPairs(url: string): { name: string; value: string }[] {
  const noFragment = url.split('#')[0]!;
  const at = noFragment.indexOf('?');
  const q = at < 0 ? '' : noFragment.slice(at + 1);
  if (q === '') return [];
  const out: { name: string; value: string }[] = [];
  for (const part of q.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    out.push(eq < 0 ? { name: decode(part), value: '' } : { name: decode(part.slice(0, eq)), value: decode(part.slice(eq + 1)) });
  }
  return out;
}

/**
 * Resolves a redirect target against the URL that redirected. Chrome's HAR writes absolute
 * `redirectURL`s; Firefox's writes the raw `Location` value, which may be relative
 * (RFC 9110 §10.2.2 allows a relative reference). Unparseable input is returned as is.
 */
export function resolveUrl(ref: string, base: string): string {
  return parse(ref, base)?.href ?? ref;
}
