/**
 * The capture service over fake browser APIs: persistence across a simulated worker restart
 * (a new service instance over the same storage), navigation, tab close, ports, messages,
 * badge and export.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CaptureService, yieldToEvents, type ServiceOptions } from '../../../src/background/service.ts';
import { coreEngine, type Engine } from '../../../src/background/engine.ts';
import { NO_TAB } from '../../../src/background/store.ts';
import { reviveRequest } from '../../../src/background/codec.ts';
import type { BoundedAnalyzer } from '../../../src/background/bounded-analyzer.ts';
import type { RequestEvent } from '../../../src/core/events.ts';
import type { ObservedRequest } from '../../../src/core/model.ts';
import { REDACTED } from '../../../src/core/har/redact.ts';
import { panelPortName, type PanelInbound, type Result } from '../../../src/shared/messages.ts';
import { API, EXT_ID, FakeApi, FakePort, FakeStorageArea, PAGE, POPUP_SENDER, StoppableArea, eventsFor, req, stubEngine } from './fakes.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function service(api: FakeApi<FakeStorageArea | StoppableArea>, over: Partial<ServiceOptions> = {}): CaptureService {
  // Fake timers hold setTimeout back: the restore yields with a MessageChannel message here.
  // Write-throughs without the coalescing window (persist.ts `coalesceMs`): these tests stop the
  // worker right after events, under fake timers; persist.test.ts covers the window itself.
  return new CaptureService({ api, profile: 'chromium', engine: stubEngine, resumeGraceMs: 1000, restoreYield: yieldToEvents, ...over, persist: { coalesceMs: 0, ...over.persist } });
}

function play(s: CaptureService, events: RequestEvent[]): void {
  for (const e of events) s.onRequestEvent(e);
}

function complete(s: CaptureService, r: ObservedRequest): void {
  play(s, eventsFor(r));
}

const ids = (s: CaptureService, tabId: number): string[] => s.entries(tabId).map((e) => e.cors.id);

async function ask(s: CaptureService, msg: unknown, sender = POPUP_SENDER): Promise<Result<unknown> | undefined> {
  return s.onMessage(msg, sender);
}
const inbound = (p: FakePort): PanelInbound[] => p.sent as PanelInbound[];

/** A write-through `set`: one `f:` (finished) or `i:` (in-flight) key (plus the version `v` before the first batched write). */
/** A write-through `set`: finished and in-flight keys, and what rides along (the version, header-dictionary entries). */
const isThrough = (items: Record<string, unknown>): boolean => Object.keys(items).every((k) => k.startsWith('f:') || k.startsWith('i:') || k.startsWith('d:') || k === 'v');

/** A preflight's request headers (for a PUT), and a response that allows it for 600 s. */
const pfHeaders = [
  { name: 'Origin', value: PAGE },
  { name: 'Access-Control-Request-Method', value: 'PUT' },
];
const pfOk = [
  { name: 'Access-Control-Allow-Origin', value: PAGE },
  { name: 'Access-Control-Allow-Methods', value: 'PUT' },
  { name: 'Access-Control-Max-Age', value: '600' },
];

/** The events of a main-frame navigation of `tabId` to `url`, committed at `t`. */
function navigation(id: string, tabId: number, url: string, t: number, status = 200): RequestEvent[] {
  return [
    { event: 'before-request', requestId: id, url, method: 'GET', tabId, resourceType: 'main_frame', initiator: null, timeStamp: t - 10 },
    { event: 'headers-received', requestId: id, url, statusCode: status, statusLine: `HTTP/1.1 ${status} OK`, responseHeaders: [], timeStamp: t },
    { event: 'completed', requestId: id, url, statusCode: status, statusLine: `HTTP/1.1 ${status} OK`, responseHeaders: [], fromCache: false, timeStamp: t + 5 },
  ];
}

describe('persistence across a worker restart', () => {
  it('loses no completed exchange and resumes or marks incomplete what was in flight', async () => {
    const api = new FakeApi();
    const a = service(api);
    await a.ready;
    // 150 completed requests over three tabs and the no-tab bucket, written in several batches.
    const done: string[] = [];
    for (let i = 0; i < 150; i++) {
      const tabId = [1, 2, 3, null][i % 4]!;
      complete(a, req({ id: `r${i}`, tabId, startedMs: 1000 + i, responseHeaders: i % 5 === 0 ? [] : undefined }));
      done.push(`r${i}`);
      if (i % 37 === 0) await vi.advanceTimersByTimeAsync(300);
    }
    // Two requests in flight: one will finish after the restart, the other never will.
    const finishing = req({ id: 'late', tabId: 1, startedMs: 5000 });
    const hanging = req({ id: 'hang', tabId: 2, startedMs: 5001 });
    const lateEvents = eventsFor(finishing);
    play(a, lateEvents.slice(0, 2)); // before-request, send-headers
    play(a, eventsFor(hanging).slice(0, 3)); // … headers-received
    // The worker idles (the batched write happens), then dies: `a` is simply abandoned.
    await vi.advanceTimersByTimeAsync(300);
    const before = new Map([1, 2, 3, NO_TAB].map((t) => [t, a.entries(t)]));

    const b = service(api);
    // The first event after the wake arrives before the restore finished: it must be queued.
    play(b, lateEvents.slice(2));
    await b.ready;
    for (const t of [1, 2, 3, NO_TAB]) {
      const want = before.get(t)!.map((e) => e.cors.id);
      if (t === 1) want.push('late');
      expect(ids(b, t)).toEqual(want);
    }
    const all = [1, 2, 3, NO_TAB].flatMap((t) => ids(b, t));
    for (const id of done) expect(all).toContain(id);
    // The resumed request kept what was seen before the restart (its request headers).
    const late = b.entries(1).find((e) => e.cors.id === 'late')!;
    expect(late.request.outcome).toEqual({ outcome: 'completed' });
    expect(late.request.hops[0]!.requestHeaders).toEqual(finishing.hops[0]!.requestHeaders);
    const ca = a.counters(1);
    expect(b.counters(1)).toEqual({ ...ca, crossOrigin: ca.crossOrigin + 1, passed: ca.passed + 1 });

    // The other one gets no further event: after the grace period it is stored as incomplete.
    expect(ids(b, 2)).not.toContain('hang');
    await vi.advanceTimersByTimeAsync(1000);
    const hang = b.entries(2).find((e) => e.cors.id === 'hang')!;
    expect(hang.request.outcome).toEqual({ outcome: 'incomplete' });
    expect(hang.request.hops[0]!.responseHeaders).toEqual(hanging.hops[0]!.responseHeaders);
    // A straggling event for it later does not create a duplicate.
    play(b, eventsFor(hanging).slice(3));
    expect(ids(b, 2).filter((id) => id === 'hang')).toHaveLength(1);

    // And a second restart still has everything, the incomplete one included.
    await vi.advanceTimersByTimeAsync(300);
    const c = service(api);
    await c.ready;
    for (const t of [1, 2, 3, NO_TAB]) expect(ids(c, t)).toEqual(ids(b, t));
  });

  it('writes incrementally: one more request rewrites its chunk, the meta and the in-flight list only', async () => {
    const api = new FakeApi();
    const a = service(api, { persist: { chunkSize: 10 } });
    await a.ready;
    for (let i = 0; i < 95; i++) complete(a, req({ id: `r${i}` }));
    await vi.advanceTimersByTimeAsync(300);
    const spy = vi.spyOn(api.session, 'set');
    complete(a, req({ id: 'one-more' }));
    await vi.advanceTimersByTimeAsync(300);
    // The open chunk filled further since the last flush: it waits (its new member has its `f:`
    // key), and the meta still promises what the stored chunks hold, so nothing is rewritten.
    expect(spy.mock.calls.map((c) => Object.keys(c[0]).sort())).toEqual([['f:one-more']]);
    await vi.advanceTimersByTimeAsync(300);
    const calls = spy.mock.calls.map((c) => Object.keys(c[0]).sort());
    // Write-through: the finished request under its own key (it finished inside the batch window,
    // so no in-flight copy was ever written); then, once the chunk stopped filling, one batched
    // write of the chunk and the meta.
    expect(calls).toEqual([['f:one-more'], ['c:1:9', 'm:1']]);
    // The batched write compacted the write-through keys away.
    expect([...api.session.data.keys()].filter((k) => k.startsWith('f:') || k.startsWith('i:'))).toEqual([]);
  });

  it('a worker stopped while its open chunk waits loses nothing and counts nothing as lost', async () => {
    const session = new FakeStorageArea(true);
    const area = new StoppableArea(session);
    const a = service(new FakeApi(area), { persist: { chunkSize: 10 } });
    await a.ready;
    await vi.advanceTimersByTimeAsync(300); // the first write (schema version) is done
    for (let i = 0; i < 25; i++) complete(a, req({ id: `r${i}`, startedMs: 1000 + i }));
    // One flush: the two full chunks are written, the open one (5 requests) waits.
    await a.flush();
    expect([...session.data.keys()].filter((k) => k.startsWith('c:')).sort()).toEqual(['c:1:0', 'c:1:1']);
    expect([...session.data.keys()].filter((k) => k.startsWith('f:'))).toHaveLength(5);
    for (let i = 25; i < 28; i++) complete(a, req({ id: `r${i}`, startedMs: 1000 + i }));
    // The first went at once; the others waited for its answer (coalesced, persist.ts) and go now.
    await vi.advanceTimersByTimeAsync(0);
    area.stop(); // before the flush that would write the open chunk
    const b = service(new FakeApi(session), { persist: { chunkSize: 10 } });
    await b.ready;
    expect(ids(b, 1)).toEqual(ids(a, 1));
    expect(ids(b, 1)).toHaveLength(28);
    expect(b.counters(1).dropped).toBe(0);
    // b compacts them (two flushes: the chunk it reopened and filled waits once) and a third wake agrees.
    await vi.advanceTimersByTimeAsync(600);
    expect([...session.data.keys()].filter((k) => k.startsWith('f:'))).toEqual([]);
    const c = service(new FakeApi(session), { persist: { chunkSize: 10 } });
    await c.ready;
    expect(ids(c, 1)).toEqual(ids(a, 1));
    expect(c.counters(1).dropped).toBe(0);
  });

  it('batches writes: a burst of events gives one write per flush interval', async () => {
    const api = new FakeApi();
    const a = service(api);
    await a.ready;
    const spy = vi.spyOn(api.session, 'set');
    for (let i = 0; i < 500; i++) complete(a, req({ id: `r${i}` }));
    await vi.advanceTimersByTimeAsync(300);
    const batched = spy.mock.calls.filter((c) => !isThrough(c[0]));
    expect(batched).toHaveLength(1);
    // Coalesced write-throughs (persist.ts), not one `set` per request: the first request goes at
    // once, the 499 finished while its `set` is unanswered go in `set`s of at most 32
    // (maxCoalesced); no chunk rewrite among them.
    const through = spy.mock.calls.filter((c) => isThrough(c[0]));
    expect(through).toHaveLength(1 + Math.ceil(499 / 32));
    // Every request once, in finishing order (the version key rides along until the first batched
    // write, dictionary entries with the first set after a text that refers to them).
    expect(through.flatMap((c) => Object.keys(c[0])).filter((k) => k !== 'v' && !k.startsWith('d:'))).toEqual(Array.from({ length: 500 }, (_, i) => `f:r${i}`));
  });

  it('stays within the byte budget by dropping the oldest entries, and says so', async () => {
    const api = new FakeApi();
    const budgetBytes = 40_000;
    const a = service(api, { persist: { chunkSize: 10, budgetBytes } });
    await a.ready;
    const big = [{ name: 'Origin', value: PAGE }, { name: 'X-Pad', value: 'x'.repeat(400) }];
    for (let i = 0; i < 300; i++) {
      complete(a, req({ id: `r${i}`, requestHeaders: big }));
      if (i % 50 === 0) await vi.advanceTimersByTimeAsync(300);
    }
    await vi.advanceTimersByTimeAsync(300);
    expect(api.session.bytes()).toBeLessThanOrEqual(budgetBytes);
    const kept = a.entries(1).length;
    expect(kept).toBeLessThan(300);
    expect(a.counters(1).dropped).toBe(300 - kept);
    // What is in memory is what a restart restores.
    const b = service(api);
    await b.ready;
    expect(ids(b, 1)).toEqual(ids(a, 1));
    expect(b.counters(1).dropped).toBe(300 - kept);
  });

  it('retries a failed write (quota) without losing the batch', async () => {
    const api = new FakeApi();
    const a = service(api);
    await a.ready;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    complete(a, req({ id: 'x' }));
    // The write-through is answered first: this fails the batched write.
    await vi.advanceTimersByTimeAsync(0);
    api.session.failNextSet = new Error('QUOTA_BYTES quota exceeded');
    await vi.advanceTimersByTimeAsync(300);
    expect(warn).toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(300);
    const b = service(api);
    await b.ready;
    expect(ids(b, 1)).toEqual(['x']);
  });

  it('a worker stopped inside the batch window loses no finished request (write-through)', async () => {
    const api = new FakeApi();
    const a = service(api);
    await a.ready;
    await vi.advanceTimersByTimeAsync(300); // the first write (schema version) is done
    for (let i = 0; i < 60; i++) complete(a, req({ id: `w${i}`, tabId: 1 + (i % 2), startedMs: 1000 + i }));
    // Stopped before the 250 ms flush: only the write-throughs have landed (the first went at
    // once, the rest together once it was answered: persist.ts coalescing).
    await vi.advanceTimersByTimeAsync(0);
    expect([...api.session.data.keys()].some((k) => k.startsWith('c:'))).toBe(false);
    const b = service(api);
    await b.ready;
    expect(ids(b, 1)).toEqual(ids(a, 1));
    expect(ids(b, 2)).toEqual(ids(a, 2));
    expect(ids(b, 1)).toHaveLength(30);
    // Nothing restored as in flight: every one of them had finished.
    expect(b.inFlight()).toEqual([]);
    // The next batched write compacts them into chunks and removes the per-request keys.
    await vi.advanceTimersByTimeAsync(300);
    const keys = [...api.session.data.keys()];
    expect(keys.filter((k) => k.startsWith('f:') || k.startsWith('i:'))).toEqual([]);
    const c = service(api);
    await c.ready;
    expect(ids(c, 1)).toEqual(ids(a, 1));
    expect(ids(c, 2)).toEqual(ids(a, 2));
  });

  it('a death between the compacting write and the removal of the keys leaves no duplicate', async () => {
    const api = new FakeApi();
    const a = service(api);
    await a.ready;
    for (let i = 0; i < 5; i++) complete(a, req({ id: `d${i}` }));
    // The `remove` of the batched write never happens (the worker died right after its `set`).
    const remove = vi.spyOn(api.session, 'remove').mockImplementation(async () => undefined);
    await vi.advanceTimersByTimeAsync(300);
    expect([...api.session.data.keys()].filter((k) => k.startsWith('f:'))).toHaveLength(5);
    remove.mockRestore();
    const b = service(api);
    await b.ready;
    expect(ids(b, 1)).toEqual(['d0', 'd1', 'd2', 'd3', 'd4']);
    await vi.advanceTimersByTimeAsync(300);
    expect([...api.session.data.keys()].filter((k) => k.startsWith('f:'))).toEqual([]);
  });

  it('a request still in flight at a batched write is persisted and finishes in its tab after a stop', async () => {
    const api = new FakeApi();
    const a = service(api);
    await a.ready;
    await vi.advanceTimersByTimeAsync(300); // the first write (schema version) is done
    const r = req({ id: 'mid', tabId: 4, method: 'PUT', requestHeaders: [{ name: 'Origin', value: PAGE }, { name: 'X-Token', value: '1' }] });
    const events = eventsFor(r);
    const spy = vi.spyOn(api.session, 'set');
    play(a, events.slice(0, 2)); // before-request, send-headers
    // Nothing is written per event for a request in flight: the batched write carries it.
    expect(spy).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(300);
    expect(spy.mock.calls.map((c) => Object.keys(c[0]))).toEqual([['i:mid']]);
    // Unchanged since: the next batched write does not rewrite it.
    play(a, [req({ id: 'other', tabId: 4 })].flatMap(eventsFor));
    await vi.advanceTimersByTimeAsync(300);
    expect(spy.mock.calls.flatMap((c) => Object.keys(c[0])).filter((k) => k === 'i:mid')).toHaveLength(1);
    // Counted for bench/count-calls.mjs: one in-flight write, with its request headers.
    expect(a.storageCalls()).toMatchObject({ inflight: 1, inflightUnsent: 0 });
    // The worker is stopped; the terminal events arrive after the wake without any event context.
    const b = service(api);
    play(b, events.slice(2));
    await b.ready;
    const e = b.entries(4).find((x) => x.cors.id === 'mid')!;
    expect(e.request.hops[0]).toMatchObject({ method: 'PUT', requestHeaders: r.hops[0]!.requestHeaders });
    expect(e.request.outcome).toEqual({ outcome: 'completed' });
    expect(ids(b, NO_TAB)).toEqual([]);
    await vi.advanceTimersByTimeAsync(300);
    expect([...api.session.data.keys()].filter((k) => /^[fi]:/.test(k))).toEqual([]);
  });

  it('a request not sent yet at a batched write is not persisted, and after a stop it is rebuilt from its later events with its tab, type and initiator', async () => {
    const api = new FakeApi();
    const a = service(api, { engine: coreEngine });
    await a.ready;
    await vi.advanceTimersByTimeAsync(300);
    const r = req({ id: 'queued', tabId: 4, method: 'PUT', startedMs: 1000, requestHeaders: [{ name: 'Origin', value: PAGE }, { name: 'X-Token', value: '1' }] });
    const events = eventsFor(r);
    expect(events.map((e) => e.event)).toEqual(['before-request', 'send-headers', 'headers-received', 'completed']);
    const spy = vi.spyOn(api.session, 'set');
    play(a, events.slice(0, 1)); // before-request only: it waits for a connection
    await vi.advanceTimersByTimeAsync(300);
    expect(spy.mock.calls.flatMap((c) => Object.keys(c[0])).filter((k) => k.startsWith('i:'))).toEqual([]);
    expect(a.storageCalls()).toMatchObject({ inflight: 0, inflightUnsent: 1 });
    expect(a.inFlight().map((x) => x.id)).toEqual(['queued']);
    // The worker is stopped; the request is sent after the wake. Events from send-headers on
    // carry the event context (listen.ts).
    const ctx = { tabId: 4, resourceType: 'xmlhttprequest', initiator: PAGE };
    const b = service(api, { engine: coreEngine });
    await b.ready;
    const sendAt = { ...events[1]!, timeStamp: 1500 } as RequestEvent;
    b.onRequestEvent(sendAt, ctx);
    // Sent now: the next batched write persists it, with what the context gave.
    await vi.advanceTimersByTimeAsync(300);
    const stored = reviveRequest(JSON.parse(api.session.data.get('i:queued') as string))!;
    expect(stored).toMatchObject({ tabId: 4, resourceType: 'xmlhttprequest', initiator: PAGE });
    expect(stored.hops[0]).toMatchObject({ method: 'PUT', requestHeaders: r.hops[0]!.requestHeaders, startedMs: 1500 });
    // Stopped again; it ends in a third worker.
    const c = service(api, { engine: coreEngine });
    await c.ready;
    for (const e of events.slice(2)) c.onRequestEvent(e, ctx);
    const e = c.entries(4).find((x) => x.cors.id === 'queued')!;
    expect(e.request).toMatchObject({ tabId: 4, resourceType: 'xmlhttprequest', initiator: PAGE, outcome: { outcome: 'completed' } });
    // What the stop lost is when it began: it is shown from send-headers.
    expect(e.request.hops[0]!.startedMs).toBe(1500);
    expect(e.cors.origin).toBe(PAGE);
    expect(e.cors.verdict).not.toBe('unknown');
    expect(ids(c, NO_TAB)).toEqual([]);
  });

  it('a request that changes while in flight is rewritten by the next batched write, and its key goes when it finishes', async () => {
    const api = new FakeApi();
    const a = service(api);
    await a.ready;
    await vi.advanceTimersByTimeAsync(300);
    const r = req({ id: 'slow', tabId: 4 });
    const events = eventsFor(r);
    play(a, events.slice(0, 2));
    await vi.advanceTimersByTimeAsync(300);
    // Persisted in the flat-header form of codec.ts: read back as the restore does.
    expect(reviveRequest(JSON.parse(api.session.data.get('i:slow') as string))!.hops[0]!.responseHeaders).toBeNull();
    play(a, events.slice(2, 3)); // headers-received
    await vi.advanceTimersByTimeAsync(300);
    expect(reviveRequest(JSON.parse(api.session.data.get('i:slow') as string))!.hops[0]!.responseHeaders).toEqual(r.hops[0]!.responseHeaders);
    play(a, events.slice(3));
    // Two flushes: the first lets the open chunk wait (it just got the request), the next writes it.
    await vi.advanceTimersByTimeAsync(600);
    expect([...api.session.data.keys()].filter((k) => /^[fi]:/.test(k))).toEqual([]);
    const b = service(api);
    await b.ready;
    expect(ids(b, 4)).toEqual(['slow']);
    expect(b.inFlight()).toEqual([]);
  });

  /**
   * A worker that stored one request of tab 5 ('before'), then a new worker `b` whose restore
   * never finishes (stopped again while reading storage); `ctx` is tab 5's event context.
   */
  async function wakeThatNeverRestores() {
    const api = new FakeApi();
    const a = service(api);
    await a.ready;
    complete(a, req({ id: 'before', tabId: 5 }));
    await vi.advanceTimersByTimeAsync(300);
    vi.spyOn(api.session, 'get').mockReturnValueOnce(new Promise(() => undefined));
    const b = service(api);
    return { api, b, ctx: { tabId: 5, resourceType: 'xmlhttprequest', initiator: PAGE } };
  }

  it('a terminal event received while restoring survives a second stop during the restore', async () => {
    // Worker b wakes, and its restore never finishes (stopped again while reading storage).
    const { api, b, ctx } = await wakeThatNeverRestores();
    const r = req({ id: 'during', tabId: 5 });
    for (const e of eventsFor(r).slice(2)) b.onRequestEvent(e, ctx);
    await Promise.resolve();
    const c = service(api);
    await c.ready;
    expect(ids(c, 5)).toEqual(['before', 'during']);
    await vi.advanceTimersByTimeAsync(300);
    expect([...api.session.data.keys()].filter((k) => /^[efi]:/.test(k))).toEqual([]);
  });

  it('a request that starts while the worker restores keeps its request side across a stop during the restore', async () => {
    // Worker b wakes and never finishes its restore; the request starts there (its start events
    // wait in b's queue, which dies with b) and ends in worker c.
    const { api, b, ctx } = await wakeThatNeverRestores();
    const r = req({ id: 'started', tabId: 5, requestHeaders: [{ name: 'Origin', value: PAGE }, { name: 'X-Token', value: '1' }] });
    const events = eventsFor(r);
    for (const e of events.slice(0, 2)) b.onRequestEvent(e, ctx);
    await Promise.resolve();
    expect([...api.session.data.keys()]).toContain('i:started');
    const c = service(api, { engine: coreEngine });
    await c.ready;
    for (const e of events.slice(2)) c.onRequestEvent(e, ctx);
    const entry = c.entries(5).find((x) => x.cors.id === 'started');
    expect(entry?.request.hops[0]?.requestHeaders).toEqual(r.hops[0]!.requestHeaders);
    expect(entry?.cors.origin).toBe(PAGE);
    expect(entry?.cors.verdict).not.toBe('unknown');
    await vi.advanceTimersByTimeAsync(300);
    expect([...api.session.data.keys()].filter((k) => /^[efi]:/.test(k))).toEqual([]);
  });

  it('a request that starts and ends while the same worker restores is filed once, with its request side', async () => {
    const api = new FakeApi();
    const a = service(api);
    await a.ready;
    await vi.advanceTimersByTimeAsync(300);
    const b = service(api, { engine: coreEngine });
    const r = req({ id: 'whole', tabId: 5 });
    for (const e of eventsFor(r)) b.onRequestEvent(e, { tabId: 5, resourceType: 'xmlhttprequest', initiator: PAGE });
    await b.ready;
    expect(ids(b, 5)).toEqual(['whole']);
    expect(b.entries(5)[0]?.cors.origin).toBe(PAGE);
    expect(b.inFlight()).toEqual([]);
    await vi.advanceTimersByTimeAsync(300);
    expect([...api.session.data.keys()].filter((k) => /^[efi]:/.test(k))).toEqual([]);
  });

  it('a terminal event stored and queued by the same restoring worker is filed once', async () => {
    const api = new FakeApi();
    const a = service(api);
    await a.ready;
    await vi.advanceTimersByTimeAsync(300);
    const b = service(api);
    const r = req({ id: 'once', tabId: 5 });
    for (const e of eventsFor(r).slice(2)) b.onRequestEvent(e, { tabId: 5, resourceType: 'xmlhttprequest', initiator: PAGE });
    await b.ready;
    expect(ids(b, 5)).toEqual(['once']);
  });

  it('ignores storage written by another layout version', async () => {
    const session = new FakeStorageArea();
    await session.set({ v: '0', 'm:1': '{"garbage":true}' });
    const b = service(new FakeApi(session));
    await b.ready;
    expect(b.tabIds()).toEqual([]);
    expect(session.data.size).toBe(0);
  });
});

/** Runs `f` in a macrotask of its own, as Chromium dispatches a webRequest event to the worker. */
function asTask(f: () => void): void {
  const ch = new MessageChannel();
  ch.port1.onmessage = () => {
    ch.port1.close();
    f();
  };
  ch.port2.postMessage(null);
}

/** A capture of `n` finished requests of tab 1, batched into storage, over an area with `getKeys`. */
async function storedCapture(n: number): Promise<{ session: FakeStorageArea; before: string[] }> {
  const session = new FakeStorageArea(true);
  const area = new StoppableArea(session);
  const a = service(new FakeApi(area), { persist: { chunkSize: 5 } });
  await a.ready;
  for (let i = 0; i < n; i++) complete(a, req({ id: `r${i}`, tabId: 1, startedMs: 1000 + i }));
  await vi.advanceTimersByTimeAsync(300);
  // A few more written through only, then the worker is stopped before its batched write: the
  // wake re-files them.
  for (let i = n; i < n + 3; i++) complete(a, req({ id: `r${i}`, tabId: 1, startedMs: 1000 + i }));
  await vi.advanceTimersByTimeAsync(0); // the coalesced write-through of the last two goes (persist.ts)
  area.stop();
  return { session, before: ids(a, 1) };
}

describe('the wake judges nothing it restored (stored contribution codes)', () => {
  /** The real engine, counting the requests its inner analyzers judge. */
  function countingEngine(): { engine: Engine; judged: () => number } {
    let judged = 0;
    const engine: Engine = {
      ...coreEngine,
      analyzer: (profile) => {
        const a = coreEngine.analyzer(profile) as BoundedAnalyzer;
        // The bounds' inner analyzers are made through `make`: count what they are given.
        const make = (a as unknown as { make: () => { add(r: ObservedRequest): unknown[] } }).make;
        (a as unknown as { make: () => unknown }).make = () => {
          const inner = make();
          const add = inner.add.bind(inner);
          inner.add = (r) => (judged++, add(r));
          return inner;
        };
        return a;
      },
    };
    return { engine, judged: () => judged };
  }

  it('counters, badge and new judgements come at once; snapshot, summary and export judge on demand, the same as before the stop', async () => {
    const api = new FakeApi();
    const { engine, judged } = countingEngine();
    const a = service(api, { engine });
    await a.ready;
    for (let i = 0; i < 30; i++) {
      const url = `${API}/item/${i % 6}`;
      if (i % 3 === 0) complete(a, req({ id: `p${i}`, url, method: 'OPTIONS', status: 204, startedMs: 1000 + i * 10, requestHeaders: pfHeaders, responseHeaders: pfOk }));
      complete(a, req({ id: `r${i}`, url, method: i % 3 === 0 ? 'PUT' : 'GET', startedMs: 1001 + i * 10, responseHeaders: i % 4 === 1 ? [] : undefined }));
    }
    await vi.advanceTimersByTimeAsync(300);
    const before = { entries: a.entries(1), counters: a.counters(1), summary: await ask(a, { type: 'summary', tabId: 1 }) };
    expect(before.counters).toMatchObject({ crossOrigin: 30, failed: 8, preflights: 10 });

    const judgedBefore = judged();
    const b = service(api, { engine });
    await b.ready;
    expect(judged()).toBe(judgedBefore);
    expect(b.counters(1)).toEqual(before.counters);
    // A cache hit on a stored preflight, judged now: only its URL group is replayed.
    complete(b, req({ id: 'hit', url: `${API}/item/0`, method: 'PUT', startedMs: 90_000 }));
    expect(judged() - judgedBefore).toBeLessThan(before.entries.length);
    expect(b.counters(1)).toEqual({ ...before.counters, crossOrigin: before.counters.crossOrigin + 1, passed: before.counters.passed + 1, cacheHits: before.counters.cacheHits + 1 });
    await vi.advanceTimersByTimeAsync(600);
    expect(api.badges.get(1)?.text).toBe('8');

    const port = new FakePort(panelPortName(1));
    b.onConnect(port);
    await vi.advanceTimersByTimeAsync(0);
    const snapshot = inbound(port)[0] as { type: string; entries: unknown[] };
    expect(snapshot.type).toBe('snapshot');
    expect(snapshot.entries.slice(0, -1)).toEqual(JSON.parse(JSON.stringify(before.entries)));
    // The new request passed: the popup's top failures are those from before the stop.
    const summary = (await ask(b, { type: 'summary', tabId: 1 })) as { ok: true; value: { topFailures: unknown[] } };
    expect(summary.value.topFailures).toEqual((before.summary as typeof summary).value.topFailures);
    expect(summary.value.topFailures.length).toBeGreaterThan(0);
    const exported = await ask(b, { type: 'export', tabId: 1 });
    expect(exported).toMatchObject({ ok: true, value: { count: before.entries.length + 1 } });
  });
});

describe('the wake restores in time-budgeted slices', () => {
  it('reads storage.session key by key in small gets when getKeys exists, with the same result as get(null)', async () => {
    const { session, before } = await storedCapture(40);
    session.gets.length = 0;
    const b = service(new FakeApi(session), { persist: { chunkSize: 5 } });
    await b.ready;
    expect(ids(b, 1)).toEqual(before);
    expect(session.gets).not.toContain(null);
    expect(session.gets.length).toBeGreaterThan(1);
    for (const keys of session.gets) expect(keys!.length).toBeLessThanOrEqual(8);
    expect(b.diag.yields).toBeGreaterThanOrEqual(0);
    expect(typeof b.diag.longestSliceMs).toBe('number');
    // The phases' thread time: parts of the whole, none negative.
    expect(b.diag.readBusyMs).toBeGreaterThanOrEqual(0);
    expect(b.diag.judgeBusyMs).toBeGreaterThanOrEqual(0);
    expect(b.diag.readBusyMs! + b.diag.judgeBusyMs!).toBeLessThanOrEqual(b.diag.busyMs! + 1);

    // Without getKeys (older browsers): one get(null), same capture.
    const plain = new FakeStorageArea();
    for (const [k, v] of session.data) plain.data.set(k, v);
    const c = service(new FakeApi(plain), { persist: { chunkSize: 5 } });
    await c.ready;
    expect(plain.gets).toContain(null);
    expect(ids(c, 1)).toEqual(ids(b, 1));
  });

  it('events dispatched while the wake restores reach the listener before the restore ends, in order, and are filed once', async () => {
    const { session, before } = await storedCapture(40);
    const b = service(new FakeApi(session), { persist: { chunkSize: 5 }, restoreBudgetMs: 0 });
    let ready = false;
    void b.ready.then(() => (ready = true));
    const r = req({ id: 'during', tabId: 1, startedMs: 9000 });
    const [beforeRequest, sendHeaders, ...rest] = eventsFor(r);
    // The event that woke the worker, then the rest of the request as separate tasks.
    b.onRequestEvent(beforeRequest!);
    const ranBeforeReady: boolean[] = [];
    let rawWritten = false;
    asTask(() => {
      ranBeforeReady.push(!ready);
      b.onRequestEvent(sendHeaders!);
      asTask(() => {
        ranBeforeReady.push(!ready);
        for (const e of rest) b.onRequestEvent(e, { tabId: 1, resourceType: 'xmlhttprequest', initiator: PAGE });
        rawWritten = session.data.has('e:during');
      });
    });
    await b.ready;
    expect(ranBeforeReady).toEqual([true, true]);
    expect(rawWritten).toBe(true);
    expect(ids(b, 1)).toEqual([...before, 'during']);
    // Its request side (send-headers, queued before the terminal event) was kept.
    expect(b.entries(1).at(-1)!.request.hops[0]!.requestHeaders).toEqual(r.hops[0]!.requestHeaders);
    expect(b.inFlight()).toEqual([]);
    await vi.advanceTimersByTimeAsync(300);
    expect([...session.data.keys()].filter((k) => /^[efi]:/.test(k))).toEqual([]);
  });

  it('a stop in the middle of a sliced restore loses nothing that was written, the raw event included', async () => {
    const { session, before } = await storedCapture(40);
    const area = new StoppableArea(session);
    const b = service(new FakeApi(area), { persist: { chunkSize: 5 }, restoreBudgetMs: 0 });
    let ready = false;
    void b.ready.then(() => (ready = true));
    const r = req({ id: 'during', tabId: 1, startedMs: 9000 });
    let stoppedRestoring = false;
    asTask(() => {
      // Only the end of the request reaches this worker (it woke mid-request), then it is stopped.
      for (const e of eventsFor(r).slice(2)) b.onRequestEvent(e, { tabId: 1, resourceType: 'xmlhttprequest', initiator: PAGE });
      stoppedRestoring = !ready;
      area.stop();
    });
    // b's restore goes on in memory, but nothing of it reaches storage any more.
    await new Promise<void>((resolve) => asTask(() => asTask(resolve)));
    expect(stoppedRestoring).toBe(true);
    const c = service(new FakeApi(session), { persist: { chunkSize: 5 }, restoreBudgetMs: 0 });
    await c.ready;
    expect(ids(c, 1)).toEqual([...before, 'during']);
    await vi.advanceTimersByTimeAsync(300);
    const d = service(new FakeApi(session), { persist: { chunkSize: 5 } });
    await d.ready;
    expect(ids(d, 1)).toEqual([...before, 'during']);
  });
});

describe('navigation and tabs', () => {
  it('clears the tab on a committed top-level navigation, unless preserveLog', async () => {
    const api = new FakeApi();
    const s = service(api);
    await s.ready;
    complete(s, req({ id: 'a', startedMs: 100 }));
    play(s, navigation('nav1', 1, `${PAGE}/two`, 1000));
    complete(s, req({ id: 'b', startedMs: 1100 }));
    expect(ids(s, 1)).toEqual(['nav1', 'b']);

    await s.request({ type: 'set-settings', settings: { preserveLog: true } });
    play(s, navigation('nav2', 1, `${PAGE}/three`, 2000));
    expect(ids(s, 1)).toEqual(['nav1', 'b', 'nav2']);
    expect((await s.request({ type: 'summary', tabId: 1 })).url).toBe(`${PAGE}/three`);
  });

  it.each([
    { what: 'a redirect', status: 302 },
    { what: 'a 204 No Content', status: 204 },
  ])('does not clear on $what (the document stays)', async ({ status }) => {
    const s = service(new FakeApi());
    await s.ready;
    complete(s, req({ id: 'a', startedMs: 100 }));
    play(s, navigation('nav', 1, `${PAGE}/x`, 1000, status));
    expect(ids(s, 1)).toContain('a');
  });

  it('forgets a closed tab in memory and in storage', async () => {
    const api = new FakeApi();
    const s = service(api);
    await s.ready;
    complete(s, req({ id: 'a', tabId: 4 }));
    complete(s, req({ id: 'b', tabId: 5 }));
    await vi.advanceTimersByTimeAsync(300);
    expect([...api.session.data.keys()].some((k) => k.startsWith('m:4'))).toBe(true);
    s.onTabRemoved(4);
    await vi.advanceTimersByTimeAsync(300);
    expect(s.tabIds()).toEqual([5]);
    expect([...api.session.data.keys()].filter((k) => /^[mc]:4\b/.test(k))).toEqual([]);
    // A request of the closed tab that was still in flight ends with an error: no ghost log.
    complete(s, req({ id: 'aborted', tabId: 4, outcome: { outcome: 'failed', error: 'net::ERR_ABORTED' } }));
    expect(s.tabIds()).toEqual([5]);
  });

  it('shows the number of failures on the tab badge', async () => {
    const api = new FakeApi();
    const s = service(api);
    await s.ready;
    complete(s, req({ id: 'ok', tabId: 3 }));
    complete(s, req({ id: 'bad1', tabId: 3, responseHeaders: [] }));
    complete(s, req({ id: 'bad2', tabId: 3, responseHeaders: [] }));
    await vi.advanceTimersByTimeAsync(600);
    expect(api.badges.get(3)?.text).toBe('2');
    await s.request({ type: 'clear', tabId: 3 });
    await vi.advanceTimersByTimeAsync(600);
    expect(api.badges.get(3)?.text).toBe('');
  });

  it('batches badge updates: one per tab per 500 ms, however many failures come meanwhile', async () => {
    const api = new FakeApi();
    const s = service(api);
    await s.ready;
    const spy = vi.spyOn(api, 'setBadge');
    for (let i = 0; i < 20; i++) {
      complete(s, req({ id: `bad${i}`, tabId: 3, responseHeaders: [] }));
      await vi.advanceTimersByTimeAsync(20);
    }
    // 400 ms of failures: not shown yet; then one update with the count.
    expect(spy).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(100);
    expect(spy.mock.calls.map((c) => [c[0], c[1]])).toEqual([[3, '20']]);
    expect(s.storageCalls().badge).toBe(1);
  });

  it('keeps requests without a tab apart and never badges them', async () => {
    const api = new FakeApi();
    const s = service(api);
    await s.ready;
    complete(s, req({ id: 'sw', tabId: null, responseHeaders: [] }));
    await vi.advanceTimersByTimeAsync(600);
    expect(ids(s, NO_TAB)).toEqual(['sw']);
    expect(s.tabIds()).toEqual([NO_TAB]);
    expect(api.badges.size).toBe(0);
  });

  it('a record opened by a late event after a wake gets its tab from the event context', async () => {
    const s = service(new FakeApi());
    await s.ready;
    const r = req({ id: 'mid', tabId: 6 });
    const ctx = { tabId: 6, resourceType: 'xmlhttprequest', initiator: PAGE };
    for (const e of eventsFor(r).slice(2)) s.onRequestEvent(e, ctx);
    const e = s.entries(6)[0]!;
    expect(e.request).toMatchObject({ id: 'mid', tabId: 6, resourceType: 'xmlhttprequest', initiator: PAGE });
  });
});

describe('messages', () => {

  it.each([
    { who: 'another extension', sender: { id: 'someone-else', url: `chrome-extension://someone-else/x.html` } },
    { who: 'a web page (content script)', sender: { id: EXT_ID, url: `${PAGE}/index.html` } },
    { who: 'no sender url', sender: { id: EXT_ID } },
  ])('ignores messages from $who', async ({ sender }) => {
    const s = service(new FakeApi());
    expect(await ask(s, { type: 'get-settings' }, sender)).toBeUndefined();
  });

  it.each([
    { msg: null, error: /must be an object/ },
    { msg: 'summary', error: /must be an object/ },
    { msg: { type: 'nope' }, error: /unknown request type "nope"/ },
    { msg: { type: 'summary' }, error: /tabId must be a tab id/ },
    { msg: { type: 'summary', tabId: 1.5 }, error: /tabId/ },
    { msg: { type: 'export', tabId: 1, includeSecrets: 'yes' }, error: /includeSecrets must be a boolean/ },
    { msg: { type: 'set-settings', settings: { maxEntriesPerTab: 0 } }, error: /maxEntriesPerTab must be an integer/ },
    { msg: { type: 'set-settings', settings: { preserveLog: 'true' } }, error: /preserveLog must be a boolean/ },
    { msg: { type: 'set-settings', settings: { colour: 'red' } }, error: /unknown setting "colour"/ },
  ])('answers a malformed message $msg with an error as data', async ({ msg, error }) => {
    const s = service(new FakeApi());
    const r = await ask(s, msg);
    expect(r).toMatchObject({ ok: false });
    expect((r as { error: string }).error).toMatch(error);
  });

  it('summary: counters, url and top failures', async () => {
    const api = new FakeApi();
    api.tabUrls.set(1, `${PAGE}/app`);
    const s = service(api);
    await s.ready;
    complete(s, req({ id: 'a', url: `${API}/data?x=1`, responseHeaders: [] }));
    complete(s, req({ id: 'b', url: `${API}/data?x=2`, responseHeaders: [] }));
    complete(s, req({ id: 'c', url: `${API}/other`, responseHeaders: [] }));
    complete(s, req({ id: 'd' }));
    const r = await ask(s, { type: 'summary', tabId: 1 });
    expect(r).toEqual({
      ok: true,
      value: {
        tabId: 1,
        url: `${PAGE}/app`,
        counters: { crossOrigin: 4, passed: 1, failed: 3, preflights: 0, cacheHits: 0, dropped: 0 },
        topFailures: [
          { endpoint: `GET ${API}/data`, error: 'MissingAllowOriginHeader', message: 'blocked', count: 2 },
          { endpoint: `GET ${API}/other`, error: 'MissingAllowOriginHeader', message: 'blocked', count: 1 },
        ],
      },
    });
  });

  it('settings round trip through storage.local and survive a restart; lowering the cap trims', async () => {
    const api = new FakeApi();
    const s = service(api);
    for (let i = 0; i < 10; i++) complete(s, req({ id: `r${i}` }));
    expect(await ask(s, { type: 'set-settings', settings: { maxEntriesPerTab: 4, exportSecrets: true } })).toEqual({
      ok: true,
      value: { preserveLog: false, maxEntriesPerTab: 4, exportSecrets: true },
    });
    expect(ids(s, 1)).toEqual(['r6', 'r7', 'r8', 'r9']);
    expect(s.counters(1).dropped).toBe(6);
    await vi.advanceTimersByTimeAsync(300);
    const b = service(api);
    expect(await ask(b, { type: 'get-settings' })).toEqual({ ok: true, value: { preserveLog: false, maxEntriesPerTab: 4, exportSecrets: true } });
    expect(ids(b, 1)).toEqual(['r6', 'r7', 'r8', 'r9']);
  });

  it('an engine error crosses as data', async () => {
    const broken: Engine = {
      ...stubEngine,
      exportHar: () => {
        throw new Error('writer exploded');
      },
    };
    const s = service(new FakeApi(), { engine: broken });
    expect(await ask(s, { type: 'export', tabId: 1 })).toEqual({ ok: false, error: 'writer exploded' });
  });

  describe('export', () => {
    const secretReq = (): ObservedRequest =>
      req({
        id: 's1',
        requestHeaders: [
          { name: 'Origin', value: PAGE },
          { name: 'Cookie', value: 'sid=abc123' },
          { name: 'Authorization', value: 'Bearer t0ken' },
        ],
        responseHeaders: [
          { name: 'Access-Control-Allow-Origin', value: PAGE },
          { name: 'Set-Cookie', value: 'sid=zzz; Path=/' },
        ],
      });

    it.each([
      { setting: false, includeSecrets: undefined, redacted: true },
      { setting: false, includeSecrets: true, redacted: false },
      { setting: true, includeSecrets: undefined, redacted: false },
      { setting: true, includeSecrets: false, redacted: true },
    ])('setting $setting, request $includeSecrets → redacted: $redacted', async ({ setting, includeSecrets, redacted }) => {
      const api = new FakeApi();
      api.tabUrls.set(1, 'http://127.0.0.1:18101/app?q=1');
      // The real HAR writer, so redaction is checked on the file a user gets.
      const s = service(api, { engine: { ...stubEngine, exportHar: coreEngine.exportHar, exportFilename: coreEngine.exportFilename } });
      await s.request({ type: 'set-settings', settings: { exportSecrets: setting } });
      complete(s, secretReq());
      const r = (await ask(s, includeSecrets === undefined ? { type: 'export', tabId: 1 } : { type: 'export', tabId: 1, includeSecrets })) as {
        ok: true;
        value: { har: string; filename: string; count: number };
      };
      expect(r.ok).toBe(true);
      expect(r.value.count).toBe(1);
      expect(r.value.filename).toMatch(/^cors-lens-127\.0\.0\.1_18101-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.har$/);
      const har = JSON.parse(r.value.har) as { log: { creator: { name: string }; entries: { _cors: { id: string } }[] } };
      expect(har.log.creator.name).toBe('CORS Lens');
      expect(har.log.entries.map((e) => e._cors.id)).toEqual(['s1']);
      for (const secret of ['sid=abc123', 'Bearer t0ken', 'sid=zzz']) expect(r.value.har.includes(secret)).toBe(!redacted);
      expect(r.value.har.includes(REDACTED)).toBe(redacted);
    });
  });
});

describe('ports', () => {

  it('sends a snapshot after the restore, then batched live entries; clear over the port', async () => {
    const api = new FakeApi();
    const a = service(api);
    complete(a, req({ id: 'before' }));
    await vi.advanceTimersByTimeAsync(300);

    const b = service(api);
    const port = new FakePort(panelPortName(1));
    b.onConnect(port);
    expect(port.sent).toEqual([]); // nothing before the restore finished
    await b.ready;
    await vi.advanceTimersByTimeAsync(0);
    expect(inbound(port)[0]).toMatchObject({ type: 'snapshot', tabId: 1, counters: { crossOrigin: 1 } });
    expect((inbound(port)[0] as { entries: { cors: { id: string } }[] }).entries.map((e) => e.cors.id)).toEqual(['before']);

    complete(b, req({ id: 'x1' }));
    complete(b, req({ id: 'x2' }));
    complete(b, req({ id: 'other-tab', tabId: 2 }));
    await vi.advanceTimersByTimeAsync(150);
    const live = inbound(port).filter((m) => m.type === 'entries');
    expect(live).toHaveLength(1);
    expect(live[0]).toMatchObject({ tabId: 1, counters: { crossOrigin: 3 } });
    expect((live[0] as { entries: { cors: { id: string } }[] }).entries.map((e) => e.cors.id)).toEqual(['x1', 'x2']);

    port.send({ type: 'clear' });
    await vi.advanceTimersByTimeAsync(0);
    expect(inbound(port).at(-1)).toMatchObject({ type: 'cleared', tabId: 1, counters: { crossOrigin: 0 } });
    expect(b.entries(1)).toEqual([]);
    expect(b.entries(2)).toHaveLength(1);

    port.send({ type: 'bogus' });
    await vi.advanceTimersByTimeAsync(0);
    expect(inbound(port).at(-1)).toMatchObject({ type: 'error', message: expect.stringMatching(/unknown panel message type/) });

    port.send({ type: 'set-settings', settings: { preserveLog: true } });
    await vi.advanceTimersByTimeAsync(0);
    expect(inbound(port).at(-1)).toMatchObject({ type: 'settings', settings: { preserveLog: true } });
  });

  it('a preflight waits to be judged with its request unless a panel shows its tab live; entries, counters and badge are the same either way', async () => {
    const pf = (id: string, url: string, t: number): ObservedRequest => req({ id, url, method: 'OPTIONS', status: 204, startedMs: t, requestHeaders: pfHeaders, responseHeaders: pfOk });
    const run = async (withPanel: boolean) => {
      const api = new FakeApi();
      const logged: string[] = [];
      const s = service(api, { engine: coreEngine, onEntries: (es) => logged.push(...es.map((e) => e.cors.id)) });
      await s.ready;
      const port = new FakePort(panelPortName(1));
      if (withPanel) s.onConnect(port);
      await vi.advanceTimersByTimeAsync(0);
      complete(s, pf('p1', `${API}/a`, 1000));
      const afterPreflight = [...logged];
      const countersThen = s.counters(1);
      complete(s, req({ id: 'r1', url: `${API}/a`, method: 'PUT', startedMs: 998 }));
      complete(s, pf('p2', `${API}/b`, 1100));
      complete(s, req({ id: 'r2', url: `${API}/b`, method: 'PUT', startedMs: 1098, responseHeaders: [] }));
      await vi.advanceTimersByTimeAsync(600);
      return { afterPreflight, countersThen, logged, entries: s.entries(1), counters: s.counters(1), badge: api.badges.get(1)?.text };
    };
    const live = await run(true);
    const quiet = await run(false);
    expect(live.afterPreflight).toEqual(['p1']);
    expect(quiet.afterPreflight).toEqual([]);
    expect(quiet.countersThen).toEqual(live.countersThen);
    expect(quiet.logged).toEqual(['p1', 'r1', 'p2', 'r2']);
    expect(quiet.entries).toEqual(live.entries);
    expect(quiet.entries.map((e) => [e.cors.id, e.cors.pairedWith])).toEqual([
      ['p1', 'r1'],
      ['r1', 'p1'],
      ['p2', 'r2'],
      ['r2', 'p2'],
    ]);
    expect(quiet.counters).toEqual(live.counters);
    expect(quiet.badge).toBe('1');
    expect(live.badge).toBe('1');
  });

  it('disconnects ports from strangers and ignores ports that are not ours', async () => {
    const s = service(new FakeApi());
    await s.ready;
    const stranger = new FakePort(panelPortName(1), { id: 'other', url: 'chrome-extension://other/p.html' });
    s.onConnect(stranger);
    expect(stranger.disconnected).toBe(true);
    const unrelated = new FakePort('something-else');
    s.onConnect(unrelated);
    await vi.advanceTimersByTimeAsync(0);
    expect(unrelated.disconnected).toBe(false);
    expect(unrelated.sent).toEqual([]);
  });

  it('stops sending to a closed port', async () => {
    const s = service(new FakeApi());
    await s.ready;
    const port = new FakePort(panelPortName(1));
    s.onConnect(port);
    await vi.advanceTimersByTimeAsync(0);
    port.close();
    complete(s, req({ id: 'after-close' }));
    await vi.advanceTimersByTimeAsync(150);
    expect(port.sent).toHaveLength(1); // the snapshot only
  });
});

describe('a record opened from a later event after a wake', () => {
  /** The HAR `_cors` of each exported entry, by id. */
  async function exported(s: CaptureService, tabId: number): Promise<Map<string, { verdict: string; kind: string; message: string }>> {
    const { har } = await s.request({ type: 'export', tabId });
    const log = JSON.parse(har) as { log: { entries: { _cors: { id: string; verdict: string; kind: string; message: string } }[] } };
    return new Map(log.log.entries.map((e) => [e._cors.id, e._cors]));
  }

  it('is exported as unknown, saying its request side was not observed, not as a confident n/a or pass — and stays so after another wake', async () => {
    const session = new FakeStorageArea(true);
    const area = new StoppableArea(session);
    const a = service(new FakeApi(area), { engine: coreEngine });
    await a.ready;
    const late = req({ id: 'late', tabId: 1, startedMs: 2000 });
    const hung = req({ id: 'hung', tabId: 1, startedMs: 2001 });
    // Both sent their request within the batch window before a stop: nothing of them persisted.
    play(a, eventsFor(late).slice(0, 2));
    play(a, eventsFor(hung).slice(0, 2));
    area.stop();

    const b = service(new FakeApi(new StoppableArea(session)), { engine: coreEngine });
    await b.ready;
    const ctx = { tabId: 1, resourceType: 'xmlhttprequest', initiator: PAGE };
    // Only the response side reaches the woken worker. `hung` is in flight at the next stop.
    for (const e of eventsFor(late).slice(2)) b.onRequestEvent(e, ctx);
    b.onRequestEvent(eventsFor(hung)[2]!, ctx);
    complete(b, req({ id: 'full', tabId: 1, startedMs: 3000 }));
    await vi.advanceTimersByTimeAsync(300);

    const byId = await exported(b, 1);
    expect(byId.get('full')!.verdict).toBe('pass');
    expect(byId.get('late')!.verdict).toBe('unknown');
    expect(byId.get('late')!.message).toMatch(/request side .* was not observed/);
    expect(b.counters(1)).toMatchObject({ passed: 1, failed: 0 });
    // What the engine alone makes of such a half: a confident "not CORS" (why the mark exists).
    const half = b.entries(1).find((e) => e.cors.id === 'late')!.request;
    expect(coreEngine.analyzer('chromium').add(structuredClone(half)).at(-1)!.cors.verdict).toBe('n/a');

    // Another wake: re-judged from storage, and `hung` (persisted in flight) finishes there.
    const c = service(new FakeApi(session), { engine: coreEngine });
    await c.ready;
    c.onRequestEvent(eventsFor(hung).at(-1)!, ctx);
    const again = await exported(c, 1);
    expect(again.get('late')!.verdict).toBe('unknown');
    expect(again.get('full')!.verdict).toBe('pass');
    expect(again.get('hung')!.verdict).toBe('unknown');
  });
});
