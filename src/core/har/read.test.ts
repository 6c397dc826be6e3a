import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HarError, parseHar, parseIsoMs } from './read.ts';

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`../../../test/fixtures/har/${name}`, import.meta.url)), 'utf8');

interface EntryOpts {
  method?: string;
  url?: string;
  start?: string;
  time?: number;
  status?: number;
  reqHeaders?: { name: string; value: string }[];
  resHeaders?: { name: string; value: string }[];
  redirectURL?: string;
  pageref?: string;
  extra?: Record<string, unknown>;
  responseExtra?: Record<string, unknown>;
}

/** A minimal HAR entry with only the fields the reader requires (plus what a test adds). */
function entry(o: EntryOpts = {}): Record<string, unknown> {
  return {
    startedDateTime: o.start ?? '2026-01-01T00:00:00.000Z',
    ...(o.time !== undefined ? { time: o.time } : {}),
    ...(o.pageref !== undefined ? { pageref: o.pageref } : {}),
    request: { method: o.method ?? 'GET', url: o.url ?? 'http://b.test/x', headers: o.reqHeaders ?? [] },
    response: {
      status: o.status ?? 200,
      headers: o.resHeaders ?? [],
      ...(o.redirectURL !== undefined ? { redirectURL: o.redirectURL } : {}),
      ...o.responseExtra,
    },
    ...o.extra,
  };
}

const har = (entries: unknown[], extra: Record<string, unknown> = {}): unknown => ({ log: { version: '1.2', creator: { name: 't', version: '1' }, entries, ...extra } });

function harError(input: unknown): HarError {
  try {
    parseHar(input);
  } catch (err) {
    if (err instanceof HarError) return err;
    throw new Error(`expected a HarError, got ${String(err)}`);
  }
  throw new Error('expected a HarError, parseHar returned');
}

describe('parseHar: Chrome DevTools export', () => {
  const result = parseHar(fixture('chrome-devtools.har'));
  const byId = new Map(result.requests.map((r) => [r.id, r]));

  it('reads the creator and merges the redirect hop: 7 entries → 6 requests', () => {
    expect(result.creator).toEqual({ name: 'WebInspector', version: '537.36' });
    expect(result.requests.map((r) => r.id)).toEqual(['h0', 'h1', 'h2', 'h3', 'h4', 'h6']);
    expect(result.warnings).toEqual([]);
    expect(result.annotations).toBeUndefined();
  });

  it('takes the tab from pageref and the initiator from the page URL in pages[].title', () => {
    for (const r of result.requests) {
      expect(r.tabId).toBe(1);
      expect(r.initiator).toBe('http://127.0.0.1:18411');
    }
  });

  it('a request blocked by its preflight: status 0, no response headers, failed with _error', () => {
    const r = byId.get('h1')!;
    expect(r.resourceType).toBe('fetch');
    expect(r.hops).toHaveLength(1);
    expect(r.hops[0]!.status).toBe(0);
    expect(r.hops[0]!.responseHeaders).toBeNull();
    expect(r.outcome).toEqual({ outcome: 'failed', error: 'net::ERR_FAILED' });
    expect(r.preflightFor).toBeUndefined();
  });

  it('a preflight: resourceType preflight, DevTools requestId not resolvable → preflightFor left to the engine', () => {
    const p = byId.get('h2')!;
    expect(p.resourceType).toBe('preflight');
    expect(p.hops[0]!.method).toBe('OPTIONS');
    expect(p.hops[0]!.status).toBe(204);
    expect(p.outcome).toEqual({ outcome: 'completed' });
    expect('preflightFor' in p).toBe(false);
  });

  it('a simple request blocked on its response keeps the real status and headers', () => {
    const r = byId.get('h3')!;
    expect(r.hops[0]!.status).toBe(200);
    expect(r.hops[0]!.responseHeaders).toEqual([{ name: 'Content-Type', value: 'application/json' }]);
    expect(r.outcome).toEqual({ outcome: 'failed', error: 'net::ERR_FAILED' });
  });

  it('a 302 followed by the request to its redirectURL becomes one request with two hops', () => {
    const r = byId.get('h4')!;
    expect(r.hops.map((h) => [h.url, h.status, h.redirectURL])).toEqual([
      ['http://127.0.0.1:18412/api/redirect?to=final', 302, 'http://127.0.0.1:18412/api/final'],
      ['http://127.0.0.1:18412/api/final', 200, null],
    ]);
    expect(r.outcome).toEqual({ outcome: 'completed' });
  });

  it('times: startedDateTime → epoch ms, endedMs = start + time', () => {
    const doc = byId.get('h0')!.hops[0]!;
    expect(doc.startedMs).toBe(Date.UTC(2026, 10, 24, 23, 59, 0, 10));
    expect(doc.endedMs! - doc.startedMs).toBeCloseTo(5.2, 3);
  });

  it('_fromCache marks the request; credentials are never guessed by the reader', () => {
    const r = byId.get('h6')!;
    expect(r.fromCache).toBe(true);
    expect(r.credentials).toBeUndefined();
    expect(r.resourceType).toBe('xhr');
  });

  it('resolves _initiator.requestId when the entries carry a _requestId', () => {
    const raw = JSON.parse(fixture('chrome-devtools.har')) as { log: { entries: Record<string, unknown>[] } };
    raw.log.entries[1]!._requestId = '4120.7';
    const again = parseHar(raw);
    expect(again.requests.find((r) => r.id === 'h2')!.preflightFor).toBe('h1');
  });
});

describe('parseHar: Firefox export', () => {
  const result = parseHar(fixture('firefox.har'));

  it('reads 4 entries as 3 requests; the page title is not a URL so the Origin header gives the initiator', () => {
    expect(result.creator).toEqual({ name: 'Firefox', version: '153.0' });
    expect(result.requests.map((r) => r.id)).toEqual(['h0', 'h1', 'h2']);
    for (const r of result.requests) expect(r.initiator).toBe('http://127.0.0.1:18411');
  });

  it('recognises a preflight without _resourceType by OPTIONS + Access-Control-Request-Method', () => {
    expect(result.requests[0]!.resourceType).toBe('preflight');
    expect(result.requests[1]!.resourceType).toBe('other');
  });

  it('status 0 without headers = no response: failed, responseHeaders null', () => {
    const r = result.requests[1]!;
    expect(r.hops[0]!.responseHeaders).toBeNull();
    expect(r.outcome.outcome).toBe('failed');
  });

  it('resolves a relative redirectURL (raw Location) before merging hops; +00:00 offsets parse', () => {
    const r = result.requests[2]!;
    expect(r.hops.map((h) => h.url)).toEqual(['http://127.0.0.1:18412/api/hop?x=1', 'http://127.0.0.1:18412/api/next']);
    expect(r.hops[0]!.redirectURL).toBe('http://127.0.0.1:18412/api/next');
    expect(r.hops[0]!.startedMs).toBe(Date.UTC(2026, 10, 24, 23, 59, 2, 0));
  });
});

describe('parseHar: malformed input → HarError naming the field', () => {
  const valid = entry();
  const cases: [string, unknown, string, RegExp][] = [
    ['not JSON', 'hello, world', '', /^not valid JSON at line 1, column 1/],
    ['not JSON on line 3', '{\n "log": {\n  entries: []}}', '', /^not valid JSON at line 3, column 3/],
    ['truncated JSON', '{"log": {"version": "1.2", "entries": [{"startedDa', '', /^truncated JSON/],
    ['truncated after a value', '{"log": {"entries": []', '', /^truncated JSON/],
    ['empty input', '   ', '', /^empty input/],
    ['JSON array', '[1, 2]', '', /^not a HAR file: .* got an array$/],
    ['JSON null', 'null', '', /got null$/],
    ['JSON without log', '{"foo": 1}', 'log', /not a HAR file: the top-level "log" field is missing/],
    ['log is a list', { log: [] }, 'log', /expected an object, got an array/],
    ['no entries', { log: { version: '1.2' } }, 'log.entries', /required field is missing/],
    ['entries not an array', { log: { entries: {} } }, 'log.entries', /expected an array, got an object/],
    ['entry is a number', har([42]), 'log.entries[0]', /expected an object, got a number/],
    ['entry is empty', har([valid, {}]), 'log.entries[1].startedDateTime', /required field is missing/],
    ['bad date', har([entry({ start: 'yesterday' })]), 'log.entries[0].startedDateTime', /not an ISO 8601 date-time: "yesterday"/],
    ['no request', har([{ ...valid, request: undefined }]), 'log.entries[0].request', /required field is missing/],
    ['no url', har([{ ...valid, request: { method: 'GET', headers: [] } }]), 'log.entries[0].request.url', /required field is missing/],
    ['method is a number', har([entry({ method: 7 as unknown as string })]), 'log.entries[0].request.method', /expected a string, got a number/],
    [
      'header value is a number',
      har([entry({ reqHeaders: [{ name: 'A', value: '1' }, { name: 'B', value: 2 as unknown as string }] })]),
      'log.entries[0].request.headers[1].value',
      /expected a string, got a number/,
    ],
    ['headers is null', har([{ ...valid, request: { method: 'GET', url: 'http://b.test/', headers: null } }]), 'log.entries[0].request.headers', /got null/],
    ['status is a string', har([entry({ status: '200' as unknown as number })]), 'log.entries[0].response.status', /expected a number, got a string/],
    ['response headers missing', har([{ ...valid, response: { status: 200 } }]), 'log.entries[0].response.headers', /required field is missing/],
    ['time is a string', har([entry({ extra: { time: 'fast' } })]), 'log.entries[0].time', /expected a number, got a string/],
    ['pages not an array', har([valid], { pages: 'p' }), 'log.pages', /expected an array/],
  ];

  it.each(cases)('%s', (_name, input, path, problem) => {
    const err = harError(input);
    expect(err.path).toBe(path);
    expect(err.problem).toMatch(problem);
    expect(err.message).toBe(path ? `${path}: ${err.problem}` : err.problem);
    expect(err.message).not.toMatch(/\n/);
  });

  it('never throws anything but HarError, whatever JSON it is given', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        try {
          parseHar(v);
        } catch (err) {
          return err instanceof HarError;
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it('never throws anything but HarError when any field of a real export is replaced by any JSON value', () => {
    const base = JSON.parse(fixture('chrome-devtools.har')) as unknown;
    // Every path to a value inside the fixture.
    const paths: (string | number)[][] = [];
    const walk = (v: unknown, p: (string | number)[]): void => {
      paths.push(p);
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...p, i]));
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...p, k]);
    };
    walk(base, []);
    fc.assert(
      fc.property(fc.constantFrom(...paths.filter((p) => p.length > 0)), fc.jsonValue(), (path, value) => {
        const copy = structuredClone(base) as Record<string | number, unknown>;
        let at = copy;
        for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
        at[path[path.length - 1]!] = value;
        try {
          parseHar(copy);
        } catch (err) {
          return err instanceof HarError;
        }
        return true;
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseHar: tolerance', () => {
  it('accepts entries with only the required fields; unknown end time → endedMs null', () => {
    const r = parseHar(har([entry()]));
    expect(r.requests).toHaveLength(1);
    const req = r.requests[0]!;
    expect(req).toMatchObject({ id: 'h0', tabId: 0, resourceType: 'other', initiator: null, outcome: { outcome: 'completed' } });
    expect(req.hops[0]).toMatchObject({ statusText: '', redirectURL: null, endedMs: null, responseHeaders: [] });
  });

  it('an empty entries list is a valid HAR with no requests (the CLI decides it is nothing to analyze)', () => {
    expect(parseHar(har([])).requests).toEqual([]);
  });

  it('a log without creator gives creator null; an odd version is a warning', () => {
    const r = parseHar({ log: { version: '9.9', entries: [entry()] } });
    expect(r.creator).toBeNull();
    expect(r.warnings).toEqual(['log.version is "9.9"; read as HAR 1.2']);
  });

  it('strips a UTF-8 BOM', () => {
    expect(parseHar(`\uFEFF${JSON.stringify(har([entry()]))}`).requests).toHaveLength(1);
  });

  it('the Origin header is the initiator when there is no page URL', () => {
    const r = parseHar(har([entry({ reqHeaders: [{ name: 'origin', value: 'http://a.test' }] })]));
    expect(r.requests[0]!.initiator).toBe('http://a.test');
  });

  it('distinct pages give distinct tab numbers; no pageref gives 0', () => {
    const r = parseHar(
      har([entry({ pageref: 'p2' }), entry({ pageref: 'p1' }), entry({})], {
        pages: [
          { id: 'p1', title: 'https://A.test:443/x', startedDateTime: '2026-01-01T00:00:00Z', pageTimings: {} },
          { id: 'p2', title: 'http://b.test:8080/', startedDateTime: '2026-01-01T00:00:00Z', pageTimings: {} },
        ],
      }),
    );
    expect(r.requests.map((q) => [q.tabId, q.initiator])).toEqual([
      [2, 'http://b.test:8080'],
      [1, 'https://a.test'],
      [0, null],
    ]);
  });

  it('keeps sub-millisecond digits of startedDateTime', () => {
    expect(parseIsoMs('2026-01-01T00:00:00.123456Z')).toBeCloseTo(Date.UTC(2026, 0, 1) + 123.456, 6);
    expect(parseIsoMs('2026-01-01T01:00:00.5+01:00')).toBe(Date.UTC(2026, 0, 1) + 500);
    expect(parseIsoMs('not a date')).toBeNull();
  });
});

describe('parseHar: redirect merging', () => {
  const hop1 = (o: EntryOpts = {}): Record<string, unknown> =>
    entry({ url: 'http://b.test/a', status: 302, redirectURL: 'http://b.test/b', start: '2026-01-01T00:00:00.000Z', ...o });
  const hop2 = (o: EntryOpts = {}): Record<string, unknown> => entry({ url: 'http://b.test/b', start: '2026-01-01T00:00:00.010Z', ...o });

  const cases: [string, unknown[], number[]][] = [
    ['302 then its target: merged', [hop1(), hop2()], [2]],
    ['an unrelated request in between does not stop the merge', [hop1(), entry({ url: 'http://c.test/', start: '2026-01-01T00:00:00.005Z' }), hop2()], [2, 1]],
    ['different pages: not merged', [hop1({ pageref: 'p1' }), hop2({ pageref: 'p2' })], [1, 1]],
    ['a failed redirect (_error) was not followed: not merged', [hop1({ responseExtra: { _error: 'net::ERR_FAILED' } }), hop2()], [1, 1]],
    ['307 keeps the method: a GET after a POST 307 is not its hop', [hop1({ method: 'POST', status: 307 }), hop2({ method: 'GET' })], [1, 1]],
    ['303 turns POST into GET: merged', [hop1({ method: 'POST', status: 303 }), hop2({ method: 'GET' })], [2]],
    ['a preflight to the target URL is never a hop', [hop1(), hop2({ method: 'OPTIONS', reqHeaders: [{ name: 'Access-Control-Request-Method', value: 'PUT' }] })], [1, 1]],
    ['a 200 with a redirectURL is not a redirect', [hop1({ status: 200 }), hop2()], [1, 1]],
    ['different _requestId: not merged', [hop1({ extra: { _requestId: '1' } }), hop2({ extra: { _requestId: '2' } })], [1, 1]],
    ['same _requestId: merged', [hop1({ extra: { _requestId: '1' } }), hop2({ extra: { _requestId: '1' } })], [2]],
    [
      'three hops',
      [hop1(), hop2({ status: 301, redirectURL: 'http://b.test/c' }), entry({ url: 'http://b.test/c', start: '2026-01-01T00:00:00.020Z' })],
      [3],
    ],
  ];
  it.each(cases)('%s', (_name, entries, hopCounts) => {
    expect(parseHar(har(entries)).requests.map((r) => r.hops.length)).toEqual(hopCounts);
  });

  it('sorts entries by start time before merging, ids stay the file index', () => {
    const r = parseHar(har([hop2(), hop1()]));
    expect(r.requests.map((q) => [q.id, q.hops.length])).toEqual([['h1', 2]]);
  });
});

describe('parseHar: CORS Lens export', () => {
  const cors = (id: string, more: Record<string, unknown> = {}): Record<string, unknown> => ({
    id,
    kind: 'simple',
    verdict: 'pass',
    credentials: 'unknown',
    credentialsInferred: false,
    pairedWith: null,
    observed: { outcome: 'completed' },
    ...more,
  });

  it('uses _cors.id, _tabId, _initiatorOrigin and the annotation map', () => {
    const r = parseHar(har([entry({ extra: { _cors: cors('r-17'), _tabId: 7, _initiatorOrigin: 'http://a.test' } })]));
    expect(r.requests[0]).toMatchObject({ id: 'r-17', tabId: 7, initiator: 'http://a.test' });
    expect(r.annotations?.get('r-17')?.verdict).toBe('pass');
  });

  it('credentials come from _cors only when they were known, not inferred', () => {
    const r = parseHar(
      har([
        entry({ extra: { _cors: cors('a', { credentials: 'include', credentialsInferred: false }) } }),
        entry({ extra: { _cors: cors('b', { credentials: 'include', credentialsInferred: true }) } }),
        entry({ extra: { _cors: cors('c', { credentials: 'unknown' }) } }),
      ]),
    );
    expect(r.requests.map((q) => q.credentials)).toEqual(['include', undefined, undefined]);
  });

  it('a preflight is linked to its request through _cors.pairedWith when that id exists', () => {
    const pre = { method: 'OPTIONS', reqHeaders: [{ name: 'Access-Control-Request-Method', value: 'PUT' }] };
    const r = parseHar(
      har([
        entry({ ...pre, extra: { _cors: cors('p1', { kind: 'preflight', pairedWith: 'm1' }) } }),
        entry({ method: 'PUT', extra: { _cors: cors('m1', { kind: 'preflighted', pairedWith: 'p1' }) } }),
        entry({ ...pre, extra: { _cors: cors('p2', { kind: 'preflight', pairedWith: 'gone' }) } }),
      ]),
    );
    expect(r.requests.map((q) => q.preflightFor)).toEqual(['m1', undefined, undefined]);
  });

  it('the browser outcome comes from _cors.observed (incomplete included)', () => {
    const r = parseHar(har([entry({ extra: { _cors: cors('x', { observed: { outcome: 'incomplete' } }) } })]));
    expect(r.requests[0]!.outcome).toEqual({ outcome: 'incomplete' });
  });

  it('restores hops from _redirects', () => {
    const hops = [
      { url: 'http://b.test/a', method: 'GET', status: 302, statusText: 'Found', redirectURL: 'http://b.test/b', startedDateTime: '2026-01-01T00:00:00.000Z', time: 1, requestHeaders: [], responseHeaders: [] },
      { url: 'http://b.test/b', method: 'GET', status: 0, statusText: '', redirectURL: null, startedDateTime: '2026-01-01T00:00:00.002Z', time: null, requestHeaders: [], responseHeaders: null },
    ];
    const r = parseHar(har([entry({ extra: { _cors: cors('x'), _redirects: hops } })]));
    expect(r.requests[0]!.hops.map((h) => [h.url, h.status, h.redirectURL, h.endedMs, h.responseHeaders])).toEqual([
      ['http://b.test/a', 302, 'http://b.test/b', Date.UTC(2026, 0, 1) + 1, []],
      ['http://b.test/b', 0, null, null, null],
    ]);
  });

  it('a malformed _redirects or _cors is ignored with a warning naming the field', () => {
    const r = parseHar(
      har([entry({ extra: { _cors: cors('x'), _redirects: [{ url: 1, startedDateTime: '2026-01-01T00:00:00Z' }] } }), entry({ extra: { _cors: { id: 3 } } })]),
    );
    expect(r.requests.map((q) => [q.id, q.hops.length])).toEqual([
      ['x', 1],
      ['h1', 1],
    ]);
    expect(r.warnings).toEqual([
      'log.entries[0]._redirects[0].url: expected a string, got a number; redirect hops ignored',
      'log.entries[1]._cors: not a CORS Lens annotation; ignored',
    ]);
  });

  it.each([
    ['id not a string', { id: 3 }],
    ['unknown verdict', { verdict: 'maybe' }],
    ['message not a string', { message: ['x'] }],
    ['warnings not a list of {code, message}', { warnings: [{ code: 'X' }] }],
    ['exposedHeaders not strings', { exposedHeaders: [1] }],
    ['observed without outcome', { observed: {} }],
  ])('a _cors with %s is ignored', (_name, bad) => {
    const r = parseHar(har([entry({ extra: { _cors: cors('x', bad) } })]));
    expect(r.requests[0]!.id).toBe('h0');
    expect(r.annotations).toBeUndefined();
    expect(r.warnings).toEqual(['log.entries[0]._cors: not a CORS Lens annotation; ignored']);
  });

  it('CORS Lens fields are not trusted on entries without _cors (other tools may use the names)', () => {
    const r = parseHar(har([entry({ extra: { _tabId: 9, _initiatorOrigin: 'http://evil.test' } })]));
    expect(r.requests[0]).toMatchObject({ tabId: 0, initiator: null });
  });

  it('duplicate _cors ids are renamed; generated ids avoid existing ones', () => {
    const r = parseHar(har([entry({ extra: { _cors: cors('h1') } }), entry({ extra: { _cors: cors('h1') } }), entry()]));
    expect(r.requests.map((q) => q.id)).toEqual(['h1', 'h1~1', 'h2']);
    expect(r.warnings).toEqual(['log.entries[1]._cors.id "h1" is used twice; renamed']);
  });
});
