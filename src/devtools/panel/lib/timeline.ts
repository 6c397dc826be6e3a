/**
 * Waterfall layout: every exchange (a request with its preflight) gets one lane, so the preflight
 * bar sits just before its request on the same line and a connector joins them. Pure: the canvas
 * component only paints what this returns.
 */
import type { AnalyzedEntry } from '../../../core/annotation.ts';
import { endMs, isCacheHit, startMs } from './format.ts';
import type { TimeRange } from './filters.ts';

export interface TimelineBar {
  id: string;
  lane: number;
  start: number;
  end: number;
  preflight: boolean;
  failed: boolean;
  cacheHit: boolean;
  /** For a preflight: the id of its request when both are in the layout. */
  joinsTo: string | null;
}

export interface TimelineLayout {
  bars: TimelineBar[];
  lanes: number;
  range: TimeRange;
}

export const MAX_LANES = 40;

/** The first lane free before `t`, or -1. (A plain loop: this runs for every bar of 10,000.) */
function freeLane(laneEnd: readonly number[], t: number): number {
  for (let i = 0; i < laneEnd.length; i++) if (laneEnd[i]! < t) return i;
  return -1;
}

/** The time span of the entries (what the list's waterfall column and the timeline share). */
export function timeRange(entries: readonly AnalyzedEntry[]): TimeRange {
  let min = Infinity;
  let max = -Infinity;
  for (const e of entries) {
    const s = startMs(e);
    if (s < min) min = s;
    const t = Math.max(endMs(e), s);
    if (t > max) max = t;
  }
  if (!entries.length) return { from: 0, to: 1 };
  return { from: min, to: max > min ? max : min + 1 };
}

export function layoutTimeline(entries: readonly AnalyzedEntry[], byId: ReadonlyMap<string, AnalyzedEntry>): TimelineLayout {
  const laneEnd: number[] = [];
  // Only paired entries are ever looked up (by their partner), so only they are recorded.
  const laneOf = new Map<string, number>();
  const bars: TimelineBar[] = [];
  const included = new Set(entries.map((e) => e.cors.id));
  let overflow = 0;

  for (const e of entries) {
    const s = startMs(e);
    const t = Math.max(endMs(e), s);
    const pairedWith = e.cors.pairedWith;
    const partner = pairedWith && included.has(pairedWith) ? byId.get(pairedWith) : undefined;
    let lane = partner ? laneOf.get(partner.cors.id) : undefined;
    if (lane === undefined) {
      lane = freeLane(laneEnd, partner ? Math.min(s, startMs(partner)) : s);
      if (lane < 0) {
        if (laneEnd.length < MAX_LANES) lane = laneEnd.push(0) - 1;
        // Busier than MAX_LANES: wrap around (bars overlap, like DevTools' overview does).
        else lane = overflow++ % MAX_LANES;
      }
    }
    if (pairedWith) laneOf.set(e.cors.id, lane);
    laneEnd[lane] = Math.max(laneEnd[lane] ?? 0, t, partner ? endMs(partner) : t);
    const preflight = e.cors.kind === 'preflight';
    bars.push({
      id: e.cors.id,
      lane,
      start: s,
      end: t,
      preflight,
      failed: e.cors.verdict === 'fail',
      cacheHit: isCacheHit(e),
      joinsTo: preflight && partner ? partner.cors.id : null,
    });
  }
  return { bars, lanes: laneEnd.length, range: timeRange(entries) };
}

/** Maps a time to an x coordinate in [0, width]. */
export function timeToX(t: number, range: TimeRange, width: number): number {
  return ((t - range.from) / (range.to - range.from)) * width;
}

export function xToTime(x: number, range: TimeRange, width: number): number {
  return range.from + (x / Math.max(1, width)) * (range.to - range.from);
}

/** A drag from x0 to x1 as a time range; tiny drags (clicks) give null. */
export function dragToRange(x0: number, x1: number, range: TimeRange, width: number): TimeRange | null {
  const a = Math.max(0, Math.min(x0, x1));
  const b = Math.min(width, Math.max(x0, x1));
  if (b - a < 4) return null;
  return { from: xToTime(a, range, width), to: xToTime(b, range, width) };
}
