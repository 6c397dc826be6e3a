import { describe, expect, it } from 'vitest';
import { BoundedAnalyzer } from '../../../src/background/bounded-analyzer.ts';
import { analyzeCapture, CorsAnalyzer } from '../../../src/core/analyze.ts';
import type { CorsAnnotation } from '../../../src/core/annotation.ts';
import type { HeaderEntry, ObservedRequest } from '../../../src/core/model.ts';
import { PAGE, req } from './fakes.ts';

const h = (name: string, value: string): HeaderEntry => ({ name, value });
const make = (): CorsAnalyzer => new CorsAnalyzer({ browser: 'chromium' });

function preflight(id: string, url: string, t: number, maxAge = '600'): ObservedRequest {
  return req({
    id,
    url,
    method: 'OPTIONS',
    status: 204,
    startedMs: t,
    requestHeaders: [h('Origin', PAGE), h('Access-Control-Request-Method', 'PUT')],
    responseHeaders: [h('Access-Control-Allow-Origin', PAGE), h('Access-Control-Allow-Methods', 'PUT'), h('Access-Control-Max-Age', maxAge)],
  });
}
const put = (id: string, url: string, t: number): ObservedRequest => req({ id, url, method: 'PUT', startedMs: t });

/** Inner analyzers that count what they were given to judge. */
function counted(): { make: () => CorsAnalyzer; adds: () => number } {
  let adds = 0;
  return {
    make: () => {
      const a = make();
      const add = a.add.bind(a);
      a.add = (r) => (adds++, add(r));
      return a;
    },
    adds: () => adds,
  };
}

/** Latest annotation per id, from the stream of "new or changed" entries. */
function feed(a: { add(r: ObservedRequest): { cors: CorsAnnotation }[] }, reqs: ObservedRequest[]): Map<string, CorsAnnotation> {
  const out = new Map<string, CorsAnnotation>();
  for (const r of reqs) for (const e of a.add(r)) out.set(e.cors.id, e.cors);
  return out;
}

describe('BoundedAnalyzer', () => {
  it('judges exactly like the plain engine while groups stay under the bound', () => {
    const reqs: ObservedRequest[] = [];
    let t = 1000;
    for (let i = 0; i < 12; i++) {
      const url = `http://127.0.0.1:18102/u${i % 4}`;
      // Completion order as in Chromium: the preflight finishes before its request.
      if (i % 3 === 0) reqs.push(preflight(`p${i}`, url, t + 1));
      reqs.push(i % 3 === 2 ? req({ id: `r${i}`, url, startedMs: t, responseHeaders: [] }) : put(`r${i}`, url, t));
      t += 100;
    }
    const bounded = feed(new BoundedAnalyzer(make), reqs);
    const plain = new Map(analyzeCapture(reqs, { browser: 'chromium' }).map((e) => [e.cors.id, e.cors]));
    expect(bounded).toEqual(plain);
  });

  it('a polled endpoint: the group stays bounded and cache hits still name their preflight', () => {
    const url = 'http://127.0.0.1:18102/poll';
    const a = new BoundedAnalyzer(make, { maxGroup: 16, keepRecent: 6, keepPreflights: 2, maxTotal: 2000 });
    a.add(preflight('p0', url, 1000, '7200'));
    let last: CorsAnnotation | undefined;
    for (let i = 0; i < 2000; i++) {
      const out = a.add(put(`r${i}`, url, 1010 + i));
      last = out.find((e) => e.cors.id === `r${i}`)?.cors;
      expect(a.held).toBeLessThanOrEqual(16);
    }
    expect(a.restarts).toBeGreaterThan(100);
    // The first request pairs with p0; every later one is a cache hit of p0, the last one too.
    expect(last).toMatchObject({ kind: 'preflighted', preflightCache: { hit: true, preflightId: 'p0' } });
  });

  it('forgets the least recently used groups past maxTotal', () => {
    const a = new BoundedAnalyzer(make, { maxGroup: 16, keepRecent: 6, keepPreflights: 2, maxTotal: 100 });
    for (let i = 0; i < 1000; i++) a.add(req({ id: `d${i}`, url: `http://127.0.0.1:18102/d${i}`, startedMs: 1000 + i }));
    expect(a.held).toBe(100);
  });

  it('merges groups joined by a redirect and keeps pairing across them', () => {
    const x = 'http://127.0.0.1:18102/x';
    const y = 'http://127.0.0.1:18103/y';
    const a = new BoundedAnalyzer(make);
    a.add(req({ id: 'onX', url: x, startedMs: 1000 }));
    a.add(preflight('pY', y, 1100));
    const redirected: ObservedRequest = {
      ...put('r', x, 1090),
      hops: [
        { ...put('r', x, 1090).hops[0]!, status: 307, redirectURL: y, responseHeaders: [h('Access-Control-Allow-Origin', PAGE), h('Location', y)] },
        { ...put('r', y, 1101).hops[0]!, requestHeaders: [h('Origin', 'null')] },
      ],
    };
    const out = a.add(redirected);
    expect(out.map((e) => e.cors.id)).toContain('r');
    expect(a.held).toBe(3);
  });
});

describe('BoundedAnalyzer.defer (a preflight judged with the request it guards)', () => {
  const x = 'http://127.0.0.1:18102/x';
  const y = 'http://127.0.0.1:18103/y';
  it('records a preflight that starts a group unjudged; its request judges both, as the eager add-add does', () => {
    const c = counted();
    const a = new BoundedAnalyzer(c.make);
    expect(a.defer(preflight('p', x, 1000))).toBe(true);
    expect(c.adds()).toBe(0);
    expect(a.held).toBe(1);
    const out = a.add(put('r', x, 998));
    expect(c.adds()).toBe(1);
    expect(out.map((e) => e.cors.id)).toEqual(['p', 'r']);
    expect(new Map(out.map((e) => [e.cors.id, e.cors]))).toEqual(feed(new BoundedAnalyzer(make), [preflight('p', x, 1000), put('r', x, 998)]));
  });

  it('refuses a preflight whose URL a group holds already (its judgement may change theirs)', () => {
    const a = new BoundedAnalyzer(make);
    a.add(put('earlier', x, 900));
    expect(a.defer(preflight('p', x, 1000))).toBe(false);
    expect(a.held).toBe(1);
  });

  it('judge: alone before the request comes; after a merge rebuilt its group; forgotten by the bounds, alone', () => {
    const eagerAlone = feed(new BoundedAnalyzer(make), [preflight('p', x, 1000)]).get('p');
    const p = preflight('p2', x, 1000);
    const b = new BoundedAnalyzer(make);
    b.defer(p);
    expect(b.judge(p).map((e) => e.cors)).toEqual([eagerAlone && { ...eagerAlone, id: 'p2' }]);

    // A redirect joins the deferred preflight's group to another: the group is rebuilt, and its
    // judgement is what the eager analyzer gives.
    const onY = req({ id: 'onY', url: y, startedMs: 900 });
    const redirected: ObservedRequest = {
      ...req({ id: 'r', url: y, startedMs: 1100 }),
      hops: [
        { ...req({ id: 'r', url: y, startedMs: 1100 }).hops[0]!, status: 307, redirectURL: x, responseHeaders: [h('Access-Control-Allow-Origin', PAGE), h('Location', x)] },
        { ...req({ id: 'r', url: x, startedMs: 1101 }).hops[0]!, requestHeaders: [h('Origin', 'null')] },
      ],
    };
    const pf = preflight('pf', x, 1000);
    const lazy = new BoundedAnalyzer(make);
    lazy.defer(pf);
    const latest = feed(lazy, [onY, redirected]);
    for (const e of lazy.judge(pf)) latest.set(e.cors.id, e.cors);
    expect(latest).toEqual(feed(new BoundedAnalyzer(make), [pf, onY, redirected]));

    const small = new BoundedAnalyzer(make, { maxGroup: 16, keepRecent: 6, keepPreflights: 2, maxTotal: 3 });
    const old = preflight('old', x, 1000);
    small.defer(old);
    for (let i = 0; i < 5; i++) small.add(req({ id: `d${i}`, url: `http://127.0.0.1:18102/d${i}`, startedMs: 2000 + i }));
    expect(small.judge(old).map((e) => e.cors)).toEqual([eagerAlone && { ...eagerAlone, id: 'old' }]);
  });
});

describe('BoundedAnalyzer.seed (a restored request recorded without judging)', () => {
  /** A mixed stream over few URLs: pairs, cache hits, failures, redirects joining two groups. */
  function stream(n: number, seed: number): ObservedRequest[] {
    let s = seed;
    const rnd = (): number => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const out: ObservedRequest[] = [];
    let t = 1000;
    for (let i = 0; i < n; i++) {
      const url = `http://127.0.0.1:18102/u${Math.floor(rnd() * 5)}`;
      const x = rnd();
      if (x < 0.3) {
        out.push(preflight(`p${i}`, url, t + 1, rnd() < 0.5 ? '600' : '0'));
        out.push(put(`r${i}`, url, t));
      } else if (x < 0.5) out.push(put(`r${i}`, url, t));
      else if (x < 0.65) out.push(req({ id: `r${i}`, url, startedMs: t, responseHeaders: [] }));
      else if (x < 0.75) {
        const y = `http://127.0.0.1:18102/u${Math.floor(rnd() * 5)}`;
        out.push({
          ...put(`r${i}`, url, t),
          hops: [
            { ...put(`r${i}`, url, t).hops[0]!, status: 307, redirectURL: y, responseHeaders: [h('Access-Control-Allow-Origin', PAGE), h('Location', y)] },
            { ...put(`r${i}`, y, t + 11).hops[0]!, requestHeaders: [h('Origin', 'null')] },
          ],
        });
      } else out.push(req({ id: `r${i}`, url, startedMs: t }));
      t += Math.floor(rnd() * 3000);
    }
    return out;
  }


  it.each([
    { bounds: { maxGroup: 16, keepRecent: 6, keepPreflights: 2, maxTotal: 2000 }, seed: 7 },
    // Small bounds: restarts, merges and evictions happen while seeding and after.
    { bounds: { maxGroup: 4, keepRecent: 2, keepPreflights: 1, maxTotal: 9 }, seed: 11 },
    { bounds: { maxGroup: 3, keepRecent: 1, keepPreflights: 1, maxTotal: 5 }, seed: 23 },
  ])('later adds answer exactly as if every request had been added ($bounds.maxGroup/$bounds.maxTotal)', ({ bounds, seed }) => {
    const reqs = stream(120, seed);
    const eager = new BoundedAnalyzer(make, bounds);
    const heldAfter: number[] = [];
    const answers = reqs.map((r) => {
      const out = eager.add(r);
      heldAfter.push(eager.held);
      return out;
    });
    for (const k of [0, 1, 17, 60, reqs.length - 1]) {
      const c = counted();
      const lazy = new BoundedAnalyzer(c.make, bounds);
      for (const r of reqs.slice(0, k)) lazy.seed(r);
      expect(c.adds()).toBe(0);
      // The bounds forgot the same requests as they did for the judged stream.
      expect(lazy.held).toBe(k === 0 ? 0 : heldAfter[k - 1]);
      for (let i = k; i < reqs.length; i++) expect(lazy.add(reqs[i]!)).toEqual(answers[i]);
      expect(lazy.restarts).toBe(eager.restarts);
    }
    // The small bounds were really exercised.
    if (bounds.maxGroup < 16) expect(eager.restarts).toBeGreaterThan(0);
  });

  it('seeding thousands of requests judges none, and a new request rebuilds only its own group', () => {
    const c = counted();
    const a = new BoundedAnalyzer(c.make);
    for (let i = 0; i < 1000; i++) {
      const url = `http://127.0.0.1:18102/item/${i}`;
      a.seed(preflight(`p${i}`, url, 1000 + i));
      a.seed(put(`r${i}`, url, 1000 + i));
    }
    expect(c.adds()).toBe(0);
    // A cache hit on item 999's preflight (Max-Age 600): its group of two is replayed, then judged.
    const out = a.add(put('late', 'http://127.0.0.1:18102/item/999', 60_000));
    expect(c.adds()).toBe(3);
    const late = out.find((e) => e.cors.id === 'late')!.cors;
    expect(late.preflightCache).toMatchObject({ hit: true, preflightId: 'p999' });
  });
});
