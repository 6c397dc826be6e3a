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

/**
 * The hypothetical exchange: edited headers, and no browser outcome. The browser's own outcome
 * was for the ORIGINAL headers, so it is no evidence about the edited exchange (the engine would,
 * e.g., read "blocked although ACAO matched" as credentials). What the original judgement
 * concluded about the credentials mode is carried over instead, so the what-if starts from the
 * same assumptions as the verdict above it.
 */
function hypothetical(e: AnalyzedEntry, headers: HeaderEntry[] | null, which: 'first' | 'last'): ObservedRequest {
  const r = e.request;
  const i = which === 'first' ? 0 : r.hops.length - 1;
  const hops = headers ? r.hops.map((h, j) => (j === i ? { ...h, responseHeaders: headers.filter((x) => x.name.trim() !== '') } : h)) : r.hops;
  const known = e.cors.credentials === 'include' || e.cors.credentials === 'omit' ? e.cors.credentials : undefined;
  return { ...r, hops, outcome: { outcome: 'incomplete' }, ...(r.credentials === undefined && known ? { credentials: known } : {}) };
}

export function rejudge(engine: PanelEngine, browser: BrowserProfile, request: AnalyzedEntry | undefined, preflight: AnalyzedEntry | undefined, edits: WhatIfEdits): WhatIfResult {
  return engine.judge(
    request ? hypothetical(request, edits.response, 'last') : null,
    preflight ? hypothetical(preflight, edits.preflight, 'first') : null,
    browser,
  );
}
