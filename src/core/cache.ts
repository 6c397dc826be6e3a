/**
 * The CORS-preflight cache (https://fetch.spec.whatwg.org/#cors-preflight-cache) and
 * `Access-Control-Max-Age` (https://fetch.spec.whatwg.org/#http-access-control-max-age:
 * "5 by default"), with each browser's deviations (cors-anchors §3a, browser-facts §G/§H):
 *
 * | value            | Chromium (`preflight_result.cc`)     | Firefox (`nsCORSListenerProxy.cpp`) |
 * |------------------|--------------------------------------|-------------------------------------|
 * | absent           | 5 s                                  | 5 s                                 |
 * | unparsable       | 5 s (`StringToInt64` fails)           | not cached (any non-digit)          |
 * | negative         | not cached                           | not cached (non-digit `-`)          |
 * | 0                | not cached                           | not cached                          |
 * | above the cap    | 7200 s                               | 86400 s                             |
 */
import type { PreflightCacheInfo } from './annotation.ts';
import { getCombined } from './headers.ts';
import type { BrowserProfile, HeaderEntry } from './model.ts';

export const DEFAULT_MAX_AGE_SECONDS = 5;
export const BROWSER_CAP_SECONDS: Record<BrowserProfile, number> = { chromium: 7200, firefox: 86400 };

export function effectiveMaxAge(header: string | null, profile: BrowserProfile): number {
  const cap = BROWSER_CAP_SECONDS[profile];
  if (header === null) return DEFAULT_MAX_AGE_SECONDS;
  if (profile === 'firefox') {
    if (!/^\d+$/.test(header)) return 0;
    return Math.min(Number(header), cap);
  }
  // base::StringToInt64: optional sign, digits only, must fit in int64 (19 digits is a safe bound).
  const m = /^([+-]?)(\d{1,19})$/.exec(header);
  if (!m) return DEFAULT_MAX_AGE_SECONDS;
  const n = Number(m[2]) * (m[1] === '-' ? -1 : 1);
  if (n < 0) return 0;
  return Math.min(n, cap);
}

export function preflightCacheInfo(responseHeaders: readonly HeaderEntry[] | null, profile: BrowserProfile): PreflightCacheInfo {
  const maxAgeHeader = getCombined(responseHeaders, 'access-control-max-age');
  return {
    maxAgeHeader,
    effectiveSeconds: effectiveMaxAge(maxAgeHeader, profile),
    browserCapSeconds: BROWSER_CAP_SECONDS[profile],
  };
}

/** What a passing preflight put in the cache (Fetch §CORS-preflight cache entries). */
export interface PreflightCacheEntry {
  preflightId: string;
  origin: string;
  url: string;
  /** Whether the entries were created with credentials (the actual request's mode was include). */
  credentials: boolean;
  /** ACAM tokens (byte-exact) and ACAH names (lower-case). */
  methods: readonly string[];
  headers: readonly string[];
  /** Epoch ms when the preflight response arrived, and until when its entries are fresh. */
  createdMs: number;
  expiresMs: number;
}

export interface CacheQuery {
  origin: string;
  url: string;
  credentials: boolean;
  method: string;
  /** CORS-unsafe request-header names, lower-case. */
  unsafeHeaders: readonly string[];
  atMs: number;
}

/**
 * Fetch §CORS-preflight cache "method cache entry match" / "header-name cache entry match":
 * same origin and URL; an entry made without credentials serves only requests without them;
 * the method is safelisted, listed, or covered by `*` (no credentials); every unsafe header is
 * listed or covered by `*` — which, as the browsers do today (cors-anchors §3a), includes
 * `authorization`. Fresh while `atMs < expiresMs`.
 */
export function cacheCovers(entry: PreflightCacheEntry, q: CacheQuery): boolean {
  if (entry.origin !== q.origin || entry.url !== q.url) return false;
  if (q.credentials && !entry.credentials) return false;
  if (!(q.atMs >= entry.createdMs && q.atMs < entry.expiresMs)) return false;
  const wildcard = !entry.credentials;
  const methodOk =
    q.method === 'GET' || q.method === 'HEAD' || q.method === 'POST' || entry.methods.includes(q.method) || (wildcard && entry.methods.includes('*'));
  if (!methodOk) return false;
  const names = new Set(entry.headers);
  return q.unsafeHeaders.every((h) => names.has(h) || (wildcard && names.has('*')));
}
