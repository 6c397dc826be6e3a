/**
 * The `_cors` object carried by every entry of an annotated HAR (DESIGN §3.3). This is a public
 * contract: the extension's export, the CLI's `--format har|json`, the panel and the tests all
 * read it. Change it only with a migration note in the README.
 */
import type { CredentialsMode, ObservedRequest } from './model.ts';

export type CorsKind = 'preflight' | 'preflighted' | 'simple' | 'not-cors';
export type CorsVerdict = 'pass' | 'fail' | 'unknown' | 'n/a';

export type PreflightTriggerKind = 'method' | 'header' | 'content-type' | 'other';
export interface PreflightTrigger {
  kind: PreflightTriggerKind;
  value: string;
}

export interface CorsWarning {
  /** Stable PascalCase code, e.g. `MissingVaryOrigin`, `AuthorizationCoveredByWildcard`. */
  code: string;
  message: string;
}

/** On a preflight entry. */
export interface PreflightCacheInfo {
  /** The raw `Access-Control-Max-Age` value, or null when absent. */
  maxAgeHeader: string | null;
  /** How long this browser caches this preflight (0 = not cached). */
  effectiveSeconds: number;
  /** The browser's cap: 7200 (Chromium) or 86400 (Firefox). */
  browserCapSeconds: number;
}

/** On a preflighted request that went out without a preflight of its own. */
export interface PreflightCacheHit {
  hit: true;
  /** The id of the earlier preflight whose cache entry served it, or null if not in the capture. */
  preflightId: string | null;
}

export interface CorsAnnotation {
  id: string;
  kind: CorsKind;
  verdict: CorsVerdict;
  /** Chromium `Network.CorsError` name of the first failing check on `fail`; else null. */
  error: string | null;
  failedParameter: string | null;
  firefoxReason: string | null;
  message: string;
  fix: string;
  warnings: CorsWarning[];
  pairedWith: string | null;
  preflightTriggers: PreflightTrigger[];
  preflightCache: PreflightCacheInfo | PreflightCacheHit | null;
  credentials: CredentialsMode | 'unknown';
  credentialsInferred: boolean;
  exposedHeaders: string[] | null;
  origin: string | null;
  observed: { outcome: 'completed' | 'failed' | 'incomplete'; error?: string };
}

/** One request of a capture with its judgement: the unit the store, panel, export and CLI share. */
export interface AnalyzedEntry {
  request: ObservedRequest;
  cors: CorsAnnotation;
}
