/**
 * Warnings on passes: exchanges that work today but are fragile, spec-divergent, or judged on
 * incomplete evidence. Each carries the facts its explanation fills in (explain.ts).
 */
import { BROWSER_CAP_SECONDS } from './cache.ts';
import type { CorsErrorCode, WarningCode } from './codes.ts';
import { getCombined, normalizeValue } from './headers.ts';
import type { BrowserProfile, HeaderEntry } from './model.ts';

export interface WarningFacts {
  origin?: string;
  url?: string;
  header?: string;
  headers?: string[];
  maxAge?: string | null;
  effectiveSeconds?: number;
  capSeconds?: number;
  profile?: BrowserProfile;
  /** CredentialsModeUnknown: what `include` would give. */
  alternateError?: CorsErrorCode;
  alternateParameter?: string;
  observedError?: string;
}

export interface PendingWarning {
  code: WarningCode;
  facts: WarningFacts;
}

/**
 * Fetch §CORS protocol and HTTP caches: a response whose ACAO echoes the request's origin varies
 * by `Origin`; without `Vary: Origin` a shared cache may replay it to another origin.
 */
export function missingVaryOrigin(responseHeaders: readonly HeaderEntry[], origin: string, url: string): PendingWarning | null {
  const acao = getCombined(responseHeaders, 'access-control-allow-origin');
  if (acao === null || acao === '*' || acao !== origin) return null;
  const vary = (getCombined(responseHeaders, 'vary') ?? '').split(',').map((s) => normalizeValue(s).toLowerCase());
  if (vary.includes('origin') || vary.includes('*')) return null;
  return { code: 'MissingVaryOrigin', facts: { origin, url } };
}

const ACCESS_CONTROL_PREFIX = /^access-control-/i;

/** A CORS response header sent on more than one line (the browser combines them with ", "). */
export function duplicateCorsHeaders(responseHeaders: readonly HeaderEntry[], url: string): PendingWarning | null {
  // Runs on every hop of every passing exchange: one pass over the lines, lower-casing only the
  // Access-Control-* names (a handful), instead of mapping, filtering and recounting every name.
  const names: string[] = [];
  let repeated: string[] | null = null;
  for (const h of responseHeaders) {
    if (!ACCESS_CONTROL_PREFIX.test(h.name)) continue;
    const n = h.name.toLowerCase();
    if (!names.includes(n)) names.push(n);
    else if (!repeated) repeated = [n];
    else if (!repeated.includes(n)) repeated.push(n);
  }
  return repeated ? { code: 'DuplicateCorsHeader', facts: { headers: repeated.sort(), url } } : null;
}

/** Max-Age warnings for a passing preflight (cache.ts has the per-browser rules). */
export function maxAgeWarnings(maxAge: string | null, effectiveSeconds: number, profile: BrowserProfile, url: string): PendingWarning[] {
  const capSeconds = BROWSER_CAP_SECONDS[profile];
  const facts = { maxAge, effectiveSeconds, capSeconds, profile, url };
  if (maxAge === null) return [{ code: 'MaxAgeMissing', facts }];
  if (!/^\d+$/.test(maxAge)) return [{ code: 'MaxAgeInvalid', facts }];
  if (Number(maxAge) > capSeconds) return [{ code: 'MaxAgeAboveBrowserCap', facts }];
  return [];
}
