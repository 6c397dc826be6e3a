/**
 * Firefox's reason names (cors-anchors §2: `security.properties`, `nsCORSListenerProxy.cpp`, MDN
 * "CORS errors") for the failures the engine decides. Where Firefox's *verdict* differs, the
 * rule lives with the rule it modifies (cache.ts: Max-Age; redirect.ts/preflight.ts take the
 * `Origin` Firefox actually sent); where only the *name* or the order of the checks differs,
 * it is here or computed next to the check (preflight.ts: Firefox checks ACAM parse, method,
 * ACAH parse, headers in that order).
 */
import type { AccessCheckError, CorsErrorCode, FirefoxReason } from './codes.ts';

/**
 * The CORS check's reason in Firefox (`CheckRequestApproved`): it counts ACAO header *lines*
 * (two lines → CORSMultipleAllowOriginNotAllowed whatever their values) and reports every other
 * unequal ACAO — a comma list in one line, `null`, a non-URL — as CORSAllowOriginNotMatchingOrigin.
 */
export function firefoxAccessReason(err: AccessCheckError, acaoLines: number): FirefoxReason {
  if (acaoLines > 1) return 'CORSMultipleAllowOriginNotAllowed';
  switch (err) {
    case 'WildcardOriginNotAllowed':
      return 'CORSNotSupportingCredentials';
    case 'MissingAllowOriginHeader':
      return 'CORSMissingAllowOrigin';
    case 'MultipleAllowOriginValues':
    case 'InvalidAllowOriginValue':
    case 'AllowOriginMismatch':
      return 'CORSAllowOriginNotMatchingOrigin';
    case 'InvalidAllowCredentials':
      return 'CORSMissingAllowCredentials';
  }
}

/**
 * The nearest Firefox reason for each Chromium code when nothing more is known (anchors §2,
 * last column; RedirectContainsCredentials measured: Firefox ESR 153 logs CORSDidNotSucceed).
 */
export const FIREFOX_REASON_FOR: Record<CorsErrorCode, FirefoxReason | null> = {
  InvalidResponse: 'CORSDidNotSucceed',
  WildcardOriginNotAllowed: 'CORSNotSupportingCredentials',
  MissingAllowOriginHeader: 'CORSMissingAllowOrigin',
  MultipleAllowOriginValues: 'CORSAllowOriginNotMatchingOrigin',
  InvalidAllowOriginValue: 'CORSAllowOriginNotMatchingOrigin',
  AllowOriginMismatch: 'CORSAllowOriginNotMatchingOrigin',
  InvalidAllowCredentials: 'CORSMissingAllowCredentials',
  PreflightInvalidStatus: 'CORSPreflightDidNotSucceed',
  PreflightDisallowedRedirect: 'CORSExternalRedirectNotAllowed',
  PreflightWildcardOriginNotAllowed: 'CORSNotSupportingCredentials',
  PreflightMissingAllowOriginHeader: 'CORSMissingAllowOrigin',
  PreflightMultipleAllowOriginValues: 'CORSAllowOriginNotMatchingOrigin',
  PreflightInvalidAllowOriginValue: 'CORSAllowOriginNotMatchingOrigin',
  PreflightAllowOriginMismatch: 'CORSAllowOriginNotMatchingOrigin',
  PreflightInvalidAllowCredentials: 'CORSMissingAllowCredentials',
  InvalidAllowMethodsPreflightResponse: 'CORSInvalidAllowMethod',
  InvalidAllowHeadersPreflightResponse: 'CORSInvalidAllowHeader',
  MethodDisallowedByPreflightResponse: 'CORSMethodNotFound',
  HeaderDisallowedByPreflightResponse: 'CORSMissingAllowHeaderFromPreflight',
  RedirectContainsCredentials: 'CORSDidNotSucceed',
};
