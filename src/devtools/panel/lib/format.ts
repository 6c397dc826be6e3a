/**
 * Small pure helpers shared by the panel's components: URL splitting, labels, durations.
 * Everything returns plain strings; components render them as text nodes only.
 */
import type { AnalyzedEntry, CorsKind, CorsVerdict } from '../../../core/annotation.ts';
import { firstHop, lastHop } from '../../../core/model.ts';
import { urlAuthority } from '../../../core/origin.ts';

export interface UrlParts {
  origin: string;
  /** Path + query + fragment ("/" when empty). */
  path: string;
}

/**
 * Parsed URLs, shared: the list, the filters and the origin menu ask for the same URLs on every
 * render, and `new URL()` per entry was 43 % of the first render at 10,000 entries (docs/bench.md).
 * Bounded: cleared when it grows past MAX_PARSED distinct URLs.
 */
const parsed = new Map<string, Readonly<UrlParts>>();
const MAX_PARSED = 20_000;

/** Splits a URL into origin and the rest; a URL that does not parse is all "path". */
export function splitUrl(url: string): Readonly<UrlParts> {
  const hit = parsed.get(url);
  if (hit) return hit;
  let parts: UrlParts;
  try {
    const u = new URL(url);
    const origin = u.origin === 'null' ? `${u.protocol}//${u.host}` : u.origin;
    parts = { origin, path: `${u.pathname}${u.search}${u.hash}` || '/' };
  } catch {
    parts = { origin: '', path: url };
  }
  if (parsed.size >= MAX_PARSED) parsed.clear();
  const frozen = Object.freeze(parts);
  parsed.set(url, frozen);
  return frozen;
}

/**
 * The origin of a URL. A capture has thousands of distinct URLs on a handful of origins, so the
 * URL is parsed by its authority prefix (one `new URL()` per origin, not per URL: the origin menu
 * asks for every entry's origin on the first render); anything unusual takes the full parse.
 */
export function originOf(url: string): string {
  return splitUrl(urlAuthority(url) ?? url).origin;
}

export const KIND_LABEL: Record<CorsKind, string> = {
  preflight: 'preflight',
  preflighted: 'preflighted',
  simple: 'simple',
  'not-cors': 'not CORS',
};

export const VERDICT_LABEL: Record<CorsVerdict, string> = {
  pass: 'pass',
  fail: 'fail',
  unknown: 'unknown',
  'n/a': 'n/a',
};

/** Start of an exchange on the shared time axis (epoch ms). */
export function startMs(e: AnalyzedEntry): number {
  return firstHop(e.request).startedMs;
}

/** End of an exchange, or its start when the end is unknown (a bar of zero width, never NaN). */
export function endMs(e: AnalyzedEntry): number {
  const end = lastHop(e.request).endedMs;
  return end ?? startMs(e);
}

export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export function durationOf(e: AnalyzedEntry): number | null {
  const end = lastHop(e.request).endedMs;
  return end === null ? null : end - startMs(e);
}

/** Final status for the list: 0 means no response ("—"), matching DevTools' "(failed)". */
export function statusLabel(e: AnalyzedEntry): string {
  const hop = lastHop(e.request);
  if (hop.status === 0) return e.request.outcome.outcome === 'failed' ? '(failed)' : '—';
  return String(hop.status);
}

/** The origin that made the request: the Origin header as sent, else the initiator. */
export function initiatorOrigin(e: AnalyzedEntry): string {
  return e.cors.origin ?? e.request.initiator ?? '?';
}

/** Whether this preflighted request was served by a cached preflight. */
export function isCacheHit(e: AnalyzedEntry): boolean {
  const c = e.cors.preflightCache;
  return c !== null && 'hit' in c && c.hit;
}

/**
 * "initiator → target" for the list: when both origins share a scheme the scheme is dropped to
 * save width (the full origins stay in the cell's title).
 */
export function originPair(from: string, to: string): string {
  const scheme = (o: string): string => o.slice(0, o.indexOf('://') + 3);
  const sa = scheme(from);
  if (sa.length > 3 && sa === scheme(to)) return `${from.slice(sa.length)} → ${to.slice(sa.length)}`;
  return `${from} → ${to}`;
}
