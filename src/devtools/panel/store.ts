/**
 * The panel's state, kept apart from the browser: it talks to the background through an injected
 * transport and to the engine through an injected PanelEngine, so tests drive it with fakes.
 * A tiny subscribe/getState store (no @preact/signals: not a dependency of this project).
 */
import type { AnalyzedEntry } from '../../core/annotation.ts';
import type { BrowserProfile } from '../../core/model.ts';
import { DEFAULT_SETTINGS, type PanelInbound, type Settings, type TabCounters } from '../../shared/messages.ts';
import { countEntries, EMPTY_FILTER, type Filter, type TimeRange } from './lib/filters.ts';
import { startMs } from './lib/format.ts';
import type { PanelEngine, PanelPort, PanelTransport } from './types.ts';

export const ZERO_COUNTERS: TabCounters = { crossOrigin: 0, passed: 0, failed: 0, preflights: 0, cacheHits: 0, dropped: 0 };

export interface Dataset {
  entries: AnalyzedEntry[];
  counters: TabCounters;
}

export interface PanelState {
  tabId: number | null;
  connection: 'connecting' | 'live' | 'reconnecting' | 'no-tab';
  live: Dataset;
  settings: Settings;
  /** A HAR file the user imported; shown instead of the live capture while `view` is 'imported'. */
  imported: (Dataset & { name: string }) | null;
  view: 'live' | 'imported';
  /** The banner: a failed import, a failed export, a background error. */
  error: string | null;
  filter: Filter;
  zoom: TimeRange | null;
  /** Keyboard cursor in the list. */
  cursorId: string | null;
  /** The exchange shown in the detail view. */
  openId: string | null;
}

export type Listener = (s: PanelState) => void;

export interface PanelStore {
  getState(): PanelState;
  subscribe(fn: Listener): () => void;
  /** Connects to the tab's live capture (reconnecting when the service worker restarts). */
  start(tabId: number | null): void;
  stop(): void;
  setFilter(patch: Partial<Filter>): void;
  setZoom(range: TimeRange | null): void;
  setCursor(id: string | null): void;
  open(id: string | null): void;
  clear(): void;
  setPreserveLog(on: boolean): void;
  /** The export privacy opt-in (Settings.exportSecrets), stored by the background. */
  setExportSecrets(on: boolean): void;
  importHar(name: string, text: string): void;
  showLive(): void;
  dismissError(): void;
  exportHar(): Promise<{ har: string; filename: string } | null>;
  /** The dataset on screen. */
  current(): Dataset;
  readonly browser: BrowserProfile;
}

export interface StoreOptions {
  transport: PanelTransport;
  engine: PanelEngine;
  browser: BrowserProfile;
  /** Injected for tests; defaults to setTimeout. */
  schedule?: (fn: () => void, ms: number) => unknown;
}

/**
 * Inserts or replaces entries by `cors.id` (a re-judged entry replaces the old one: the
 * `entries` message contract), keeping start-time order. Streaming data arrives mostly in order,
 * so appends are O(1) and a full sort happens only when something arrives late.
 */
export function mergeEntries(current: readonly AnalyzedEntry[], incoming: readonly AnalyzedEntry[]): AnalyzedEntry[] {
  const out = current.slice();
  const index = new Map<string, number>();
  out.forEach((e, i) => index.set(e.cors.id, i));
  let sorted = true;
  for (const e of incoming) {
    const at = index.get(e.cors.id);
    if (at !== undefined) {
      out[at] = e;
      continue;
    }
    const prev = out[out.length - 1];
    if (prev && startMs(prev) > startMs(e)) sorted = false;
    index.set(e.cors.id, out.push(e) - 1);
  }
  if (!sorted) out.sort((a, b) => startMs(a) - startMs(b));
  return out;
}

export function createPanelStore(opts: StoreOptions): PanelStore {
  const { transport, engine, browser } = opts;
  const schedule = opts.schedule ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  let state: PanelState = {
    tabId: null,
    connection: 'no-tab',
    live: { entries: [], counters: ZERO_COUNTERS },
    settings: DEFAULT_SETTINGS,
    imported: null,
    view: 'live',
    error: null,
    filter: EMPTY_FILTER,
    zoom: null,
    cursorId: null,
    openId: null,
  };
  const listeners = new Set<Listener>();
  let port: PanelPort | null = null;
  let stopped = false;
  let retryMs = 250;

  const set = (patch: Partial<PanelState>): void => {
    state = { ...state, ...patch };
    for (const l of listeners) l(state);
  };

  const onMessage = (msg: PanelInbound): void => {
    retryMs = 250;
    switch (msg.type) {
      case 'snapshot':
        set({ connection: 'live', live: { entries: mergeEntries([], msg.entries), counters: msg.counters }, settings: msg.settings });
        break;
      case 'entries':
        set({ connection: 'live', live: { entries: mergeEntries(state.live.entries, msg.entries), counters: msg.counters } });
        break;
      case 'cleared': {
        const patch: Partial<PanelState> = { live: { entries: [], counters: msg.counters } };
        if (state.view === 'live') Object.assign(patch, { openId: null, cursorId: null, zoom: null });
        set(patch);
        break;
      }
      case 'settings':
        set({ settings: msg.settings });
        break;
      case 'error':
        set({ error: msg.message });
        break;
    }
  };

  const connect = (): void => {
    if (stopped || state.tabId === null) return;
    const tabId = state.tabId;
    port = transport.connect(tabId, onMessage, () => {
      port = null;
      if (stopped) return;
      // The MV3 service worker is stopped when idle and drops every port (browser-facts §F):
      // reconnect; the background answers a new port with a fresh snapshot.
      set({ connection: 'reconnecting' });
      schedule(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    });
  };

  const store: PanelStore = {
    browser,
    getState: () => state,
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    start(tabId) {
      stopped = false;
      if (tabId === null) {
        set({ tabId: null, connection: 'no-tab' });
        return;
      }
      set({ tabId, connection: 'connecting' });
      connect();
    },
    stop() {
      stopped = true;
      port?.close();
      port = null;
    },
    setFilter(patch) {
      set({ filter: { ...state.filter, ...patch } });
    },
    setZoom(range) {
      set({ zoom: range });
    },
    setCursor(id) {
      // With the detail open, the detail follows the cursor (as in DevTools' Network panel).
      set(state.openId !== null && id !== null ? { cursorId: id, openId: id } : { cursorId: id });
    },
    open(id) {
      set(id === null ? { openId: null } : { openId: id, cursorId: id });
    },
    clear() {
      if (state.view === 'imported') {
        set({ imported: null, view: 'live', openId: null, cursorId: null, zoom: null });
        return;
      }
      port?.send({ type: 'clear' });
      // Cleared locally at once; the background's 'cleared' brings the authoritative counters.
      set({ live: { entries: [], counters: { ...ZERO_COUNTERS } }, openId: null, cursorId: null, zoom: null });
    },
    setPreserveLog(on) {
      port?.send({ type: 'set-settings', settings: { preserveLog: on } });
      set({ settings: { ...state.settings, preserveLog: on } });
    },
    setExportSecrets(on) {
      // Sent like preserveLog: the background stores it and echoes a 'settings' message to every
      // panel, so two panels (or the popup) never disagree for long.
      port?.send({ type: 'set-settings', settings: { exportSecrets: on } });
      set({ settings: { ...state.settings, exportSecrets: on } });
    },
    importHar(name, text) {
      // Timing marks for the first-render figures (issue 5); cheap, and harmless in release.
      performance.mark?.('cors-lens:import-start');
      try {
        const requests = engine.parseHar(text);
        const entries = mergeEntries([], engine.analyze(requests, browser));
        performance.mark?.('cors-lens:import-analyzed');
        set({ imported: { name, entries, counters: countEntries(entries) }, view: 'imported', error: null, openId: null, cursorId: null, zoom: null });
      } catch (err) {
        // The live capture is left untouched: a bad file must not cost the user their data.
        const why = err instanceof Error ? err.message : String(err);
        set({ error: `Could not import ${name}: ${why.split('\n')[0]}` });
      }
    },
    showLive() {
      set({ view: 'live', openId: null, cursorId: null, zoom: null });
    },
    dismissError() {
      set({ error: null });
    },
    async exportHar() {
      if (state.tabId === null) {
        set({ error: 'Export failed: no tab selected.' });
        return null;
      }
      // The checkbox the user sees decides, explicitly: if the port message that stored the
      // setting was lost (worker restarting), the export still matches what is on screen.
      const r = await transport.request({ type: 'export', tabId: state.tabId, includeSecrets: state.settings.exportSecrets });
      if (!r.ok) {
        set({ error: `Export failed: ${r.error}` });
        return null;
      }
      return { har: r.value.har, filename: r.value.filename };
    },
    current() {
      return state.view === 'imported' && state.imported ? state.imported : state.live;
    },
  };
  return store;
}
