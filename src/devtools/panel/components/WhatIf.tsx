import { useMemo, useState } from 'preact/hooks';
import type { AnalyzedEntry } from '../../../core/annotation.ts';
import { firstHop, lastHop, type BrowserProfile, type HeaderEntry } from '../../../core/model.ts';
import { rejudge, type WhatIfEdits, type WhatIfResult } from '../lib/whatif.ts';
import type { PanelEngine } from '../types.ts';
import { VerdictBadge } from './Badge.tsx';

interface Props {
  request: AnalyzedEntry | undefined;
  preflight: AnalyzedEntry | undefined;
  engine: PanelEngine;
  browser: BrowserProfile;
}

function HeaderEditor({ label, headers, onChange }: { label: string; headers: HeaderEntry[]; onChange: (h: HeaderEntry[]) => void }) {
  const update = (i: number, patch: Partial<HeaderEntry>): void => onChange(headers.map((h, j) => (j === i ? { ...h, ...patch } : h)));
  return (
    <fieldset class="wi-group">
      <legend>{label}</legend>
      {headers.map((h, i) => (
        <div class="wi-row" key={i}>
          <input class="wi-name" aria-label={`${label}: header ${i + 1} name`} value={h.name} onInput={(e) => update(i, { name: (e.currentTarget as HTMLInputElement).value })} />
          <input class="wi-value" aria-label={`${label}: header ${i + 1} value`} value={h.value} onInput={(e) => update(i, { value: (e.currentTarget as HTMLInputElement).value })} />
          <button type="button" class="icon-btn" aria-label={`${label}: remove header ${i + 1}`} onClick={() => onChange(headers.filter((_, j) => j !== i))}>
            −
          </button>
        </div>
      ))}
      <button type="button" class="link-btn" onClick={() => onChange([...headers, { name: '', value: '' }])}>
        + Add header to {label.toLowerCase()}
      </button>
    </fieldset>
  );
}

export function WhatIf({ request, preflight, engine, browser }: Props) {
  const original: WhatIfEdits = {
    preflight: preflight ? [...(firstHop(preflight.request).responseHeaders ?? [])] : null,
    response: request ? [...(lastHop(request.request).responseHeaders ?? [])] : null,
  };
  const [edits, setEdits] = useState<WhatIfEdits>(original);
  const [profile, setProfile] = useState<BrowserProfile>(browser);
  const [touched, setTouched] = useState(false);

  const result = useMemo((): WhatIfResult | { error: string } => {
    try {
      return rejudge(engine, profile, request, preflight, edits);
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) };
    }
  }, [engine, profile, request, preflight, edits]);

  const change = (patch: Partial<WhatIfEdits>): void => {
    setEdits({ ...edits, ...patch });
    setTouched(true);
  };
  const shown = 'error' in result ? null : (result.request ?? result.preflight);

  return (
    <div class="whatif">
      <p class="hint">Edit the response headers; the verdict is recomputed locally by the same engine. Nothing is sent to the network.</p>
      <div class="wi-controls">
        <label>
          Judge as{' '}
          <select aria-label="Judge as browser" value={profile} onChange={(e) => setProfile((e.currentTarget as HTMLSelectElement).value as BrowserProfile)}>
            <option value="chromium">Chromium</option>
            <option value="firefox">Firefox</option>
          </select>
        </label>
        <button
          type="button"
          disabled={!touched}
          onClick={() => {
            setEdits(original);
            setTouched(false);
          }}
        >
          Reset headers
        </button>
      </div>
      {edits.preflight && <HeaderEditor label="Preflight response" headers={edits.preflight} onChange={(h) => change({ preflight: h })} />}
      {edits.response && <HeaderEditor label="Response" headers={edits.response} onChange={(h) => change({ response: h })} />}
      <div class="wi-result" role="status" aria-live="polite" aria-label="What-if verdict">
        {'error' in result ? (
          <span class="count-fail">Could not re-judge: {result.error}</span>
        ) : shown ? (
          <>
            <VerdictBadge verdict={shown.verdict} /> {shown.error && <code>{shown.error}</code>} <span>{shown.message}</span>
          </>
        ) : (
          <span>The engine returned no verdict for this exchange.</span>
        )}
      </div>
    </div>
  );
}
