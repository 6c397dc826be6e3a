/**
 * The list's filters, as a pure function of the entries (so they are unit-tested without a DOM).
 */
import type { AnalyzedEntry } from '../../../core/annotation.ts';
import type { TabCounters } from '../../../shared/messages.ts';
import { endMs, isCacheHit, originOf, startMs } from './format.ts';
import { firstHop } from '../../../core/model.ts';

export interface Filter {
  failedOnly: boolean;
  preflightedOnly: boolean;
  /** Exact target origin, or '' for all. */
  targetOrigin: string;
  /** Case-insensitive free text over method, URL, error names, message and status. */
  text: string;
  /**
   * Same-origin, navigations and no-cors requests (`kind: 'not-cors'`) are hidden unless asked
   * for: this is a CORS tool, and they would drown the cross-origin calls on a busy page.
   */
  showNotCors: boolean;
}

export const EMPTY_FILTER: Filter = { failedOnly: false, preflightedOnly: false, targetOrigin: '', text: '', showNotCors: false };

export interface TimeRange {
  from: number;
  to: number;
}

/** Indexes entries by `cors.id` so a preflight can find its request and back. */
export function indexById(entries: readonly AnalyzedEntry[]): Map<string, AnalyzedEntry> {
  const m = new Map<string, AnalyzedEntry>();
  for (const e of entries) m.set(e.cors.id, e);
  return m;
}

function matchesText(e: AnalyzedEntry, needle: string): boolean {
  const hop = firstHop(e.request);
  const hay = [hop.method, ...e.request.hops.map((h) => h.url), e.cors.error ?? '', e.cors.firefoxReason ?? '', e.cors.message, String(e.request.hops.at(-1)?.status ?? ''), e.cors.kind, e.cors.verdict]
    .join('\n')
    .toLowerCase();
  return hay.includes(needle);
}

export function applyFilter(
  entries: readonly AnalyzedEntry[],
  f: Filter,
  byId: ReadonlyMap<string, AnalyzedEntry>,
  range: TimeRange | null = null,
): AnalyzedEntry[] {
  const needle = f.text.trim().toLowerCase();
  const out: AnalyzedEntry[] = [];
  for (const e of entries) {
    const { kind, verdict } = e.cors;
    if (!f.showNotCors && kind === 'not-cors') continue;
    if (f.preflightedOnly && kind !== 'preflighted' && kind !== 'preflight') continue;
    if (f.failedOnly && verdict !== 'fail') {
      // A preflight that itself passed is still part of a failed exchange when its request failed.
      const paired = kind === 'preflight' && e.cors.pairedWith ? byId.get(e.cors.pairedWith) : undefined;
      if (paired?.cors.verdict !== 'fail') continue;
    }
    if (f.targetOrigin && originOf(firstHop(e.request).url) !== f.targetOrigin) continue;
    if (needle && !matchesText(e, needle)) continue;
    if (range && (endMs(e) < range.from || startMs(e) > range.to)) continue;
    out.push(e);
  }
  return out;
}

/** Sorted target origins, for the origin filter's options. */
export function targetOrigins(entries: readonly AnalyzedEntry[]): string[] {
  const s = new Set<string>();
  for (const e of entries) if (e.cors.kind !== 'not-cors') s.add(originOf(firstHop(e.request).url));
  s.delete('');
  return [...s].sort();
}

/** Counters for a set of entries (used for imported files; live counters come from the background). */
export function countEntries(entries: readonly AnalyzedEntry[]): TabCounters {
  const c: TabCounters = { crossOrigin: 0, passed: 0, failed: 0, preflights: 0, cacheHits: 0, dropped: 0 };
  for (const e of entries) {
    const { kind, verdict } = e.cors;
    if (kind === 'preflight') {
      c.preflights++;
      continue;
    }
    if (kind === 'not-cors') continue;
    c.crossOrigin++;
    if (verdict === 'pass') c.passed++;
    else if (verdict === 'fail') c.failed++;
    if (isCacheHit(e)) c.cacheHits++;
  }
  return c;
}
