/**
 * The per-tab summary. The background computes the summary (so 5,000 exchanges cost the popup one
 * small message); the popup only renders it. Header-derived text is rendered as text nodes only.
 */
import { useEffect, useLayoutEffect, useState } from 'preact/hooks';
import type { TabSummary } from '../shared/messages.ts';
import type { PopupTransport } from './transport.ts';

export interface PopupProps {
  transport: PopupTransport;
  tabId: number | null;
  /** Saves the exported HAR; injected so tests can see what would be downloaded. */
  download: (text: string, filename: string) => void;
}

/**
 * The popup stays short: Chromium caps a popup at 600 px high, and with five two-line failures
 * the Export button fell below the fold. The panel has the full list.
 */
const MAX_FAILURES = 3;

type Load = { state: 'loading' } | { state: 'ready'; summary: TabSummary } | { state: 'error'; error: string };

export function Popup({ transport, tabId, download }: PopupProps) {
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [note, setNote] = useState<string>('');
  const [busy, setBusy] = useState(false);
  // Export privacy opt-in (Settings.exportSecrets); off until the background says otherwise, so
  // a popup that cannot read the settings never exports secrets by accident.
  const [secrets, setSecrets] = useState(false);

  const refresh = async (): Promise<void> => {
    if (tabId === null) {
      setLoad({ state: 'error', error: 'No active tab.' });
      return;
    }
    performance.mark?.('cors-lens:popup-summary-asked');
    const r = await transport.request({ type: 'summary', tabId });
    performance.mark?.('cors-lens:popup-summary-replied');
    setLoad(r.ok ? { state: 'ready', summary: r.value } : { state: 'error', error: r.error });
  };
  // A layout effect runs right after the first commit, before the browser paints; a plain effect
  // would wait for that paint (Preact defers effects to the next frame), which delayed asking the
  // background by one frame or more on a busy machine.
  useLayoutEffect(() => {
    void refresh();
  }, [tabId]);
  useLayoutEffect(() => {
    // Timing marks for the popup's render figure (issue 5: under 100 ms at 5,000 exchanges),
    // relative to navigation start: the summary is in the DOM, then the frame that paints it.
    if (load.state !== 'ready') return;
    performance.mark?.('cors-lens:popup-summary');
    requestAnimationFrame(() => performance.mark?.('cors-lens:popup-painted'));
  }, [load]);
  useEffect(() => {
    // Independent of the summary: neither waits for the other.
    void transport.request({ type: 'get-settings' }).then((r) => {
      if (r.ok) setSecrets(r.value.exportSecrets);
    });
  }, []);

  const onSecrets = async (on: boolean): Promise<void> => {
    setSecrets(on);
    const r = await transport.request({ type: 'set-settings', settings: { exportSecrets: on } });
    if (!r.ok) setNote(`Could not save the setting: ${r.error}`);
  };

  const onExport = async (): Promise<void> => {
    if (tabId === null) return;
    setBusy(true);
    // The checkbox on screen decides, explicitly (even if saving the setting failed).
    const r = await transport.request({ type: 'export', tabId, includeSecrets: secrets });
    setBusy(false);
    if (!r.ok) {
      setNote(`Export failed: ${r.error}`);
      return;
    }
    download(r.value.har, r.value.filename);
    setNote(`Saved ${r.value.filename} (${r.value.count} entries).`);
  };
  const onClear = async (): Promise<void> => {
    if (tabId === null) return;
    const r = await transport.request({ type: 'clear', tabId });
    setNote(r.ok ? `Cleared ${r.value.cleared} entries.` : `Clear failed: ${r.error}`);
    await refresh();
  };

  const s = load.state === 'ready' ? load.summary : null;
  const c = s?.counters;
  return (
    <main class="popup" aria-label="CORS Lens summary" aria-busy={load.state === 'loading'}>
      <header class="p-head">
        <h1>CORS Lens</h1>
        {s?.url && (
          <span class="p-url" title={s.url}>
            {s.url}
          </span>
        )}
      </header>
      {load.state === 'error' && (
        <p class="p-error" role="alert">
          {load.error}
        </p>
      )}
      <dl class="p-counts" aria-label="Counts">
        <div>
          <dt>Cross-origin calls</dt>
          <dd>{c?.crossOrigin ?? '…'}</dd>
        </div>
        <div class="p-pass">
          <dt>Passed</dt>
          <dd>{c?.passed ?? '…'}</dd>
        </div>
        <div class={c?.failed ? 'p-fail' : ''}>
          <dt>Failed</dt>
          <dd>{c?.failed ?? '…'}</dd>
        </div>
        <div>
          <dt>Preflights</dt>
          <dd>{c?.preflights ?? '…'}</dd>
        </div>
        <div>
          <dt>Cache hits</dt>
          <dd>{c?.cacheHits ?? '…'}</dd>
        </div>
      </dl>
      {c && c.dropped > 0 && <p class="p-muted">{c.dropped} older exchanges were dropped (per-tab cap).</p>}
      <section aria-labelledby="p-top">
        <h2 id="p-top">Top failing endpoints</h2>
        {s && s.topFailures.length === 0 && <p class="p-muted">No CORS failures on this tab.</p>}
        <ol class="p-fails">
          {s?.topFailures.slice(0, MAX_FAILURES).map((f, i) => (
            <li key={i}>
              <div class="p-ep">
                <code title={f.endpoint}>{f.endpoint}</code>
                {f.count > 1 && <span class="p-count">×{f.count}</span>}
              </div>
              <div class="p-msg" title={f.message}>
                {f.message}
              </div>
              <div class="p-code">
                <code>{f.error}</code>
              </div>
            </li>
          ))}
        </ol>
        {s && s.topFailures.length > MAX_FAILURES && <p class="p-muted">More failing endpoints in the DevTools panel.</p>}
      </section>
      <label class="p-check">
        <input type="checkbox" checked={secrets} aria-describedby="p-secrets-hint" onChange={(e) => void onSecrets((e.currentTarget as HTMLInputElement).checked)} />
        Include cookies and Authorization in exports
      </label>
      <p class="p-hint p-sub" id="p-secrets-hint">
        Off by default: Cookie, Set-Cookie, Authorization and Proxy-Authorization values are redacted.
      </p>
      <div class="p-actions">
        <button type="button" class="p-primary" onClick={onExport} disabled={busy || tabId === null}>
          Export HAR
        </button>
        <button type="button" class="p-link" onClick={onClear} disabled={tabId === null}>
          Clear this tab
        </button>
      </div>
      <p class="p-status" role="status">
        {note}
      </p>
      <p class="p-hint">Open DevTools → CORS tab for the timeline, explanations and fixes.</p>
    </main>
  );
}
