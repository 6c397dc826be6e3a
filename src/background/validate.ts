/**
 * Validation of everything that crosses into the background from a page: one-shot requests,
 * panel port messages and settings patches. Each parser returns the typed value or a one-line
 * error string (errors cross as data: issue 4 §7); nothing here throws.
 */
import type { PanelOutbound, Request, Settings } from '../shared/messages.ts';

/** Bounds of the per-tab cap: at least one entry; at most what storage.session can hold. */
export const MAX_ENTRIES_PER_TAB_LIMIT = 100_000;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A tab id, or -1 for the bucket of requests without a tab (`NO_TAB`). */
function isTabId(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= -1;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : typeof v;
}

export function parseSettingsPatch(raw: unknown): Partial<Settings> | string {
  if (!isObj(raw)) return `settings must be an object, got ${describe(raw)}`;
  const out: Partial<Settings> = {};
  for (const [k, v] of Object.entries(raw)) {
    switch (k) {
      case 'preserveLog':
      case 'exportSecrets':
        if (typeof v !== 'boolean') return `settings.${k} must be a boolean, got ${describe(v)}`;
        out[k] = v;
        break;
      case 'maxEntriesPerTab':
        if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1 || v > MAX_ENTRIES_PER_TAB_LIMIT) {
          return `settings.maxEntriesPerTab must be an integer from 1 to ${MAX_ENTRIES_PER_TAB_LIMIT}, got ${describe(v)}`;
        }
        out.maxEntriesPerTab = v;
        break;
      default:
        return `unknown setting ${JSON.stringify(k)}`;
    }
  }
  return out;
}

export function parseRequest(raw: unknown): Request | string {
  if (!isObj(raw)) return `a request must be an object, got ${describe(raw)}`;
  const type = raw.type;
  switch (type) {
    case 'summary':
    case 'clear':
      if (!isTabId(raw.tabId)) return `${type}: tabId must be a tab id, got ${describe(raw.tabId)}`;
      return { type, tabId: raw.tabId };
    case 'export': {
      if (!isTabId(raw.tabId)) return `export: tabId must be a tab id, got ${describe(raw.tabId)}`;
      const inc = raw.includeSecrets;
      if (inc !== undefined && typeof inc !== 'boolean') return `export: includeSecrets must be a boolean, got ${describe(inc)}`;
      return inc === undefined ? { type, tabId: raw.tabId } : { type, tabId: raw.tabId, includeSecrets: inc };
    }
    case 'get-settings':
      return { type };
    case 'set-settings': {
      const s = parseSettingsPatch(raw.settings);
      return typeof s === 'string' ? `set-settings: ${s}` : { type, settings: s };
    }
    default:
      return `unknown request type ${describe(type)}`;
  }
}

export function parsePanelMessage(raw: unknown): PanelOutbound | string {
  if (!isObj(raw)) return `a panel message must be an object, got ${describe(raw)}`;
  if (raw.type === 'clear') return { type: 'clear' };
  if (raw.type === 'set-settings') {
    const s = parseSettingsPatch(raw.settings);
    return typeof s === 'string' ? `set-settings: ${s}` : { type: 'set-settings', settings: s };
  }
  return `unknown panel message type ${describe(raw.type)}`;
}
