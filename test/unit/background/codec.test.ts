import { describe, expect, it } from 'vitest';
import { requestText, reviveRequest } from '../../../src/background/codec.ts';
import { markRequestUnseen, isRequestUnseen } from '../../../src/background/unseen.ts';
import type { ObservedRequest } from '../../../src/core/model.ts';
import { req } from './fakes.ts';

const roundTrip = (r: ObservedRequest): ObservedRequest => reviveRequest(JSON.parse(requestText(r)))!;

describe('persisted request text (codec.ts)', () => {
  it('reads back what it wrote: every field, redirects, a hop without a response, the unseen mark', () => {
    const r = req({ id: 'a', requestHeaders: [{ name: 'Origin', value: 'http://p' }, { name: 'X-Empty', value: '' }] });
    r.hops.push({ ...r.hops[0]!, url: 'http://api/next', responseHeaders: null, status: 0, endedMs: null });
    r.hops[0]!.redirectURL = 'http://api/next';
    r.preflightFor = 'b';
    r.fromCache = false;
    markRequestUnseen(r);
    const back = roundTrip(r);
    expect(back).toEqual(r);
    expect(isRequestUnseen(back)).toBe(true);
  });

  it('writes hops as arrays and header lists flat, known names as their index: a third shorter than flat JSON', () => {
    const r = req({
      id: 'pf',
      method: 'OPTIONS',
      status: 204,
      requestHeaders: [
        { name: 'Accept', value: '*/*' },
        { name: 'Access-Control-Request-Method', value: 'PUT' },
        { name: 'Access-Control-Request-Headers', value: 'content-type,x-bench' },
        { name: 'Origin', value: 'http://127.0.0.1:46679' },
        { name: 'User-Agent', value: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36' },
        { name: 'Sec-Fetch-Mode', value: 'cors' },
        { name: 'Referer', value: 'http://127.0.0.1:46679/' },
        { name: 'X-Odd-One', value: 'kept by name' },
      ],
      responseHeaders: [
        { name: 'access-control-allow-origin', value: 'http://127.0.0.1:46679' },
        { name: 'access-control-allow-methods', value: 'GET, POST' },
        { name: 'Date', value: 'Wed, 02 Dec 2026 07:27:44 GMT' },
      ],
    });
    const v = JSON.parse(requestText(r)) as { hops?: unknown; h: unknown[][] };
    expect(v.hops).toBeUndefined();
    const [hop] = v.h;
    expect(hop).toHaveLength(9);
    expect(hop![0]).toBe(r.hops[0]!.url);
    const names = (hop![2] as (string | number)[]).filter((_, i) => i % 2 === 0);
    expect(names.slice(0, -1).every((n) => typeof n === 'number')).toBe(true);
    expect(names.at(-1)).toBe('X-Odd-One');
    expect(roundTrip(r)).toEqual(r);
    // The form before this one (hops as objects, names as strings), for the same request.
    const before = JSON.stringify({
      ...r,
      hops: r.hops.map((x) => ({ ...x, requestHeaders: x.requestHeaders.flatMap((l) => [l.name, l.value]), responseHeaders: x.responseHeaders!.flatMap((l) => [l.name, l.value]) })),
    });
    expect(reviveRequest(JSON.parse(before))).toEqual(r);
    expect(requestText(r).length / before.length).toBeLessThan(0.8);
  });

  it('an unknown name index stays visible; a broken hop array is not a request', () => {
    const text = requestText(req({ id: 'a' })).replace(/"h":\[\["([^"]*)","GET",\[\d+,/, '"h":[["$1","GET",[9999,');
    expect(text).toContain('9999');
    expect(reviveRequest(JSON.parse(text))!.hops[0]!.requestHeaders[0]!.name).toBe('#9999');
    expect(reviveRequest({ id: 'x', h: [['http://a', 'GET']] })).toBeNull();
    expect(reviveRequest({ id: 'x', h: [[1, 2, 3, 4, 5, 6, 7, 8, 9]] })).toBeNull();
  });

  it('also reads the plain JSON form, and rejects what is not a request', () => {
    const r = req({ id: 'a' });
    expect(reviveRequest(JSON.parse(JSON.stringify(r)))).toEqual(r);
    expect(reviveRequest(null)).toBeNull();
    expect(reviveRequest({ id: 1, hops: [] })).toBeNull();
    expect(reviveRequest({ id: 'x', hops: [null] })).toBeNull();
  });
});
