/**
 * What-if: re-judge one exchange with response headers the user edited. Only the engine runs;
 * nothing is sent to the network. Pure apart from the injected engine.
 */
import type { AnalyzedEntry, CorsAnnotation } from '../../../core/annotation.ts';
import type { BrowserProfile, HeaderEntry, ObservedRequest } from '../../../core/model.ts';
import type { PanelEngine } from '../types.ts';

export interface WhatIfEdits {
  /** Replacement headers for the preflight's response, or null to keep them. */
  preflight: HeaderEntry[] | null;
  /** Replacement headers for the request's final response, or null to keep them. */
  response: HeaderEntry[] | null;
}

export interface WhatIfResult {
  request: CorsAnnotation | null;
  preflight: CorsAnnotation | null;
}

function withHeaders(r: ObservedRequest, headers: HeaderEntry[] | null, which: 'first' | 'last'): ObservedRequest {
  if (!headers) return r;
  const i = which === 'first' ? 0 : r.hops.length - 1;
  const hops = r.hops.map((h, j) => (j === i ? { ...h, responseHeaders: headers.filter((x) => x.name.trim() !== '') } : h));
  return { ...r, hops };
}

export function rejudge(engine: PanelEngine, browser: BrowserProfile, request: AnalyzedEntry | undefined, preflight: AnalyzedEntry | undefined, edits: WhatIfEdits): WhatIfResult {
  return engine.judge(
    request ? withHeaders(request.request, edits.response, 'last') : null,
    preflight ? withHeaders(preflight.request, edits.preflight, 'first') : null,
    browser,
  );
}
