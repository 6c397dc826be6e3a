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

export function layoutTimeline(entries: readonly AnalyzedEntry[], byId: ReadonlyMap<string, AnalyzedEntry>): TimelineLayout {
  const laneEnd: number[] = [];
  const laneOf = new Map<string, number>();
  const bars: TimelineBar[] = [];
  let min = Infinity;
  let max = -Infinity;
  const included = new Set(entries.map((e) => e.cors.id));
  let overflow = 0;

  for (const e of entries) {
    const s = startMs(e);
    const t = Math.max(endMs(e), s);
    min = Math.min(min, s);
    max = Math.max(max, t);
    const partner = e.cors.pairedWith && included.has(e.cors.pairedWith) ? byId.get(e.cors.pairedWith) : undefined;
    let lane = partner ? laneOf.get(partner.cors.id) : undefined;
    if (lane === undefined) {
      const spanStart = partner ? Math.min(s, startMs(partner)) : s;
      lane = laneEnd.findIndex((end) => end < spanStart);
      if (lane < 0) {
        if (laneEnd.length < MAX_LANES) lane = laneEnd.push(0) - 1;
        // Busier than MAX_LANES: wrap around (bars overlap, like DevTools' overview does).
        else lane = overflow++ % MAX_LANES;
      }
    }
    laneOf.set(e.cors.id, lane);
    laneEnd[lane] = Math.max(laneEnd[lane] ?? 0, t, partner ? endMs(partner) : t);
    const failed = e.cors.verdict === 'fail';
    bars.push({
      id: e.cors.id,
      lane,
      start: s,
      end: t,
      preflight: e.cors.kind === 'preflight',
      failed,
      cacheHit: isCacheHit(e),
      joinsTo: e.cors.kind === 'preflight' && partner ? partner.cors.id : null,
    });
  }
  if (!bars.length) return { bars, lanes: 0, range: { from: 0, to: 1 } };
  if (max === min) max = min + 1;
  return { bars, lanes: laneEnd.length, range: { from: min, to: max } };
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
