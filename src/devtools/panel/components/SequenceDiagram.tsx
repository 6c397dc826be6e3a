/**
 * Browser ↔ server sequence diagram in HTML (text wraps and stays selectable, unlike SVG text):
 * two lifelines, one arrow per message, the breaking message in red with the failing header named.
 */
import type { SeqStep } from '../lib/sequence.ts';

export function SequenceDiagram({ steps, serverOrigin }: { steps: SeqStep[]; serverOrigin: string }) {
  return (
    <div class="seq" role="list" aria-label="Sequence of messages between the browser and the server">
      <div class="seq-ends" aria-hidden="true">
        <span>Browser</span>
        <span>Server {serverOrigin}</span>
      </div>
      {steps.map((s, i) => (
        <div role="listitem" key={i} class={`seq-step seq-${s.dir}${s.broken ? ' seq-broken' : ''}`}>
          <div class="seq-label">
            <span class="seq-title">
              {s.dir === 'to-server' ? '→ ' : s.dir === 'to-browser' ? '← ' : ''}
              {s.title}
            </span>
            {s.failingLabel && <span class="seq-failing">✗ {s.failingLabel}</span>}
            {s.headers.map((h, j) => (
              <span key={j} class={`seq-h${h.failing ? ' seq-h-fail' : ''}`}>
                {h.name}: {h.value}
              </span>
            ))}
          </div>
          {s.dir !== 'note' && <div class="seq-arrow" aria-hidden="true" />}
        </div>
      ))}
    </div>
  );
}
