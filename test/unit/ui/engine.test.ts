/**
 * The panel's real engine adapter (core HAR reader + analyzer): an imported HAR is judged, and a
 * what-if edit of the real response headers flips the real verdict.
 */
import { describe, expect, it } from 'vitest';
import { panelEngine } from '../../../src/devtools/panel/engine.ts';
import { rejudge } from '../../../src/devtools/panel/lib/whatif.ts';
import { indexById } from '../../../src/devtools/panel/lib/filters.ts';
import { exchangeOf } from '../../../src/devtools/panel/lib/sequence.ts';
import { makeHar } from './har-gen.ts';

const entries = panelEngine.analyze(panelEngine.parseHar(JSON.stringify(makeHar(11))), 'chromium');
const byId = indexById(entries);
const find = (path: string, method = 'GET') => entries.find((e) => e.request.hops[0]!.url.includes(path) && e.request.hops[0]!.method === method)!;

describe('real engine behind the panel', () => {
  it('judges the generated capture', () => {
    expect(find('/api/users').cors.verdict).toBe('pass');
    expect(find('/api/profile').cors.error).toBe('AllowOriginMismatch');
    expect(find('/api/orders', 'POST').cors.error).toBe('HeaderDisallowedByPreflightResponse');
    expect(find('/api/items/7', 'DELETE').cors.error).toBe('MethodDisallowedByPreflightResponse');
    expect(find('/api/orders', 'OPTIONS').cors.kind).toBe('preflight');
  });

  it('what-if: removing the trailing slash from ACAO makes the request pass', () => {
    const e = find('/api/profile');
    const edited = e.request.hops[0]!.responseHeaders!.map((h) => (h.name === 'Access-Control-Allow-Origin' ? { ...h, value: h.value.replace(/\/$/, '') } : h));
    const r = rejudge(panelEngine, 'chromium', e, undefined, { preflight: null, response: edited });
    expect(r.request?.verdict).toBe('pass');
  });

  it('what-if: adding x-request-id to the preflight’s ACAH makes the preflighted POST pass the preflight', () => {
    const { request, preflight } = exchangeOf(find('/api/orders', 'POST'), byId);
    expect(preflight).toBeDefined();
    const edited = preflight!.request.hops[0]!.responseHeaders!.map((h) => (h.name === 'Access-Control-Allow-Headers' ? { ...h, value: 'content-type, x-request-id' } : h));
    const r = rejudge(panelEngine, 'chromium', request, preflight, { preflight: edited, response: null });
    expect(r.preflight?.verdict).toBe('pass');
    expect(r.request?.error).not.toBe('HeaderDisallowedByPreflightResponse');
  });

  it('what-if with nothing edited gives back every original verdict', () => {
    for (const e of entries.filter((x) => x.cors.kind !== 'not-cors')) {
      const { request, preflight } = exchangeOf(e, byId);
      const r = rejudge(panelEngine, 'chromium', request, preflight, { preflight: null, response: null });
      const mine = e.cors.kind === 'preflight' ? r.preflight : r.request;
      expect([e.request.hops[0]!.url, mine?.verdict, mine?.error]).toEqual([e.request.hops[0]!.url, e.cors.verdict, e.cors.error]);
    }
  });

  it('the generated cross-origin redirect is one exchange with both hops (one row in the panel)', () => {
    const all = panelEngine.analyze(panelEngine.parseHar(JSON.stringify(makeHar(40))), 'chromium');
    const moved = all.filter((e) => e.request.hops[0]!.url.includes('/api/moved'));
    expect(moved.length).toBeGreaterThan(0);
    for (const e of moved) expect(e.request.hops.map((h) => h.status)).toEqual([302, 200]);
    expect(all.filter((e) => e.request.hops[0]!.url.includes('/api/final'))).toEqual([]);
  });

  it('a bad file throws a one-line error', () => {
    expect(() => panelEngine.parseHar('{"log": 3}')).toThrow(/log/);
  });

  describe('a Chrome-exported HAR with a redirect (one entry per hop, no _requestId)', () => {
    // What Chrome's "Save all as HAR" writes for fetch('http://api.test/old') from app.test:
    // the 302 and its follow-up as two entries, linked only by response.redirectURL, which
    // Chrome copies from the Location header as sent (here relative). The HAR reader
    // (src/core/har/read.ts, groupRedirects) merges them back into one request with two hops.
    const hopEntry = (url: string, at: string, origin: string, status: number, headers: Record<string, string>, redirectURL = '') => ({
      startedDateTime: at,
      time: 5,
      request: { method: 'GET', url, httpVersion: 'HTTP/1.1', headers: [{ name: 'Origin', value: origin }], queryString: [], cookies: [], headersSize: -1, bodySize: 0 },
      response: {
        status,
        statusText: status === 302 ? 'Found' : 'OK',
        httpVersion: 'HTTP/1.1',
        headers: Object.entries(headers).map(([name, value]) => ({ name, value })),
        cookies: [],
        content: { size: 0, mimeType: 'text/plain' },
        redirectURL,
        headersSize: -1,
        bodySize: 0,
      },
      cache: {},
      timings: { send: 1, wait: 3, receive: 1 },
      _resourceType: 'fetch',
      _initiator: { type: 'script' },
      pageref: 'page_1',
    });
    const har = (second: ReturnType<typeof hopEntry>) => ({
      log: {
        version: '1.2',
        creator: { name: 'WebInspector', version: '537.36' },
        pages: [{ id: 'page_1', startedDateTime: '2025-01-01T00:00:00.000Z', title: 'http://app.test/', pageTimings: {} }],
        entries: [hopEntry('http://api.test/old', '2025-01-01T00:00:01.000Z', 'http://app.test', 302, { Location: '/new', 'Access-Control-Allow-Origin': 'http://app.test' }, '/new'), second],
      },
    });

    it.each([
      ['same-origin hop, allowed', hopEntry('http://api.test/new', '2025-01-01T00:00:01.010Z', 'http://app.test', 200, { 'Access-Control-Allow-Origin': 'http://app.test' }), 'pass'],
      ['same-origin hop, ACAO missing on the final response', hopEntry('http://api.test/new', '2025-01-01T00:00:01.010Z', 'http://app.test', 200, {}), 'fail'],
    ] as const)('%s: one row with both hops', (_case, second, verdict) => {
      const rows = panelEngine.analyze(panelEngine.parseHar(JSON.stringify(har(second))), 'chromium');
      expect(rows).toHaveLength(1);
      expect(rows[0]!.request.hops.map((h) => `${h.status} ${h.url}`)).toEqual(['302 http://api.test/old', '200 http://api.test/new']);
      expect(rows[0]!.cors.verdict).toBe(verdict);
    });
  });
});

