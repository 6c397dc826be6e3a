/**
 * The capture service: lifecycle events in, judged entries per tab out, kept across
 * service-worker restarts and served to the panel (ports) and the popup (one-shot messages).
 *
 *   webRequest event ─▶ RequestTracker (per requestId) ─▶ CaptureStore (per tab, analyzer)
 *        │                                                   │            │
 *        └─ in-flight set ─▶ SessionPersister ◀── appended requests       └─▶ ports, badge
 *
 * Hot path (`onRequestEvent`, every webRequest event): O(1) bookkeeping plus, on a terminal
 * event, one analyzer step and the finished request's write-through (one serialisation; the
 * `set` is shared with the requests that finish within a 16 ms window or while the previous one
 * is on its way: persist.ts `writeFinished`).
 * Nothing else is written per event: storage writes are batched (at most one every
 * `flushDelayMs`, in-flight requests included), port updates too (`liveDelayMs`), and badge updates (`badgeDelayMs`).
 *
 * Restart rule (browser-facts §F): the worker may be stopped at any time and woken by the next
 * event. Listeners are registered synchronously by index.ts; this class queues what arrives
 * before `ready` (the restore from storage.session) and every port or message waits for `ready`,
 * so nothing is answered from a half-restored store.
 */
import type { RequestEvent } from '../core/events.ts';
import type { BrowserProfile, HeaderEntry, ObservedRequest } from '../core/model.ts';
import { headerGet } from '../core/model.ts';
import { RequestTracker } from '../core/tracker.ts';
import { isPreflight } from '../core/classify.ts';
import type { AnalyzedEntry } from '../core/annotation.ts';
import type { ExtensionApi, PortLike, SenderLike } from '../platform/extension-api.ts';
import type { EventContext } from '../platform/webrequest.ts';
import {
  DEFAULT_SETTINGS,
  tabIdFromPortName,
  type PanelInbound,
  type Reply,
  type Request,
  type Result,
  type Settings,
  type TabSummary,
  type TopFailure,
} from '../shared/messages.ts';
import type { Engine } from './engine.ts';
import { parsePanelMessage, parseRequest, parseSettingsPatch } from './validate.ts';
import { DEFAULT_PERSIST_OPTIONS, SessionPersister, type PersistOptions } from './persist.ts';
import { CaptureStore, NO_TAB } from './store.ts';
import { Slicer } from './slicer.ts';
import { isRequestUnseen, markRequestUnseen } from './unseen.ts';

export const SETTINGS_KEY = 'settings';
const BADGE_COLOR = '#c5221f';
/** Ids of resumed requests given up as incomplete: later events for them are ignored. */
const MAX_ORPHANS = 1000;
const MAX_CLOSED_TABS = 1000;
/** Events that arrive while restoring are queued; beyond this (a pathological burst) the oldest go. */
const MAX_QUEUED = 50_000;

export interface ServiceOptions {
  api: ExtensionApi;
  profile: BrowserProfile;
  engine: Engine;
  /** Called with every finished request (test log sink). */
  onFinished?: (req: ObservedRequest) => void;
  /** Called with entries new or re-judged (test log sink). */
  onEntries?: (entries: AnalyzedEntry[]) => void;
  /** Storage writes are batched: at most one per this many ms. */
  flushDelayMs?: number;
  /** Port updates are batched per this many ms. */
  liveDelayMs?: number;
  /** Badge changes are batched per this many ms (see `markBadge`). */
  badgeDelayMs?: number;
  /**
   * After a restart, a request that was in flight when the worker stopped is resumed from
   * storage; if no terminal event for it arrives within this many ms it is stored as
   * `incomplete` (never silently dropped).
   */
  resumeGraceMs?: number;
  persist?: Partial<PersistOptions>;
  /**
   * The restore at wake yields to queued tasks (webRequest events) after holding the thread this
   * many ms (default 4; 0 yields after every item, as unit tests do).
   */
  restoreBudgetMs?: number;
  /** How the restore lets queued tasks run between slices. */
  restoreYield?: () => Promise<void>;
}

/**
 * Lets queued tasks (webRequest events) run: a MessageChannel message is a macrotask in a
 * service worker and in Node alike, and fake timers in unit tests do not hold it back (the unit
 * tests pass it as `restoreYield`).
 */
export function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(null);
  });
}

interface PostTaskScheduler {
  postTask(cb: () => void, opts: { priority: 'background' | 'user-visible' | 'user-blocking' }): Promise<void>;
}

/**
 * The restore's yield in the browser: a `background`-priority task where the Prioritized Task
 * Scheduling API exists (Chromium workers), so every webRequest event queued meanwhile runs
 * before the restore's next slice; a MessageChannel message elsewhere. Measured at a stop every
 * 400 ms (docs/hardening.md bug 1): with a MessageChannel yield, events still waited a median
 * ~100 ms during a restore (the posted messages did not let them through); with setTimeout(0)
 * they waited ~30 ms but every yield idled >= 4 ms (nesting clamp), so restores took so long that
 * only 7–9 of 40 wakes finished theirs.
 */
function yieldToBrowser(): Promise<void> {
  const sched = (globalThis as { scheduler?: Partial<PostTaskScheduler> }).scheduler;
  if (typeof sched?.postTask === 'function') return sched.postTask(() => undefined, { priority: 'background' });
  return yieldToEvents();
}

function isRedirectStatus(s: number): boolean {
  return s >= 300 && s < 400;
}

/**
 * Whether a main-frame response replaces the document (the navigation commits). 204/205 do not
 * (HTML §navigate: "no content" responses abort the navigation), 3xx is followed, and an
 * attachment is a download.
 */
function commitsNavigation(status: number, headers: readonly HeaderEntry[]): boolean {
  if (status === 204 || status === 205 || isRedirectStatus(status)) return false;
  const cd = headerGet(headers, 'content-disposition');
  return !(cd && /^\s*attachment/i.test(cd));
}

/**
 * A record the tracker opened from a later event (the worker woke mid-request, and the request
 * was not persisted: not sent yet at the last batched write, persist.ts) lacks what
 * 'before-request' carries; the raw events from 'send-headers' on carry it (the event context).
 * Filled at 'send-headers' as well as at the end, so that a copy persisted meanwhile has it.
 */
function adopt(req: ObservedRequest, ctx: EventContext | undefined): void {
  if (req.tabId !== null || !ctx || ctx.tabId === null) return;
  req.tabId = ctx.tabId;
  if (req.resourceType === 'other') req.resourceType = ctx.resourceType;
  req.initiator ??= ctx.initiator;
}

/** One batching timer: `schedule` runs `run` once, `delayMs` after the first call since it last ran. */
class Batched {
  private timer: ReturnType<typeof setTimeout> | null = null;
  constructor(
    private readonly delayMs: number,
    private readonly run: () => void,
  ) {}

  schedule(): void {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.run();
    }, this.delayMs);
  }
}

export class CaptureService {
  readonly ready: Promise<void>;
  private isReady = false;
  private readonly queue: [RequestEvent, EventContext | undefined][] = [];
  private readonly tracker = new RequestTracker();
  /**
   * While restoring: the request side of requests that start meanwhile, built from their events
   * as they arrive (the real tracker sees them only when the queue drains), so it can be written
   * at once (`writeInflightNow`). Null once ready.
   */
  private startsDuringRestore: RequestTracker | null = new RequestTracker();
  /**
   * Ids this wake wrote an `i:` (started) or `e:` (ended) key for while restoring. Those events
   * are in this wake's queue, which files them; the restore must not file them again from what
   * it reads back of the same keys (a get(null), or a listing made after the write). An `i:` or
   * `e:` key of an earlier wake is restored as before.
   */
  private readonly startedDuringRestore = new Set<string>();
  private readonly endedDuringRestore = new Set<string>();
  private readonly store: CaptureStore;
  private readonly persister: SessionPersister;
  private settings: Settings = { ...DEFAULT_SETTINGS };
  /** Main-frame requests in flight: requestId → tabId (navigation detection). */
  private readonly mainFrames = new Map<string, number>();
  /** Resumed in-flight requests not finished yet. */
  private readonly resumed = new Set<string>();
  private readonly orphans = new Set<string>();
  /** Closed tabs: their in-flight requests end with errors after the close and must not
   *  bring the tab's log back. Chromium and Firefox never reuse a tab id within a session. */
  private readonly closedTabs = new Set<number>();
  private readonly ports = new Map<number, Set<PortLike>>();
  private readonly pendingLive = new Map<number, Map<string, AnalyzedEntry>>();
  private readonly badgeDirty = new Set<number>();
  /** Badge updates made (`storageCalls`). */
  private badgeCalls = 0;
  private readonly flushTimer: Batched;
  private readonly liveTimer: Batched;
  private readonly badgeTimer: Batched;
  private flushing: Promise<void> = Promise.resolve();
  private readonly resumeGraceMs: number;
  /** Ids whose stored terminal event was replayed during this restore. */
  private readonly replayed = new Set<string>();
  private readonly startedAt = performance.now();
  /** What this wake restored (debug hook, stress diagnostics). */
  diag: Record<string, number> = {};

  constructor(private readonly opts: ServiceOptions) {
    this.flushTimer = new Batched(opts.flushDelayMs ?? 250, () => void this.flush());
    this.liveTimer = new Batched(opts.liveDelayMs ?? 100, () => this.flushLive());
    this.badgeTimer = new Batched(opts.badgeDelayMs ?? 500, () => this.flushBadges());
    this.resumeGraceMs = opts.resumeGraceMs ?? 15_000;
    this.store = new CaptureStore({
      analyzer: () => opts.engine.analyzer(opts.profile),
      maxEntriesPerTab: DEFAULT_SETTINGS.maxEntriesPerTab,
    });
    this.persister = new SessionPersister(opts.api.session, { ...DEFAULT_PERSIST_OPTIONS, ...opts.persist });
    this.ready = this.restore();
  }

  // ---------------------------------------------------------------------------------------
  // Restore

  private async restore(): Promise<void> {
    // Every step below yields to queued tasks once it has held the thread `restoreBudgetMs`
    // (slicer.ts: why the clock, and the measurement). I/O waits end a slice too.
    const slicer = new Slicer(this.opts.restoreBudgetMs ?? 4, this.opts.restoreYield ?? yieldToBrowser);
    // Thread time of the restore's phases (wake diagnostics): reading and decoding storage, then
    // judging the restored requests again (materialiseAll), then the rest (re-filing, the queue).
    let readBusy = 0;
    let judgeBusy = 0;
    try {
      const stored = await slicer.wait(this.opts.api.local.get([SETTINGS_KEY]));
      const patch = parseSettingsPatch(stored[SETTINGS_KEY]);
      if (typeof patch !== 'string') this.settings = { ...DEFAULT_SETTINGS, ...patch };
    } catch (err) {
      console.warn('CORS Lens: settings not readable, using defaults', err);
    }
    this.store.setCap(this.settings.maxEntriesPerTab);
    try {
      const restored = await this.persister.load(slicer);
      for (const t of restored.tabs) {
        this.store.restore(t.meta, t.requests, t.lost, t.codes);
        if (t.lost > 0) this.persister.touch(t.meta.tabId);
        // The badge is browser state and outlives the worker: nothing to redo for it here.
      }
      // Judged now, in time-budgeted slices (not on first use in one blocking run): see materialiseAll.
      readBusy = slicer.busyNowMs;
      await this.store.materialiseAll(slicer);
      judgeBusy = slicer.busyNowMs - readBusy;
      // Finished requests written through after the last batched flush: filed as if they had
      // just finished (judged, appended to a chunk); the next flush compacts them.
      for (const req of restored.finished) {
        this.finish(req, false);
        if (slicer.due) await slicer.yield();
      }
      for (const req of restored.inflight) {
        // Written by this very wake while restoring (read back by a get(null) of the fallback):
        // its events are in the queue below, which files it.
        if (this.startedDuringRestore.has(req.id)) continue;
        this.resume(req);
        if (slicer.due) await slicer.yield();
      }
      // Terminal events an earlier wake received while restoring and never filed.
      for (const { e, c } of restored.events) {
        if (this.endedDuringRestore.has(e.requestId)) continue;
        this.process(e, c);
        this.replayed.add(e.requestId);
        if (slicer.due) await slicer.yield();
      }
      this.diag = { restoredFinished: restored.finished.length, restoredInflight: restored.inflight.length, replayed: restored.events.length };
    } catch (err) {
      // Storage unreadable: capture must go on; what was persisted is reported as lost.
      console.error('CORS Lens: restoring the capture failed', err);
    }
    // The queue is drained in slices too, still before `ready`: events arriving meanwhile join
    // its end (and terminal ones are written raw under `e:`), so the order stays the arrival order.
    let queued = 0;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0);
      queued += batch.length;
      for (const [e, ctx] of batch) {
        // Already filed from its stored terminal event above: only when this wake's own `e:` key
        // was read back after its event fell out of a full queue (MAX_QUEUED), since otherwise the
        // replay skips this wake's keys. Its remaining queued events add nothing to the filed
        // request; given to the tracker they would open a record of a finished request that no
        // event ever closes (kept in flight, persisted, resumed on every wake).
        if (!this.replayed.has(e.requestId)) this.process(e, ctx);
        if (slicer.due) await slicer.yield();
      }
    }
    slicer.endSlice();
    // Synchronously after the queue was found empty: no event can slip in between.
    this.isReady = true;
    this.startsDuringRestore = null;
    this.startedDuringRestore.clear();
    this.endedDuringRestore.clear();
    this.diag.queued = queued;
    this.diag.restoreMs = Math.round(performance.now() - this.startedAt);
    this.diag.longestSliceMs = Math.round(slicer.longestMs);
    this.diag.yields = slicer.yields;
    this.diag.readBusyMs = Math.round(readBusy);
    this.diag.judgeBusyMs = Math.round(judgeBusy);
    this.diag.busyMs = Math.round(slicer.busyMs);
    this.replayed.clear();
    // Write-through keys restored (or found duplicated) are compacted at once, not after the batch
    // delay: under repeated stops a wake rarely lives 250 ms past its restore, and every key left
    // uncompacted makes the next restore read and re-file more.
    if (this.persister.dirty) void this.flush();
    if (this.resumed.size > 0) setTimeout(() => this.giveUpResumed(), this.resumeGraceMs);
  }

  /** Replays a persisted in-flight request into the tracker so its remaining events finish it. */
  private resume(req: ObservedRequest): void {
    const id = req.id;
    req.hops.forEach((hop, i) => {
      const t = hop.startedMs;
      if (i === 0) {
        this.tracker.handle({
          event: 'before-request',
          requestId: id,
          url: hop.url,
          method: hop.method,
          tabId: req.tabId,
          resourceType: req.resourceType,
          initiator: req.initiator,
          timeStamp: t,
        });
      }
      if (hop.requestHeaders.length > 0) {
        this.tracker.handle({ event: 'send-headers', requestId: id, url: hop.url, method: hop.method, requestHeaders: hop.requestHeaders, timeStamp: t });
      }
      const statusLine = `HTTP/1.1 ${hop.status} ${hop.statusText}`;
      if (hop.redirectURL !== null) {
        this.tracker.handle({
          event: 'redirect',
          requestId: id,
          url: hop.url,
          statusCode: hop.status,
          statusLine,
          responseHeaders: hop.responseHeaders ?? [],
          redirectUrl: hop.redirectURL,
          timeStamp: hop.endedMs ?? t,
        });
        const next = req.hops[i + 1];
        // The redirect opened the next hop with a guessed method; the stored hop knows better.
        if (next) {
          this.tracker.handle({
            event: 'before-request',
            requestId: id,
            url: next.url,
            method: next.method,
            tabId: req.tabId,
            resourceType: req.resourceType,
            initiator: req.initiator,
            timeStamp: next.startedMs,
          });
        }
      } else if (hop.responseHeaders !== null) {
        this.tracker.handle({ event: 'headers-received', requestId: id, url: hop.url, statusCode: hop.status, statusLine, responseHeaders: hop.responseHeaders, timeStamp: t });
      }
    });
    if (req.resourceType === 'main_frame' && req.tabId !== null) this.mainFrames.set(id, req.tabId);
    // Replaying its events above opened a complete-looking record: keep the persisted mark.
    if (isRequestUnseen(req)) markRequestUnseen(this.tracker.get(id)!);
    this.resumed.add(id);
  }

  /** Resumed requests that got no terminal event in the grace period are stored as incomplete. */
  private giveUpResumed(): void {
    if (this.resumed.size === 0) return;
    const ids = new Set(this.resumed);
    this.resumed.clear();
    for (const req of this.tracker.inFlightRequests()) {
      if (!ids.has(req.id)) continue;
      const hop = req.hops[req.hops.length - 1]!;
      const done = this.tracker.handle({ event: 'error', requestId: req.id, url: hop.url, error: 'incomplete', timeStamp: Date.now() });
      if (!done) continue;
      done.outcome = { outcome: 'incomplete' };
      done.hops[done.hops.length - 1]!.endedMs = null;
      this.addOrphan(req.id);
      this.finish(done);
    }
  }

  private addOrphan(id: string): void {
    this.orphans.add(id);
    if (this.orphans.size > MAX_ORPHANS) this.orphans.delete(this.orphans.values().next().value!);
  }

  // ---------------------------------------------------------------------------------------
  // Hot path

  /** Every webRequest event, already normalised by src/platform. */
  onRequestEvent(e: RequestEvent, ctx?: EventContext): void {
    if (!this.isReady) {
      if (e.event === 'completed' || e.event === 'error') {
        this.persister.writeEvent(e, ctx);
        this.endedDuringRestore.add(e.requestId);
      }
      this.noteStartDuringRestore(e, ctx);
      if (this.queue.length >= MAX_QUEUED) {
        // The dropped event's keys (if any) are then the only copy: let the restore file them.
        const [old] = this.queue.shift()!;
        this.startedDuringRestore.delete(old.requestId);
        this.endedDuringRestore.delete(old.requestId);
      }
      this.queue.push([e, ctx]);
      return;
    }
    this.process(e, ctx);
  }

  /** See `startsDuringRestore`. Only requests whose `before-request` this wake saw: a request
   *  that began before the stop has a better `i:` key already (or none to improve on). */
  private noteStartDuringRestore(e: RequestEvent, ctx: EventContext | undefined): void {
    const t = this.startsDuringRestore;
    if (!t) return;
    if (e.event === 'before-request') {
      t.handle(e);
    } else if (e.event === 'send-headers') {
      const req = t.get(e.requestId);
      if (!req) return;
      t.handle(e); // fills in `req` (the tracker updates its record in place)
      if (req.tabId === null && ctx && ctx.tabId !== null) req.tabId = ctx.tabId;
      this.startedDuringRestore.add(e.requestId);
      this.persister.writeInflightNow(req);
    } else if (t.get(e.requestId)) {
      // Keeps the scratch record in step (redirects add hops); terminal events release it.
      t.handle(e);
    }
  }

  private process(e: RequestEvent, ctx: EventContext | undefined): void {
    if (this.orphans.has(e.requestId)) return;
    if (e.event === 'before-request' && e.resourceType === 'main_frame' && e.tabId !== null) {
      this.mainFrames.set(e.requestId, e.tabId);
    } else if (e.event === 'headers-received') {
      const tabId = this.mainFrames.get(e.requestId);
      if (tabId !== undefined && commitsNavigation(e.statusCode, e.responseHeaders)) this.navigated(tabId, e.url, e.requestId, e.timeStamp);
    }
    // The tracker opens a record from this event, and what the request sent was never seen.
    const unseen = e.event !== 'before-request' && e.event !== 'send-headers' && !this.tracker.get(e.requestId);
    const done = this.tracker.handle(e);
    if (unseen) markRequestUnseen(done ?? this.tracker.get(e.requestId)!);
    if (done) {
      this.mainFrames.delete(done.id);
      this.resumed.delete(done.id);
      adopt(done, ctx);
      this.finish(done);
    } else {
      if (e.event === 'send-headers') {
        // A record opened after a wake without 'before-request' learns its tab here, so the
        // persisted copy files it under its tab if it finishes after another stop.
        const req = this.tracker.get(e.requestId);
        if (req) adopt(req, ctx);
      }
      // Persisted by the next batched write if still open then (persist.ts: why not now).
      this.persister.inflightChanged(e.requestId);
      this.scheduleFlush();
    }
  }

  /** `writeThrough`: false when the request comes from storage and is there already. */
  private finish(req: ObservedRequest, writeThrough = true): void {
    this.opts.onFinished?.(req);
    if (req.tabId !== null && this.closedTabs.has(req.tabId)) {
      this.persister.dropped(req.id);
      return;
    }
    // A preflight waits for its request to be judged with it (store.ts `defer`), unless a panel
    // shows the tab live: there every entry goes out as soon as it is known.
    const r = isPreflight(req) && !this.ports.has(req.tabId ?? NO_TAB) ? this.store.defer(req) : this.store.add(req);
    if (r) {
      let text: string | undefined;
      if (writeThrough) text = this.persister.writeFinished(req);
      else this.persister.dropped(req.id);
      this.persister.append(r.tabId, r.seq, req, text);
      if (r.changed.length > 0) {
        this.opts.onEntries?.(r.changed);
        if (this.ports.has(r.tabId)) {
          let pending = this.pendingLive.get(r.tabId);
          if (!pending) this.pendingLive.set(r.tabId, (pending = new Map()));
          for (const e of r.changed) pending.set(e.cors.id, e);
          this.scheduleLive();
        }
      }
      if (r.failedChanged && r.tabId !== NO_TAB) {
        this.markBadge(r.tabId);
      }
    } else {
      this.persister.dropped(req.id);
    }
    this.scheduleFlush();
  }

  private navigated(tabId: number, url: string, requestId: string, atMs: number): void {
    const cleared = this.store.navigate(tabId, url, requestId, atMs, this.settings.preserveLog);
    if (cleared) this.afterClear(tabId);
    else this.persister.touch(tabId);
  }

  private afterClear(tabId: number): void {
    this.persister.cleared(tabId);
    this.pendingLive.delete(tabId);
    this.markBadge(tabId);
    this.broadcast(tabId, { type: 'cleared', tabId, counters: this.store.counters(tabId) });
    this.scheduleLive();
    this.scheduleFlush();
  }

  /** tabs.onRemoved. */
  onTabRemoved(tabId: number): void {
    this.closedTabs.add(tabId);
    if (this.closedTabs.size > MAX_CLOSED_TABS) this.closedTabs.delete(this.closedTabs.values().next().value!);
    void this.ready.then(() => {
      this.store.remove(tabId);
      this.persister.removed(tabId);
      this.pendingLive.delete(tabId);
      this.badgeDirty.delete(tabId);
      this.scheduleFlush();
    });
  }

  // ---------------------------------------------------------------------------------------
  // Batching

  private scheduleFlush(): void {
    this.flushTimer.schedule();
  }

  /** Writes pending changes now (serialised with any write in progress). */
  flush(): Promise<void> {
    const run = async (): Promise<void> => {
      await this.ready;
      if (!this.persister.dirty) return;
      try {
        await this.persister.flush({
          meta: (tabId) => this.store.meta(tabId),
          inflight: (id) => this.tracker.get(id),
          evicted: (tabId, seq) => {
            if (this.store.dropBefore(tabId, seq) > 0) this.markBadge(tabId);
          },
        });
        // An open chunk the flush let wait (persist.ts) is written by a later one.
        if (this.persister.dirty) this.scheduleFlush();
      } catch (err) {
        console.warn('CORS Lens: storage.session write failed; retrying with a smaller budget', err);
        this.scheduleFlush();
      }
    };
    this.flushing = this.flushing.then(run, run);
    return this.flushing;
  }

  private scheduleLive(): void {
    this.liveTimer.schedule();
  }

  /**
   * The tab's badge is updated with the next badge batch. Badge updates wait `badgeDelayMs`
   * (500 ms), not the panel's 100 ms: each is an extension API call (`action.setBadgeText`), and
   * during a burst the failure count changes at nearly every tick. bench/count-calls.mjs counted
   * 77–121 badge updates per 2,000-call batch at 100 ms, beside 670–760 storage `set`s
   * (2026-12-02); Chromium's cost is per call (docs/bench.md, "Capture attribution"). Two updates
   * a second still follow a burst as it happens.
   */
  private markBadge(tabId: number): void {
    this.badgeDirty.add(tabId);
    this.badgeTimer.schedule();
  }

  /** Sends batched entry updates to connected panels. */
  flushLive(): void {
    for (const [tabId, pending] of this.pendingLive) {
      this.broadcast(tabId, { type: 'entries', tabId, entries: [...pending.values()], counters: this.store.counters(tabId) });
    }
    this.pendingLive.clear();
  }

  /** Updates the badges of the tabs whose failure count may have changed. */
  flushBadges(): void {
    for (const tabId of this.badgeDirty) {
      const failed = this.store.counters(tabId).failed;
      this.badgeCalls++;
      void this.opts.api.setBadge(tabId, failed > 0 ? String(failed) : '', BADGE_COLOR).catch(() => undefined);
    }
    this.badgeDirty.clear();
  }

  // ---------------------------------------------------------------------------------------
  // Ports and messages

  /** Only our own pages (popup, panel) may talk to the background. */
  private trusted(sender: SenderLike | undefined): boolean {
    return !!sender && sender.id === this.opts.api.runtimeId && typeof sender.url === 'string' && sender.url.startsWith(this.opts.api.extensionBaseUrl);
  }

  private broadcast(tabId: number, msg: PanelInbound): void {
    const set = this.ports.get(tabId);
    if (!set) return;
    for (const p of set) this.post(p, msg);
  }

  private post(port: PortLike, msg: PanelInbound): void {
    try {
      port.postMessage(msg);
    } catch {
      // The page went away between its disconnect and our notice of it.
    }
  }

  /** runtime.onConnect. */
  onConnect(port: PortLike): void {
    const tabId = tabIdFromPortName(port.name);
    if (tabId === null) return;
    if (!this.trusted(port.sender)) {
      port.disconnect();
      return;
    }
    let open = true;
    port.onDisconnect.addListener(() => {
      open = false;
      const set = this.ports.get(tabId);
      set?.delete(port);
      if (set?.size === 0) this.ports.delete(tabId);
    });
    port.onMessage.addListener((raw) => {
      void this.ready.then(() => this.onPortMessage(tabId, port, raw));
    });
    void this.ready.then(async () => {
      await this.judged(tabId);
      if (!open) return;
      // Synchronously from here: the snapshot and the port's first live update must not miss
      // an entry between them.
      this.post(port, { type: 'snapshot', tabId, entries: this.store.entries(tabId), counters: this.store.counters(tabId), settings: { ...this.settings } });
      let set = this.ports.get(tabId);
      if (!set) this.ports.set(tabId, (set = new Set()));
      set.add(port);
    });
  }

  private async onPortMessage(tabId: number, port: PortLike, raw: unknown): Promise<void> {
    const msg = parsePanelMessage(raw);
    if (typeof msg === 'string') {
      this.post(port, { type: 'error', message: msg });
      return;
    }
    try {
      if (msg.type === 'clear') this.clear(tabId);
      else await this.setSettings(msg.settings);
    } catch (err) {
      this.post(port, { type: 'error', message: errorText(err) });
    }
  }

  /** runtime.onMessage: a promise of the reply, or undefined when the message is not ours to answer. */
  onMessage(raw: unknown, sender: SenderLike): Promise<Result<unknown>> | undefined {
    if (!this.trusted(sender)) return undefined;
    return this.ready
      .then(async (): Promise<Result<unknown>> => {
        const req = parseRequest(raw);
        if (typeof req === 'string') return { ok: false, error: req };
        return { ok: true, value: await this.handle(req) };
      })
      .catch((err: unknown) => ({ ok: false, error: errorText(err) }));
  }

  /** Answers one validated request, typed per request (also the entry point of unit tests). */
  request<R extends Request>(req: R): Promise<Reply<R>> {
    return this.handle(req) as Promise<Reply<R>>;
  }

  private async handle(req: Request): Promise<Reply<Request>> {
    switch (req.type) {
      case 'summary':
        return this.summary(req.tabId);
      case 'export':
        return this.exportTab(req.tabId, req.includeSecrets);
      case 'clear':
        return { cleared: this.clear(req.tabId) };
      case 'get-settings':
        return { ...this.settings };
      case 'set-settings':
        return this.setSettings(req.settings);
    }
  }

  /**
   * A restored tab's stored requests judged again, in time-budgeted slices like the restore's,
   * before something shows its entries (store.ts `judged`: the wake itself does not judge).
   */
  private judged(tabId: number): Promise<void> {
    return this.store.judged(tabId, new Slicer(this.opts.restoreBudgetMs ?? 4, this.opts.restoreYield ?? yieldToBrowser));
  }

  private async pageUrl(tabId: number): Promise<string | null> {
    return this.store.url(tabId) ?? (tabId === NO_TAB ? null : await this.opts.api.tabUrl(tabId));
  }

  private async summary(tabId: number): Promise<TabSummary> {
    await this.judged(tabId);
    return { tabId, url: await this.pageUrl(tabId), counters: this.store.counters(tabId), topFailures: topFailures(this.store.entries(tabId)) };
  }

  private async exportTab(tabId: number, includeSecrets: boolean | undefined): Promise<{ har: string; filename: string; count: number }> {
    await this.judged(tabId);
    const entries = this.store.entries(tabId);
    const har = this.opts.engine.exportHar(entries, {
      // An explicit choice in the request wins; otherwise the stored setting decides.
      includeSecrets: includeSecrets ?? this.settings.exportSecrets,
      creator: { name: 'CORS Lens', version: this.opts.api.version },
    });
    const url = (await this.pageUrl(tabId)) ?? entries[0]?.request.initiator ?? (tabId === NO_TAB ? 'no-tab' : `tab-${tabId}`);
    return { har, filename: this.opts.engine.exportFilename(url, new Date()), count: entries.length };
  }

  private clear(tabId: number): number {
    const n = this.store.clear(tabId);
    this.afterClear(tabId);
    return n;
  }

  private async setSettings(patch: Partial<Settings>): Promise<Settings> {
    const checked = parseSettingsPatch(patch);
    if (typeof checked === 'string') throw new Error(checked);
    this.settings = { ...this.settings, ...checked };
    this.store.setCap(this.settings.maxEntriesPerTab);
    for (const tabId of this.store.tabIds()) this.persister.touch(tabId);
    this.scheduleFlush();
    await this.opts.api.local.set({ [SETTINGS_KEY]: { ...this.settings } });
    const settings = { ...this.settings };
    for (const set of this.ports.values()) for (const p of set) this.post(p, { type: 'settings', settings });
    return settings;
  }

  // ---------------------------------------------------------------------------------------
  // Introspection (tests, the debug hook)

  entries(tabId: number): AnalyzedEntry[] {
    return this.store.entries(tabId);
  }

  counters(tabId: number): ReturnType<CaptureStore['counters']> {
    return this.store.counters(tabId);
  }

  tabIds(): number[] {
    return this.store.tabIds();
  }

  inFlight(): ObservedRequest[] {
    return this.tracker.inFlightRequests();
  }

  /** Estimated bytes persisted to storage.session. */
  persistedBytes(): number {
    return this.persister.bytes;
  }

  /** storage.session `set` and `remove` calls this worker made for the capture, requests written
   *  through (persist.ts `calls`), and badge updates (diagnostics: bench/count-calls.mjs). */
  storageCalls(): SessionPersister['calls'] & { badge: number } {
    return { ...this.persister.calls, badge: this.badgeCalls };
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The failing endpoints of a tab, most frequent first (the popup's "top failures"). */
export function topFailures(entries: readonly AnalyzedEntry[], limit = 5): TopFailure[] {
  const byKey = new Map<string, TopFailure>();
  for (const e of entries) {
    if (e.cors.verdict !== 'fail' || e.cors.kind === 'preflight') continue;
    const hop = e.request.hops[0];
    if (!hop) continue;
    let where = hop.url;
    try {
      const u = new URL(hop.url);
      where = u.origin + u.pathname;
    } catch {
      // keep the raw URL
    }
    const endpoint = `${hop.method} ${where}`;
    const error = e.cors.error ?? 'unknown';
    const key = `${endpoint}\n${error}`;
    const f = byKey.get(key);
    if (f) f.count++;
    else byKey.set(key, { endpoint, error, message: e.cors.message, count: 1 });
  }
  return [...byKey.values()].sort((a, b) => b.count - a.count).slice(0, limit);
}
