/**
 * Judging a CORS preflight (https://fetch.spec.whatwg.org/#cors-preflight-fetch) in Chromium's
 * order (`services/network/cors/preflight_controller.cc`, `preflight_result.cc`):
 *
 *  1. no response (a network error)               → no CORS error (Chromium reports only the net error)
 *  2. the response is a redirect                  → PreflightDisallowedRedirect (the loader's redirect
 *     callback fires before any header is looked at)
 *  3. the CORS check on the preflight response    → Preflight{WildcardOriginNotAllowed, MissingAllowOriginHeader, …}
 *     (with the *actual* request's credentials mode — `CheckPreflightAccess` runs it first, so a
 *     404 without ACAO reports PreflightMissingAllowOriginHeader, not PreflightInvalidStatus)
 *  4. ok status 200–299                           → PreflightInvalidStatus (failedParameter "")
 *  5. ACAM, then ACAH, must parse as #token lists → InvalidAllowMethodsPreflightResponse / InvalidAllowHeadersPreflightResponse
 *  6. method allowed                              → MethodDisallowedByPreflightResponse (the method)
 *  7. each unsafe header allowed                  → HeaderDisallowedByPreflightResponse (the lower-case name)
 *
 * Firefox checks the same things but steps 5–7 in another order (ACAM parse, method, ACAH parse,
 * headers: `nsCORSPreflightListener::CheckPreflightRequestApproved`); only the reason name differs.
 */
import { corsCheck } from './check.ts';
import type { CorsFailure, FirefoxReason } from './codes.ts';
import { getCombined, parseTokenList } from './headers.ts';
import { isSafelistedMethod } from './classify.ts';
import type { ObservedRequest, RequestHop } from './model.ts';
import { parseUrl } from './url.ts';

export interface PreflightInput {
  preflight: ObservedRequest;
  /** The origin the preflight carried in `Origin` (the comparison value for ACAO). */
  origin: string;
  credentialsInclude: boolean;
  /** `Access-Control-Request-Method`. */
  method: string;
  /** `Access-Control-Request-Headers` names, lower-case, in the order sent (sorted by the browser). */
  unsafeHeaders: readonly string[];
}

export type PreflightJudgement =
  | {
      state: 'pass';
      methods: string[];
      headers: string[];
      /** `*` in ACAH let `authorization` through (allowed by Chromium and Firefox today, not by the standard). */
      authorizationCoveredByWildcard: boolean;
    }
  | { state: 'fail'; failure: CorsFailure }
  | { state: 'unknown'; reason: 'network-error' | 'incomplete'; netError?: string };

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

function isRedirect(req: ObservedRequest, hop: RequestHop): string | null {
  if (hop.redirectURL) return hop.redirectURL;
  if (req.hops.length > 1) return req.hops[1]!.url;
  const loc = getCombined(hop.responseHeaders, 'location');
  if (REDIRECT_STATUSES.has(hop.status) && loc !== null) return parseUrl(loc, hop.url)?.href ?? loc;
  return null;
}

function fail(
  error: CorsFailure['error'],
  failedParameter: string,
  firefoxReason: FirefoxReason | null,
  facts: CorsFailure['facts'],
): PreflightJudgement {
  return { state: 'fail', failure: { error, failedParameter, firefoxReason, facts: { ...facts, preflight: true } } };
}

export function judgePreflight(input: PreflightInput): PreflightJudgement {
  const req = input.preflight;
  const hop = req.hops[0]!;
  const base = { url: hop.url, origin: input.origin, method: input.method };

  if (hop.responseHeaders === null || hop.status === 0) {
    // A preflight that got no response at all is a network error, not a CORS error: Chromium 156
    // reports the net error (e.g. net::ERR_EMPTY_RESPONSE) on both the preflight and the request
    // with no `corsErrorStatus` (measured by the conformance recorder), so there is nothing to
    // name — the request is undecided, like any request whose server never answered.
    if (req.outcome.outcome === 'failed') return { state: 'unknown', reason: 'network-error', netError: req.outcome.error };
    return { state: 'unknown', reason: 'incomplete' };
  }

  const location = isRedirect(req, hop);
  if (location !== null) {
    return fail('PreflightDisallowedRedirect', '', 'CORSExternalRedirectNotAllowed', { ...base, status: hop.status, location });
  }

  const access = corsCheck(
    { url: hop.url, status: hop.status, responseHeaders: hop.responseHeaders, origin: input.origin, credentialsInclude: input.credentialsInclude },
    { preflight: true },
  );
  if (access) {
    // corsCheck returns a fresh failure: add the method in place (same keys, same order as a copy).
    access.facts.method = input.method;
    return { state: 'fail', failure: access };
  }

  if (hop.status < 200 || hop.status > 299) {
    return fail('PreflightInvalidStatus', '', 'CORSPreflightDidNotSucceed', { ...base, status: hop.status });
  }

  const acam = getCombined(hop.responseHeaders, 'access-control-allow-methods');
  const acah = getCombined(hop.responseHeaders, 'access-control-allow-headers');
  const methodsParsed = parseTokenList(acam);
  const headersParsed = parseTokenList(acah);
  // Built only for a failure: a passing preflight (nearly all of them) needs no explanation facts.
  const facts = (): CorsFailure['facts'] => ({ url: base.url, origin: base.origin, method: base.method, allowMethods: acam, allowHeaders: acah, status: hop.status });

  // `*` is a wildcard in ACAM/ACAH only for requests without credentials (Fetch §CORS-preflight fetch).
  const wildcard = !input.credentialsInclude;
  const methodDenied = (methods: readonly string[]) =>
    !(isSafelistedMethod(input.method) || methods.includes(input.method) || (wildcard && methods.includes('*')));
  const firstDeniedHeader = (names: ReadonlySet<string>): string | null => {
    if (wildcard && names.has('*')) return null;
    for (const h of input.unsafeHeaders) if (!names.has(h)) return h;
    return null;
  };

  // Firefox's reason for steps 5–7, in its own order.
  const firefoxReason = (): FirefoxReason | null => {
    if ('invalid' in methodsParsed) return 'CORSInvalidAllowMethod';
    if (methodDenied(methodsParsed.tokens)) return 'CORSMethodNotFound';
    if ('invalid' in headersParsed) return 'CORSInvalidAllowHeader';
    if (firstDeniedHeader(new Set(headersParsed.tokens.map((t) => t.toLowerCase()))) !== null) return 'CORSMissingAllowHeaderFromPreflight';
    return null;
  };

  if ('invalid' in methodsParsed) {
    return fail('InvalidAllowMethodsPreflightResponse', '', firefoxReason(), { ...facts(), badToken: methodsParsed.invalid });
  }
  if ('invalid' in headersParsed) {
    return fail('InvalidAllowHeadersPreflightResponse', '', firefoxReason(), { ...facts(), badToken: headersParsed.invalid });
  }
  const methods = methodsParsed.tokens;
  const headers = headersParsed.tokens.map((t) => t.toLowerCase());
  // Byte-exact method match (Chromium since AccessControlAllowMethodsInCORSPreflightSpecConformant;
  // Firefox `Equals`): `put` in ACAM does not allow `PUT`.
  if (methodDenied(methods)) {
    return fail('MethodDisallowedByPreflightResponse', input.method, firefoxReason(), facts());
  }
  const names = new Set(headers);
  const denied = firstDeniedHeader(names);
  if (denied !== null) {
    return fail('HeaderDisallowedByPreflightResponse', denied, firefoxReason(), { ...facts(), header: denied });
  }
  const authorizationCoveredByWildcard =
    wildcard && names.has('*') && input.unsafeHeaders.includes('authorization') && !names.has('authorization');
  return { state: 'pass', methods, headers, authorizationCoveredByWildcard };
}
