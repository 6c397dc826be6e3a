import { describe, expect, it } from 'vitest';
import { CaptureStore, NO_TAB, type Analyzer } from '../../../src/background/store.ts';
import type { ObservedRequest } from '../../../src/core/model.ts';
import { BoundedAnalyzer } from '../../../src/background/bounded-analyzer.ts';
import { NO_YIELD } from '../../../src/background/slicer.ts';
import { CorsAnalyzer } from '../../../src/core/analyze.ts';
import { isPreflight } from '../../../src/core/classify.ts';
import { API, PAGE, StubAnalyzer, req } from './fakes.ts';

function store(cap = 5000): CaptureStore {
  return new CaptureStore({ analyzer: (): Analyzer => new StubAnalyzer(), maxEntriesPerTab: cap });
}

const ids = (s: CaptureStore, tabId: number): string[] => s.entries(tabId).map((e) => e.cors.id);
const fail = (id: string, extra: Partial<Parameters<typeof req>[0]> = {}): ObservedRequest => req({ id, responseHeaders: [], ...extra });
const preflight = (id: string, url: string, tabId = 1): ObservedRequest =>
  req({
    id,
    tabId,
    url,
    method: 'OPTIONS',
    requestHeaders: [
      { name: 'Origin', value: PAGE },
      { name: 'Access-Control-Request-Method', value: 'PUT' },
    ],
  });

describe('CaptureStore', () => {
  it('keeps entries per tab, newest last, and requests without a tab in their own bucket', () => {
    const s = store();
    s.add(req({ id: '1', tabId: 1 }));
    s.add(req({ id: '2', tabId: 2 }));
    s.add(req({ id: '3', tabId: 1 }));
    s.add(req({ id: '4', tabId: null }));
    expect(ids(s, 1)).toEqual(['1', '3']);
    expect(ids(s, 2)).toEqual(['2']);
    expect(ids(s, NO_TAB)).toEqual(['4']);
  });

  it('replaces a re-judged entry in place and keeps counters exact', () => {
    const s = store();
    const url = `${API}/put`;
    s.add(preflight('10', url));
    const r = s.add(req({ id: '9', url, method: 'PUT' }))!;
    // The stub pairs late: the preflight is re-judged with pairedWith.
    expect(r.changed.map((e) => e.cors.id).sort()).toEqual(['10', '9']);
    expect(s.entries(1).find((e) => e.cors.id === '10')!.cors.pairedWith).toBe('9');
    expect(ids(s, 1)).toEqual(['10', '9']);
    expect(s.counters(1)).toEqual({ crossOrigin: 1, passed: 1, failed: 0, preflights: 1, cacheHits: 0, dropped: 0 });
  });

  it('holds 20,000 requests of one tab within the cap and counts the rest as dropped', () => {
    const s = store(5000);
    for (let i = 0; i < 20_000; i++) s.add(req({ id: String(i), responseHeaders: i % 2 ? [] : undefined }));
    expect(s.size(1)).toBe(5000);
    expect(s.counters(1)).toMatchObject({ dropped: 15_000, crossOrigin: 5000, failed: 2500, passed: 2500 });
    expect(ids(s, 1)[0]).toBe('15000');
  });

  it.each([
    { cap: 3, n: 3, kept: ['0', '1', '2'], dropped: 0 },
    { cap: 3, n: 4, kept: ['1', '2', '3'], dropped: 1 },
    { cap: 3, n: 10, kept: ['7', '8', '9'], dropped: 7 },
    { cap: 1, n: 5, kept: ['4'], dropped: 4 },
  ])('cap $cap with $n requests keeps the newest and counts $dropped dropped', ({ cap, n, kept, dropped }) => {
    const s = store(cap);
    for (let i = 0; i < n; i++) s.add(fail(String(i)));
    expect(ids(s, 1)).toEqual(kept);
    expect(s.counters(1).dropped).toBe(dropped);
    // Counters describe what is retained: every kept entry is a failure here.
    expect(s.counters(1).failed).toBe(kept.length);
    expect(s.counters(1).crossOrigin).toBe(kept.length);
  });

  it('does not bring back a dropped entry when the analyzer re-judges it later', () => {
    const s = store(1);
    const url = `${API}/put`;
    s.add(preflight('1', url));
    s.add(req({ id: '2', url: `${API}/other` })); // drops the preflight
    const r = s.add(req({ id: '3', url, method: 'PUT' }))!; // stub re-judges preflight '1'
    expect(r.changed.map((e) => e.cors.id)).toEqual(['3']);
    expect(ids(s, 1)).toEqual(['3']);
    expect(s.counters(1).preflights).toBe(0);
  });

  it('lowering the cap trims every tab', () => {
    const s = store(10);
    for (let i = 0; i < 6; i++) s.add(req({ id: `a${i}`, tabId: 1 }));
    for (let i = 0; i < 2; i++) s.add(req({ id: `b${i}`, tabId: 2 }));
    s.setCap(3);
    expect(ids(s, 1)).toEqual(['a3', 'a4', 'a5']);
    expect(s.counters(1).dropped).toBe(3);
    expect(ids(s, 2)).toEqual(['b0', 'b1']);
  });

  describe('navigation', () => {
    it('clears the tab, keeps the navigation request and discards requests of the old document', () => {
      const s = store();
      s.add(fail('old', { startedMs: 100 }));
      expect(s.navigate(1, `${PAGE}/next`, 'nav', 500, false)).toBe(true);
      expect(s.counters(1)).toMatchObject({ failed: 0, crossOrigin: 0, dropped: 0 });
      // A request of the previous document finishing after the commit does not enter the new log.
      expect(s.add(req({ id: 'late-old', startedMs: 400 }))).toBeNull();
      expect(s.add(req({ id: 'nav', startedMs: 450, resourceType: 'main_frame', requestHeaders: [] }))).not.toBeNull();
      s.add(req({ id: 'new', startedMs: 600 }));
      expect(ids(s, 1)).toEqual(['nav', 'new']);
      expect(s.url(1)).toBe(`${PAGE}/next`);
    });

    it('keeps everything with preserveLog', () => {
      const s = store();
      s.add(fail('old', { startedMs: 100 }));
      expect(s.navigate(1, `${PAGE}/next`, 'nav', 500, true)).toBe(false);
      s.add(req({ id: 'late-old', startedMs: 400 }));
      expect(ids(s, 1)).toEqual(['old', 'late-old']);
      expect(s.counters(1).failed).toBe(1);
    });

    it('leaves other tabs alone', () => {
      const s = store();
      s.add(req({ id: 'a', tabId: 1 }));
      s.add(req({ id: 'b', tabId: 2 }));
      s.navigate(1, PAGE, 'nav', 5000, false);
      expect(ids(s, 2)).toEqual(['b']);
    });
  });

  it('clear and remove', () => {
    const s = store();
    s.add(fail('a', { tabId: 1 }));
    s.add(fail('b', { tabId: 1 }));
    expect(s.clear(1)).toBe(2);
    expect(s.entries(1)).toEqual([]);
    expect(s.counters(1).failed).toBe(0);
    s.add(req({ id: 'c', tabId: 1 }));
    expect(s.remove(1)).toBe(true);
    expect(s.has(1)).toBe(false);
    expect(s.clear(99)).toBe(0);
  });

  it('dropBefore drops by request position and counts them', () => {
    const s = store();
    for (let i = 0; i < 5; i++) s.add(req({ id: String(i) }));
    expect(s.dropBefore(1, 3)).toBe(3);
    expect(ids(s, 1)).toEqual(['3', '4']);
    expect(s.counters(1).dropped).toBe(3);
    expect(s.meta(1)).toMatchObject({ firstSeq: 3, nextSeq: 5, dropped: 3 });
  });

  it('restore re-judges persisted requests and keeps the dropped count', () => {
    const a = store();
    const url = `${API}/put`;
    a.add(req({ id: '0' }));
    a.add(preflight('1', url));
    a.add(req({ id: '2', url, method: 'PUT' }));
    a.dropBefore(1, 1);
    const meta = a.meta(1)!;
    const b = store();
    b.restore(meta, a.requestsWithSeq(1).map((x) => x.request), 2);
    expect(ids(b, 1)).toEqual(ids(a, 1));
    expect(b.entries(1)).toEqual(a.entries(1));
    expect(b.counters(1)).toEqual({ ...a.counters(1), dropped: 3 });
    expect(b.add(req({ id: '3' }))!.seq).toBe(3);
  });

  describe('restored tabs are judged on first use, not on wake', () => {
    function persisted(): { meta: NonNullable<ReturnType<CaptureStore['meta']>>; requests: ObservedRequest[] } {
      const a = store();
      for (let i = 0; i < 5; i++) a.add(fail(String(i)));
      return { meta: a.meta(1)!, requests: a.requestsWithSeq(1).map((x) => x.request) };
    }
    function counting(): { s: CaptureStore; judged: () => number } {
      let judged = 0;
      const s = new CaptureStore({
        analyzer: () => {
          const inner = new StubAnalyzer();
          return { add: (r: ObservedRequest) => (judged++, inner.add(r)) };
        },
        maxEntriesPerTab: 5000,
      });
      return { s, judged: () => judged };
    }

    it('judges a tab only when it is read or written', () => {
      const { meta, requests } = persisted();
      const { s, judged } = counting();
      s.restore(meta, requests);
      s.restore({ ...meta, tabId: 2 }, requests.map((r) => ({ ...r, tabId: 2 })));
      expect(s.tabIds().sort()).toEqual([1, 2]);
      expect(s.has(2)).toBe(true);
      expect(judged()).toBe(0);
      expect(s.counters(1).failed).toBe(5);
      expect(judged()).toBe(5);
      s.add(req({ id: 'new', tabId: 2 }));
      expect(judged()).toBe(11);
      expect(ids(s, 2)).toEqual(['0', '1', '2', '3', '4', 'new']);
    });

    it.each([
      { how: 'clear', act: (s: CaptureStore) => s.clear(1) },
      { how: 'navigation', act: (s: CaptureStore) => s.navigate(1, PAGE, 'nav', 9e9, false) },
    ])('$how of a dormant tab empties it without judging it, and keeps numbering', ({ act }) => {
      const { meta, requests } = persisted();
      const { s, judged } = counting();
      s.restore(meta, requests);
      act(s);
      expect(judged()).toBe(0);
      expect(s.entries(1)).toEqual([]);
      expect(s.add(req({ id: 'next', startedMs: 9e9 + 1 }))!.seq).toBe(meta.nextSeq);
    });

    it('materialiseAll judges every dormant tab in slices, yielding whenever the slicer says so, with the same result', async () => {
      const { meta, requests } = persisted();
      const { s, judged } = counting();
      s.restore(meta, requests);
      s.restore({ ...meta, tabId: 2 }, requests.map((r) => ({ ...r, tabId: 2 })));
      let pauses = 0;
      const judgedAtPause: number[] = [];
      // A slicer whose budget is used up after every second request (a stand-in for the clock).
      await s.materialiseAll({
        get due() {
          return judged() > 0 && judged() % 2 === 0 && judgedAtPause[judgedAtPause.length - 1] !== judged();
        },
        async yield() {
          pauses++;
          judgedAtPause.push(judged());
        },
        wait: (p) => p,
      });
      // 10 requests, the budget used up every second one: a yield after every second one.
      expect(judged()).toBe(10);
      expect(pauses).toBe(5);
      expect(judgedAtPause).toEqual([2, 4, 6, 8, 10]);
      const lazy = store();
      lazy.restore(meta, requests);
      expect(s.entries(1)).toEqual(lazy.entries(1));
      expect(s.counters(1)).toEqual(lazy.counters(1));
      expect(s.add(req({ id: 'next' }))!.seq).toBe(meta.nextSeq);
    });

    it('remove forgets a dormant tab', () => {
      const { meta, requests } = persisted();
      const { s } = counting();
      s.restore(meta, requests);
      expect(s.remove(1)).toBe(true);
      expect(s.tabIds()).toEqual([]);
    });
  });

  describe('restored with stored codes: live at once, judged only when the entries are asked for', () => {
    /** The real engine behind the live bounds, counting what the inner analyzers judge. */
    function real(cap = 5000): { s: CaptureStore; judged: () => number } {
      let judged = 0;
      const make = (): CorsAnalyzer => {
        const a = new CorsAnalyzer({ browser: 'chromium' });
        const add = a.add.bind(a);
        a.add = (r) => (judged++, add(r));
        return a;
      };
      return { s: new CaptureStore({ analyzer: () => new BoundedAnalyzer(make), maxEntriesPerTab: cap }), judged: () => judged };
    }
    const maxAgePreflight = (id: string, url: string, t: number, allow = 'PUT'): ObservedRequest => ({
      ...preflight(id, url),
      hops: [
        {
          ...preflight(id, url).hops[0]!,
          status: 204,
          startedMs: t,
          endedMs: t + 5,
          responseHeaders: [
            { name: 'Access-Control-Allow-Origin', value: PAGE },
            { name: 'Access-Control-Allow-Methods', value: allow },
            { name: 'Access-Control-Max-Age', value: '600' },
          ],
        },
      ],
    });
    /** Pairs that pass and fail, cache hits, plain failures and passes, over a few URLs. */
    function capture(s: CaptureStore): void {
      for (let i = 0; i < 40; i++) {
        const url = `${API}/item/${i % 7}`;
        const t = 1000 + i * 700;
        if (i % 4 === 0) s.add(maxAgePreflight(`p${i}`, url, t, i % 8 === 0 ? 'PUT' : 'GET'));
        if (i % 2 === 0) s.add(req({ id: `r${i}`, url, method: 'PUT', startedMs: t + 10 }));
        else if (i % 3 === 0) s.add(fail(`r${i}`, { url, startedMs: t }));
        else s.add(req({ id: `r${i}`, url, startedMs: t }));
      }
    }

    // The oracle is the restore that judges everything again (no codes), as every wake did
    // before: it knows what storage kept, as the lazy one does. (A store that never stopped can
    // know more: requests the cap or the budget dropped still sit in its analyzer.)
    it('counts from the codes without judging, and then judges as the full re-judging restore', async () => {
      const a = real().s;
      capture(a);
      a.dropBefore(1, 3);
      const meta = a.meta(1)!;
      const requests = a.requestsWithSeq(1).map((x) => x.request);
      expect(meta.codes).toHaveLength(requests.length);
      expect(a.counters(1).failed).toBeGreaterThan(0);
      expect(a.counters(1).cacheHits).toBeGreaterThan(0);
      expect(a.counters(1).preflights).toBeGreaterThan(0);

      const { s: b, judged } = real();
      b.restore(meta, requests, 0, meta.codes!);
      const full = real().s;
      full.restore(meta, requests, 0, null);
      expect(judged()).toBe(0);
      expect(b.counters(1)).toEqual(a.counters(1));
      expect(b.meta(1)).toEqual(meta);
      // New requests after the wake: cache hits on stored preflights, a failure, a request to a
      // new URL. Each is judged as by the full restore.
      const later = [
        req({ id: 'hit', url: `${API}/item/1`, method: 'PUT', startedMs: 60_000 }),
        req({ id: 'hit2', url: `${API}/item/4`, method: 'PUT', startedMs: 60_050 }),
        fail('late-fail', { url: `${API}/item/3`, startedMs: 60_100 }),
        req({ id: 'fresh', url: `${API}/elsewhere`, startedMs: 60_200 }),
      ];
      for (const r of later) expect(b.add(r)).toEqual(full.add(r));
      expect(full.entries(1).find((e) => e.cors.id === 'hit')!.cors.preflightCache).toMatchObject({ hit: true, preflightId: expect.any(String) });
      // Only the groups the new requests joined were judged again, not the whole tab.
      expect(judged()).toBeGreaterThan(later.length);
      expect(judged()).toBeLessThan(requests.length);
      expect(b.counters(1)).toEqual(full.counters(1));
      await b.judged(1, NO_YIELD);
      expect(b.entries(1)).toEqual(full.entries(1));
      expect(b.counters(1)).toEqual(full.counters(1));
      expect(b.meta(1)).toEqual(full.meta(1));
    });

    it('entries() judges in one run when nothing judged first, and a trim by the cap still counts right', () => {
      const a = real(30).s;
      capture(a);
      const meta = a.meta(1)!;
      const requests = a.requestsWithSeq(1).map((x) => x.request);
      const b = real(30).s;
      b.restore(meta, requests, 2, meta.codes!);
      const full = real(30).s;
      full.restore(meta, requests, 2, null);
      expect(b.counters(1)).toEqual({ ...a.counters(1), dropped: a.counters(1).dropped + 2 });
      for (const r of [req({ id: 'x1', startedMs: 70_000 }), fail('x2', { startedMs: 70_001 })]) expect(b.add(r)).toEqual(full.add(r));
      expect(b.size(1)).toBe(30);
      expect(b.counters(1)).toEqual(full.counters(1));
      expect(b.entries(1)).toEqual(full.entries(1));
    });

    it('codes that do not cover the requests (an earlier build, a damaged meta): judged in full instead', () => {
      const a = real().s;
      capture(a);
      const meta = a.meta(1)!;
      const requests = a.requestsWithSeq(1).map((x) => x.request);
      for (const codes of [meta.codes!.slice(1), `${meta.codes!.slice(1)}?`, null]) {
        const { s: b, judged } = real();
        b.restore(meta, requests, 0, codes);
        expect(b.counters(1)).toEqual(a.counters(1));
        expect(judged()).toBeGreaterThanOrEqual(requests.length);
        expect(b.entries(1)).toEqual(a.entries(1));
      }
    });

    describe('defer: a preflight judged with the request it guards', () => {
      /** Each step given to an eager store (add) and a deferring one (defer for preflights). */
      function both(cap = 5000) {
        const eager = real(cap);
        const lazy = real(cap);
        const steps: { deferred: boolean }[] = [];
        const step = (r: ObservedRequest): void => {
          const e = eager.s.add(r);
          const pf = isPreflight(r);
          const l = pf ? lazy.s.defer(r) : lazy.s.add(r);
          steps.push({ deferred: pf && l !== null && l.changed.length === 0 });
          // What the badge and the popup see is the same at every step.
          expect(l?.failedChanged).toEqual(e?.failedChanged);
          expect(l?.seq).toEqual(e?.seq);
          expect(lazy.s.counters(1)).toEqual(eager.s.counters(1));
          expect(lazy.s.meta(1)).toEqual(eager.s.meta(1));
        };
        return { eager, lazy, steps, step };
      }
      const pair = (i: number, url: string, t: number, allow = 'PUT'): ObservedRequest[] => [
        maxAgePreflight(`p${i}`, url, t, allow),
        req({ id: `r${i}`, url, method: 'PUT', startedMs: t - 2 }),
      ];

      it('judges each pair once and ends where the eager store ends, counters exact at every step', () => {
        const { eager, lazy, steps, step } = both();
        for (let i = 0; i < 30; i++) {
          // Fresh URLs (deferred), a repeated one (not: its group holds requests), failing preflights.
          const url = i % 5 === 4 ? `${API}/same` : `${API}/call/${i}`;
          for (const r of pair(i, url, 1000 + i * 50, i % 3 === 0 ? 'GET' : 'PUT')) step(r);
        }
        // 24 on fresh URLs, and the first on the repeated one (its group was new then).
        expect(steps.filter((x) => x.deferred).length).toBe(25);
        expect(lazy.s.counters(1).failed).toBeGreaterThan(0);
        expect(lazy.judged()).toBeLessThan(eager.judged());
        expect(lazy.s.entries(1)).toEqual(eager.s.entries(1));
      });

      it("the request's add returns the deferred preflight's entry, paired with it", () => {
        const { lazy, step } = both();
        const [p, r] = pair(1, `${API}/one`, 1000);
        step(p!);
        const out = lazy.s.add({ ...r!, id: 'r1b' });
        expect(out!.changed.map((e) => e.cors.id)).toEqual(['p1', 'r1b']);
        expect(out!.changed[0]!.cors).toMatchObject({ kind: 'preflight', pairedWith: 'r1b' });
      });

      it('asked for before its request comes, a deferred preflight is judged alone, and again when the request comes', () => {
        const { eager, lazy, step } = both();
        const [p, r] = pair(1, `${API}/one`, 1000);
        step(p!);
        expect(lazy.s.entries(1)).toEqual(eager.s.entries(1));
        expect(lazy.s.entries(1)[0]!.cors.pairedWith).toBeNull();
        step(r!);
        expect(lazy.s.entries(1)).toEqual(eager.s.entries(1));
        expect(lazy.s.entries(1)[0]!.cors.pairedWith).toBe('r1');
      });

      it('a deferred preflight the cap drops is counted as dropped, as an eager one', () => {
        const { eager, lazy, step } = both(3);
        for (let i = 0; i < 4; i++) for (const r of pair(i, `${API}/call/${i}`, 1000 + i * 50)) step(r);
        step(maxAgePreflight('lone', `${API}/lone`, 9000));
        expect(lazy.s.entries(1)).toEqual(eager.s.entries(1));
        expect(lazy.s.counters(1)).toMatchObject({ dropped: 6 });
      });
    });

    it('a navigation while the judging of a restored tab waits leaves nothing half-judged', async () => {
      const a = real().s;
      capture(a);
      const meta = a.meta(1)!;
      const b = real().s;
      b.restore(meta, a.requestsWithSeq(1).map((x) => x.request), 0, meta.codes!);
      let yields = 0;
      const judging = b.judged(1, { due: true, yield: async () => void (yields++ === 2 && b.navigate(1, PAGE, 'nav', 9e9, false)), wait: (p) => p });
      await judging;
      expect(yields).toBeGreaterThan(2);
      expect(b.entries(1)).toEqual([]);
      expect(b.counters(1)).toMatchObject({ crossOrigin: 0, failed: 0, preflights: 0 });
    });
  });
});
