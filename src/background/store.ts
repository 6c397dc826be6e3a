/**
 * Per-tab capture store: judged entries per tab, newest last, with a cap, counters and the
 * navigation rule. Pure TypeScript, no browser call, so it is unit-tested in plain Node.
 *
 * Each tab (and the no-tab bucket, `NO_TAB`, for service workers and other tab-less requests)
 * has its own analyzer, so pairing never mixes tabs: a preflight and its request always carry
 * the same tabId (browser-facts §C, §E).
 *
 * Cost per added request is O(entries the analyzer reports as new or changed), independent of
 * how many entries the tab holds: entries live in a Map keyed by `cors.id` (insertion order =
 * oldest first), counters are adjusted by difference, and the cap drops from the front.
 */
import type { AnalyzedEntry } from '../core/annotation.ts';
import type { ObservedRequest } from '../core/model.ts';
import { NO_TAB_ID, type TabCounters } from '../shared/messages.ts';
import { strings } from '../platform/intern.ts';
import { NO_YIELD, type Yielder } from './slicer.ts';
import { honestEntry } from './unseen.ts';

/**
 * The engine writes its texts anew for every entry; most of them (a warning about a missing
 * `Access-Control-Max-Age`, the credentials note, the page origin) are the same for thousands of
 * entries. The store keeps one shared copy of each (see src/platform/intern.ts): same values,
 * a fraction of the heap (measured ~0.2 KB per entry in the bench's heap snapshot).
 */
/** What the store keeps of a judged entry: the honest form (unseen.ts), its texts interned. */
function prepared(judged: AnalyzedEntry): AnalyzedEntry {
  const e = honestEntry(judged);
  internAnnotation(e);
  return e;
}

function internAnnotation(e: AnalyzedEntry): void {
  const c = e.cors;
  // The engine may hand out shared frozen parts (its constant texts): those are shared already.
  if (!Object.isFrozen(c)) {
    c.message = strings.intern(c.message);
    c.fix = strings.intern(c.fix);
    c.origin = strings.intern(c.origin);
    c.error = strings.intern(c.error);
    c.failedParameter = strings.intern(c.failedParameter);
  }
  for (const w of c.warnings) if (!Object.isFrozen(w)) w.message = strings.intern(w.message);
}

/**
 * The slice of `CorsAnalyzer` (src/core/analyze.ts) the store needs. The store keeps no request
 * history for it: memory is bounded by the analyzer itself (see bounded-analyzer.ts).
 */
export interface Analyzer {
  /** Returns the entries new or changed by this addition. */
  add(req: ObservedRequest): AnalyzedEntry[];
  /**
   * Records a request for pairing without judging it (a restored request whose judgement is
   * stored): later `add`s answer as if it had been added. Without it, restores judge again.
   */
  seed?(req: ObservedRequest): void;
  /**
   * Records a request without judging it, if nothing recorded shares a URL with it (false, and
   * nothing recorded, otherwise): the next request of its group is judged with it and the `add`
   * returns its entry too (CorsAnalyzer `defer`).
   */
  defer?(req: ObservedRequest): boolean;
  /** A recorded request judged now, with what it changes in its group (as `add` returns them). */
  judge?(req: ObservedRequest): AnalyzedEntry[];
}
export type AnalyzerFactory = () => Analyzer;

/** Bucket for requests without a tab (service workers, extension pages): never shown per tab. */
export const NO_TAB = NO_TAB_ID;

export function emptyCounters(): TabCounters {
  return { crossOrigin: 0, passed: 0, failed: 0, preflights: 0, cacheHits: 0, dropped: 0 };
}

/**
 * What an entry adds to the counters, as one character, so it can be persisted per request
 * (TabMeta `codes`) and a restored tab counts, trims and re-judges without judging again:
 * `p` a preflight; `a` / `f` / `o` a cross-origin request that passed / failed / neither, upper
 * case when it was a preflight-cache hit; `n` anything not counted (same-origin, not CORS).
 */
export type ContributionCode = 'p' | 'a' | 'f' | 'o' | 'A' | 'F' | 'O' | 'n';
const CODES = new Set<string>(['p', 'a', 'f', 'o', 'A', 'F', 'O', 'n']);
export const isContributionCode = (c: string | undefined): c is ContributionCode => c !== undefined && CODES.has(c);

export function contributionOf(e: AnalyzedEntry): ContributionCode {
  const { kind, verdict, preflightCache } = e.cors;
  if (kind === 'preflight') return 'p';
  if (kind !== 'simple' && kind !== 'preflighted') return 'n';
  const code = verdict === 'pass' ? 'a' : verdict === 'fail' ? 'f' : 'o';
  return preflightCache && 'hit' in preflightCache && preflightCache.hit ? (code.toUpperCase() as ContributionCode) : code;
}

/** What one entry adds to the counters. Preflights are counted apart so a failed preflight and
 *  the request it blocked count as one failure, not two. */
function addContribution(c: TabCounters, code: ContributionCode, sign: 1 | -1): void {
  if (code === 'n') return;
  if (code === 'p') {
    c.preflights += sign;
    return;
  }
  c.crossOrigin += sign;
  if (code === 'a' || code === 'A') c.passed += sign;
  else if (code === 'f' || code === 'F') c.failed += sign;
  if (code === 'A' || code === 'F' || code === 'O') c.cacheHits += sign;
}

interface Slot {
  /** Null while the request's stored judgement is not read back yet (a restored tab: `pending`). */
  entry: AnalyzedEntry | null;
  request: ObservedRequest;
  /** What the entry adds to the counters (known without the entry for a restored request). */
  code: ContributionCode;
  /** Position of the entry's request in the tab's request stream (persistence chunks by it). */
  seq: number;
  /** The analyzer recorded the request unjudged (`CaptureStore.defer`): `entryOf` asks it for the judgement. */
  deferred: boolean;
}

/** State of a tab that persistence writes and restores (everything but the requests). */
export interface TabMeta {
  tabId: number;
  url: string | null;
  dropped: number;
  /** Seq of the oldest retained request (requests below it are gone). */
  firstSeq: number;
  /** Seq the next request will get. */
  nextSeq: number;
  /** Requests that started before this (epoch ms) belong to a document the log was cleared of. */
  sinceMs: number | null;
  /** The navigation request that cleared the log (kept although it started before `sinceMs`). */
  navRequestId: string | null;
  /**
   * The contribution code (`ContributionCode`) of each retained request, from `firstSeq` on:
   * what lets a restore count and keep judging without judging the stored requests again.
   * Absent in what earlier builds wrote (their tabs are judged again at restore, as then).
   */
  codes?: string;
}

export interface AddResult {
  tabId: number;
  /** The request's seq: persistence appends it under this position. */
  seq: number;
  /** Entries to send to the panel (new ones and re-judged ones still retained). */
  changed: AnalyzedEntry[];
  /** Whether the number of failures changed (the badge needs an update). */
  failedChanged: boolean;
}

class TabLog {
  url: string | null = null;
  readonly counters = emptyCounters();
  nextSeq = 0;
  sinceMs: number | null = null;
  navRequestId: string | null = null;
  readonly slots = new Map<string, Slot>();
  analyzer: Analyzer;

  constructor(
    readonly tabId: number,
    private readonly factory: AnalyzerFactory,
  ) {
    this.analyzer = factory();
  }

  get firstSeq(): number {
    const first = this.slots.values().next();
    return first.done ? this.nextSeq : first.value.seq;
  }

  /**
   * The requests of a restore (oldest first) while some of their slots still wait for their
   * judgement (`entry` null): judged again in order on first need (`CaptureStore.judged`).
   */
  pending: ObservedRequest[] | null = null;
  /** The judging of `pending` in progress. */
  judging: Promise<void> | null = null;
  private codesText: string | null = null;

  reset(): void {
    for (const s of this.slots.values()) addContribution(this.counters, s.code, -1);
    this.slots.clear();
    this.counters.dropped = 0;
    this.analyzer = this.factory();
    this.pending = null;
    this.codesText = null;
  }

  /** The codes of the retained requests in seq order (TabMeta `codes`), kept until a slot changes. */
  codes(): string {
    if (this.codesText === null) {
      let s = '';
      for (const slot of this.slots.values()) s += slot.code;
      this.codesText = s;
    }
    return this.codesText;
  }

  /** Sets a slot's judgement, adjusting the counters by difference. */
  private judge(slot: Slot, e: AnalyzedEntry): void {
    slot.deferred = false;
    const code = contributionOf(e);
    if (code !== slot.code) {
      addContribution(this.counters, slot.code, -1);
      addContribution(this.counters, code, 1);
      slot.code = code;
      this.codesText = null;
    }
    slot.entry = e;
  }

  /**
   * Feeds one request to the analyzer and applies its answer: new entries are appended, re-judged
   * ones replaced in place (same `cors.id`), counters adjusted by difference. Returns what changed.
   */
  ingest(req: ObservedRequest, seq: number): AnalyzedEntry[] {
    const changed: AnalyzedEntry[] = [];
    for (const judged of this.analyzer.add(req)) {
      // A request whose request side was not observed is `unknown`, not what its half says (unseen.ts).
      const e = prepared(judged);
      const slot = this.slots.get(e.cors.id);
      if (slot) {
        this.judge(slot, e);
      } else if (e.request.id === req.id) {
        const code = contributionOf(e);
        this.slots.set(e.cors.id, { entry: e, request: e.request, code, seq, deferred: false });
        addContribution(this.counters, code, 1);
        this.codesText = null;
      } else {
        // A re-judgement of an entry the cap already dropped: do not bring it back.
        continue;
      }
      changed.push(e);
    }
    return changed;
  }

  /**
   * Takes a restored request with its stored code, unjudged: its slot waits for `judgePending`,
   * and the analyzer records it for pairing without judging (BoundedAnalyzer `seed`).
   */
  seed(req: ObservedRequest, seq: number, code: ContributionCode): void {
    this.analyzer.seed!(req);
    this.slots.set(req.id, { entry: null, request: req, code, seq, deferred: false });
    addContribution(this.counters, code, 1);
    this.codesText = null;
  }

  /**
   * Judges the restored requests again, in their order, on a fresh analyzer, and gives each slot
   * still waiting its judgement (the one it had when it was stored: the same requests in the same
   * order). A slot a later request re-judged meanwhile has its entry already and keeps it.
   */
  async judgePending(slicer: Yielder): Promise<void> {
    const list = this.pending;
    if (!list) return;
    const a = this.factory();
    const latest = new Map<string, AnalyzedEntry>();
    for (const r of list) {
      for (const e of a.add(r)) latest.set(e.cors.id, e);
      if (slicer.due) await slicer.yield();
    }
    // A navigation or clear meanwhile replaced the slots (and `pending`): nothing is waiting.
    if (this.pending !== list) return;
    for (const [id, judged] of latest) {
      const slot = this.slots.get(id);
      if (!slot || slot.entry) continue;
      this.judge(slot, prepared(judged));
    }
    this.pending = null;
  }

  /**
   * Takes a finished preflight unjudged, if it starts a group of its own in the analyzer (true;
   * false and nothing taken otherwise: it must be `ingest`ed). Its code is `p` whatever its
   * verdict (`contributionOf`), so the counters are exact at once; its entry comes with the
   * request it guards (that request's `ingest` returns both) or, asked for first, from `entryOf`.
   */
  defer(req: ObservedRequest, seq: number): boolean {
    if (!this.analyzer.defer?.(req)) return false;
    this.slots.set(req.id, { entry: null, request: req, code: 'p', seq, deferred: true });
    addContribution(this.counters, 'p', 1);
    this.codesText = null;
    return true;
  }

  /** Gives a deferred slot its judgement from the analyzer, with what that changes in its group. */
  private judgeDeferred(slot: Slot): void {
    slot.deferred = false;
    for (const judged of this.analyzer.judge?.(slot.request) ?? []) {
      const e = prepared(judged);
      const s = this.slots.get(e.cors.id);
      if (s) this.judge(s, e);
    }
  }

  /** Deferred slots not judged yet get their judgement (before a snapshot of the entries). */
  judgeDeferredAll(): void {
    for (const slot of this.slots.values()) if (slot.deferred && !slot.entry) this.judgeDeferred(slot);
  }

  /** A slot's entry; judged alone if it somehow has none (never expected after `judgePending`). */
  entryOf(slot: Slot): AnalyzedEntry {
    if (!slot.entry && slot.deferred) this.judgeDeferred(slot);
    if (!slot.entry) {
      const e = this.factory().add(slot.request).find((x) => x.cors.id === slot.request.id);
      if (!e) throw new Error(`CORS Lens: no judgement for request ${slot.request.id}`);
      this.judge(slot, prepared(e));
    }
    return slot.entry!;
  }

  /** Drops the entries whose request seq is below `seq`. */
  dropBefore(seq: number): number {
    let n = 0;
    for (const [id, s] of this.slots) {
      if (s.seq >= seq) break;
      this.slots.delete(id);
      addContribution(this.counters, s.code, -1);
      this.counters.dropped++;
      this.codesText = null;
      n++;
    }
    return n;
  }

  /** Drops from the front until at most `cap` entries remain. */
  trim(cap: number): number {
    let n = 0;
    while (this.slots.size > cap) {
      const first = this.slots.entries().next();
      if (first.done) break;
      this.slots.delete(first.value[0]);
      addContribution(this.counters, first.value[1].code, -1);
      this.codesText = null;
      this.counters.dropped++;
      n++;
    }
    return n;
  }
}

/** The request started before the navigation that cleared the tab's log (it belongs to the old document). */
function clearedBefore(t: TabLog, req: ObservedRequest): boolean {
  return t.sinceMs !== null && req.id !== t.navRequestId && (req.hops[0]?.startedMs ?? Infinity) < t.sinceMs;
}

export interface StoreOptions {
  analyzer: AnalyzerFactory;
  maxEntriesPerTab: number;
}

export class CaptureStore {
  private readonly tabs = new Map<number, TabLog>();
  /**
   * Tabs restored from storage but not judged yet. Re-judging a full tab is dear (in the woken
   * worker, code still cold: ≈ 0.15 ms per request, 0.75–0.82 s for ≈ 5,000, the `judgeBusyMs` of
   * the wake log, bench/wakes.mjs), which is why the restore does it in slices (materialiseAll)
   * and a dormant tab that is cleared or closed first is not judged at all.
   */
  private readonly dormant = new Map<number, { meta: TabMeta; requests: ObservedRequest[]; lost: number }>();
  private cap: number;

  constructor(private readonly opts: StoreOptions) {
    this.cap = Math.max(1, opts.maxEntriesPerTab);
  }

  /** The tab's log, judging it first if it is still dormant after a restart. */
  private get(tabId: number): TabLog | undefined {
    const d = this.dormant.get(tabId);
    if (d) {
      this.dormant.delete(tabId);
      return this.materialise(d);
    }
    return this.tabs.get(tabId);
  }

  private log(tabId: number): TabLog {
    let t = this.get(tabId);
    if (!t) {
      t = new TabLog(tabId, this.opts.analyzer);
      this.tabs.set(tabId, t);
    }
    return t;
  }

  /** Judges one finished request and stores the result. Null when the request belongs to a
   *  document whose log was cleared by a navigation (it started before the navigation). */
  add(req: ObservedRequest): AddResult | null {
    const tabId = req.tabId ?? NO_TAB;
    const t = this.log(tabId);
    if (clearedBefore(t, req)) return null;
    const failedBefore = t.counters.failed;
    const seq = t.nextSeq++;
    let changed = t.ingest(req, seq);
    if (t.trim(this.cap) > 0) changed = changed.filter((e) => t.slots.has(e.cors.id));
    return { tabId, seq, changed, failedChanged: t.counters.failed !== failedBefore };
  }

  /**
   * `add` for a finished preflight, without judging it yet (TabLog `defer`): its entry is judged
   * with the request it guards, when that request is added (the `add` returns both), or when
   * the entries are asked for first. Why: each preflight was judged alone and again with its
   * request, ≈ a quarter of the worker's judging (docs/bench.md). Only for a preflight that
   * starts a group of its own (no recorded request shares a URL with it): then its judgement
   * cannot change any other entry, so nothing shown or counted waits for it. Otherwise, or with
   * an analyzer that cannot defer, this is `add`. The caller passes preflights only (their code
   * is `p` whatever the verdict), and none while a panel shows the tab live.
   */
  defer(req: ObservedRequest): AddResult | null {
    const tabId = req.tabId ?? NO_TAB;
    const t = this.log(tabId);
    if (clearedBefore(t, req)) return null;
    if (t.slots.has(req.id)) return this.add(req);
    const seq = t.nextSeq;
    if (!t.defer(req, seq)) return this.add(req);
    t.nextSeq++;
    t.trim(this.cap);
    return { tabId, seq, changed: [], failedChanged: false };
  }

  /**
   * A top-level navigation of the tab committed at `atMs` (the main-frame response arrived).
   * Clears the log unless `preserveLog`; returns whether it cleared.
   */
  navigate(tabId: number, url: string, navRequestId: string, atMs: number, preserveLog: boolean): boolean {
    const d = preserveLog ? undefined : this.dormant.get(tabId);
    const t = d ? this.emptyFrom(d.meta) : this.log(tabId);
    t.url = url;
    if (preserveLog) return false;
    t.reset();
    t.sinceMs = atMs;
    t.navRequestId = navRequestId;
    return true;
  }

  /** User-requested clear: everything up to now goes. Returns how many entries were removed. */
  clear(tabId: number): number {
    const d = this.dormant.get(tabId);
    if (d) {
      // No need to judge what is about to go.
      this.emptyFrom(d.meta);
      return Math.min(d.requests.length, this.cap);
    }
    const t = this.tabs.get(tabId);
    if (!t) return 0;
    const n = t.slots.size;
    t.reset();
    return n;
  }

  /** The tab closed. */
  remove(tabId: number): boolean {
    const dormant = this.dormant.delete(tabId);
    return this.tabs.delete(tabId) || dormant;
  }

  /** Drops the entries whose request seq is below `seq` (persistence ran out of budget). */
  dropBefore(tabId: number, seq: number): number {
    const t = this.get(tabId);
    if (!t) return 0;
    return t.dropBefore(seq);
  }

  setCap(maxEntriesPerTab: number): void {
    this.cap = Math.max(1, maxEntriesPerTab);
    for (const t of this.tabs.values()) t.trim(this.cap);
  }

  setUrl(tabId: number, url: string): void {
    this.log(tabId).url = url;
  }

  has(tabId: number): boolean {
    return this.tabs.has(tabId) || this.dormant.has(tabId);
  }

  tabIds(): number[] {
    return [...this.tabs.keys(), ...this.dormant.keys()];
  }

  /**
   * Entries of a tab, oldest first (a copy). A restored tab's stored requests are judged here if
   * `judged` did not do it first (in one run: callers that can wait use `judged`).
   */
  entries(tabId: number): AnalyzedEntry[] {
    const t = this.get(tabId);
    if (!t) return [];
    // With NO_YIELD nothing in judgePending awaits, so it has finished when this line returns.
    if (t.pending) void t.judgePending(NO_YIELD);
    // First, so that what a deferred preflight's judgement changes in its group is in the copy.
    t.judgeDeferredAll();
    return [...t.slots.values()].map((s) => t.entryOf(s));
  }

  /**
   * Judges what a restored tab still holds unjudged, yielding whenever `slicer` says the slice is
   * used up (only the panel's snapshot, the popup's summary and an export need the entries; the
   * counters and the badge come from the stored codes). Concurrent callers share one run.
   */
  judged(tabId: number, slicer: Yielder): Promise<void> {
    const t = this.get(tabId);
    if (!t || !t.pending) return Promise.resolve();
    t.judging ??= t.judgePending(slicer).finally(() => {
      t.judging = null;
    });
    return t.judging;
  }

  /** Requests of a tab with their seq, oldest first. */
  requestsWithSeq(tabId: number): { seq: number; request: ObservedRequest }[] {
    const t = this.get(tabId);
    return t ? [...t.slots.values()].map((s) => ({ seq: s.seq, request: s.request })) : [];
  }

  size(tabId: number): number {
    return this.get(tabId)?.slots.size ?? 0;
  }

  counters(tabId: number): TabCounters {
    const t = this.get(tabId);
    return t ? { ...t.counters } : emptyCounters();
  }

  url(tabId: number): string | null {
    return this.get(tabId)?.url ?? null;
  }

  meta(tabId: number): TabMeta | null {
    const t = this.get(tabId);
    if (!t) return null;
    return {
      tabId,
      url: t.url,
      dropped: t.counters.dropped,
      firstSeq: t.firstSeq,
      nextSeq: t.nextSeq,
      sinceMs: t.sinceMs,
      navRequestId: t.navRequestId,
      codes: t.codes(),
    };
  }

  /**
   * Takes a tab back after a worker restart from its persisted meta and requests (oldest first,
   * seqs consecutive from `meta.firstSeq`). `lost` adds requests persistence could not keep to
   * the dropped count. With `codes` (one contribution code per request, as stored) the tab is
   * live at once and judged only when its entries are asked for (`judged`); without them (what
   * earlier builds stored, or an analyzer without `seed`) it is judged in full first (`dormant`).
   */
  restore(meta: TabMeta, requests: ObservedRequest[], lost = 0, codes: string | null = null): void {
    this.tabs.delete(meta.tabId);
    this.dormant.delete(meta.tabId);
    const t = new TabLog(meta.tabId, this.opts.analyzer);
    const usable = t.analyzer.seed !== undefined && codes !== null && codes.length === requests.length && [...codes].every((c) => isContributionCode(c));
    if (!usable) {
      this.dormant.set(meta.tabId, { meta, requests, lost });
      return;
    }
    t.url = meta.url;
    t.nextSeq = meta.firstSeq;
    requests.forEach((r, i) => t.seed(r, t.nextSeq++, codes[i] as ContributionCode));
    t.pending = requests.length > 0 ? requests : null;
    this.finishMaterialise(t, { meta, lost });
    this.tabs.set(meta.tabId, t);
  }

  /** A dormant tab replaced by an empty log that continues its request numbering. */
  private emptyFrom(meta: TabMeta): TabLog {
    this.dormant.delete(meta.tabId);
    const t = new TabLog(meta.tabId, this.opts.analyzer);
    this.tabs.set(meta.tabId, t);
    t.url = meta.url;
    t.nextSeq = meta.nextSeq;
    return t;
  }

  /**
   * Judges every dormant tab now, yielding whenever `slicer` says the slice has used its time
   * budget, so the worker's event loop keeps running. Why: judging a 2,000-request tab in one
   * synchronous run takes about a second; events Chrome dispatches meanwhile wait in the worker's
   * task queue and die with it if the worker is stopped (test/stress/worker-kills.test.ts). A
   * slice of 50 requests still held the thread 82–114 ms at a stretch (kill-floor lens-probe,
   * docs/hardening.md bug 1), hence the clock. Between slices our listeners run and persist what
   * they get. Nothing else touches the store until this resolves (the service is not ready).
   */
  async materialiseAll(slicer: Yielder): Promise<void> {
    for (const [tabId, d] of [...this.dormant]) {
      this.dormant.delete(tabId);
      const t = new TabLog(tabId, this.opts.analyzer);
      t.url = d.meta.url;
      t.nextSeq = d.meta.firstSeq;
      for (const r of d.requests) {
        t.ingest(r, t.nextSeq++);
        if (slicer.due) await slicer.yield();
      }
      this.finishMaterialise(t, d);
      this.tabs.set(tabId, t);
    }
  }

  private finishMaterialise(t: TabLog, { meta, lost }: { meta: TabMeta; lost: number }): void {
    t.nextSeq = Math.max(t.nextSeq, meta.nextSeq);
    t.counters.dropped = meta.dropped + lost;
    t.trim(this.cap);
    t.sinceMs = meta.sinceMs;
    t.navRequestId = meta.navRequestId;
  }

  /** Re-judging replays the analyzer's pairing state in the original order. */
  private materialise({ meta, requests, lost }: { meta: TabMeta; requests: ObservedRequest[]; lost: number }): TabLog {
    const t = new TabLog(meta.tabId, this.opts.analyzer);
    this.tabs.set(meta.tabId, t);
    t.url = meta.url;
    t.nextSeq = meta.firstSeq;
    for (const r of requests) t.ingest(r, t.nextSeq++);
    this.finishMaterialise(t, { meta, lost });
    return t;
  }

}
