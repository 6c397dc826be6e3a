import { describe, expect, it } from 'vitest';
import { LineDictionary, requestText, reviveRequest } from '../../../src/background/codec.ts';
import { markRequestUnseen, isRequestUnseen } from '../../../src/background/unseen.ts';
import type { HeaderEntry, ObservedRequest } from '../../../src/core/model.ts';
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

describe('the fields every request has (codec.ts, `q`)', () => {
  it('go as one array, the type as its index and a completed outcome as 0; every outcome and an unknown type read back', () => {
    const r = req({ id: 'a' });
    const v = JSON.parse(requestText(r)) as Record<string, unknown>;
    expect(v.q).toEqual(['a', 1, 0, r.initiator, 0]);
    for (const k of ['id', 'tabId', 'resourceType', 'initiator', 'outcome', 'hops']) expect(v).not.toHaveProperty(k);
    const odd = [
      req({ id: 'f', outcome: { outcome: 'failed', error: 'net::ERR_FAILED' }, resourceType: 'a_type_of_tomorrow', tabId: null }),
      req({ id: 'i', outcome: { outcome: 'incomplete' }, resourceType: 'main_frame' }),
    ];
    for (const x of odd) expect(roundTrip(x)).toEqual(x);
    expect((JSON.parse(requestText(odd[0]!)) as { q: unknown[] }).q).toEqual(['f', null, 'a_type_of_tomorrow', odd[0]!.initiator, { outcome: 'failed', error: 'net::ERR_FAILED' }]);
  });

  it('a broken q is not a request', () => {
    const h = (JSON.parse(requestText(req({ id: 'a' }))) as { h: unknown }).h;
    for (const q of [null, ['a', 1, 0, null], [1, 1, 0, null, 0], ['a', 'tab', 0, null, 0], ['a', 1, 999, null, 0], ['a', 1, 0, null, 2], ['a', 1, 0, null, { outcome: 'failed' }]]) {
      expect(reviveRequest({ q, h })).toBeNull();
    }
  });
});

describe('header-line dictionary (codec.ts LineDictionary)', () => {
  const UA = { name: 'User-Agent', value: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/150.0.0.0 Safari/537.36' };
  const lines = (id: string): HeaderEntry[] => [UA, { name: 'Origin', value: 'http://127.0.0.1:1' }, { name: 'X-Id', value: id }, { name: 'Date', value: 'Wed, 02 Dec 2026 15:06:01 GMT' }];
  const active = (...args: ConstructorParameters<typeof LineDictionary>): LineDictionary => {
    const d = new LineDictionary(...args);
    d.active = true;
    return d;
  };
  const refs = (text: string): number[] => (JSON.parse(text) as { h: unknown[][] }).h.flatMap((hop) => [...(hop[2] as unknown[]), ...((hop[5] as unknown[] | null) ?? [])]).filter((x): x is number => typeof x === 'number' && x < 0);

  it('refers to a line from its second sighting on, and reads it back through the dictionary', () => {
    const d = active();
    const a = req({ id: 'a', requestHeaders: lines('a') });
    const b = req({ id: 'b', requestHeaders: lines('b') });
    const first = requestText(a, d);
    expect(refs(first)).toEqual([]);
    expect(first).toContain(UA.value);
    const second = requestText(b, d);
    // UA, Origin and the response's Access-Control-Allow-Origin; the id differs, the Date never enters.
    expect(refs(second)).toEqual([-1, -2, -3]);
    expect(second).not.toContain(UA.value);
    expect(second).toContain('Wed, 02 Dec 2026');
    expect(second.length).toBeLessThan(first.length - UA.value.length);
    expect(reviveRequest(JSON.parse(second), d)).toEqual(b);
    // A third request: same entries, no new ones.
    expect(refs(requestText(req({ id: 'c', requestHeaders: lines('c') }), d))).toEqual([-1, -2, -3]);
    expect(d.size).toBe(3);
  });

  it('counts sightings per request: a request written twice (in flight, then finished) does not make its own lines entries', () => {
    const d = active();
    const a = req({ id: 'a', requestHeaders: lines('a') });
    requestText(a, d);
    requestText(a, d);
    expect(d.size).toBe(0);
    const t = requestText(req({ id: 'b', requestHeaders: lines('b') }), d);
    // The lines both requests have, not a's own X-Id.
    expect(d.size).toBe(3);
    expect(t).toContain('"X-Id","b"');
    expect(requestText(a, d)).toContain('"X-Id","a"');
  });

  it('inactive (no restore has read the stored entries yet), the text is the one without a dictionary', () => {
    const d = new LineDictionary();
    const r = req({ id: 'a', requestHeaders: lines('a') });
    requestText(r, d);
    expect(requestText(r, d)).toBe(requestText(r));
    expect(d.size).toBe(0);
  });

  it('keeps to its bounds: entries, bytes, and no value longer than 4,096 characters', () => {
    const d = active(2, 1024);
    const many = (id: string): HeaderEntry[] => ['a', 'b', 'c'].map((v) => ({ name: 'X-K', value: v })).concat({ name: 'X-Long', value: 'x'.repeat(5000) }, { name: 'X-Id', value: id });
    requestText(req({ id: 'a', requestHeaders: many('a') }), d);
    const t = requestText(req({ id: 'b', requestHeaders: many('b') }), d);
    // Two entries at most: the first two X-K lines; the third, the 5,000-character line and the
    // response's line stay inline.
    expect(d.size).toBe(2);
    expect(refs(t)).toEqual([-1, -2]);
    expect(t).toContain('x'.repeat(5000));
    expect(reviveRequest(JSON.parse(t), d)).toEqual(req({ id: 'b', requestHeaders: many('b') }));
    const small = active(100, 200);
    for (const id of ['a', 'b']) requestText(req({ id, requestHeaders: [UA, { name: 'X-Other', value: 'y'.repeat(150) }] }), small);
    expect(small.bytes).toBeLessThanOrEqual(200);
  });

  it('keeps at most 512 K characters of values seen once alive, and still finds the repeated ones', () => {
    const d = active();
    let most = 0;
    for (let i = 0; i < 300; i++) {
      const unique = { name: 'X-Blob', value: `${i}`.padEnd(4000, 'z') };
      requestText(req({ id: `u${i}`, requestHeaders: [unique, UA] }), d);
      most = Math.max(most, d.sightingChars);
    }
    // 1.2 M characters went by; the bound was reached, and held.
    expect(most).toBeGreaterThan(500 * 1024);
    expect(most).toBeLessThanOrEqual(512 * 1024);
    // The user agent, in every one of them, entered with the second.
    expect(refs(requestText(req({ id: 'last', requestHeaders: [UA] }), d))).toContain(-1);
    expect(d.size).toBeLessThanOrEqual(2);
  });

  it('what it hands to storage restores a fresh dictionary that reads the same texts; an entry never stored stays visible', () => {
    const d = active();
    for (const id of ['a', 'b']) requestText(req({ id, requestHeaders: lines(id) }), d);
    const first = d.takeUnsent()!;
    expect(first.key).toBe('d:0');
    expect(d.takeUnsent()).toBeNull();
    const r = req({ id: 'c', requestHeaders: [...lines('c'), { name: 'X-New', value: '1' }] });
    requestText(r, d);
    const text = requestText(req({ id: 'd', requestHeaders: [...lines('d'), { name: 'X-New', value: '1' }] }), d);
    const second = d.takeUnsent()!;
    expect(second.key).toBe('d:3');
    const fresh = new LineDictionary();
    expect(fresh.restore(second.key, second.value)).toBe(true);
    expect(fresh.restore(first.key, first.value)).toBe(true);
    expect(fresh.restore('d:x', first.value)).toBe(false);
    expect(fresh.restore('d:0', 'not json')).toBe(false);
    expect(reviveRequest(JSON.parse(text), fresh)).toEqual(reviveRequest(JSON.parse(text), d));
    expect(fresh.size).toBe(4);
    // Restored with entry 3 only (d:0 lost): the lines it referred to show as numbered lines.
    const partial = new LineDictionary();
    partial.restore(second.key, second.value);
    const names = reviveRequest(JSON.parse(text), partial)!.hops[0]!.requestHeaders.map((h) => h.name);
    expect(names).toEqual(['#line0', '#line1', 'X-Id', 'Date', 'X-New']);
    // A failed set gives its entries back: the next one carries them again.
    d.unsentFrom(first.from);
    expect(d.takeUnsent()!.key).toBe('d:0');
  });
});
