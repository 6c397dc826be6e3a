/**
 * The message protocol between the background and the extension pages (panel, popup).
 * Declared once here and typed at both ends (issue 4 §7). Errors cross as data, never as
 * rejected promises, so a page can always show what went wrong.
 */
import type { AnalyzedEntry } from '../core/annotation.ts';

/** Name of the long-lived port a panel opens for one tab: `cors-lens-panel:<tabId>`. */
export const PANEL_PORT_PREFIX = 'cors-lens-panel:';
export function panelPortName(tabId: number): string {
  return `${PANEL_PORT_PREFIX}${tabId}`;
}
export function tabIdFromPortName(name: string): number | null {
  if (!name.startsWith(PANEL_PORT_PREFIX)) return null;
  const rest = name.slice(PANEL_PORT_PREFIX.length);
  // Only what panelPortName writes: `Number` alone would take '' for 0, '0x10' for 16, ' 7 ' for 7.
  if (!/^(?:-1|0|[1-9]\d*)$/.test(rest)) return null;
  const n = Number(rest);
  return Number.isSafeInteger(n) ? n : null;
}

/**
 * The tab id under which the background keeps requests that belong to no tab (service workers,
 * other extension pages). Accepted wherever a message takes a `tabId`; never shown per tab.
 */
export const NO_TAB_ID = -1;

export interface TabCounters {
  /** Cross-origin (CORS) requests, preflights not counted. */
  crossOrigin: number;
  passed: number;
  failed: number;
  preflights: number;
  cacheHits: number;
  /** Exchanges dropped because the per-tab cap was reached. */
  dropped: number;
}

export interface Settings {
  /** Keep the log across navigations of the tab. */
  preserveLog: boolean;
  /** Per-tab cap on stored entries. */
  maxEntriesPerTab: number;
  /** Include Cookie / Set-Cookie / Authorization / Proxy-Authorization values in exports. */
  exportSecrets: boolean;
}

export const DEFAULT_SETTINGS: Settings = {
  preserveLog: false,
  maxEntriesPerTab: 5000,
  exportSecrets: false,
};

/** Background → panel, over the panel's port. */
export type PanelInbound =
  | { type: 'snapshot'; tabId: number; entries: AnalyzedEntry[]; counters: TabCounters; settings: Settings }
  /** New entries, or new judgements of entries already sent (same `cors.id`: replace). */
  | { type: 'entries'; tabId: number; entries: AnalyzedEntry[]; counters: TabCounters }
  | { type: 'cleared'; tabId: number; counters: TabCounters }
  | { type: 'settings'; settings: Settings }
  | { type: 'error'; message: string };

/** Panel → background, over the port. */
export type PanelOutbound = { type: 'clear' } | { type: 'set-settings'; settings: Partial<Settings> };

export interface TopFailure {
  /** `METHOD origin+path` of the failing endpoint. */
  endpoint: string;
  error: string;
  message: string;
  count: number;
}

export interface TabSummary {
  tabId: number;
  url: string | null;
  counters: TabCounters;
  topFailures: TopFailure[];
}

/** One-shot requests (popup, panel) → background, with their replies. */
export type Request =
  | { type: 'summary'; tabId: number }
  | { type: 'export'; tabId: number; includeSecrets?: boolean }
  | { type: 'clear'; tabId: number }
  | { type: 'get-settings' }
  | { type: 'set-settings'; settings: Partial<Settings> };

export type Reply<R extends Request> = R extends { type: 'summary' }
  ? TabSummary
  : R extends { type: 'export' }
    ? { har: string; filename: string; count: number }
    : R extends { type: 'clear' }
      ? { cleared: number }
      : R extends { type: 'get-settings' } | { type: 'set-settings' }
        ? Settings
        : never;

/** Every reply is wrapped so that errors cross as data. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: string };
