/**
 * The actual request's responses, hop by hop (https://fetch.spec.whatwg.org/#http-redirect-fetch,
 * Chromium `CorsURLLoader::OnReceiveRedirect` / `OnReceiveResponse`):
 *
 * - the CORS flag is set once a hop's URL is cross-origin to the request's origin, and stays set
 *   (Chromium `SetCorsFlagIfNeeded` returns early once set);
 * - with the CORS flag, every response — redirects included — must pass the CORS check;
 * - then the redirect's Location must not carry userinfo when the request is tainted or the
 *   Location is cross-origin to the request's origin, or when the CORS flag is set →
 *   RedirectContainsCredentials (Chromium sets no failedParameter);
 * - then the tainted-origin flag may be set (origin.ts `taintsOnRedirect`): later hops send
 *   `Origin: null` and ACAO is compared with `null`.
 *
 * The comparison origin of a hop is the `Origin` the browser actually sent on it when seen
 * (Firefox keeps the page origin on a re-issued preflight where Chromium sends `null`:
 * browser-facts §H), else the computed one.
 */
import { corsCheck } from './check.ts';
import type { CorsFailure } from './codes.ts';
import { getCombined } from './headers.ts';
import type { ObservedRequest, RequestHop } from './model.ts';
import { hasCredentialsInUrl, NULL_ORIGIN, sameOrigin, taintsOnRedirect } from './origin.ts';
import { parseUrl } from './url.ts';

export type ChainJudgement =
  /** `opaqueRedirect`: the final response is an unfollowed redirect (redirect mode `manual`). */
  | { state: 'pass'; finalHop: RequestHop; finalOrigin: string; opaqueRedirect: boolean }
  | { state: 'fail'; failure: CorsFailure; hopIndex: number }
  | { state: 'unknown'; reason: 'no-response' | 'network-error' | 'blocked-unseen'; netError?: string };

/** Where hop `i` redirected to, if it was a redirect. */
export function redirectTarget(req: ObservedRequest, i: number): string | null {
  const hop = req.hops[i]!;
  if (hop.redirectURL) return hop.redirectURL;
  const next = req.hops[i + 1];
  if (next) return next.url;
  const loc = getCombined(hop.responseHeaders, 'location');
  if (hop.status >= 300 && hop.status < 400 && loc !== null) return parseUrl(loc, hop.url)?.href ?? loc;
  return null;
}

/**
 * Net errors that are the browser's CORS block itself (not a network failure): the reason is
 * then in headers the observer did not get to see.
 */
const CORS_BLOCK_ERRORS = new Set(['net::ERR_FAILED', 'NS_ERROR_DOM_BAD_URI']);
const ABORTED = new Set(['net::ERR_ABORTED', 'NS_BINDING_ABORTED']);

export interface ChainInput {
  req: ObservedRequest;
  /** The request's serialized origin (its first `Origin`). */
  origin: string;
  credentialsInclude: boolean;
  /** A failed preflight guarding hop i stops the chain there (set by the analyzer). */
  preflightFailureAt?: (hopIndex: number) => CorsFailure | null;
}

export function judgeChain(input: ChainInput): ChainJudgement {
  const { req, origin } = input;
  let corsFlag = false;
  let tainted = origin === NULL_ORIGIN;
  let prevOrigin = origin;
  for (let i = 0; i < req.hops.length; i++) {
    const hop = req.hops[i]!;
    if (!corsFlag && (tainted || !sameOrigin(origin, hop.url))) corsFlag = true;
    const pf = input.preflightFailureAt?.(i) ?? null;
    if (pf) return { state: 'fail', failure: pf, hopIndex: i };
    const sentOrigin = getCombined(hop.requestHeaders, 'origin');
    const hopOrigin = sentOrigin ?? (tainted ? NULL_ORIGIN : origin);

    // Status 0 without a header is "no response" too (HAR writers put status 0 on failed entries).
    if (hop.responseHeaders === null || (hop.status === 0 && hop.responseHeaders.length === 0)) {
      // With redirect mode `manual` the page gets the redirect as an opaque-redirect response and
      // the browser cancels the next hop (Chromium: net::ERR_ABORTED on it, measured).
      const prev = req.hops[i - 1];
      if (prev && req.outcome.outcome === 'failed' && ABORTED.has(req.outcome.error)) {
        return { state: 'pass', finalHop: prev, finalOrigin: prevOrigin, opaqueRedirect: true };
      }
      if (req.outcome.outcome !== 'failed') return { state: 'unknown', reason: 'no-response' };
      const err = req.outcome.error;
      return CORS_BLOCK_ERRORS.has(err)
        ? { state: 'unknown', reason: 'blocked-unseen', netError: err }
        : { state: 'unknown', reason: 'network-error', netError: err };
    }
    if (corsFlag) {
      const f = corsCheck(
        { url: hop.url, status: hop.status, responseHeaders: hop.responseHeaders, origin: hopOrigin, credentialsInclude: input.credentialsInclude },
        { preflight: false },
      );
      if (f) {
        // corsCheck returns a fresh failure: add to its facts in place (what a copy would hold).
        f.facts.method = hop.method;
        f.facts.tainted = hopOrigin === NULL_ORIGIN && origin !== NULL_ORIGIN;
        return { state: 'fail', failure: f, hopIndex: i };
      }
    }
    const target = redirectTarget(req, i);
    if (target === null) return { state: 'pass', finalHop: hop, finalOrigin: hopOrigin, opaqueRedirect: false };
    if (hasCredentialsInUrl(target) && (corsFlag || tainted || !sameOrigin(origin, target))) {
      return {
        state: 'fail',
        // Firefox logs CORSDidNotSucceed for it (measured with Firefox ESR 153 by the recorder).
        failure: { error: 'RedirectContainsCredentials', failedParameter: '', firefoxReason: 'CORSDidNotSucceed', facts: { url: hop.url, origin: hopOrigin, location: target, status: hop.status } },
        hopIndex: i,
      };
    }
    if (i === req.hops.length - 1) {
      // A redirect that was not followed (redirect: 'manual' → opaque-redirect response, or the
      // request stopped): the redirect response itself is what reached the page.
      return { state: 'pass', finalHop: hop, finalOrigin: hopOrigin, opaqueRedirect: true };
    }
    if (!tainted && taintsOnRedirect(origin, hop.url, target)) tainted = true;
    prevOrigin = hopOrigin;
  }
  // Unreachable: the loop returns on the last hop.
  const last = req.hops[req.hops.length - 1]!;
  return { state: 'pass', finalHop: last, finalOrigin: origin, opaqueRedirect: false };
}
