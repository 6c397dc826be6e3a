/**
 * The persisted text of a request (persist.ts: `f:`, `i:` and chunk values).
 *
 * The request's own fields as JSON, except its hops: under `h`, each hop is an array of its
 * fields in a fixed order (`HOP_FIELDS`), and each header list is flat (`[name, value, name,
 * value, …]`) with the names found in `HEADER_NAMES` written as their index.
 * Why (measured, docs/bench.md "Capture attribution" and "Session 8"): storage.session writes
 * are a large part of what CORS Lens costs over the benchmark floor, in the worker (the `set`
 * call converts and sends every byte) and in the browser process (which receives and keeps
 * them), a finished request is written twice (its `f:` key, then its chunk) and often once more
 * in flight (`i:`), and the wake reads every chunk back. Header names and hop field names are
 * most of what repeats in a request's text: a benchmark preflight is 1,026 bytes as plain flat
 * JSON and ≈ 690 in this form. The flat lists are also faster to produce than the header line
 * objects: those are frozen shared objects (intern.ts), which V8's JSON.stringify serialises
 * about 1.5× slower than arrays of strings (node 20: ≈ 16 µs against ≈ 12 µs).
 *
 * Reading accepts every form earlier builds wrote (hops as objects, header lists flat or as
 * `{name, value}` objects), so nothing depends on which build wrote a value.
 */
import type { HeaderEntry, ObservedRequest, RequestHop } from '../core/model.ts';
import { headerLines } from '../platform/intern.ts';

/**
 * Header names written as their index in this list. Append only: an index, once written, must
 * mean the same name to every later build that reads it (a stored value outlives the worker,
 * though not an update of the extension). The exact case matters (a name is stored as seen):
 * the request names as Chromium and Firefox send them, the response names in both the case
 * common servers send and lower case (HTTP/2, Node).
 */
export const HEADER_NAMES: readonly string[] = Object.freeze([
  'Accept',
  'Accept-Encoding',
  'Accept-Language',
  'Access-Control-Request-Headers',
  'Access-Control-Request-Method',
  'Authorization',
  'Cache-Control',
  'Connection',
  'Content-Length',
  'Content-Type',
  'Cookie',
  'Host',
  'Origin',
  'Pragma',
  'Priority',
  'Referer',
  'Sec-Fetch-Dest',
  'Sec-Fetch-Mode',
  'Sec-Fetch-Site',
  'Sec-Fetch-User',
  'Upgrade-Insecure-Requests',
  'User-Agent',
  'X-Requested-With',
  'sec-ch-ua',
  'sec-ch-ua-mobile',
  'sec-ch-ua-platform',
  'Access-Control-Allow-Credentials',
  'Access-Control-Allow-Headers',
  'Access-Control-Allow-Methods',
  'Access-Control-Allow-Origin',
  'Access-Control-Expose-Headers',
  'Access-Control-Max-Age',
  'Content-Encoding',
  'Date',
  'ETag',
  'Expires',
  'Keep-Alive',
  'Last-Modified',
  'Location',
  'Server',
  'Set-Cookie',
  'Strict-Transport-Security',
  'Transfer-Encoding',
  'Vary',
  'X-Content-Type-Options',
  'access-control-allow-credentials',
  'access-control-allow-headers',
  'access-control-allow-methods',
  'access-control-allow-origin',
  'access-control-expose-headers',
  'access-control-max-age',
  'cache-control',
  'content-encoding',
  'content-length',
  'content-type',
  'date',
  'etag',
  'expires',
  'keep-alive',
  'last-modified',
  'location',
  'server',
  'set-cookie',
  'strict-transport-security',
  'transfer-encoding',
  'vary',
  'x-content-type-options',
  'accept',
  'accept-encoding',
  'accept-language',
  'origin',
  'referer',
  'user-agent',
  'access-control-request-headers',
  'access-control-request-method',
  'cookie',
  'authorization',
  'alt-svc',
  'age',
  'connection',
  'pragma',
  'x-frame-options',
  'content-security-policy',
  'cross-origin-resource-policy',
  'timing-allow-origin',
]);
const NAME_INDEX = new Map(HEADER_NAMES.map((n, i) => [n, i]));

/** The hop fields in the order `h` stores them. */
const HOP_FIELDS = ['url', 'method', 'requestHeaders', 'status', 'statusText', 'responseHeaders', 'redirectURL', 'startedMs', 'endedMs'] as const;

function flat(headers: readonly HeaderEntry[]): (string | number)[] {
  const out = new Array<string | number>(headers.length * 2);
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    out[2 * i] = NAME_INDEX.get(h.name) ?? h.name;
    out[2 * i + 1] = h.value;
  }
  return out;
}

/** The request's persisted JSON text. */
export function requestText(req: ObservedRequest): string {
  const h = new Array<unknown>(req.hops.length);
  for (let i = 0; i < req.hops.length; i++) {
    const x = req.hops[i]!;
    h[i] = [x.url, x.method, flat(x.requestHeaders), x.status, x.statusText, x.responseHeaders === null ? null : flat(x.responseHeaders), x.redirectURL, x.startedMs, x.endedMs];
  }
  // Spread keeps every own field, the background's marks included (unseen.ts `requestUnseen`);
  // `hops: undefined` leaves the key out of the text.
  return JSON.stringify({ ...req, hops: undefined, h });
}

/** A header list in any form; null when it is not a list. Shared lines, as live capture has them. */
function headersFrom(v: unknown): HeaderEntry[] | null {
  if (!Array.isArray(v)) return null;
  if (v.length === 0 || (typeof v[0] !== 'string' && typeof v[0] !== 'number')) {
    // The object form (or empty): keep entries that are header lines.
    return v.filter((h): h is HeaderEntry => !!h && typeof h === 'object' && typeof h.name === 'string' && typeof h.value === 'string');
  }
  const out: HeaderEntry[] = [];
  for (let i = 0; i + 1 < v.length; i += 2) {
    const n = v[i];
    // An index this build does not know cannot come from storage.session (cleared when the
    // extension updates); kept visible rather than dropped if it ever does.
    const name = typeof n === 'number' ? (HEADER_NAMES[n] ?? `#${n}`) : n;
    const value = v[i + 1];
    if (typeof name === 'string' && typeof value === 'string') out.push(headerLines.line(name, value));
  }
  return out;
}

/** A hop stored as an array (`HOP_FIELDS` order) back into a hop; null when it is not one. */
function hopFrom(a: unknown): RequestHop | null {
  if (!Array.isArray(a) || a.length !== HOP_FIELDS.length || typeof a[0] !== 'string') return null;
  return {
    url: a[0],
    method: typeof a[1] === 'string' ? a[1] : 'GET',
    requestHeaders: headersFrom(a[2]) ?? [],
    status: typeof a[3] === 'number' ? a[3] : 0,
    statusText: typeof a[4] === 'string' ? a[4] : '',
    responseHeaders: headersFrom(a[5]),
    redirectURL: typeof a[6] === 'string' ? a[6] : null,
    startedMs: typeof a[7] === 'number' ? a[7] : 0,
    endedMs: typeof a[8] === 'number' ? a[8] : null,
  };
}

/**
 * A parsed persisted value back into a request, in place (its hops and header lists become
 * hops and header lines again). Null when it does not look like a request.
 */
export function reviveRequest(v: unknown): ObservedRequest | null {
  if (!v || typeof v !== 'object') return null;
  const r = v as ObservedRequest & { h?: unknown };
  if (typeof r.id !== 'string') return null;
  if (Array.isArray(r.h) && r.hops === undefined) {
    const hops: RequestHop[] = [];
    for (const a of r.h) {
      const hop = hopFrom(a);
      if (!hop) return null;
      hops.push(hop);
    }
    delete r.h;
    r.hops = hops;
    return r;
  }
  if (!Array.isArray(r.hops)) return null;
  for (const h of r.hops as (RequestHop | null)[]) {
    if (!h || typeof h !== 'object') return null;
    h.requestHeaders = headersFrom(h.requestHeaders) ?? [];
    h.responseHeaders = headersFrom(h.responseHeaders);
  }
  return r;
}
