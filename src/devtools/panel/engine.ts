/**
 * The real PanelEngine: the core HAR reader and the core analyzer, the same code the background
 * and the CLI run (so an imported file is judged exactly like live traffic).
 */
import type { AnalyzedEntry, CorsAnnotation } from '../../core/annotation.ts';
import { parseHar } from '../../core/har/read.ts';
import type { BrowserProfile, ObservedRequest } from '../../core/model.ts';
import type { PanelEngine } from './types.ts';

/**
 * TEMPORARY until src/core/analyze.ts lands: keeps the `_cors` a CORS Lens HAR carries and
 * marks everything else `unknown`. Replaced by analyzeCapture.
 */
const carried = new WeakMap<ObservedRequest, CorsAnnotation>();

function placeholder(r: ObservedRequest): CorsAnnotation {
  return {
    id: r.id, kind: 'simple', verdict: 'unknown', error: null, failedParameter: null, firefoxReason: null,
    message: 'Not judged: the engine is not available in this build.', fix: '', warnings: [], pairedWith: null,
    preflightTriggers: [], preflightCache: null, credentials: 'unknown', credentialsInferred: false, exposedHeaders: null,
    origin: null, observed: { outcome: r.outcome.outcome },
  };
}

export const panelEngine: PanelEngine = {
  parseHar(text: string): ObservedRequest[] {
    const res = parseHar(text);
    for (const r of res.requests) {
      const a = res.annotations?.get(r.id);
      if (a) carried.set(r, a);
    }
    return res.requests;
  },
  analyze(requests: ObservedRequest[], _browser: BrowserProfile): AnalyzedEntry[] {
    return requests.map((request) => ({ request, cors: carried.get(request) ?? placeholder(request) }));
  },
};
