/**
 * Every verdict code the engine can emit: Chromium `Network.CorsError` names for failures
 * (cors-anchors §1a, the values an observer of HTTP headers can decide), Firefox reason names
 * (cors-anchors §2), and the engine's own warning codes.
 */

/** Chromium `Network.CorsError` values the engine emits (cors-anchors §1c "header-decidable" + InvalidResponse). */
export const ALL_ERROR_CODES = [
  'InvalidResponse',
  'WildcardOriginNotAllowed',
  'MissingAllowOriginHeader',
  'MultipleAllowOriginValues',
  'InvalidAllowOriginValue',
  'AllowOriginMismatch',
  'InvalidAllowCredentials',
  'PreflightInvalidStatus',
  'PreflightDisallowedRedirect',
  'PreflightWildcardOriginNotAllowed',
  'PreflightMissingAllowOriginHeader',
  'PreflightMultipleAllowOriginValues',
  'PreflightInvalidAllowOriginValue',
  'PreflightAllowOriginMismatch',
  'PreflightInvalidAllowCredentials',
  'InvalidAllowMethodsPreflightResponse',
  'InvalidAllowHeadersPreflightResponse',
  'MethodDisallowedByPreflightResponse',
  'HeaderDisallowedByPreflightResponse',
  'RedirectContainsCredentials',
] as const;
export type CorsErrorCode = (typeof ALL_ERROR_CODES)[number];

/** The subset produced by the CORS check (Fetch §CORS check), before the `Preflight` prefix. */
export type AccessCheckError =
  | 'WildcardOriginNotAllowed'
  | 'MissingAllowOriginHeader'
  | 'MultipleAllowOriginValues'
  | 'InvalidAllowOriginValue'
  | 'AllowOriginMismatch'
  | 'InvalidAllowCredentials';

/** Firefox reason names the engine emits (cors-anchors §2; MDN slugs). */
export const ALL_FIREFOX_REASONS = [
  'CORSDidNotSucceed',
  'CORSMultipleAllowOriginNotAllowed',
  'CORSMissingAllowOrigin',
  'CORSNotSupportingCredentials',
  'CORSAllowOriginNotMatchingOrigin',
  'CORSMissingAllowCredentials',
  'CORSExternalRedirectNotAllowed',
  'CORSPreflightDidNotSucceed',
  'CORSInvalidAllowMethod',
  'CORSMethodNotFound',
  'CORSInvalidAllowHeader',
  'CORSMissingAllowHeaderFromPreflight',
] as const;
export type FirefoxReason = (typeof ALL_FIREFOX_REASONS)[number];

/** Warning codes: passes that are fragile, spec-divergent, or judged on incomplete evidence. */
export const ALL_WARNING_CODES = [
  'MissingVaryOrigin',
  'MaxAgeMissing',
  'MaxAgeAboveBrowserCap',
  'MaxAgeInvalid',
  'AuthorizationCoveredByWildcard',
  'DuplicateCorsHeader',
  'CredentialsModeUnknown',
  'BrowserOutcomeDiffers',
] as const;
export type WarningCode = (typeof ALL_WARNING_CODES)[number];

/** A failed check: the Chromium name and failedParameter (exactly as CDP `corsErrorStatus` reports them). */
export interface CorsFailure {
  error: CorsErrorCode;
  /** As Chromium's `CorsErrorStatus.failed_parameter`: "" when Chromium sets none. */
  failedParameter: string;
  firefoxReason: FirefoxReason | null;
  /** Facts for the explanation (header values, names); see explain.ts. */
  facts: FailureFacts;
}

/** Values a failure explanation fills in. */
export interface FailureFacts {
  /** The origin the browser compared against (the `Origin` it sent, or `null` after a taint). */
  origin?: string | null;
  /** The URL of the response that failed. */
  url?: string;
  method?: string;
  header?: string;
  /** Raw ACAO (combined), ACAC, ACAM, ACAH values where relevant. */
  allowOrigin?: string | null;
  allowCredentials?: string | null;
  allowMethods?: string | null;
  allowHeaders?: string | null;
  /** The offending token of an unparsable ACAM/ACAH. */
  badToken?: string;
  status?: number;
  location?: string;
  /** The net error string when the response never arrived. */
  netError?: string;
  /** Whether the failing check was on a preflight response. */
  preflight?: boolean;
  /** Whether the request was a tainted (Origin: null) one after a cross-origin redirect. */
  tainted?: boolean;
}
