/**
 * The overview waterfall: one canvas for any number of exchanges (10,000 SVG elements would cost
 * more than the list itself). Accessibility lives in the list; this is a visual overview whose
 * only interaction, drag-to-zoom, also has a keyboard-reachable "Reset zoom" button.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { whenIdle } from './hooks.ts';
import type { TimeRange } from '../lib/filters.ts';
import type { AnalyzedEntry } from '../../../core/annotation.ts';
import { dragToRange, layoutTimeline, timeToX, type TimelineLayout } from '../lib/timeline.ts';
import { formatDuration } from '../lib/format.ts';

interface Props {
  /** The exchanges that pass the filters, and their time span (shared with the list). */
  entries: readonly AnalyzedEntry[];
  byId: ReadonlyMap<string, AnalyzedEntry>;
  range: TimeRange;
  zoom: TimeRange | null;
  onZoom: (r: TimeRange | null) => void;
  /** Bumped when the theme changes so colours are re-read. */
  theme: string;
}

const HEIGHT = 64;
const AXIS = 14;

function cssVar(el: Element, name: string, fallback: string): string {
  return getComputedStyle(el).getPropertyValue(name).trim() || fallback;
}

function paint(canvas: HTMLCanvasElement, layout: TimelineLayout, zoom: TimeRange | null): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const dpr = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  canvas.width = Math.max(1, Math.round(width * dpr));
  canvas.height = Math.round(HEIGHT * dpr);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, HEIGHT);
  const fg = cssVar(canvas, '--muted', '#666');
  const grid = cssVar(canvas, '--border', '#ccc');
  const ok = cssVar(canvas, '--bar', '#1a73e8');
  const pre = cssVar(canvas, '--bar-preflight', '#9334e6');
  const fail = cssVar(canvas, '--fail', '#d93025');
  const hit = cssVar(canvas, '--warn', '#e37400');
  const { range } = layout;

  // Time axis: ~6 ticks, labelled relative to the first request.
  ctx.font = '10px system-ui, sans-serif';
  ctx.fillStyle = fg;
  ctx.strokeStyle = grid;
  ctx.lineWidth = 1;
  const span = range.to - range.from;
  for (let i = 0; i <= 5; i++) {
    const x = Math.round((i / 5) * (width - 1)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(x, 0);
    ctx.lineTo(x, HEIGHT);
    ctx.stroke();
    const label = formatDuration((span * i) / 5);
    ctx.fillText(label, Math.min(x + 3, width - ctx.measureText(label).width - 2), 10);
  }
  if (!layout.bars.length) return;

  const laneH = Math.max(1, Math.min(8, (HEIGHT - AXIS - 4) / Math.max(1, layout.lanes)));
  const barH = Math.max(1, laneH - 1);
  const y = (lane: number): number => AXIS + 2 + lane * laneH;
  // Bars are rasterised here first, into one colour per device pixel of each lane (the last bar
  // painted wins, as it would on the canvas), then drawn as runs: at 10,000 exchanges most bars
  // are 2 px wide and overdraw each other, and rasterising one fillRect per bar was most of the
  // paint's cost. Runs are whole device pixels, so edges are crisp.
  const colours = ['', ok, pre, fail, hit];
  const px = canvas.width;
  const cells = new Uint8Array(layout.lanes * px);
  const toPx = (x: number): number => Math.max(0, Math.min(px, Math.round(x * dpr)));
  // Connectors join a preflight's end to its request's start: the starts of joined requests.
  const joinedStart = new Map<string, number>();
  for (const b of layout.bars) if (b.joinsTo) joinedStart.set(b.joinsTo, NaN);
  for (const b of layout.bars) {
    const x0 = timeToX(b.start, range, width);
    const x1 = Math.max(x0 + 2, timeToX(b.end, range, width));
    if (joinedStart.has(b.id)) joinedStart.set(b.id, x0);
    const row = b.lane * px;
    cells.fill(b.failed ? 3 : b.preflight ? 2 : 1, row + toPx(x0), row + toPx(x1));
    if (b.cacheHit) cells.fill(4, row + toPx(x0 - 3), row + toPx(x0 - 1));
  }
  const runs: [number, number, number][][] = colours.map(() => []);
  for (let lane = 0; lane < layout.lanes; lane++) {
    const row = lane * px;
    for (let i = 0; i < px; ) {
      const c = cells[row + i]!;
      let j = i + 1;
      while (j < px && cells[row + j] === c) j++;
      if (c) runs[c]!.push([lane, i, j]);
      i = j;
    }
  }
  runs.forEach((list, c) => {
    ctx.fillStyle = colours[c]!;
    for (const [lane, i, j] of list) ctx.fillRect(i / dpr, y(lane), (j - i) / dpr, barH);
  });
  ctx.strokeStyle = pre;
  ctx.beginPath();
  for (const b of layout.bars) {
    const to = b.joinsTo ? joinedStart.get(b.joinsTo) : undefined;
    if (to === undefined || Number.isNaN(to)) continue;
    const from = Math.max(timeToX(b.start, range, width) + 2, timeToX(b.end, range, width));
    const yy = y(b.lane) + laneH / 2;
    ctx.moveTo(from, yy);
    ctx.lineTo(Math.max(from, to), yy);
  }
  ctx.stroke();
  if (zoom) {
    ctx.fillStyle = 'rgba(128,128,128,0.18)';
    const zx0 = timeToX(zoom.from, range, width);
    const zx1 = timeToX(zoom.to, range, width);
    ctx.fillRect(0, 0, Math.max(0, zx0), HEIGHT);
    ctx.fillRect(zx1, 0, Math.max(0, width - zx1), HEIGHT);
  }
}

export function Timeline({ entries, byId, range, zoom, onZoom, theme }: Props) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [drag, setDrag] = useState<{ x0: number; x1: number } | null>(null);
  const [size, setSize] = useState(0);
  // A new dataset is laid out and drawn when the page is idle after its rows have been painted,
  // not during render: the list is what the user reads first, and the lanes and bars of 10,000
  // exchanges were a fifth of the first render (docs/bench.md). The layout is kept for repaints
  // on zoom, theme and resize.
  const laidOut = useRef<{ entries: readonly AnalyzedEntry[]; layout: TimelineLayout } | null>(null);

  useEffect(() => {
    const el = canvas.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => setSize(el.clientWidth));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    if (laidOut.current?.entries === entries) {
      paint(el, laidOut.current.layout, zoom);
      return;
    }
    return whenIdle(() => {
      laidOut.current = { entries, layout: layoutTimeline(entries, byId) };
      paint(el, laidOut.current.layout, zoom);
    });
  }, [entries, byId, zoom, theme, size]);

  const localX = (e: PointerEvent): number => e.clientX - (e.currentTarget as HTMLElement).getBoundingClientRect().left;
  const onDown = (e: PointerEvent): void => {
    (e.currentTarget as HTMLElement).setPointerCapture?.(e.pointerId);
    const x = localX(e);
    setDrag({ x0: x, x1: x });
  };
  const onMove = (e: PointerEvent): void => {
    if (drag) setDrag({ ...drag, x1: localX(e) });
  };
  const onUp = (e: PointerEvent): void => {
    if (!drag) return;
    const width = (e.currentTarget as HTMLElement).clientWidth;
    const r = dragToRange(drag.x0, localX(e), range, width);
    setDrag(null);
    if (r) onZoom(r);
  };

  return (
    <div class="timeline">
      <div class="timeline-canvas-wrap" onPointerDown={onDown} onPointerMove={onMove} onPointerUp={onUp} onDblClick={() => onZoom(null)}>
        <canvas ref={canvas} class="timeline-canvas" role="img" aria-label="Timeline of cross-origin exchanges; drag to zoom to a time range, double-click to reset" />
        {drag && <div class="timeline-drag" style={{ left: `${Math.min(drag.x0, drag.x1)}px`, width: `${Math.abs(drag.x1 - drag.x0)}px` }} />}
      </div>
      <div class="timeline-legend">
        <span class="lg lg-ok">request</span>
        <span class="lg lg-pre">preflight</span>
        <span class="lg lg-fail">failed</span>
        <span class="lg lg-hit">cache hit</span>
        <button type="button" class="link-btn" disabled={!zoom} onClick={() => onZoom(null)}>
          Reset zoom
        </button>
      </div>
    </div>
  );
}
