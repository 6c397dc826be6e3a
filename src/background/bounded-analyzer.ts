/**
 * Keeps live judging cheap and memory bounded, whatever the page does.
 *
 * `CorsAnalyzer.add` (src/core/analyze.ts) re-analyses every request that shares a URL with the
 * new one, transitively, and keeps every request it was given. That is exact, but a page that
 * polls one endpoint makes that group grow without end: measured under vitest on this machine,
 * ~0.3 ms per add for a lone URL, ~1.3 ms with 20 requests on the URL and ~67 ms on average
 * with 2,000, i.e. quadratic. The service worker cannot afford that on every webRequest
 * completion.
 *
 * What judging a request needs from the past is local to its URL group: its preflight (same
 * URL, started within about 2 s: pairing) and, for a preflight-cache hit, the latest earlier
 * preflight of that URL (Fetch §CORS-preflight cache: keyed by origin and URL). So this wrapper
 * runs one analyzer per URL group (the same grouping the engine uses, so nothing outside a group
 * could change a judgement) and bounds each group: past `maxGroup` requests the group restarts
 * from its most recent `keepRecent` requests plus its latest `keepPreflights` preflights, in their
 * original order. Groups not used for the longest time are forgotten once the analyzers hold
 * `maxTotal` requests in all. Entries already judged keep their judgement (the store holds it);
 * only pairing with a request older than the kept tail is lost, which live traffic (a preflight
 * and its request finish within seconds of each other) does not need.
 */
import type { AnalyzedEntry } from '../core/annotation.ts';
import type { ObservedRequest } from '../core/model.ts';
import type { Analyzer } from './store.ts';

export interface BoundedAnalyzerOptions {
  maxGroup: number;
  keepRecent: number;
  keepPreflights: number;
  maxTotal: number;
}

export const DEFAULT_BOUNDS: BoundedAnalyzerOptions = { maxGroup: 16, keepRecent: 6, keepPreflights: 2, maxTotal: 2000 };

interface Group {
  /**
   * Null while the group's requests are only recorded (`seed`, a restart, a merge): built by
   * replaying `reqs` when a request next joins the group, so a restored tab's groups that no new
   * request touches are never judged again (see `seed`).
   */
  analyzer: Analyzer | null;
  /** Requests given to `analyzer`, in order, with their global sequence number. */
  reqs: { seq: number; req: ObservedRequest }[];
  urls: Set<string>;
}

function isPreflightRequest(r: ObservedRequest): boolean {
  const h = r.hops[0];
  return !!h && h.method === 'OPTIONS' && h.requestHeaders.some((x) => x.name.toLowerCase() === 'access-control-request-method');
}

export class BoundedAnalyzer implements Analyzer {
  private readonly byUrl = new Map<string, Group>();
  /** Groups by recency of use: first = least recently used (Map keeps insertion order). */
  private readonly lru = new Map<Group, true>();
  private total = 0;
  private seq = 0;
  /** How many times a group was restarted (for tests and the debug hook). */
  restarts = 0;

  constructor(
    private readonly make: () => Analyzer,
    private readonly opts: BoundedAnalyzerOptions = DEFAULT_BOUNDS,
  ) {}

  /** Requests currently held by the inner analyzers. */
  get held(): number {
    return this.total;
  }

  add(req: ObservedRequest): AnalyzedEntry[] {
    const g = this.place(req);
    const out = this.built(g).add(req);
    this.record(g, req);
    return out;
  }

  /** The group's analyzer, rebuilt first by replaying its requests in order if it has none. */
  private built(g: Group): Analyzer {
    if (!g.analyzer) {
      g.analyzer = this.make();
      for (const r of g.reqs) g.analyzer.add(r.req);
    }
    return g.analyzer;
  }

  /**
   * Takes a request into its group without judging it: the group's analyzer is rebuilt from its
   * requests, in order, when a request next joins it. After a wake the store restores a tab's
   * requests this way (their judgements come from storage, store.ts `restore`), so the wake
   * costs a map insertion per request instead of a judgement (bench/wakes.mjs: the restore's
   * judging was 300–380 ms of worker thread for ≈ 5,000 stored requests). What a later `add`
   * returns is the same as if every request had been added: an analyzer's state is the sequence
   * of requests it was given, and the bounds below apply to the sequence the same way.
   */
  seed(req: ObservedRequest): void {
    const g = this.place(req);
    g.analyzer = null;
    this.record(g, req);
  }

  /**
   * Records a request that starts a group of its own without judging it (CorsAnalyzer `defer`):
   * the next request to join the group is judged with it, and the add returns both entries.
   * False, and nothing recorded, when one of its URLs belongs to a group already (it must be
   * `add`ed: it may change the judgement of what is there) or the inner analyzer cannot defer.
   */
  defer(req: ObservedRequest): boolean {
    for (const h of req.hops) if (this.byUrl.has(h.url)) return false;
    const inner = this.make();
    if (!inner.defer?.(req)) return false;
    const g = this.place(req);
    g.analyzer = inner;
    this.record(g, req);
    return true;
  }

  /**
   * The judgement of a recorded request (one `defer`red, whose partner has not come), with
   * whatever else of its group it changes; as `add` returns them. A group that must be rebuilt
   * first (after a seed, a merge or a restart) is; a request the bounds forgot is judged alone.
   */
  judge(req: ObservedRequest): AnalyzedEntry[] {
    const g = req.hops[0] ? this.byUrl.get(req.hops[0].url) : undefined;
    if (!g || !g.reqs.some((r) => r.req === req)) return this.make().add(req);
    return this.built(g).judge?.(req) ?? [];
  }

  /** The group a request joins (merged or restarted first as the bounds say), URLs registered. */
  private place(req: ObservedRequest): Group {
    const urls = new Set(req.hops.map((h) => h.url));
    const found = new Set<Group>();
    for (const u of urls) {
      const g = this.byUrl.get(u);
      if (g) found.add(g);
    }
    let g: Group;
    if (found.size === 0) g = { analyzer: null, reqs: [], urls: new Set() };
    else if (found.size === 1) g = found.values().next().value!;
    else g = this.merge([...found]);
    if (g.reqs.length >= this.opts.maxGroup) this.restart(g);
    for (const u of urls) {
      g.urls.add(u);
      this.byUrl.set(u, g);
    }
    return g;
  }

  private record(g: Group, req: ObservedRequest): void {
    g.reqs.push({ seq: this.seq++, req });
    this.total++;
    this.lru.delete(g);
    this.lru.set(g, true);
    this.evict(g);
  }

  /** A request whose hops join several groups (a redirect): one group, replayed in order. */
  private merge(groups: Group[]): Group {
    const reqs = groups.flatMap((x) => x.reqs).sort((a, b) => a.seq - b.seq);
    // Its analyzer is built from `reqs` by the `add` that needs it (none for a `seed`).
    const g: Group = { analyzer: null, reqs, urls: new Set() };
    for (const x of groups) {
      this.lru.delete(x);
      for (const u of x.urls) {
        g.urls.add(u);
        this.byUrl.set(u, g);
      }
    }
    return g;
  }

  private restart(g: Group): void {
    const n = g.reqs.length;
    const keep = new Set<number>();
    for (let i = Math.max(0, n - this.opts.keepRecent); i < n; i++) keep.add(i);
    let pf = 0;
    for (let i = n - 1; i >= 0 && pf < this.opts.keepPreflights; i--) {
      if (isPreflightRequest(g.reqs[i]!.req)) {
        keep.add(i);
        pf++;
      }
    }
    const kept = g.reqs.filter((_, i) => keep.has(i));
    this.total -= n - kept.length;
    g.reqs = kept;
    // Rebuilt from the kept requests by the `add` that needs it.
    g.analyzer = null;
    // URLs only the forgotten requests had no longer belong to the group.
    const urls = new Set(kept.flatMap((r) => r.req.hops.map((h) => h.url)));
    for (const u of g.urls) if (!urls.has(u) && this.byUrl.get(u) === g) this.byUrl.delete(u);
    g.urls = urls;
    this.restarts++;
  }

  private evict(current: Group): void {
    while (this.total > this.opts.maxTotal) {
      const oldest = this.lru.keys().next();
      if (oldest.done || oldest.value === current) return;
      const g = oldest.value;
      this.lru.delete(g);
      this.total -= g.reqs.length;
      for (const u of g.urls) if (this.byUrl.get(u) === g) this.byUrl.delete(u);
    }
  }
}
