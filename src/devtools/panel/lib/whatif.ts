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
  const input: ObservedRequest[] = [];
  if (preflight) input.push(withHeaders(preflight.request, edits.preflight, 'first'));
  if (request) input.push(withHeaders(request.request, edits.response, 'last'));
  const out = engine.analyze(input, browser);
  const find = (e: AnalyzedEntry | undefined): CorsAnnotation | null => (e ? (out.find((o) => o.request.id === e.request.id)?.cors ?? null) : null);
  return { request: find(request), preflight: find(preflight) };
}
