/**
 * Preflight-cache arithmetic for the detail view: when a cached preflight expires, and how many
 * preflights in the capture repeated one that a longer Access-Control-Max-Age would have covered.
 */
import type { AnalyzedEntry } from '../../../core/annotation.ts';
import { firstHop, headerGet } from '../../../core/model.ts';

function key(e: AnalyzedEntry): string {
  const hop = firstHop(e.request);
  return [e.cors.origin ?? '', hop.url, headerGet(hop.requestHeaders, 'access-control-request-method') ?? '', (headerGet(hop.requestHeaders, 'access-control-request-headers') ?? '').toLowerCase()].join('\n');
}

/**
 * Preflights identical to this one (same origin, URL, requested method and headers) that were sent
 * after it within the browser's cap: each could have been a cache hit had Max-Age been at the cap.
 * (Chromium's cache key also includes the credentials mode and network isolation key, which a
 * capture of one tab shares; Fetch §CORS-preflight cache.)
 */
export function avoidablePreflights(preflight: AnalyzedEntry, entries: readonly AnalyzedEntry[], capSeconds: number): number {
  const k = key(preflight);
  const t0 = firstHop(preflight.request).startedMs;
  let n = 0;
  for (const e of entries) {
    if (e === preflight || e.cors.kind !== 'preflight') continue;
    const t = firstHop(e.request).startedMs;
    if (t > t0 && t - t0 <= capSeconds * 1000 && key(e) === k) n++;
  }
  return n;
}

/** Epoch ms at which the cached preflight stops being used; null when it was not cached. */
export function expiresAt(preflight: AnalyzedEntry, effectiveSeconds: number): number | null {
  if (effectiveSeconds <= 0) return null;
  const hop = firstHop(preflight.request);
  return (hop.endedMs ?? hop.startedMs) + effectiveSeconds * 1000;
}
