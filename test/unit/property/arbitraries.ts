/**
 * fast-check generators for the property tests: captures that look like what a browser shows
 * (the CORS headers of real servers, right and wrong, preflight pairs, redirects, the browser's
 * own outcome), with a controlled share of junk (odd casing, whitespace, control characters,
 * non-ASCII, lone surrogates, absurd numbers) so the engine meets both.
 *
 * Everything here builds values of the engine's input types; the HAR reader's junk inputs (any
 * JSON, any text) are generated in har-reader.test.ts.
 */
import fc from 'fast-check';
import type { CredentialsMode, HeaderEntry, ObservedOutcome, ObservedRequest, RequestHop } from '../../../src/core/model.ts';

/** Page origin, API origin, third origin (loopback, as in the playground). */
export const A = 'http://127.0.0.1:18411';
export const B = 'http://127.0.0.1:18412';
export const C = 'http://127.0.0.1:18413';
/** Any fixed instant: HAR round trips go through ISO dates, so stay inside the Date range. */
export const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);

/** Strings a hostile or broken server could send: markup, control characters, non-ASCII, lone surrogates. */
export const junkString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\t',
    '\u0000',
    '\r\n',
    '<img src=x onerror=alert(1)>',
    '</script><script>alert(1)</script>',
    'javascript:alert(1)',
    '\u202e\u0645\u0631\u062d\u0628\u0627',
    '\ud800',
    '\udfff\ud800',
    '💥'.repeat(3),
    '__proto__',
    'constructor',
    'null',
    'undefined',
    'NaN',
  ),
  fc.string({ maxLength: 12, unit: 'binary' }),
  fc.string({ maxLength: 12 }),
);

/** Case variants of a header name: HTTP header names are case-insensitive (RFC 9110 §5.1). */
function casing(name: string): fc.Arbitrary<string> {
  return fc.constantFrom(name, name.toLowerCase(), name.toUpperCase());
}

const originValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constant(A) },
  { weight: 1, arbitrary: fc.constantFrom('null', C, 'http://evil.test', `${A}/`, A.toUpperCase()) },
  { weight: 1, arbitrary: junkString },
);

/** `Access-Control-Allow-Origin` values seen on real servers, right and wrong (cors-anchors §1). */
const acaoValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(A, '*') },
  { weight: 3, arbitrary: fc.constantFrom(`${A}/`, 'null', `${A}, ${C}`, ` ${A} `, A.toUpperCase(), 'http://evil.test', '', '*, *', `${A},${A}`) },
  { weight: 1, arbitrary: junkString },
);

const acacValue = fc.oneof({ weight: 4, arbitrary: fc.constant('true') }, { weight: 1, arbitrary: fc.constantFrom('TRUE', 'false', '', 'true, true', ' true') }, { weight: 1, arbitrary: junkString });

const methods = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'patch', 'OPTIONS'] as const;
const methodValue: fc.Arbitrary<string> = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...methods) }, { weight: 1, arbitrary: junkString });

const listValue = (items: string[]): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 5, arbitrary: fc.subarray(items, { minLength: 0 }).map((xs) => xs.join(', ')) },
    { weight: 1, arbitrary: fc.constantFrom('*', ',,', ' , ', 'x-custom;') },
    { weight: 1, arbitrary: junkString },
  );

const acamValue = listValue(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'put']);
const acahValue = listValue(['x-custom', 'content-type', 'authorization', 'X-Custom', 'x-token']);
const acehValue = listValue(['x-total', 'content-length', 'etag', 'x-custom']);
const maxAgeValue = fc.oneof(fc.constantFrom('600', '0', '-1', '7200', '99999', '600.5', 'ten', ''), fc.integer({ min: -10, max: 200_000 }).map(String), junkString);

function maybe(name: string, value: fc.Arbitrary<string>, p = 0.5): fc.Arbitrary<HeaderEntry[]> {
  return fc.oneof(
    { weight: Math.round((1 - p) * 10), arbitrary: fc.constant<HeaderEntry[]>([]) },
    { weight: Math.round(p * 10), arbitrary: fc.tuple(casing(name), value).map(([n, v]) => [{ name: n, value: v }]) },
  );
}

const extraHeader: fc.Arbitrary<HeaderEntry> = fc.oneof(
  fc.record({ name: fc.constantFrom('Content-Type', 'X-Custom', 'Authorization', 'Cookie', 'Range', 'Accept', 'Vary', 'Set-Cookie', 'X-Total'), value: fc.oneof(fc.constantFrom('application/json', 'text/plain', 'bytes=0-99', 'sid=1', 'Bearer t', 'Origin', '1'), junkString) }),
  fc.record({ name: junkString, value: junkString }),
);

/** Response headers of a CORS response (also used for preflight responses). */
export const corsResponseHeaders: fc.Arbitrary<HeaderEntry[]> = fc
  .tuple(
    maybe('Access-Control-Allow-Origin', acaoValue, 0.8),
    maybe('Access-Control-Allow-Origin', acaoValue, 0.05),
    maybe('Access-Control-Allow-Credentials', acacValue, 0.3),
    maybe('Access-Control-Allow-Methods', acamValue, 0.5),
    maybe('Access-Control-Allow-Headers', acahValue, 0.5),
    maybe('Access-Control-Expose-Headers', acehValue, 0.2),
    maybe('Access-Control-Max-Age', maxAgeValue, 0.3),
    maybe('Vary', fc.constantFrom('Origin', 'Accept-Encoding', '*'), 0.3),
    fc.array(extraHeader, { maxLength: 3 }),
  )
  .map((parts) => parts.flat());

const paths = ['/api/a', '/api/b', '/put', '/r', '/final'];
/** URLs of a few endpoints, so that preflights, requests and cache hits meet on the same URL. */
export const urlValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 12, arbitrary: fc.tuple(fc.constantFrom(B, C, A), fc.constantFrom(...paths)).map(([o, p]) => o + p) },
  { weight: 1, arbitrary: fc.constantFrom('http://user:pw@127.0.0.1:18412/api/a', 'data:text/plain,x', 'about:blank', 'not a url', '', 'http://[::1]:18412/x', 'https://b.test/?q=<script>') },
  { weight: 1, arbitrary: junkString },
);

const timeValue: fc.Arbitrary<number> = fc.oneof(
  { weight: 20, arbitrary: fc.integer({ min: 0, max: 3000 }).map((d) => T0 + d) },
  { weight: 2, arbitrary: fc.double({ min: 0, max: 3000, noNaN: true }).map((d) => T0 + d) },
  { weight: 1, arbitrary: fc.constantFrom(0, -1, Number.NaN, Number.POSITIVE_INFINITY, 8.64e15 + 1, -8.64e15 - 1) },
);

const statusValue = fc.oneof({ weight: 10, arbitrary: fc.constantFrom(200, 204, 0) }, { weight: 2, arbitrary: fc.constantFrom(301, 302, 303, 307, 308, 400, 403, 404, 500) }, { weight: 1, arbitrary: fc.integer({ min: -5, max: 1000 }) });

/** A request's own headers, with or without Origin, with the headers that trigger a preflight. */
const requestHeaders = (acrm: fc.Arbitrary<HeaderEntry[]>): fc.Arbitrary<HeaderEntry[]> =>
  fc.tuple(maybe('Origin', originValue, 0.85), acrm, fc.array(extraHeader, { maxLength: 3 })).map((p) => p.flat());

/** One hop; `redirect` gives it a redirect status and target. */
function hopArb(opts: { method: fc.Arbitrary<string>; headers: fc.Arbitrary<HeaderEntry[]>; url?: fc.Arbitrary<string> }): fc.Arbitrary<RequestHop> {
  return fc
    .record({
      url: opts.url ?? urlValue,
      method: opts.method,
      requestHeaders: opts.headers,
      status: statusValue,
      statusText: fc.oneof(fc.constantFrom('', 'OK', 'No Content'), junkString),
      hasResponse: fc.boolean(),
      responseHeaders: corsResponseHeaders,
      startedMs: timeValue,
      duration: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.constantFrom(-1, Number.NaN)),
      endUnknown: fc.boolean(),
    })
    .map((h) => ({
      url: h.url,
      method: h.method,
      requestHeaders: h.requestHeaders,
      status: h.hasResponse ? h.status : 0,
      statusText: h.statusText,
      responseHeaders: h.hasResponse || h.status !== 0 ? h.responseHeaders : null,
      redirectURL: null,
      startedMs: h.startedMs,
      endedMs: h.endUnknown ? null : h.startedMs + h.duration,
    }));
}

const outcomeValue: fc.Arbitrary<ObservedOutcome> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ outcome: 'completed' as const }) },
  { weight: 3, arbitrary: fc.constantFrom('net::ERR_FAILED', 'NS_ERROR_DOM_BAD_URI', 'net::ERR_CONNECTION_REFUSED').map((error) => ({ outcome: 'failed' as const, error })) },
  { weight: 1, arbitrary: fc.constant({ outcome: 'incomplete' as const }) },
  { weight: 1, arbitrary: junkString.map((error) => ({ outcome: 'failed' as const, error })) },
);

const resourceType = fc.constantFrom('xmlhttprequest', 'fetch', 'main_frame', 'sub_frame', 'script', 'image', 'other', 'preflight', 'document');

interface RequestShape {
  hops: RequestHop[];
  tabId: number | null;
  resourceType: string;
  initiator: string | null;
  outcome: ObservedOutcome;
  credentials: CredentialsMode | undefined;
  fromCache: boolean;
}

/** A main request, maybe redirected over 1–3 further hops (each hop's redirectURL names the next hop's URL). */
const mainRequest: fc.Arbitrary<RequestShape> = fc.record({
  hops: fc
    .array(hopArb({ method: methodValue, headers: requestHeaders(fc.constant([])) }), { minLength: 1, maxLength: 4 })
    .chain((hops) =>
      fc.array(fc.constantFrom(301, 302, 303, 307, 308), { minLength: hops.length - 1, maxLength: hops.length - 1 }).map((statuses) =>
        hops.map((h, i) => (i < hops.length - 1 ? { ...h, status: statuses[i]!, responseHeaders: h.responseHeaders ?? [], redirectURL: hops[i + 1]!.url } : h)),
      ),
    ),
  tabId: fc.oneof({ weight: 8, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.constantFrom(null, 2, -1) }),
  resourceType,
  initiator: fc.oneof({ weight: 6, arbitrary: fc.constant(A) }, { weight: 1, arbitrary: fc.constantFrom(null, 'null', B) }, { weight: 1, arbitrary: junkString }),
  outcome: outcomeValue,
  credentials: fc.option(fc.constantFrom<CredentialsMode>('include', 'same-origin', 'omit'), { nil: undefined, freq: 3 }),
  fromCache: fc.boolean(),
});

/** An OPTIONS preflight carrying Access-Control-Request-Method (and maybe -Headers). */
const preflightRequest: fc.Arbitrary<RequestShape> = fc.record({
  hops: hopArb({
    method: fc.oneof({ weight: 10, arbitrary: fc.constant('OPTIONS') }, { weight: 1, arbitrary: fc.constant('options') }),
    headers: requestHeaders(
      fc.tuple(maybe('Access-Control-Request-Method', methodValue, 0.95), maybe('Access-Control-Request-Headers', acahValue, 0.6)).map((p) => p.flat()),
    ),
  }).map((h) => [h]),
  tabId: fc.oneof({ weight: 8, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.constantFrom(null, 2) }),
  resourceType: fc.constantFrom('xmlhttprequest', 'preflight', 'other'),
  initiator: fc.oneof({ weight: 6, arbitrary: fc.constant(A) }, { weight: 1, arbitrary: fc.constant(null) }),
  outcome: outcomeValue,
  credentials: fc.constant(undefined),
  fromCache: fc.constant(false),
});

function build(shape: RequestShape, id: string, preflightFor?: string | null): ObservedRequest {
  const r: ObservedRequest = { id, tabId: shape.tabId, resourceType: shape.resourceType, initiator: shape.initiator, hops: shape.hops, outcome: shape.outcome };
  if (shape.credentials) r.credentials = shape.credentials;
  if (shape.fromCache) r.fromCache = true;
  if (preflightFor !== undefined) r.preflightFor = preflightFor;
  return r;
}

/**
 * A capture of 1–8 requests: main requests and preflights mixed; some preflights carry an
 * explicit link (`preflightFor`, as Chrome DevTools HARs give) to a request of the capture or to
 * nothing; ids are unique unless `repeatIds` (a repeated id replaces the earlier request).
 */
export function capture(opts: { maxLength?: number; repeatIds?: boolean } = {}): fc.Arbitrary<ObservedRequest[]> {
  const item = fc.record({
    shape: fc.oneof({ weight: 3, arbitrary: mainRequest }, { weight: 2, arbitrary: preflightRequest }),
    link: fc.oneof({ weight: 5, arbitrary: fc.constant<number | null | undefined>(undefined) }, { weight: 1, arbitrary: fc.option(fc.nat(10), { nil: null }) }),
    idNoise: opts.repeatIds ? fc.option(fc.nat(3), { freq: 4 }) : fc.constant(null),
  });
  return fc.array(item, { minLength: 1, maxLength: opts.maxLength ?? 8 }).map((items) => {
    const ids = items.map((it, i) => (it.idNoise !== null ? `r${it.idNoise}` : `r${i}`));
    return items.map((it, i) => {
      const isOptions = it.shape.hops[0]!.method.toUpperCase() === 'OPTIONS';
      const link = isOptions && it.link !== undefined ? (it.link === null ? null : (ids[it.link % ids.length] ?? null)) : undefined;
      return build(it.shape, ids[i]!, link);
    });
  });
}

/**
 * A well-formed capture as the extension records it: unique ids, finite times inside the Date
 * range, so that an export is a faithful copy of the capture (the round-trip property).
 */
export function faithfulCapture(maxLength = 8): fc.Arbitrary<ObservedRequest[]> {
  return capture({ maxLength }).map((reqs) =>
    reqs.map((r) => ({
      ...withRealLink(r, reqs),
      hops: r.hops.map((h) => {
        const startedMs = Number.isFinite(h.startedMs) && Math.abs(h.startedMs) < 8.64e15 && h.startedMs > 0 ? h.startedMs : T0;
        const endedMs = h.endedMs !== null && Number.isFinite(h.endedMs) && h.endedMs >= h.startedMs && Math.abs(h.endedMs) < 8.64e15 ? h.endedMs : null;
        // webRequest never reports an empty URL or method (the HAR reader rightly refuses them).
        return { ...h, url: h.url === '' ? `${B}/empty` : h.url, method: h.method === '' ? 'GET' : h.method, startedMs, endedMs, status: Math.max(0, Math.trunc(h.status)) };
      }),
    })),
  );
}

/**
 * Sources link a preflight only to a request they hold, at the preflight's URL (the HAR reader
 * resolves Chrome's `_initiator.requestId` to the request whose hop it guards, or drops it); other
 * links are dropped. (The engine ignores a link it cannot use and then does not pair that
 * preflight at all; the export cannot say so, so such a capture would pair differently on
 * re-import — a case no source produces.)
 */
function withRealLink(r: ObservedRequest, all: readonly ObservedRequest[]): ObservedRequest {
  if (r.preflightFor === undefined) return r;
  const target = all.find((x) => x.id === r.preflightFor);
  if (target && target.hops[0]!.method.toUpperCase() !== 'OPTIONS' && target.hops.some((h) => h.url === r.hops[0]!.url)) return r;
  const { preflightFor: _dropped, ...rest } = r;
  return rest;
}
