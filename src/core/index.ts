/** The public engine API (DESIGN §1: pure, runs under plain Node and in every extension page). */
export { CorsAnalyzer, analyzeCapture, judge, pairPreflights, type AnalyzeOptions } from './analyze.ts';
export type { AnalyzedEntry, CorsAnnotation, CorsKind, CorsVerdict, CorsWarning, PreflightTrigger, PreflightTriggerKind, PreflightCacheInfo, PreflightCacheHit } from './annotation.ts';
export * from './model.ts';
export {
  ALL_ERROR_CODES,
  ALL_FIREFOX_REASONS,
  ALL_WARNING_CODES,
  type CorsErrorCode,
  type FirefoxReason,
  type WarningCode,
  type CorsFailure,
} from './codes.ts';
export { ERROR_EXPLANATIONS, WARNING_EXPLANATIONS, explainError, explainWarning, type Explanation } from './explain.ts';
export { accessCheck, corsCheck } from './check.ts';
export { judgePreflight } from './preflight.ts';
export { judgeChain } from './redirect.ts';
export { effectiveMaxAge, cacheCovers, preflightCacheInfo, BROWSER_CAP_SECONDS, DEFAULT_MAX_AGE_SECONDS } from './cache.ts';
export { exposedHeaders, SAFELISTED_RESPONSE_HEADERS } from './expose.ts';
export { credentialsOf } from './credentials.ts';
export { serializeOrigin, sameOrigin, hopOrigins, NULL_ORIGIN } from './origin.ts';
export { deriveTriggers, isPreflight, isCorsRequest, isSafelistedMethod, safelistVerdict } from './classify.ts';
export { FIREFOX_REASON_FOR } from './firefox.ts';
