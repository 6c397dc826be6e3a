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

  it('writes header lists flat, shorter than the plain JSON', () => {
    const r = req({ id: 'a' });
    const v = JSON.parse(requestText(r)) as { hops: { requestHeaders: unknown }[] };
    expect(v.hops[0]!.requestHeaders).toEqual(['Origin', r.hops[0]!.requestHeaders[0]!.value]);
    expect(requestText(r).length).toBeLessThan(JSON.stringify(r).length);
  });

  it('also reads the plain JSON form, and rejects what is not a request', () => {
    const r = req({ id: 'a' });
    expect(reviveRequest(JSON.parse(JSON.stringify(r)))).toEqual(r);
    expect(reviveRequest(null)).toBeNull();
    expect(reviveRequest({ id: 1, hops: [] })).toBeNull();
    expect(reviveRequest({ id: 'x', hops: [null] })).toBeNull();
  });
});
