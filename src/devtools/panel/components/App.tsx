import { useEffect, useLayoutEffect, useMemo, useState } from 'preact/hooks';
import type { PanelStore } from '../store.ts';
import type { PanelEngine } from '../types.ts';
import { applyFilter, indexById, targetOrigins, type TimeRange } from '../lib/filters.ts';
import { timeRange } from '../lib/timeline.ts';
import { useIdleMemo, useStoreState } from './hooks.ts';
import { Toolbar } from './Toolbar.tsx';
import { Timeline } from './Timeline.tsx';
import { RequestList } from './RequestList.tsx';
import { Detail } from './Detail.tsx';

const NO_ORIGINS: string[] = [];

interface Props {
  store: PanelStore;
  engine: PanelEngine;
  theme: 'light' | 'dark';
}

export function App({ store, engine, theme }: Props) {
  const state = useStoreState(store);
  const data = store.current();
  const byId = useMemo(() => indexById(data.entries), [data.entries]);
  // Only the origin filter's options need it: computed after the rows are painted.
  const origins = useIdleMemo(() => targetOrigins(data.entries), [data.entries], NO_ORIGINS);
  // The timeline shows everything that passes the filters; the zoom then narrows the list.
  const filtered = useMemo(() => applyFilter(data.entries, state.filter, byId), [data.entries, state.filter, byId]);
  const range = useMemo(() => timeRange(filtered), [filtered]);
  const rows = useMemo(() => (state.zoom ? applyFilter(filtered, { ...state.filter, text: '' }, byId, state.zoom) : filtered), [filtered, state.zoom, state.filter, byId]);
  const open = state.openId !== null ? byId.get(state.openId) : undefined;
  const [dragging, setDragging] = useState(false);
  // Stable, so the memoised rows do not all re-render whenever the app does.
  const actions = useMemo(
    () => ({
      cursor: (id: string | null) => store.setCursor(id),
      open: (id: string | null) => store.open(id),
      zoom: (r: TimeRange | null) => store.setZoom(r),
    }),
    [store],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape' && store.getState().openId !== null) store.open(null);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [store]);

  useLayoutEffect(() => {
    // Timing marks for the first-render figures: DOM committed, then the next animation frame
    // (the frame that paints the new dataset). Cheap, and harmless in release.
    if (!data.entries.length) return;
    performance.mark?.('cors-lens:committed');
    requestAnimationFrame(() => performance.mark?.('cors-lens:rendered'));
  }, [data.entries]);

  const onDrop = async (e: DragEvent): Promise<void> => {
    e.preventDefault();
    setDragging(false);
    const file = e.dataTransfer?.files[0];
    if (file) store.importHar(file.name, await file.text());
  };

  return (
    <div
      class={`app${dragging ? ' app-drop' : ''}`}
      data-theme={theme}
      onDragOver={(e) => {
        if (e.dataTransfer?.types.includes('Files')) {
          e.preventDefault();
          setDragging(true);
        }
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target) setDragging(false);
      }}
      onDrop={onDrop}
    >
      <Toolbar store={store} state={state} counters={data.counters} origins={origins} />
      <div class="banners">
        {state.error && (
          <div class="banner banner-error" role="alert">
            <span>{state.error}</span>
            <button type="button" class="icon-btn" aria-label="Dismiss error" onClick={() => store.dismissError()}>
              ✕
            </button>
          </div>
        )}
        {state.view === 'imported' && state.imported && (
          <div class="banner banner-info" role="status">
            <span>
              Showing imported file <b>{state.imported.name}</b> ({state.imported.entries.length} entries). The live capture continues in the background.
            </span>
            <button type="button" class="link-btn" onClick={() => store.showLive()}>
              Back to live capture
            </button>
          </div>
        )}
        {state.view === 'live' && state.connection === 'reconnecting' && (
          <div class="banner banner-info" role="status">
            Reconnecting to the background…
          </div>
        )}
        {state.view === 'live' && state.connection === 'no-tab' && (
          <div class="banner banner-info" role="status">
            No tab to inspect: open this panel from DevTools, or pass ?tabId=N.
          </div>
        )}
      </div>
      <Timeline entries={filtered} byId={byId} range={range} zoom={state.zoom} onZoom={actions.zoom} theme={theme} />
      <div class={`main${open ? ' main-split' : ''}`}>
        <RequestList rows={rows} range={state.zoom ?? range} cursorId={state.cursorId} openId={state.openId} compact={!!open} onCursor={actions.cursor} onOpen={actions.open} />
        {open && <Detail entry={open} entries={data.entries} byId={byId} engine={engine} browser={store.browser} onClose={() => store.open(null)} />}
      </div>
      {dragging && <div class="drop-hint">Drop a HAR file to import it</div>}
    </div>
  );
}
