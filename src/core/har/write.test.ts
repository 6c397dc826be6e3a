import { describe, expect, it } from 'vitest';
import { validateHar } from '../../../test/unit/har-schema.ts';
import type { AnalyzedEntry, CorsAnnotation } from '../annotation.ts';
import type { HeaderEntry, ObservedRequest, RequestHop } from '../model.ts';
import { parseHar } from './read.ts';
import { REDACTED } from './redact.ts';
import { exportFilename, isoTime, stringifyHar, toAnnotatedHar } from './write.ts';

const T0 = Date.UTC(2026, 10, 24, 23, 59, 1);

function hop(o: Partial<RequestHop> = {}): RequestHop {
  return {
    url: 'http://127.0.0.1:18412/api/x',
    method: 'GET',
    requestHeaders: [{ name: 'Origin', value: 'http://127.0.0.1:18411' }],
    status: 200,
    statusText: 'OK',
    responseHeaders: [{ name: 'Access-Control-Allow-Origin', value: '*' }],
    redirectURL: null,
    startedMs: T0,
    endedMs: T0 + 3,
    ...o,
  };
}

function cors(id: string, o: Partial<CorsAnnotation> = {}): CorsAnnotation {
  return {
    id,
    kind: 'simple',
    verdict: 'pass',
    error: null,
    failedParameter: null,
    firefoxReason: null,
    message: 'The response allowed this origin.',
    fix: 'Nothing to change.',
    warnings: [],
    pairedWith: null,
    preflightTriggers: [],
    preflightCache: null,
    credentials: 'unknown',
    credentialsInferred: false,
    exposedHeaders: [],
    origin: 'http://127.0.0.1:18411',
    observed: { outcome: 'completed' },
    ...o,
  };
}

function analyzed(id: string, hops: RequestHop[], o: Partial<ObservedRequest> = {}, c: Partial<CorsAnnotation> = {}): AnalyzedEntry {
  return {
    request: { id, tabId: 7, resourceType: 'fetch', initiator: 'http://127.0.0.1:18411', hops, outcome: { outcome: 'completed' }, ...o },
    cors: cors(id, c),
  };
}

const secretReq: HeaderEntry[] = [
  { name: 'Origin', value: 'http://127.0.0.1:18411' },
  { name: 'Cookie', value: 'session=s3cr3t; theme=dark' },
  { name: 'Authorization', value: 'Bearer tok' },
  { name: 'proxy-authorization', value: 'Basic cHJveHk=' },
];
const secretRes: HeaderEntry[] = [
  { name: 'Access-Control-Allow-Origin', value: 'http://127.0.0.1:18411' },
  { name: 'Access-Control-Allow-Credentials', value: 'true' },
  { name: 'Set-Cookie', value: 'session=n3w; Path=/; Domain=127.0.0.1; Expires=Wed, 21 Oct 2026 07:28:00 GMT; HttpOnly; Secure' },
  { name: 'Content-Type', value: 'application/json; charset=utf-8' },
];

/** A capture with every shape the writer handles. */
const capture: AnalyzedEntry[] = [
  // Listed out of time order on purpose.
  analyzed('main', [hop({ method: 'PUT', url: 'http://127.0.0.1:18412/api/put?a=1&b=x%20y+z&flag', status: 0, statusText: '', responseHeaders: null, startedMs: T0 + 10, endedMs: T0 + 14 })], { outcome: { outcome: 'failed', error: 'net::ERR_FAILED' } }, { kind: 'preflighted', verdict: 'fail', error: 'HeaderDisallowedByPreflightResponse', failedParameter: 'x-token', pairedWith: 'pre', observed: { outcome: 'failed', error: 'net::ERR_FAILED' } }),
  analyzed('pre', [hop({ method: 'OPTIONS', status: 204, statusText: 'No Content', startedMs: T0 + 10.25, endedMs: T0 + 12 })], { resourceType: 'preflight' }, { kind: 'preflight', pairedWith: 'main' }),
  analyzed('creds', [hop({ requestHeaders: secretReq, responseHeaders: secretRes, startedMs: T0 + 20, endedMs: null })], { fromCache: true, credentials: 'include' }, { credentials: 'include' }),
  analyzed('redir', [
    hop({ url: 'http://127.0.0.1:18412/a', status: 302, statusText: 'Found', redirectURL: 'http://127.0.0.1:18413/b', requestHeaders: secretReq, responseHeaders: [{ name: 'Location', value: 'http://127.0.0.1:18413/b' }, ...secretRes], startedMs: T0 + 30, endedMs: T0 + 31 }),
    hop({ url: 'http://127.0.0.1:18413/b', requestHeaders: [{ name: 'Origin', value: 'null' }], startedMs: T0 + 31.5, endedMs: T0 + 40 }),
  ]),
  analyzed('first', [hop({ startedMs: T0 })], { tabId: null, initiator: null }, { kind: 'not-cors', verdict: 'n/a' }),
];

const opts = { includeSecrets: false, creator: { name: 'CORS Lens', version: '0.1.0' } };

describe('toAnnotatedHar', () => {
  const har = toAnnotatedHar(capture, opts);
  const byId = new Map(har.log.entries.map((e) => [e._cors.id, e]));

  it('is valid HAR 1.2 (har-schema + timings rules), redacted or not', () => {
    expect(validateHar(har)).toEqual([]);
    expect(validateHar(toAnnotatedHar(capture, { ...opts, includeSecrets: true, browser: { name: 'Chromium', version: '156' }, comment: 'c' }))).toEqual([]);
    expect(validateHar(JSON.parse(stringifyHar(har)))).toEqual([]);
  });

  it('the validator itself rejects a broken HAR (so the test above can fail)', () => {
    const broken = structuredClone(har) as unknown as { log: { entries: Record<string, unknown>[] } };
    delete broken.log.entries[0]!.cache;
    (broken.log.entries[1]!.timings as Record<string, number>).wait = -5;
    expect(validateHar(broken)).toEqual(expect.arrayContaining([expect.stringMatching(/cache/), expect.stringMatching(/timings\/wait/)]));
  });

  it('one entry per request (preflights included), sorted by startedDateTime, each with its _cors verbatim', () => {
    expect(har.log.entries.map((e) => e._cors.id)).toEqual(['first', 'main', 'pre', 'creds', 'redir']);
    for (const e of capture) expect(byId.get(e.cors.id)!._cors).toEqual(e.cors);
    expect(har.log).toMatchObject({ version: '1.2', creator: { name: 'CORS Lens', version: '0.1.0' } });
    expect(har.log.browser).toBeUndefined();
  });

  it('keeps sub-millisecond start times', () => {
    expect(byId.get('pre')!.startedDateTime).toBe('2026-11-24T23:59:01.010250Z');
    expect(isoTime(T0 + 0.0004)).toBe('2026-11-24T23:59:01.000Z');
    expect(isoTime(Number.NaN)).toBe('1970-01-01T00:00:00.000Z');
  });

  it('fills every required field the HAR way', () => {
    const main = byId.get('main')!;
    expect(main.request).toMatchObject({ method: 'PUT', httpVersion: '', headersSize: -1, bodySize: -1, cookies: [] });
    expect(main.request.queryString).toEqual([
      { name: 'a', value: '1' },
      { name: 'b', value: 'x y z' },
      { name: 'flag', value: '' },
    ]);
    expect(main.response).toMatchObject({ status: 0, headers: [], bodySize: 0, redirectURL: '', content: { size: 0, mimeType: 'x-unknown' }, _error: 'net::ERR_FAILED' });
    expect(main.timings).toEqual({ blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait: 4, receive: 0 });
    expect(main.time).toBe(4);
    expect(main.cache).toEqual({});
    expect(main).toMatchObject({ _resourceType: 'fetch', _tabId: 7, _initiatorOrigin: 'http://127.0.0.1:18411' });
    expect(byId.get('pre')!.request.bodySize).toBe(0);
    expect(byId.get('creds')!.response.content.mimeType).toBe('application/json; charset=utf-8');
    expect(byId.get('creds')!.time).toBe(0); // end unknown
    expect(byId.get('creds')!._fromCache).toBe(true);
    expect('_fromCache' in main).toBe(false);
  });

  it('parses cookies from Cookie and Set-Cookie (values kept with includeSecrets)', () => {
    const e = toAnnotatedHar(capture, { ...opts, includeSecrets: true }).log.entries.find((x) => x._cors.id === 'creds')!;
    expect(e.request.cookies).toEqual([
      { name: 'session', value: 's3cr3t' },
      { name: 'theme', value: 'dark' },
    ]);
    expect(e.response.cookies).toEqual([
      { name: 'session', value: 'n3w', path: '/', domain: '127.0.0.1', expires: '2026-10-21T07:28:00.000Z', httpOnly: true, secure: true },
    ]);
    expect(e.request.headers).toEqual(secretReq);
  });

  it('a redirected request: first hop request, last hop response, every hop in _redirects', () => {
    const r = byId.get('redir')!;
    expect(r.request.url).toBe('http://127.0.0.1:18412/a');
    expect(r.response.status).toBe(200);
    expect(r.time).toBe(10);
    expect(r._redirects!.map((h) => [h.url, h.status, h.redirectURL, h.startedDateTime, h.time])).toEqual([
      ['http://127.0.0.1:18412/a', 302, 'http://127.0.0.1:18413/b', '2026-11-24T23:59:01.030Z', 1],
      ['http://127.0.0.1:18413/b', 200, null, '2026-11-24T23:59:01.031500Z', 8.5],
    ]);
  });

  describe('redaction', () => {
    const secrets = ['s3cr3t', 'n3w', 'Bearer tok', 'cHJveHk='];
    it('by default no secret value appears anywhere in the file; header names and cookie names stay', () => {
      const text = stringifyHar(har);
      for (const s of secrets) expect(text).not.toContain(s);
      const e = byId.get('creds')!;
      expect(e.request.headers.map((h) => [h.name, h.value])).toEqual([
        ['Origin', 'http://127.0.0.1:18411'],
        ['Cookie', REDACTED],
        ['Authorization', REDACTED],
        ['proxy-authorization', REDACTED],
      ]);
      expect(e.response.headers.find((h) => h.name === 'Set-Cookie')!.value).toBe(REDACTED);
      expect(e.request.cookies.map((c) => [c.name, c.value])).toEqual([
        ['session', REDACTED],
        ['theme', REDACTED],
      ]);
      expect(e.response.cookies[0]).toMatchObject({ name: 'session', value: REDACTED, path: '/' });
      const hop0 = byId.get('redir')!._redirects![0]!;
      expect(hop0.requestHeaders.find((h) => h.name === 'Cookie')!.value).toBe(REDACTED);
      expect(hop0.responseHeaders!.find((h) => h.name === 'Set-Cookie')!.value).toBe(REDACTED);
    });

    it('with includeSecrets every value is kept', () => {
      const text = stringifyHar(toAnnotatedHar(capture, { ...opts, includeSecrets: true }));
      for (const s of secrets) expect(text).toContain(s);
      expect(text).not.toContain(REDACTED);
    });

    it('does not modify its input', () => {
      expect(capture[2]!.request.hops[0]!.requestHeaders).toEqual(secretReq);
    });
  });
});

describe('round trip: toAnnotatedHar → stringifyHar → parseHar', () => {
  it('gives back the same requests (ids, hops, headers, outcome, tab, initiator, cache, known credentials)', () => {
    const back = parseHar(stringifyHar(toAnnotatedHar(capture, { ...opts, includeSecrets: true })));
    expect(back.creator).toEqual({ name: 'CORS Lens', version: '0.1.0' });
    expect(back.warnings).toEqual([]);
    const want = [...capture].map((e) => e.request).sort((a, b) => a.hops[0]!.startedMs - b.hops[0]!.startedMs);
    expect(back.requests.map((r) => r.id)).toEqual(want.map((r) => r.id));
    back.requests.forEach((got, i) => {
      const w = want[i]!;
      expect({ ...got, hops: undefined }).toEqual({ ...w, hops: undefined, ...(w.id === 'pre' ? { preflightFor: 'main' } : {}) });
      expect(got.hops).toHaveLength(w.hops.length);
      got.hops.forEach((h, j) => {
        const wh = w.hops[j]!;
        // The one lossy field: an unknown end time of a single-hop request comes back as start + 0.
        const wantEnd = wh.endedMs ?? (w.hops.length === 1 ? wh.startedMs : null);
        expect({ ...h, startedMs: 0, endedMs: 0 }).toEqual({ ...wh, startedMs: 0, endedMs: 0 });
        expect(h.startedMs).toBeCloseTo(wh.startedMs, 3);
        if (wantEnd === null) expect(h.endedMs).toBeNull();
        else expect(h.endedMs).toBeCloseTo(wantEnd, 3);
      });
    });
    expect([...back.annotations!.values()]).toEqual(expect.arrayContaining(capture.map((e) => e.cors)));
  });
});

describe('exportFilename', () => {
  const d = new Date(Date.UTC(2026, 10, 24, 23, 59, 1, 456));
  it.each([
    ['http://127.0.0.1:18411/page?q=1', 'cors-lens-127.0.0.1_18411-2026-11-24T23-59-01.har'],
    ['127.0.0.1:18411', 'cors-lens-127.0.0.1_18411-2026-11-24T23-59-01.har'],
    ['https://user:pw@Example.com/x', 'cors-lens-Example.com-2026-11-24T23-59-01.har'],
    ['http://[::1]:8080/', 'cors-lens-_1_8080-2026-11-24T23-59-01.har'],
    ['', 'cors-lens-capture-2026-11-24T23-59-01.har'],
    ['../../etc/passwd', 'cors-lens-..-2026-11-24T23-59-01.har'],
  ])('%s → %s', (input, want) => {
    expect(exportFilename(input, d)).toBe(want);
  });
});
