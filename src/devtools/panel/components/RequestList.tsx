/**
 * The virtualised list: only the rows in view (plus a margin) are in the DOM, positioned inside a
 * spacer of the full height, so 10,000 exchanges scroll as smoothly as 10. Fixed row height is
 * what makes that O(1); it also means no layout jump when entries stream in.
 */
import { Component } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { AnalyzedEntry } from '../../../core/annotation.ts';
import { firstHop } from '../../../core/model.ts';
import type { TimeRange } from '../lib/filters.ts';
import { originPair, durationOf, endMs, formatDuration, initiatorOrigin, isCacheHit, KIND_LABEL, splitUrl, startMs, statusLabel } from '../lib/format.ts';
import { VerdictBadge } from './Badge.tsx';

export const ROW_HEIGHT = 21;
const OVERSCAN = 8;

interface Props {
  rows: readonly AnalyzedEntry[];
  range: TimeRange;
  cursorId: string | null;
  openId: string | null;
  compact: boolean;
  onCursor: (id: string | null) => void;
  onOpen: (id: string | null) => void;
}

const COLUMNS = ['Method', 'URL', 'Initiator → target', 'Kind', 'Verdict', 'Error', 'Status', 'Time', 'Waterfall'];
const HEAD_CLASS: Record<string, string> = { 'Initiator → target': 'init', Waterfall: 'wf' };
const COMPACT_COLUMNS = ['Method', 'URL', 'Verdict'];

interface RowProps {
  e: AnalyzedEntry;
  index: number;
  range: TimeRange;
  cursor: boolean;
  open: boolean;
  compact: boolean;
  onOpen: (id: string) => void;
}

function RowView({ e, index, range, cursor, open, compact, onOpen }: RowProps) {
  const hop = firstHop(e.request);
  // The URL the page asked for, as DevTools' Network panel shows it; a redirected request is
  // marked, and its chain is in the title and the detail view.
  const { origin, path } = splitUrl(hop.url);
  const redirects = e.request.hops.length - 1;
  const span = range.to - range.from || 1;
  const left = ((startMs(e) - range.from) / span) * 100;
  const width = Math.max(0.4, ((endMs(e) - startMs(e)) / span) * 100);
  const failed = e.cors.verdict === 'fail';
  const cls = ['row', index % 2 ? 'row-odd' : '', cursor ? 'row-cursor' : '', open ? 'row-open' : '', failed ? 'row-fail' : '', e.cors.kind === 'preflight' ? 'row-preflight' : ''].join(' ');
  return (
    <div role="row" id={`cl-row-${index}`} aria-rowindex={index + 2} aria-selected={cursor} class={cls} style={{ top: `${index * ROW_HEIGHT}px` }} onClick={() => onOpen(e.cors.id)}>
      <span role="gridcell" class="c-method">
        {hop.method}
      </span>
      <span role="gridcell" class="c-url" title={e.request.hops.map((h) => h.url).join('\n→ ')}>
        <span class="url-path">{path}</span>
        {redirects > 0 && <span class="url-redirect"> ↪ {redirects > 1 ? `${redirects} redirects` : 'redirect'}</span>} <span class="url-origin">{origin}</span>
      </span>
      {!compact && (
        <>
          <span role="gridcell" class="c-init" title={`${initiatorOrigin(e)} → ${splitUrl(hop.url).origin}`}>
            {originPair(initiatorOrigin(e), splitUrl(hop.url).origin)}
          </span>
          <span role="gridcell" class="c-kind">
            {KIND_LABEL[e.cors.kind]}
            {isCacheHit(e) && <span class="cache-mark" title="Preflight served from cache">⚡</span>}
          </span>
        </>
      )}
      <span role="gridcell" class="c-verdict">
        <VerdictBadge verdict={e.cors.verdict} />
      </span>
      {!compact && (
        <>
          <span role="gridcell" class="c-error" title={e.cors.error ?? ''}>
            {e.cors.error ?? ''}
          </span>
          <span role="gridcell" class="c-status">
            {statusLabel(e)}
          </span>
          <span role="gridcell" class="c-time">
            {formatDuration(durationOf(e))}
          </span>
          <span role="gridcell" class="c-wf" aria-hidden="true">
            <span class={`wf-bar ${failed ? 'wf-fail' : e.cors.kind === 'preflight' ? 'wf-pre' : 'wf-ok'}`} style={{ left: `${Math.min(99.6, Math.max(0, left))}%`, width: `${Math.min(width, 100)}%` }} />
          </span>
        </>
      )}
    </div>
  );
}

/**
 * A row re-renders only when its own props change: the list re-renders on every scroll step,
 * cursor move and resize, and diffing ~40 unchanged rows each time was most of that cost.
 * (Preact's memo() lives in preact/compat, which would also install React-compat option hooks.)
 */
class Row extends Component<RowProps> {
  override shouldComponentUpdate(next: RowProps): boolean {
    const p = this.props;
    return p.e !== next.e || p.index !== next.index || p.range !== next.range || p.cursor !== next.cursor || p.open !== next.open || p.compact !== next.compact || p.onOpen !== next.onOpen;
  }
  override render(props: RowProps) {
    return <RowView {...props} />;
  }
}

export function RequestList({ rows, range, cursorId, openId, compact, onCursor, onOpen }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = (): void => setViewport(el.clientHeight || 600);
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const cursorIndex = cursorId === null ? -1 : rows.findIndex((r) => r.cors.id === cursorId);

  // Keep the cursor row in view when it moves by keyboard.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || cursorIndex < 0) return;
    const top = cursorIndex * ROW_HEIGHT;
    const head = ROW_HEIGHT; // sticky header
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight - head) el.scrollTop = top + ROW_HEIGHT * 2 - el.clientHeight;
  }, [cursorIndex]);

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + viewport) / ROW_HEIGHT) + OVERSCAN);

  const move = (to: number): void => {
    if (!rows.length) return;
    const i = Math.max(0, Math.min(rows.length - 1, to));
    onCursor(rows[i]!.cors.id);
  };
  const onKey = (e: KeyboardEvent): void => {
    const page = Math.max(1, Math.floor(viewport / ROW_HEIGHT) - 1);
    const at = cursorIndex;
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(at + 1),
      ArrowUp: () => move(at < 0 ? rows.length - 1 : at - 1),
      PageDown: () => move(at + page),
      PageUp: () => move(at - page),
      Home: () => move(0),
      End: () => move(rows.length - 1),
      Enter: () => cursorId !== null && onOpen(cursorId),
      Escape: () => onOpen(null),
    };
    const k = keys[e.key];
    if (k) {
      e.preventDefault();
      k();
    }
  };

  const cols = compact ? COMPACT_COLUMNS : COLUMNS;
  const visible = [];
  for (let i = first; i < last; i++) {
    const e = rows[i]!;
    visible.push(
      <Row key={e.cors.id} e={e} index={i} range={range} cursor={e.cors.id === cursorId} open={e.cors.id === openId} compact={compact} onOpen={onOpen} />,
    );
  }
  return (
    <div
      ref={scroller}
      class={`list ${compact ? 'list-compact' : ''}`}
      role="grid"
      aria-label="Cross-origin requests"
      aria-rowcount={rows.length + 1}
      aria-activedescendant={cursorIndex >= 0 ? `cl-row-${cursorIndex}` : undefined}
      tabIndex={0}
      onKeyDown={onKey}
      onScroll={(e) => setScrollTop((e.currentTarget as HTMLDivElement).scrollTop)}
    >
      <div role="row" class="row row-head" aria-rowindex={1}>
        {cols.map((c) => (
          <span role="columnheader" key={c} class={`c-${HEAD_CLASS[c] ?? c.toLowerCase()}`}>
            {c}
          </span>
        ))}
      </div>
      <div class="rows" style={{ height: `${rows.length * ROW_HEIGHT}px` }}>
        {visible}
      </div>
      {rows.length === 0 && <div class="empty">No cross-origin requests yet. Reload the page, or import a HAR file (drop it here).</div>}
    </div>
  );
}
