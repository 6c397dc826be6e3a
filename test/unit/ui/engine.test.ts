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

  it('a bad file throws a one-line error', () => {
    expect(() => panelEngine.parseHar('{"log": 3}')).toThrow(/log/);
  });
});
