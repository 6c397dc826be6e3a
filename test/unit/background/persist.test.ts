/**
 * The write-through of finished requests (src/background/persist.ts `writeFinished`), over a
 * storage area whose writes are answered when the test says so (fakes.ts SlowArea): requests
 * finishing while a write-through is on its way share the next `set`; nothing handed over is lost
 * at a stop, duplicated or reordered; the batched flush keeps its `set` then `remove` order.
 * The first block runs without the coalescing window (`coalesceMs: 0`, the round-trip rule alone);
 * the second with it, under fake timers.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_PERSIST_OPTIONS, SessionPersister, type FlushSource, type PersistOptions } from '../../../src/background/persist.ts';
import type { TabMeta } from '../../../src/background/store.ts';
import type { ObservedRequest } from '../../../src/core/model.ts';
import { FakeStorageArea, SlowArea, req } from './fakes.ts';

/** The persister with the service's hot-path calls for a request stored under the next seq of its tab. */
class Harness {
  readonly p: SessionPersister;
  readonly next = new Map<number, number>();
  constructor(
    readonly area: SlowArea,
    opts: Partial<PersistOptions> = {},
  ) {
    this.p = new SessionPersister(area, { ...DEFAULT_PERSIST_OPTIONS, coalesceMs: 0, ...opts });
  }
  finish(r: ObservedRequest): void {
    const tabId = r.tabId ?? -1;
    const seq = this.next.get(tabId) ?? 0;
    this.next.set(tabId, seq + 1);
    const text = this.p.writeFinished(r);
    this.p.append(tabId, seq, r, text);
  }
  readonly src: FlushSource = {
    meta: (tabId): TabMeta | null => {
      const n = this.next.get(tabId);
      return n === undefined ? null : { tabId, url: null, dropped: 0, firstSeq: 0, nextSeq: n, sinceMs: null, navRequestId: null };
    },
    inflight: () => undefined,
    evicted: () => undefined,
  };
  /** A batched flush, its `set`s answered as they come. */
  async flush(): Promise<void> {
    const done = this.p.flush(this.src);
    while (this.area.waiting > 0) await this.area.answerNext();
    await done;
  }
}

/** What a worker woken over `data` restores: every request it files, in the order it files them. */
async function restoredIds(data: Map<string, unknown>): Promise<string[]> {
  const area = new FakeStorageArea();
  for (const [k, v] of data) area.data.set(k, v);
  const r = await new SessionPersister(area).load();
  return [...r.tabs.flatMap((t) => t.requests), ...r.finished].map((x) => x.id);
}

const ids = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
/** Requests of tab 1 that end in the order of their index. */
const reqs = (prefix: string, n: number): ObservedRequest[] => ids(prefix, n).map((id, i) => req({ id, startedMs: 1000 + i }));

/**
 * The 40 requests finish in rounds of 3, 9, 1, 12, 7 and 8; after each round alternately one
 * answer, or a batched flush with its answers; then two flushes.
 */
async function playRounds(h: Harness, all: ObservedRequest[]): Promise<void> {
  let i = 0;
  for (const round of [3, 9, 1, 12, 7, 8]) {
    for (const r of all.slice(i, i + round)) h.finish(r);
    i += round;
    if (round % 2 === 1) await h.area.answerNext();
    else await h.flush();
  }
  await h.flush();
  await h.flush();
  expect(i).toBe(all.length);
}

describe('coalesced write-through of finished requests (no window: the round trip alone)', () => {
  it('with no write-through on its way, a finished request is handed to the browser at once, with the version key', () => {
    const h = new Harness(new SlowArea());
    h.finish(req({ id: 'a' }));
    expect(h.area.log.map((l) => l.keys)).toEqual([['f:a', 'v']]);
    expect(h.area.inner.data.has('f:a')).toBe(true);
    expect(h.p.calls).toMatchObject({ set: 1, remove: 0, through: 1, inflight: 0 });
  });

  it('requests finishing while one is on its way go together in one set once it is answered, in finishing order', async () => {
    const h = new Harness(new SlowArea());
    const [first, ...rest] = reqs('r', 6);
    h.finish(first!);
    for (const r of rest) h.finish(r);
    // Five requests waiting, still one `set`.
    expect(h.area.sets()).toEqual([['f:r0']]);
    await h.area.answerNext();
    expect(h.area.sets()).toEqual([['f:r0'], ['f:r1', 'f:r2', 'f:r3', 'f:r4', 'f:r5']]);
    // Six requests, two `set`s (one each before), and the version key until a batched write lands.
    expect(h.p.calls.set).toBe(2);
    expect(h.area.log[1]!.keys).toContain('v');
    await h.area.answerNext();
    // Nothing waits any more: the next request goes at once again, alone.
    h.finish(req({ id: 'late', startedMs: 2000 }));
    expect(h.area.sets().at(-1)).toEqual(['f:late']);
    expect(await restoredIds(h.area.inner.data)).toEqual([...ids('r', 6), 'late']);
  });

  it('at most maxCoalesced wait: the next one goes without waiting for an answer', () => {
    const h = new Harness(new SlowArea(), { maxCoalesced: 4 });
    for (const r of reqs('r', 10)) h.finish(r);
    // No answer at all (a browser that is very busy): r0 alone, then every fourth.
    expect(h.area.sets()).toEqual([['f:r0'], ['f:r1', 'f:r2', 'f:r3', 'f:r4'], ['f:r5', 'f:r6', 'f:r7', 'f:r8']]);
    expect(h.area.inner.data.has('f:r9')).toBe(false);
  });

  it('a batched flush hands the waiting write-throughs over before its own set, and removes each key only after its set', async () => {
    const h = new Harness(new SlowArea(), { chunkSize: 5 });
    for (const r of reqs('r', 12)) h.finish(r);
    const flushed = h.p.flush(h.src);
    // The waiting eleven go first, then the flush's chunks and meta (the open chunk waits).
    expect(h.area.sets()[0]).toEqual(['f:r0']);
    expect(h.area.sets()[1]).toEqual(ids('r', 12).slice(1).map((id) => `f:${id}`));
    expect(h.area.sets()[2]!.sort()).toEqual(['c:1:0', 'c:1:1', 'm:1']);
    while (h.area.waiting > 0) await h.area.answerNext();
    await flushed;
    const setAt = new Map<string, number>();
    const removedAt = new Map<string, number>();
    h.area.log.forEach((l, i) => {
      for (const k of l.keys) if (l.op === 'set' && !setAt.has(k)) setAt.set(k, i);
      for (const k of l.keys) if (l.op === 'remove') removedAt.set(k, i);
    });
    // The ten in the written chunks lose their `f:` key; the two of the open chunk keep theirs.
    expect([...removedAt.keys()].sort()).toEqual(ids('r', 10).map((id) => `f:${id}`).sort());
    for (const [k, at] of removedAt) expect(setAt.get(k)).toBeLessThan(at);
    await h.flush();
    await h.flush();
    expect([...h.area.inner.data.keys()].filter((k) => k.startsWith('f:'))).toEqual([]);
    expect(await restoredIds(h.area.inner.data)).toEqual(ids('r', 12));
  });

  it('a stop after any storage call loses nothing handed over by then, and restores it once, in order', async () => {
    const h = new Harness(new SlowArea(), { chunkSize: 4, maxCoalesced: 5 });
    const all = reqs('r', 40);
    await playRounds(h, all);
    const handedOver = new Set<string>();
    for (const l of h.area.log) {
      if (l.op === 'set') for (const k of l.keys) if (k.startsWith('f:')) handedOver.add(k.slice(2));
      // A stop right after this call: the wake restores every request handed over by then, each
      // once, in finishing order (the store's seq order, then the write-throughs by end time).
      const got = await restoredIds(l.after);
      expect(new Set(got).size).toBe(got.length);
      expect(got).toEqual(all.map((r) => r.id).filter((id) => got.includes(id)));
      for (const id of handedOver) expect(got).toContain(id);
    }
    expect(await restoredIds(h.area.inner.data)).toEqual(all.map((r) => r.id));
    // Fewer `set`s than requests: the write-throughs were coalesced.
    expect(h.area.sets().filter((keys) => keys.every((k) => k.startsWith('f:'))).length).toBeLessThan(40);
  });

  it('what a stop during a round trip costs: only the requests still waiting for the answer', async () => {
    const h = new Harness(new SlowArea());
    for (const r of reqs('r', 5)) h.finish(r);
    // Stopped now: r0 was handed over; r1–r4 waited for its answer, which this worker never gets.
    expect(await restoredIds(h.area.inner.data)).toEqual(['r0']);
  });

  it('a write-through still waiting when its tab is cleared is removed by the flush after it is set (no stale key)', async () => {
    const h = new Harness(new SlowArea());
    for (const r of reqs('r', 3)) h.finish(r);
    h.p.cleared(1);
    await h.flush();
    expect([...h.area.inner.data.keys()].filter((k) => k.startsWith('f:'))).toEqual([]);
    expect(await restoredIds(h.area.inner.data)).toEqual([]);
  });
});

describe('the coalescing window (coalesceMs)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const WINDOW = DEFAULT_PERSIST_OPTIONS.coalesceMs;

  it('is on by default, and requests finishing within it share one set, handed over when it ends', async () => {
    expect(WINDOW).toBeGreaterThan(0);
    const h = new Harness(new SlowArea(), { coalesceMs: WINDOW });
    for (const r of reqs('r', 5)) h.finish(r);
    // Nothing handed over yet: a stop now loses these five (the price of the window).
    expect(h.area.sets()).toEqual([]);
    expect(await restoredIds(h.area.inner.data)).toEqual([]);
    await vi.advanceTimersByTimeAsync(WINDOW - 1);
    expect(h.area.sets()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.area.sets()).toEqual([ids('r', 5).map((id) => `f:${id}`)]);
    expect(h.area.log[0]!.keys).toContain('v');
    expect(await restoredIds(h.area.inner.data)).toEqual(ids('r', 5));
    expect(h.p.calls).toMatchObject({ set: 1, remove: 0, through: 5, inflight: 0 });
  });

  it('when the window ends while a set is on its way, what waits goes with its answer, not before', async () => {
    const h = new Harness(new SlowArea(), { coalesceMs: WINDOW });
    h.finish(req({ id: 'a', startedMs: 1 }));
    await vi.advanceTimersByTimeAsync(WINDOW);
    expect(h.area.sets()).toEqual([['f:a']]);
    h.finish(req({ id: 'b', startedMs: 2 }));
    h.finish(req({ id: 'c', startedMs: 3 }));
    await vi.advanceTimersByTimeAsync(WINDOW * 3);
    // `a` is not answered yet: b and c wait for it.
    expect(h.area.sets()).toEqual([['f:a']]);
    await h.area.answerNext();
    expect(h.area.sets()).toEqual([['f:a'], ['f:b', 'f:c']]);
  });

  it('an answer before the window ends does not cut the window short', async () => {
    const h = new Harness(new SlowArea(), { coalesceMs: WINDOW });
    h.finish(req({ id: 'a', startedMs: 1 }));
    await vi.advanceTimersByTimeAsync(WINDOW);
    h.finish(req({ id: 'b', startedMs: 2 }));
    await h.area.answerNext();
    expect(h.area.sets()).toEqual([['f:a']]);
    h.finish(req({ id: 'c', startedMs: 3 }));
    await vi.advanceTimersByTimeAsync(WINDOW);
    expect(h.area.sets()).toEqual([['f:a'], ['f:b', 'f:c']]);
  });

  it('maxCoalesced waiting go at once, and a batched flush hands over what waits without waiting for the window', async () => {
    const h = new Harness(new SlowArea(), { coalesceMs: WINDOW, maxCoalesced: 4, chunkSize: 100 });
    for (const r of reqs('r', 6)) h.finish(r);
    expect(h.area.sets()).toEqual([ids('r', 4).map((id) => `f:${id}`)]);
    const flushed = h.p.flush(h.src);
    expect(h.area.sets()[1]).toEqual(['f:r4', 'f:r5']);
    while (h.area.waiting > 0) await h.area.answerNext();
    await flushed;
    // The flush took the timer's work: it sends nothing more.
    await vi.advanceTimersByTimeAsync(WINDOW * 2);
    expect(h.area.sets().filter((k) => k.every((x) => x.startsWith('f:')))).toHaveLength(2);
    expect(await restoredIds(h.area.inner.data)).toEqual(ids('r', 6));
  });

  it('the keys a restore writes at once (a raw terminal event, a request side) share the window too', async () => {
    const h = new Harness(new SlowArea(), { coalesceMs: WINDOW });
    h.p.writeEvent({ event: 'completed', requestId: 'x', url: 'https://api.test/x', statusCode: 200, statusLine: 'HTTP/1.1 200 OK', responseHeaders: [], fromCache: false, timeStamp: 5 }, undefined);
    h.p.writeInflightNow(req({ id: 'y', startedMs: 6 }));
    expect(h.area.sets()).toEqual([]);
    await vi.advanceTimersByTimeAsync(WINDOW);
    expect(h.area.sets().map((k) => [...k].sort())).toEqual([['e:x', 'i:y']]);
  });

  it('a stop after any storage call loses nothing handed over by then (the window changes only when)', async () => {
    const h = new Harness(new SlowArea(), { coalesceMs: WINDOW, chunkSize: 4, maxCoalesced: 5 });
    const all = reqs('r', 30);
    let i = 0;
    for (const round of [3, 9, 1, 12, 5]) {
      for (const r of all.slice(i, i + round)) h.finish(r);
      i += round;
      await vi.advanceTimersByTimeAsync(WINDOW);
      if (round % 2 === 1) await h.area.answerNext();
      else await h.flush();
    }
    await h.flush();
    await h.flush();
    const handedOver = new Set<string>();
    for (const l of h.area.log) {
      if (l.op === 'set') for (const k of l.keys) if (k.startsWith('f:')) handedOver.add(k.slice(2));
      const got = await restoredIds(l.after);
      expect(new Set(got).size).toBe(got.length);
      for (const id of handedOver) expect(got).toContain(id);
    }
    expect(await restoredIds(h.area.inner.data)).toEqual(all.map((r) => r.id));
  });
});

describe('the header-line dictionary in storage (codec.ts LineDictionary, `d:` keys)', () => {
  const UA = { name: 'User-Agent', value: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/150.0.0.0 Safari/537.36' };
  /** Requests of tab 1 with lines that repeat (and one that does not), ending in index order. */
  const similar = (prefix: string, n: number): ObservedRequest[] =>
    ids(prefix, n).map((id, i) => req({ id, startedMs: 1000 + i, requestHeaders: [UA, { name: 'Origin', value: 'http://127.0.0.1:1' }, { name: 'X-Id', value: id }, { name: `X-Group-${i % 3}`, value: 'g' }] }));
  /** A worker woken over `data`: every request it files, whole. */
  async function restored(data: Map<string, unknown>): Promise<ObservedRequest[]> {
    const area = new FakeStorageArea();
    for (const [k, v] of data) area.data.set(k, v);
    const r = await new SessionPersister(area).load();
    return [...r.tabs.flatMap((t) => t.requests), ...r.finished];
  }
  /** A harness whose persister restored (from nothing) first, as the service's does: its dictionary is active. */
  async function woken(opts: Partial<PersistOptions> = {}): Promise<Harness> {
    const h = new Harness(new SlowArea(), opts);
    await h.p.load();
    return h;
  }

  it('after a restore, repeated lines are written once under d: keys, with the first set that refers to them, and read back whole', async () => {
    const h = await woken({ chunkSize: 4 });
    const all = similar('r', 10);
    for (const r of all) h.finish(r);
    await h.flush();
    await h.flush();
    const texts = [...h.area.inner.data].filter(([k]) => k.startsWith('c:')).map(([, v]) => v as string);
    // The user agent is written twice in all: in r0's own text (its first sighting) and once as an entry.
    expect(texts.join('').split(UA.value)).toHaveLength(2);
    expect([...h.area.inner.data].filter(([k]) => k.startsWith('d:')).map(([, v]) => v as string).join('')).toContain(UA.value);
    // Every entry a text refers to was in that text's set or an earlier one.
    const stored = new Set<number>();
    let referred = 0;
    for (const l of h.area.log) {
      if (l.op !== 'set') continue;
      for (const k of l.keys) {
        if (!k.startsWith('d:')) continue;
        const n = (JSON.parse(l.after.get(k) as string) as unknown[]).length / 2;
        for (let e = Number(k.slice(2)); e < Number(k.slice(2)) + n; e++) stored.add(e);
      }
      for (const k of l.keys) {
        if (k.startsWith('d:') || k === 'v' || k.startsWith('m:')) continue;
        for (const ref of (l.after.get(k) as string).match(/[[,]-\d+(?=[,\]])/g) ?? []) {
          referred++;
          expect(stored.has(-1 - Number(ref.slice(1)))).toBe(true);
        }
      }
    }
    expect(referred).toBeGreaterThan(20);
    expect(await restored(h.area.inner.data)).toEqual(all);
    expect(h.p.calls.dictChars).toBeGreaterThan(0);
  });

  it('a stop after any storage call restores every request handed over by then whole, its header lines included', async () => {
    const h = await woken({ chunkSize: 4, maxCoalesced: 5 });
    const all = similar('r', 40);
    await playRounds(h, all);
    const byId = new Map(all.map((r) => [r.id, r]));
    for (const l of h.area.log) {
      const got = await restored(l.after);
      for (const r of got) expect(r).toEqual(byId.get(r.id));
      expect(got.flatMap((r) => r.hops[0]!.requestHeaders).some((x) => x.name.startsWith('#line'))).toBe(false);
    }
    expect(await restored(h.area.inner.data)).toEqual(all);
  });

  it('a set that fails gives its entries back: the next set carries them, and what it carries reads whole', async () => {
    const area = new FakeStorageArea();
    const p = new SessionPersister(area, { ...DEFAULT_PERSIST_OPTIONS, coalesceMs: 0 });
    await p.load();
    const [a, b, c] = similar('r', 3);
    p.writeFinished(a!);
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
    area.failNextSet = new Error('quota');
    p.writeFinished(b!); // second sighting: makes the entries, and its set fails
    await new Promise((r) => setTimeout(r, 0));
    expect([...area.data.keys()].some((k) => k.startsWith('d:'))).toBe(false);
    p.writeFinished(c!);
    await new Promise((r) => setTimeout(r, 0));
    expect([...area.data.keys()].some((k) => k.startsWith('d:'))).toBe(true);
    const got = await restored(area.data);
    expect(got.map((r) => r.id)).toEqual(['r0', 'r2']);
    expect(got[1]).toEqual(c);
  });

  it('a worker that restores over stored entries continues their numbering, and a request written while it reads is written inline', async () => {
    const h = await woken({ chunkSize: 4 });
    const all = similar('r', 6);
    for (const r of all) h.finish(r);
    await h.flush();
    const entries = [...h.area.inner.data.keys()].filter((k) => k.startsWith('d:'));
    // The next worker: a request starts while it reads storage, then more finish once it has.
    const area = new SlowArea();
    for (const [k, v] of h.area.inner.data) area.inner.data.set(k, v);
    const next = new Harness(area, { chunkSize: 4 });
    next.next.set(1, 6);
    const loading = next.p.load();
    // Two of them: with a dictionary in use before the stored entries are read, the second
    // would take entry 0, which stored texts already mean otherwise.
    const early = similar('e', 2);
    for (const r of early) next.p.writeInflightNow(r);
    await loading;
    while (area.waiting > 0) await area.answerNext();
    for (const r of early) expect(area.inner.data.get(`i:${r.id}`) as string).toContain(UA.value);
    const later = similar('s', 4);
    for (const r of later) next.finish(r);
    await next.flush();
    await next.flush();
    // Nothing new for the lines the stored entries already hold (UA, Origin, the response's line,
    // two of the X-Group lines): every later text refers to them.
    const after = [...area.inner.data.keys()].filter((k) => k.startsWith('d:'));
    expect(after.slice(0, entries.length)).toEqual(entries);
    // Their write-through texts, as handed to the browser (the flush removed the keys since).
    const throughText = (id: string): string => area.log.find((l) => l.keys.includes(`f:${id}`))!.after.get(`f:${id}`) as string;
    for (const r of later) {
      expect(throughText(r.id)).toContain('"r":');
      expect(throughText(r.id)).not.toContain('HeadlessChrome');
    }
    expect((await restored(area.inner.data)).filter((r) => r.id.startsWith('s'))).toEqual(later);
  });
});
