/**
 * Incremental persistence of the capture to `storage.session`, so that a stopped MV3 service
 * worker (about 30 s idle, browser-facts §F) loses nothing it had finished.
 *
 * Layout (all values are JSON strings, so the size we budget is the size we write; a request is
 * written in the form of codec.ts, its header lists flat):
 *   `v`            schema version
 *   `m:<tabId>`    the tab's `TabMeta` (url, dropped count, first/next seq, navigation mark, and
 *                  each retained request's contribution code, so a wake need not judge: store.ts)
 *   `c:<tabId>:<n>` chunk n of the tab's finished requests: `{s: firstSeq, r: ObservedRequest[]}`
 *   `inflight`     (read only) the in-flight list earlier builds wrote; removed on wake
 *   `f:<requestId>` one finished request, written THE MOMENT it finishes: `{t: tabId, r: request}`
 *   `i:<requestId>` one in-flight request still open at a batched write, once it was sent (its
 *                  request headers seen; rewritten when it changed)
 *   `e:<requestId>` a raw terminal event (with its context) that arrived while the worker was
 *                  still restoring: `{e, c}`; replayed on the next wake if this one dies first
 *   `d:<n>`        entries n, n+1, … of the header-line dictionary that request texts refer to
 *                  (codec.ts `LineDictionary`): written with the first `set` after a text that
 *                  refers to them, never removed while the capture lives, read first on wake
 *
 * Why the `f:`/`i:` keys: a worker stopped under load (test/stress/worker-kills.test.ts, a stop
 * every 400 ms) dies with up to one batch window of finished requests not yet in a chunk; the
 * batched write alone lost 521 of 2,000 exchanges. A finished request is therefore written
 * within `coalesceMs` (16 ms) under its own small key (never a 25-request chunk; requests
 * finishing within that window or while such a write is unanswered share one `set`, see
 * `writeFinished`), and the
 * batched flush that writes its chunk removes the key in the same write cycle (`set` then
 * `remove`, so a death in between leaves a duplicate, never a gap: `load` dedups by request id). Likewise a request still in flight at a batched write is written under its own
 * `i:` key (url, method, tab, request headers with Origin, what response it had), so a request that
 * finishes after a wake is filed under its tab with its request side intact instead of being
 * judged blind; a later write rewrites the key only if the request changed meanwhile.
 *
 * Why in-flight requests are written by the batched write and not the moment their headers are
 * known (as before): that was one `storage.session.set` per request on top of the finished
 * write-through, and in the capture benchmark `set` was the largest cost of the worker (half its
 * busy time). Most requests finish within one batch window and then only their `f:` key is
 * needed. The price: a request whose headers were sent less than one batch window
 * (`flushDelayMs`, 250 ms) before a forced stop, and that finishes after the wake, is judged from
 * the events seen after the wake (no request headers). An idle stop (about 30 s idle, §F) always
 * comes after the batched write. A request not sent yet at the batched write (waiting for a
 * connection) is not written at all: its later events bring everything its key would hold but
 * its start time (see `flush`).
 *
 * Requests are appended to an open chunk of at most `chunkSize`; a write rewrites only chunks
 * completed since the last write, the open chunk once it stops filling (see `flush`), the metas
 * that changed and the in-flight requests that changed, never the whole capture. A chunk is built from the JSON text each request got for
 * its write-through (a request is serialised once, not once per write of its chunk). Chunks whose requests all fell below the tab's first retained seq are
 * removed. Chromium's quota is 10 MiB (`QUOTA_BYTES`); Firefox ESR 153 has no such constant
 * (browser-facts §E), so the same byte budget is applied by the size of what is written: when
 * the estimate exceeds it, the oldest chunk of the largest tab is evicted and its entries are
 * dropped from the store too (counted as dropped), so memory and storage never disagree.
 */
import type { RequestEvent } from '../core/events.ts';
import type { ObservedRequest } from '../core/model.ts';
import type { EventContext } from '../platform/webrequest.ts';
import type { StorageAreaLike } from '../platform/extension-api.ts';
import type { TabMeta } from './store.ts';
import { NO_YIELD, type Yielder } from './slicer.ts';
import { DICTIONARY_PREFIX, LineDictionary, requestText, reviveRequest } from './codec.ts';

/** 2: requests in the flat-header form of codec.ts (1 wrote them as plain JSON). */
export const SCHEMA_VERSION = 2;
/** Keys per `get` of the wake's read (a chunk key holds up to `chunkSize` requests). */
const READ_BATCH_KEYS = 8;
const READS_IN_FLIGHT = 3;
const KEY_VERSION = 'v';
const KEY_INFLIGHT = 'inflight';
const metaKey = (tabId: number): string => `m:${tabId}`;
const chunkKey = (tabId: number, n: number): string => `c:${tabId}:${n}`;
const finishedKey = (requestId: string): string => `f:${requestId}`;
const inflightKey = (requestId: string): string => `i:${requestId}`;
const eventKey = (requestId: string): string => `e:${requestId}`;

/** A terminal event kept raw (it arrived before the restore finished). */
export interface StoredEvent {
  e: RequestEvent;
  c: EventContext | undefined;
}

/** JSON-in-JSON escapes every quote; count a margin so the estimate stays above the real size. */
const ESCAPE_MARGIN = 1.2;
function sizeOf(key: string, value: string): number {
  return key.length + Math.ceil(value.length * ESCAPE_MARGIN);
}

export interface PersistOptions {
  /** Requests per chunk. */
  chunkSize: number;
  /** Byte budget for everything written (Chromium's quota is 10 MiB). */
  budgetBytes: number;
  /** At most this many in-flight requests are persisted (the newest). */
  maxInFlight: number;
  /** Finished requests per coalesced write-through `set` at most (see `writeFinished`). */
  maxCoalesced: number;
  /** A write-through waits this long for others to share its `set` (0: none; see `writeFinished`). */
  coalesceMs: number;
}

export const DEFAULT_PERSIST_OPTIONS: PersistOptions = {
  chunkSize: 25,
  budgetBytes: 8 * 1024 * 1024,
  maxInFlight: 200,
  maxCoalesced: 32,
  coalesceMs: 16,
};

interface Chunk {
  n: number;
  start: number;
  len: number;
  /** Contents as JSON texts (one per request), kept only while the chunk is open or not yet written. */
  reqs: string[] | null;
  bytes: number;
  dirty: boolean;
  /** Members in the stored copy of this chunk (the seqs from `start` that a restore finds in it). */
  writtenLen: number;
  /** `f:` keys of the members not in the stored copy yet: removed once a write of the chunk lands. */
  through: string[];
  /** Appended to since the last flush looked at it (see `flush`: the open chunk waits). */
  touched: boolean;
}

interface TabState {
  chunks: Chunk[];
  nextN: number;
  metaDirty: boolean;
  metaBytes: number;
  /** The meta's text as stored (a flush does not rewrite an unchanged meta). */
  metaText: string | null;
}

/** What a restore found. */
export interface RestoredTab {
  meta: TabMeta;
  /** Retained requests, oldest first, seqs consecutive from `meta.firstSeq`. */
  requests: ObservedRequest[];
  /** Requests the meta promised but no chunk held (a write that never landed). */
  lost: number;
  /** The stored contribution code of each of `requests` (store.ts `restore`), or null. */
  codes: string | null;
}
export interface Restored {
  tabs: RestoredTab[];
  /** Finished requests written through but not compacted into a chunk yet, oldest first. */
  finished: ObservedRequest[];
  /** In-flight requests (`i:` keys, and an earlier build's list), none of them among the finished ones. */
  inflight: ObservedRequest[];
  /** Terminal events a worker received while restoring and died before filing, oldest first. */
  events: StoredEvent[];
}

interface FinishedValue {
  t: number | null;
  r: ObservedRequest;
}

function endOf(r: ObservedRequest): number {
  const last = r.hops[r.hops.length - 1];
  return last?.endedMs ?? last?.startedMs ?? 0;
}

/** Source of the state a flush writes. */
export interface FlushSource {
  meta(tabId: number): TabMeta | null;
  /** The request with this id if it is still in flight. */
  inflight(requestId: string): ObservedRequest | undefined;
  /** Persistence ran out of budget: drop the tab's entries below `seq` from memory as well. */
  evicted(tabId: number, seq: number): void;
}

interface ChunkValue {
  s: number;
  r: ObservedRequest[];
}

function parseJson<T>(v: unknown): T | null {
  if (typeof v !== 'string') return null;
  try {
    return JSON.parse(v) as T;
  } catch {
    return null;
  }
}

export class SessionPersister {
  private readonly tabs = new Map<number, TabState>();
  private readonly removedKeys = new Set<string>();
  /** Header lines the request texts refer to (codec.ts): stored under `d:` keys. */
  private readonly dict = new LineDictionary();
  /** In-flight requests changed since the last write: the next write (re)writes their `i:` key. */
  private readonly inflightDirty = new Set<string>();
  /** Ids whose `i:` key is written (or being written) and not yet scheduled for removal → its bytes. */
  private readonly inflightKeys = new Map<string, number>();
  private inflightBytes = 0;
  private versionWritten = false;
  private budget: number;
  /** `f:`, `e:` and finished requests' `i:` keys: the next flush removes them. */
  private readonly throughKeys = new Set<string>();
  /** Write-throughs not handed to the browser yet (`writeFinished`): key → value, in finishing order. */
  private pending: Record<string, string> = {};
  private pendingCount = 0;
  /** Coalesced write-through `set`s handed to the browser and not answered yet. */
  private throughInFlight = 0;
  /** The `coalesceMs` timer of the waiting write-throughs, while one is set. */
  private coalesceTimer: ReturnType<typeof setTimeout> | null = null;
  /** The timer fired while a write-through was on its way: the answer sends what waits. */
  private coalesceDue = false;
  /** Storage calls made, finished requests written through, in-flight keys written, in-flight
   *  requests not written because nothing was sent yet, and the characters of the values
   *  written as write-throughs, chunks, in-flight keys and metas (diagnostics: the debug hook,
   *  bench/count-calls.mjs). */
  readonly calls = { set: 0, remove: 0, through: 0, inflight: 0, inflightUnsent: 0, throughChars: 0, chunkChars: 0, inflightChars: 0, metaChars: 0, dictChars: 0 };

  constructor(
    private readonly area: StorageAreaLike,
    private readonly opts: PersistOptions = DEFAULT_PERSIST_OPTIONS,
  ) {
    this.budget = opts.budgetBytes;
  }

  /** Whether anything waits to be written (an open chunk a flush let wait included). */
  get dirty(): boolean {
    if (this.throughKeys.size > 0 || this.inflightDirty.size > 0 || this.removedKeys.size > 0 || !this.versionWritten) return true;
    for (const t of this.tabs.values()) if (t.metaDirty || t.chunks[t.chunks.length - 1]?.dirty) return true;
    return false;
  }

  /** Bytes the persisted capture is estimated to take. */
  get bytes(): number {
    let n = this.inflightBytes + this.dict.bytes;
    for (const t of this.tabs.values()) {
      n += t.metaBytes;
      for (const c of t.chunks) n += c.bytes;
    }
    return n;
  }

  private tab(tabId: number): TabState {
    let t = this.tabs.get(tabId);
    if (!t) {
      t = { chunks: [], nextN: 0, metaDirty: true, metaBytes: 0, metaText: null };
      this.tabs.set(tabId, t);
    }
    return t;
  }

  /**
   * Hot path: O(1). A finished request was stored under `seq`. `text`: its JSON, when the
   * write-through made it already (the request does not change once finished).
   */
  append(tabId: number, seq: number, req: ObservedRequest, text: string = requestText(req, this.dict)): void {
    const t = this.tab(tabId);
    t.metaDirty = true;
    let c = t.chunks[t.chunks.length - 1];
    if (c?.reqs && c.len < this.opts.chunkSize && c.start + c.len === seq) {
      c.reqs.push(text);
      c.len++;
      c.dirty = true;
      c.touched = true;
    } else {
      c = { n: t.nextN++, start: seq, len: 1, reqs: [text], bytes: 0, dirty: true, writtenLen: 0, through: [], touched: true };
      t.chunks.push(c);
    }
    // Its write-through key stays until the chunk is written with it (not at the next flush).
    const key = finishedKey(req.id);
    if (this.throughKeys.delete(key)) c.through.push(key);
  }

  /** A chunk goes unwritten (cleared, evicted, below the first retained seq): so do its members' `f:` keys. */
  private dropChunk(tabId: number, c: Chunk): void {
    this.removedKeys.add(chunkKey(tabId, c.n));
    for (const k of c.through) this.removedKeys.add(k);
    c.through = [];
  }

  /** The tab's meta changed without a new request (navigation mark, url, drops). */
  touch(tabId: number): void {
    this.tab(tabId).metaDirty = true;
  }

  /** The tab's log was cleared: its chunks go, its meta is rewritten. */
  cleared(tabId: number): void {
    const t = this.tab(tabId);
    for (const c of t.chunks) this.dropChunk(tabId, c);
    t.chunks = [];
    t.metaDirty = true;
  }

  /** The tab closed: everything of it goes. */
  removed(tabId: number): void {
    const t = this.tabs.get(tabId);
    if (!t) return;
    for (const c of t.chunks) this.dropChunk(tabId, c);
    this.removedKeys.add(metaKey(tabId));
    this.tabs.delete(tabId);
  }

  /** Hot path, O(1): a request in flight changed (the next batched write persists it if still open). */
  inflightChanged(requestId: string): void {
    this.inflightDirty.add(requestId);
  }

  /**
   * Hot path, once per finished request: writes it under its own key (write-through), so a
   * worker stopped before the next batched flush loses nothing it had finished. Returns the
   * request's JSON, for its chunk.
   *
   * Coalesced: the request waits `coalesceMs` (16 ms) for others to finish, and then goes with
   * them in one `set` (`sendPending`); while an earlier write-through `set` is unanswered, until
   * that answer; at once when `maxCoalesced` wait. Why: the capture benchmark's cost of
   * persistence is Chromium's per `set` call, not per byte (docs/bench.md, "Capture
   * attribution"), in the browser process and in the worker's bindings. A zero-delay task merged
   * almost nothing (each webRequest event is a task of its own; ≈ 3,100 `set`s for a 2,000-call
   * batch either way, counted with bench/count-calls.mjs); waiting for the previous answer alone
   * merged what finished during one round trip (1,130–1,153 `set`s); with the window too,
   * 359–362 (2026-12-02). The price: a worker stopped within the window (or the round trip)
   * loses the requests waiting in it. Under a stop every 400 ms (test/stress/worker-kills.test.ts)
   * that was not measurable: 52, 59 and 66 of 2,000 lost with the window, 63 and 75 without,
   * in alternating runs (Chromium itself loses events dispatched around a stop; its floor is 9–80,
   * docs/hardening.md). An idle stop (30 s) always comes long after the window. Not awaited: a
   * failure only means the batched flush is the copy.
   */
  writeFinished(req: ObservedRequest): string {
    const key = finishedKey(req.id);
    this.throughKeys.add(key);
    this.forgetInflight(req.id);
    const text = requestText(req, this.dict);
    // Same text as JSON.stringify({t, r} satisfies FinishedValue), without serialising r twice.
    this.calls.through++;
    const value = `{"t":${JSON.stringify(req.tabId)},"r":${text}}`;
    this.calls.throughChars += value.length;
    this.enqueue(key, value);
    return text;
  }

  /**
   * A key to write at once (write-through, `i:` and `e:` keys of a restore): it waits for the
   * next coalesced `set` (see `writeFinished`), which goes when the coalescing window is over
   * and no earlier one is on its way, or at once when `maxCoalesced` wait.
   */
  private enqueue(key: string, value: string): void {
    if (!(key in this.pending)) this.pendingCount++;
    this.pending[key] = value;
    if (this.pendingCount >= this.opts.maxCoalesced) this.sendPending();
    else if (this.opts.coalesceMs <= 0) {
      if (this.throughInFlight === 0) this.sendPending();
    } else {
      this.coalesceTimer ??= setTimeout(() => {
        this.coalesceTimer = null;
        // Still one on its way: these go when it is answered.
        if (this.throughInFlight === 0) this.sendPending();
        else this.coalesceDue = true;
      }, this.opts.coalesceMs);
    }
  }

  /**
   * Hands the waiting write-throughs to the browser in one `set`. Also the first step of every
   * batched flush, so that a write-through is issued before the `remove` of the flush that
   * compacts it (the `set` then `remove` order every key relies on, see the top of this file),
   * as the one-`set`-each write-throughs always were.
   */
  sendPending(): void {
    if (this.coalesceTimer !== null) {
      clearTimeout(this.coalesceTimer);
      this.coalesceTimer = null;
    }
    this.coalesceDue = false;
    if (this.pendingCount === 0) return;
    const items = this.withVersion(this.pending);
    const dictFrom = this.withDictionary(items);
    this.pending = {};
    this.pendingCount = 0;
    this.throughInFlight++;
    this.calls.set++;
    void this.area
      .set(items)
      .catch(() => {
        // The texts in it are lost too, but a later text may refer to the same entries.
        if (dictFrom !== null) this.dict.unsentFrom(dictFrom);
      })
      .then(() => {
        this.throughInFlight--;
        // What finished while this write was on its way goes now, in one `set` (with a
        // coalescing window, once that window is over).
        if (this.throughInFlight === 0 && (this.opts.coalesceMs <= 0 || this.coalesceDue)) this.sendPending();
      });
  }

  /**
   * The request side of a request that started while the worker was restoring (its events wait
   * in the queue until the restore ends), written as its `i:` key with the next coalesced `set`
   * (`enqueue`: within the window; a request that starts and ends while a restore runs made two
   * `set`s of its own before). Why: under repeated
   * stops most wakes die before their restore ends (docs/hardening.md bug 1), and their queue
   * with them; the terminal event is kept raw (`writeEvent`), and with this the next wake
   * resumes the request with its method and request headers (Origin) instead of judging it
   * from its response side only. Outside a restore the batched write does this (see the top of
   * this file).
   */
  writeInflightNow(req: ObservedRequest): void {
    if (!this.inflightKeys.has(req.id) && this.inflightKeys.size >= this.opts.maxInFlight) return;
    const key = inflightKey(req.id);
    const value = requestText(req, this.dict);
    const bytes = sizeOf(key, value);
    this.inflightBytes += bytes - (this.inflightKeys.get(req.id) ?? 0);
    this.inflightKeys.set(req.id, bytes);
    this.enqueue(key, value);
  }

  /**
   * A terminal event arrived before the restore finished (it waits in a queue, and a worker
   * stopped again during a long restore would lose the queue): written raw with the next
   * coalesced `set` (`enqueue`).
   */
  writeEvent(e: RequestEvent, ctx: EventContext | undefined): void {
    const key = eventKey(e.requestId);
    this.throughKeys.add(key);
    this.enqueue(key, JSON.stringify({ e, c: ctx } satisfies StoredEvent));
  }

  /** Before the first batched write, a write-through carries the version too: `load` wipes
   *  storage without it, and a worker may be stopped before its first flush. */
  private withVersion(items: Record<string, string>): Record<string, string> {
    if (!this.versionWritten) items[KEY_VERSION] = String(SCHEMA_VERSION);
    return items;
  }

  /**
   * Every `set` carries the dictionary entries made since the last one (codec.ts
   * `LineDictionary`): the texts that refer to them were made before this `set` was issued, so
   * each entry lands with or before every text that refers to it (`set`s land in order).
   * Returns the first entry carried, for a failure to give back (null: none).
   */
  private withDictionary(items: Record<string, string>): number | null {
    const d = this.dict.takeUnsent();
    if (d === null) return null;
    items[d.key] = d.value;
    this.calls.dictChars += d.value.length;
    return d.from;
  }

  /** The request finished without a write-through (not stored, or restored): its `i:` key goes. */
  dropped(requestId: string): void {
    this.forgetInflight(requestId);
  }

  private forgetInflight(id: string): void {
    this.inflightDirty.delete(id);
    const bytes = this.inflightKeys.get(id);
    if (bytes === undefined) return;
    this.inflightKeys.delete(id);
    this.inflightBytes -= bytes;
    this.throughKeys.add(inflightKey(id));
  }

  /**
   * Writes what changed since the last flush: one `set` and one `remove`. On a failed write
   * (quota) the budget shrinks below the current estimate and everything stays dirty, so the
   * next flush evicts and retries.
   */
  async flush(src: FlushSource): Promise<void> {
    // Waiting write-throughs first: the `remove` below may name their keys.
    this.sendPending();
    const items: Record<string, string> = {};
    /** Chunks in this write, with the `f:` keys that go once it lands and their previous state. */
    const writtenChunks: { c: Chunk; through: string[]; writtenLen: number }[] = [];
    /** Tabs whose open chunk waits: their meta promises only what the stored chunks hold. */
    const storedNextSeq = new Map<number, number>();
    const metasWritten: [TabState, string][] = [];
    if (!this.versionWritten) items[KEY_VERSION] = String(SCHEMA_VERSION);

    for (const [tabId, t] of this.tabs) {
      if (!t.metaDirty) continue;
      const meta = src.meta(tabId);
      if (!meta) continue;
      // Chunks entirely below the first retained request are gone from the store: remove them.
      while (t.chunks.length > 0 && t.chunks[0]!.start + t.chunks[0]!.len <= meta.firstSeq) {
        this.dropChunk(tabId, t.chunks.shift()!);
      }
      for (let i = 0; i < t.chunks.length; i++) {
        const c = t.chunks[i]!;
        if (!c.dirty || !c.reqs) continue;
        // The open chunk, still filling since the last flush, waits until it is full or a flush
        // finds it unchanged: each write of it rewrites all its members, and in the capture
        // benchmark (≈ 40 requests finish per 250 ms flush, chunks hold 25) most chunks were
        // written twice, once part-filled. Nothing is at risk meanwhile: its new members keep
        // their `f:` keys until a write of the chunk holding them lands.
        if (i === t.chunks.length - 1 && c.len < this.opts.chunkSize && c.touched) {
          c.touched = false;
          storedNextSeq.set(tabId, c.start + c.writtenLen);
          continue;
        }
        c.touched = false;
        const key = chunkKey(tabId, c.n);
        // Same text as JSON.stringify({s, r} satisfies ChunkValue) of the requests.
        const value = `{"s":${c.start},"r":[${c.reqs.join(',')}]}`;
        items[key] = value;
        this.calls.chunkChars += value.length;
        c.bytes = sizeOf(key, value);
        writtenChunks.push({ c, through: c.through, writtenLen: c.writtenLen });
        c.through = [];
        c.writtenLen = c.len;
      }
    }
    const inflightWritten: string[] = [];
    for (const id of this.inflightDirty) {
      const req = src.inflight(id);
      // Finished meanwhile (its write-through is the copy), or past the bound on persisted ones.
      if (!req || (!this.inflightKeys.has(id) && this.inflightKeys.size >= this.opts.maxInFlight)) continue;
      // Not sent yet (waiting for a connection, between `before-request` and `send-headers`):
      // not written. Its key would hold nothing that the later events do not bring again:
      // `send-headers` carries the method and the request headers, and every event after it
      // the tab, the resource type and the initiator (the event context, service.ts `adopt`).
      // What a stop meanwhile loses is when the request began: it is then shown starting at
      // `send-headers`. In the capture benchmark these were 931–1,062 of the 3,194–3,493 `i:`
      // writes of a 2,000-call batch (bench/count-calls.mjs, 2026-12-02).
      if (req.hops.every((h) => h.requestHeaders.length === 0)) {
        this.calls.inflightUnsent++;
        continue;
      }
      const key = inflightKey(id);
      this.calls.inflight++;
      const value = requestText(req, this.dict);
      items[key] = value;
      this.calls.inflightChars += value.length;
      const bytes = sizeOf(key, value);
      // Recorded before the write lands: a request finishing during it schedules the key's removal.
      this.inflightBytes += bytes - (this.inflightKeys.get(id) ?? 0);
      this.inflightKeys.set(id, bytes);
      inflightWritten.push(id);
    }

    this.evictOverBudget(items, src);

    // Metas last: they must reflect evictions made just above.
    for (const [tabId, t] of this.tabs) {
      if (!t.metaDirty) continue;
      const meta = src.meta(tabId);
      if (!meta) continue;
      const key = metaKey(tabId);
      // A restore counts requests the meta promises but no chunk holds as lost: promise only
      // what the stored chunks hold. The waiting members are restored from their `f:` keys and
      // appended after them, as requests finished after the last write always were.
      const next = storedNextSeq.get(tabId);
      let value: string;
      if (next === undefined) value = JSON.stringify(meta);
      else {
        const nextSeq = Math.max(meta.firstSeq, Math.min(meta.nextSeq, next));
        // The codes too (store.ts `codes`): of the stored requests only, so the meta is unchanged.
        value = JSON.stringify({ ...meta, nextSeq, codes: meta.codes?.slice(0, nextSeq - meta.firstSeq) });
      }
      if (value === t.metaText) continue;
      items[key] = value;
      this.calls.metaChars += value.length;
      metasWritten.push([t, value]);
      t.metaBytes = sizeOf(key, value);
    }

    // Write-through keys of requests now in the chunks above (or in the in-flight list) go in
    // the same cycle, after the `set`: a death in between leaves duplicates, which load dedups.
    const through = [...this.throughKeys];
    this.throughKeys.clear();
    for (const k of through) this.removedKeys.add(k);
    for (const w of writtenChunks) for (const k of w.through) this.removedKeys.add(k);
    const removed = [...this.removedKeys].filter((k) => !(k in items));
    const dirtyTabs = [...this.tabs.values()].filter((t) => t.metaDirty);
    // Clear the flags before awaiting: changes that arrive during the write mark them again.
    for (const t of dirtyTabs) t.metaDirty = false;
    // A tab whose open chunk waits is looked at again by the next flush.
    for (const tabId of storedNextSeq.keys()) this.tabs.get(tabId)!.metaDirty = true;
    for (const { c } of writtenChunks) c.dirty = false;
    this.inflightDirty.clear();
    this.removedKeys.clear();
    let dictFrom: number | null = null;
    try {
      if (Object.keys(items).length > 0) {
        dictFrom = this.withDictionary(items);
        this.calls.set++;
        await this.area.set(items);
      }
      if (removed.length > 0) {
        this.calls.remove++;
        await this.area.remove(removed);
      }
      this.versionWritten = true;
      for (const [t, text] of metasWritten) t.metaText = text;
      // A completed chunk will not change again: let go of its contents (the store has them).
      for (const t of this.tabs.values()) {
        for (let i = 0; i < t.chunks.length - 1; i++) if (!t.chunks[i]!.dirty) t.chunks[i]!.reqs = null;
      }
    } catch (err) {
      if (dictFrom !== null) this.dict.unsentFrom(dictFrom);
      this.budget = Math.max(64 * 1024, Math.floor(this.bytes * 0.9));
      for (const t of dirtyTabs) t.metaDirty = true;
      for (const id of inflightWritten) if (this.inflightKeys.has(id)) this.inflightDirty.add(id);
      for (const k of removed) this.removedKeys.add(k);
      for (const k of through) {
        this.removedKeys.delete(k);
        this.throughKeys.add(k);
      }
      // The chunks were not written: their members' `f:` keys stay, and the retry writes them.
      for (const w of writtenChunks) {
        w.c.dirty = true;
        w.c.writtenLen = w.writtenLen;
        w.c.through = [...w.through, ...w.c.through];
        for (const k of w.through) this.removedKeys.delete(k);
      }
      throw err;
    }
  }

  private evictOverBudget(items: Record<string, string>, src: FlushSource): void {
    let total = this.bytes;
    while (total > this.budget) {
      let victim: [number, TabState] | null = null;
      let victimBytes = -1;
      for (const [tabId, t] of this.tabs) {
        if (t.chunks.length === 0) continue;
        let b = 0;
        for (const c of t.chunks) b += c.bytes;
        if (b > victimBytes) {
          victim = [tabId, t];
          victimBytes = b;
        }
      }
      if (!victim) return;
      const [tabId, t] = victim;
      const c = t.chunks.shift()!;
      delete items[chunkKey(tabId, c.n)];
      this.dropChunk(tabId, c);
      total -= c.bytes;
      t.metaDirty = true;
      src.evicted(tabId, c.start + c.len);
    }
  }

  /**
   * The whole area, read in pieces when the browser can list keys. Why: one `get(null)` of the
   * capture hands the worker every value in one task (median 43 ms, up to 258 ms, measured by
   * kill-floor lens-probe, docs/hardening.md bug 1), while webRequest events wait behind it and
   * die with the worker at the next stop. Each `get` of a few keys is its own task, so events run
   * between them. Keys that are not ours (`diag:wakes`) are not read. A key written after the
   * listing (this wake's own `e:` writes) is in this wake's queue already; one removed meanwhile
   * is simply absent from its batch.
   */
  private async readAll(slicer: Yielder): Promise<Record<string, unknown>> {
    const area = this.area;
    if (!area.getKeys) return slicer.wait(area.get(null));
    const keys = await slicer.wait(area.getKeys());
    if (!keys.includes(KEY_VERSION)) {
      // Not our layout (or empty): `load` removes what is there, nothing needs reading.
      return Object.fromEntries(keys.map((k) => [k, undefined]));
    }
    const ours = keys.filter((k) => k === KEY_VERSION || k === KEY_INFLIGHT || /^[mcfied]:/.test(k));
    const batches: string[][] = [];
    for (let i = 0; i < ours.length; i += READ_BATCH_KEYS) batches.push(ours.slice(i, i + READ_BATCH_KEYS));
    const all: Record<string, unknown> = {};
    // A few reads in flight at once: each answer is its own task (events interleave), and the
    // round trips overlap instead of adding up.
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < batches.length) Object.assign(all, await slicer.wait(area.get(batches[next++]!)));
    };
    await Promise.all(Array.from({ length: Math.min(READS_IN_FLIGHT, batches.length) }, worker));
    return all;
  }

  /**
   * Reads everything back after a restart and takes over the bookkeeping (which keys exist,
   * which chunk is still open), so the next writes continue where the dead worker stopped.
   */
  async load(slicer: Yielder = NO_YIELD): Promise<Restored> {
    // Until the dictionary is active (below), texts made meanwhile (a request that started
    // during the restore) refer to no entry; from then on they may, with the stored numbers.
    const all = await this.readAll(slicer);
    if (all[KEY_VERSION] !== String(SCHEMA_VERSION)) {
      // Nothing of ours, or an older layout: start afresh rather than misread it.
      const stale = Object.keys(all);
      if (stale.length > 0) await this.area.remove(stale);
      this.dict.active = true;
      return { tabs: [], finished: [], inflight: [], events: [] };
    }
    this.versionWritten = true;
    // The dictionary before any request that refers to it.
    for (const key of Object.keys(all)) if (key.startsWith(DICTIONARY_PREFIX) && !this.dict.restore(key, all[key])) this.removedKeys.add(key);
    this.dict.active = true;
    const metas = new Map<number, TabMeta>();
    const chunks = new Map<number, { n: number; key: string; value: ChunkValue; bytes: number }[]>();
    const through: { key: string; value: FinishedValue }[] = [];
    const inflightKeyed: ObservedRequest[] = [];
    const rawEvents: { key: string; value: StoredEvent }[] = [];
    for (const [key, raw] of Object.entries(all)) {
      // Parsing a chunk is the costly step of the read: the clock decides when to let events in.
      if (slicer.due) await slicer.yield();
      let m: RegExpExecArray | null;
      if (key.startsWith('e:')) {
        const value = parseJson<StoredEvent>(raw);
        if (value && value.e && (value.e.event === 'completed' || value.e.event === 'error') && typeof value.e.requestId === 'string') rawEvents.push({ key, value });
        else this.removedKeys.add(key);
      } else if (key.startsWith('f:')) {
        const value = parseJson<FinishedValue>(raw);
        if (value && reviveRequest(value.r, this.dict)) through.push({ key, value });
        else this.removedKeys.add(key);
      } else if (key.startsWith('i:')) {
        const value = reviveRequest(parseJson<unknown>(raw), this.dict);
        if (value && value.hops.length > 0) inflightKeyed.push(value);
        this.removedKeys.add(key);
      } else if ((m = /^m:(-?\d+)$/.exec(key))) {
        const meta = parseJson<TabMeta>(raw);
        if (meta) metas.set(Number(m[1]), meta);
      } else if ((m = /^c:(-?\d+):(\d+)$/.exec(key))) {
        const value = parseJson<ChunkValue>(raw);
        if (!value || !Array.isArray(value.r)) continue;
        // In place: members keep their positions (a member's seq is the chunk's start + its index).
        for (const r of value.r) reviveRequest(r, this.dict);
        const tabId = Number(m[1]);
        const list = chunks.get(tabId) ?? [];
        list.push({ n: Number(m[2]), key, value, bytes: sizeOf(key, raw as string) });
        chunks.set(tabId, list);
      }
    }
    const tabs: RestoredTab[] = [];
    if (slicer.due) await slicer.yield();
    /** Every finished request id restored, so write-through duplicates and stale in-flight go. */
    const finishedIds = new Set<string>();
    for (const [tabId, meta] of metas) {
      const list = (chunks.get(tabId) ?? []).sort((a, b) => a.n - b.n);
      const requests: ObservedRequest[] = [];
      const metaText = JSON.stringify(meta);
      const state: TabState = { chunks: [], nextN: 0, metaDirty: false, metaBytes: sizeOf(metaKey(tabId), metaText), metaText };
      let expect = meta.firstSeq;
      // Each request's stored contribution code (store.ts), by its seq; any one missing and the
      // store judges the tab again instead.
      const stored = typeof meta.codes === 'string' ? meta.codes : null;
      let codes: string | null = stored === null ? null : '';
      for (const c of list) {
        const start = c.value.s;
        c.value.r.forEach((r, i) => {
          const seq = start + i;
          if (seq < expect) return;
          requests.push(r);
          finishedIds.add(r.id);
          expect = seq + 1;
          if (codes !== null) {
            const code = stored![seq - meta.firstSeq];
            codes = code === undefined ? null : codes + code;
          }
        });
        state.chunks.push({ n: c.n, start, len: c.value.r.length, reqs: null, bytes: c.bytes, dirty: false, writtenLen: c.value.r.length, through: [], touched: false });
        state.nextN = c.n + 1;
      }
      // Reopen the last chunk so appends continue it instead of starting a new key.
      const last = state.chunks[state.chunks.length - 1];
      const lastValue = list[list.length - 1];
      if (last && lastValue && last.len < this.opts.chunkSize) last.reqs = lastValue.value.r.map((r) => requestText(r, this.dict));
      this.tabs.set(tabId, state);
      if (slicer.due) await slicer.yield();
      const promised = Math.max(0, meta.nextSeq - meta.firstSeq);
      tabs.push({ meta, requests, lost: Math.max(0, promised - requests.length), codes });
    }
    // Chunks without a meta belong to a tab whose removal was half-written: remove them.
    for (const [tabId, list] of chunks) if (!metas.has(tabId)) for (const c of list) this.removedKeys.add(c.key);
    const finished: ObservedRequest[] = [];
    for (const { key, value } of through) {
      // Its chunk landed before the worker died: the copy is a duplicate.
      if (finishedIds.has(value.r.id)) {
        this.removedKeys.add(key);
        continue;
      }
      finishedIds.add(value.r.id);
      value.r.tabId = value.t;
      finished.push(value.r);
      // The caller appends it to a chunk again; the next flush then removes the key.
      this.throughKeys.add(key);
    }
    finished.sort((a, b) => endOf(a) - endOf(b));
    // An earlier build kept a batched list besides the `i:` keys, which it wrote earlier: the list
    // may know more (a redirect, response headers) and wins for an id in both. Read, then removed.
    const listed = parseJson<ObservedRequest[]>(all[KEY_INFLIGHT]) ?? [];
    if (KEY_INFLIGHT in all) this.removedKeys.add(KEY_INFLIGHT);
    const byId = new Map<string, ObservedRequest>();
    for (const r of inflightKeyed) byId.set(r.id, r);
    for (const r of Array.isArray(listed) ? listed : []) if (reviveRequest(r, this.dict) && r.hops.length > 0) byId.set(r.id, r);
    const inflight = [...byId.values()].filter((r) => !finishedIds.has(r.id));
    // Their keys are scheduled for removal above; the next write puts back those still open
    // (the caller resumes them into its tracker first).
    for (const r of inflight) this.inflightDirty.add(r.id);
    const events: StoredEvent[] = [];
    for (const { key, value } of rawEvents) {
      // Replayed and filed (written through) before that worker died too: nothing to redo.
      if (finishedIds.has(value.e.requestId)) {
        this.removedKeys.add(key);
        continue;
      }
      events.push(value);
      this.throughKeys.add(key);
    }
    events.sort((a, b) => a.e.timeStamp - b.e.timeStamp);
    return { tabs, finished, inflight, events };
  }
}
