import { useRef, useState } from 'preact/hooks';
import type { TabCounters } from '../../../shared/messages.ts';
import type { PanelState, PanelStore } from '../store.ts';
import { downloadText } from '../lib/dom.ts';

interface Props {
  store: PanelStore;
  state: PanelState;
  counters: TabCounters;
  origins: string[];
}

export function Toolbar({ store, state, counters, origins }: Props) {
  const fileInput = useRef<HTMLInputElement>(null);
  // DevTools' Network panel keeps its rarely changed options behind a gear that opens one more
  // toolbar row; the export opt-in lives there so the main row stays one line in a docked panel.
  const [settingsOpen, setSettingsOpen] = useState(false);
  const secrets = state.settings.exportSecrets;
  const onFile = async (e: Event): Promise<void> => {
    const input = e.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (file) store.importHar(file.name, await file.text());
    input.value = '';
  };
  const onExport = async (): Promise<void> => {
    const r = await store.exportHar();
    if (r) downloadText(r.har, r.filename);
  };
  const f = state.filter;
  return (
    <div class="toolbars">
    <div class="toolbar" role="toolbar" aria-label="CORS Lens toolbar">
      <button type="button" class="icon-btn" aria-label="Clear" title="Clear" onClick={() => store.clear()}>
        ⊘
      </button>
      <label class="check" title="Keep the log across page navigations">
        <input type="checkbox" checked={state.settings.preserveLog} onChange={(e) => store.setPreserveLog((e.currentTarget as HTMLInputElement).checked)} />
        Preserve log
      </label>
      <span class="sep" />
      <button
        type="button"
        onClick={onExport}
        disabled={state.tabId === null}
        title={secrets ? 'Export the annotated HAR, cookies and Authorization values included' : 'Export the annotated HAR (cookies and Authorization values redacted)'}
      >
        Export HAR
      </button>
      {secrets && (
        <span class="secrets-on" title="Exports include Cookie, Set-Cookie, Authorization and Proxy-Authorization values">
          with secrets
        </span>
      )}
      <button type="button" onClick={() => fileInput.current?.click()}>
        Import HAR
      </button>
      <input ref={fileInput} type="file" accept=".har,.json,application/json" class="hidden" aria-label="Import HAR file" onChange={onFile} />
      <span class="spacer" />
      <Counters counters={counters} />
      <button
        type="button"
        class={`icon-btn${settingsOpen ? ' icon-btn-on' : ''}`}
        aria-label="Export settings"
        title="Export settings"
        aria-expanded={settingsOpen}
        aria-controls="export-settings"
        onClick={() => setSettingsOpen(!settingsOpen)}
      >
        ⚙
      </button>
    </div>
    {settingsOpen && (
      <div class="toolbar toolbar-settings" id="export-settings" role="group" aria-label="Export settings">
        <label class="check">
          <input type="checkbox" aria-describedby="export-secrets-hint" checked={secrets} onChange={(e) => store.setExportSecrets((e.currentTarget as HTMLInputElement).checked)} />
          Include cookies and Authorization in exports
        </label>
        <span class="hint" id="export-secrets-hint">Off: Cookie, Set-Cookie, Authorization and Proxy-Authorization values are replaced by a placeholder in exported HARs. Turn on only for files you keep private.</span>
      </div>
    )}
    <div class="toolbar" role="toolbar" aria-label="Filters">
      <input
        type="search"
        class="filter-text"
        placeholder="Filter"
        aria-label="Filter by text"
        value={f.text}
        onInput={(e) => store.setFilter({ text: (e.currentTarget as HTMLInputElement).value })}
      />
      <label class="check">
        <input type="checkbox" checked={f.failedOnly} onChange={(e) => store.setFilter({ failedOnly: (e.currentTarget as HTMLInputElement).checked })} />
        Failed only
      </label>
      <label class="check">
        <input type="checkbox" checked={f.preflightedOnly} onChange={(e) => store.setFilter({ preflightedOnly: (e.currentTarget as HTMLInputElement).checked })} />
        Preflighted only
      </label>
      <label class="check" title="Also list same-origin, navigation and no-cors requests">
        <input type="checkbox" checked={f.showNotCors} onChange={(e) => store.setFilter({ showNotCors: (e.currentTarget as HTMLInputElement).checked })} />
        Non-CORS
      </label>
      <select aria-label="Filter by target origin" value={f.targetOrigin} onChange={(e) => store.setFilter({ targetOrigin: (e.currentTarget as HTMLSelectElement).value })}>
        <option value="">All target origins</option>
        {origins.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </div>
    </div>
  );
}

export function Counters({ counters }: { counters: TabCounters }) {
  return (
    <div class="counters" role="status" aria-label="Counters">
      <span title="Cross-origin requests">
        <b>{counters.crossOrigin}</b> cross-origin
      </span>
      <span class={counters.failed ? 'count-fail' : ''} title="Failed CORS checks">
        <b>{counters.failed}</b> failed
      </span>
      <span title="Preflight requests">
        <b>{counters.preflights}</b> preflights
      </span>
      <span title="Requests served by a cached preflight">
        <b>{counters.cacheHits}</b> cache hits
      </span>
      {counters.dropped > 0 && (
        <span class="count-warn" title="Dropped: the per-tab cap was reached">
          <b>{counters.dropped}</b> dropped
        </span>
      )}
    </div>
  );
}
