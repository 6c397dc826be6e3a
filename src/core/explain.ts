/**
 * Explanations and fixes as data, keyed by error and warning code: a one-sentence `message` with
 * the actual values filled in, and one concrete server-side `fix`. Every code the engine can emit
 * (codes.ts) has an entry — the compiler enforces it (`Record<code, …>`) and explain.test.ts
 * checks each renders.
 */
import { ALL_ERROR_CODES, ALL_WARNING_CODES, type CorsErrorCode, type FailureFacts, type WarningCode } from './codes.ts';
import type { BrowserProfile } from './model.ts';
import type { WarningFacts } from './warnings.ts';
import { parseUrl } from './url.ts';

export { ALL_ERROR_CODES, ALL_WARNING_CODES };

export interface Explanation {
  message: string;
  fix: string;
}

/** What the explanation knows about the exchange besides the failing check's facts. */
export interface ExchangeFacts {
  /** The request's method and URL (the actual request, also for a preflight's failure). */
  method: string;
  url: string;
  origin: string | null;
  credentials: 'include' | 'not-include' | 'unknown';
}

type Facts = FailureFacts & ExchangeFacts;

const q = (v: string | null | undefined): string => (v === null || v === undefined ? '(absent)' : `'${v}'`);
const BROWSER_NAME: Record<BrowserProfile, string> = { chromium: 'Chromium', firefox: 'Firefox' };

function originOf(f: Facts): string {
  return f.origin ?? 'the page origin';
}

/** Why an ACAO that looks right is not equal to the origin: the usual byte-level slips. */
function mismatchHint(acao: string | null | undefined, origin: string): string {
  if (!acao) return '';
  if (acao === `${origin}/`) return ' — the trailing slash makes it differ';
  if (acao.toLowerCase() === origin.toLowerCase()) return ' — the letter case differs';
  const a = parseUrl(acao);
  const o = parseUrl(origin);
  if (a && o) {
    if (a.protocol !== o.protocol) return ` — the scheme differs (${a.protocol.slice(0, -1)} vs ${o.protocol.slice(0, -1)})`;
    if (a.hostname === o.hostname && a.port !== o.port) return ' — the port differs';
    if (a.origin === o.origin) return ' — it is not the bare origin (no path allowed)';
  }
  return '';
}

function onWhat(f: Facts): string {
  return f.preflight ? `OPTIONS responses to ${f.url}` : `responses to ${f.method} ${f.url}`;
}

function which(f: Facts): string {
  return f.preflight ? `The preflight (OPTIONS) response from ${f.url ?? ''}` : `The response from ${f.url ?? ''}`;
}

function allowOriginFix(f: Facts): string {
  if (f.origin === 'null') {
    return f.tainted
      ? `The request was redirected across origins, so the browser sent \`Origin: null\`: send \`Access-Control-Allow-Origin: *\` (without credentials) on ${onWhat(f)}, or have the page call the final URL directly.`
      : `The page has an opaque origin (sandboxed iframe or file:), which sends \`Origin: null\`: send \`Access-Control-Allow-Origin: *\` on ${onWhat(f)} (echoing \`null\` would admit every sandboxed page).`;
  }
  const cred = f.credentials === 'include' ? ' with `Access-Control-Allow-Credentials: true`' : '';
  return `Send \`Access-Control-Allow-Origin: ${originOf(f)}\`${cred} on ${onWhat(f)}${f.credentials === 'include' ? '' : ' (or `*` for public data requested without credentials)'}.`;
}

const wildcard = (f: Facts): Explanation => ({
  message: `${which(f)} sends \`Access-Control-Allow-Origin: *\`, which browsers reject for a request with credentials (credentials mode \`include\`).`,
  fix: `Echo the caller instead: send \`Access-Control-Allow-Origin: ${originOf(f)}\`, \`Access-Control-Allow-Credentials: true\` and \`Vary: Origin\` on ${onWhat(f)}.`,
});
const missing = (f: Facts): Explanation => ({
  message: `${which(f)} has no \`Access-Control-Allow-Origin\` header, so ${originOf(f)} may not use it${f.status ? ` (HTTP ${f.status})` : ''}.`,
  fix: allowOriginFix(f),
});
const multiple = (f: Facts): Explanation => ({
  message: `${which(f)} sends \`Access-Control-Allow-Origin\` ${q(f.allowOrigin)}, which holds several values; only one origin is allowed.`,
  fix: `Send a single \`Access-Control-Allow-Origin: ${originOf(f)}\` line on ${onWhat(f)}: pick the caller's origin from your allow-list (and send \`Vary: Origin\`) instead of listing every origin, and make sure only one layer (app or proxy) adds the header.`,
});
const invalid = (f: Facts): Explanation => ({
  message: `${which(f)} sends \`Access-Control-Allow-Origin\` ${q(f.allowOrigin)}, which is not a valid origin.`,
  fix: `Send \`Access-Control-Allow-Origin: ${originOf(f)}\` on ${onWhat(f)}: scheme, host and port only — no wildcard pattern, no path.`,
});
const mismatch = (f: Facts): Explanation => ({
  message: `${which(f)} allows origin ${q(f.allowOrigin)}, but the request's origin is '${originOf(f)}'${mismatchHint(f.allowOrigin, originOf(f))}${f.tainted ? ' (the browser sent `Origin: null` after a cross-origin redirect)' : ''}.`,
  fix: allowOriginFix(f),
});
const credentials = (f: Facts): Explanation => ({
  message: `The request was sent with credentials, but ${f.preflight ? 'the preflight response has' : 'the response has'} \`Access-Control-Allow-Credentials\` ${q(f.allowCredentials)}; it must be exactly 'true'.`,
  fix: `Send \`Access-Control-Allow-Credentials: true\` (lower-case) along with \`Access-Control-Allow-Origin: ${originOf(f)}\` on ${onWhat(f)}, or stop sending credentials from the page.`,
});

export const ERROR_EXPLANATIONS: Record<CorsErrorCode, (f: Facts) => Explanation> = {
  InvalidResponse: (f) => ({
    message: f.preflight
      ? `The preflight (OPTIONS ${f.url}) got no HTTP response${f.netError ? ` (${f.netError})` : ''}, so the browser did not send the ${f.method} request.`
      : `No HTTP response came back from ${f.url}${f.netError ? ` (${f.netError})` : ''}.`,
    fix: `Make the server at ${f.url} answer ${f.preflight ? 'OPTIONS' : f.method} requests with an HTTP response (is it running, reachable, and not dropping the connection?).`,
  }),
  WildcardOriginNotAllowed: wildcard,
  MissingAllowOriginHeader: missing,
  MultipleAllowOriginValues: multiple,
  InvalidAllowOriginValue: invalid,
  AllowOriginMismatch: mismatch,
  InvalidAllowCredentials: credentials,
  PreflightInvalidStatus: (f) => ({
    message: `The preflight (OPTIONS ${f.url}) answered with HTTP ${f.status ?? '?'}; a preflight needs a 2xx status.`,
    fix: `Answer OPTIONS requests to ${f.url} with 204 (or 200) and the CORS headers, before any authentication, routing or method check rejects them.`,
  }),
  PreflightDisallowedRedirect: (f) => ({
    message: `The preflight (OPTIONS ${f.url}) was redirected${f.location ? ` to ${f.location}` : ''}${f.status ? ` (HTTP ${f.status})` : ''}; preflights may not be redirected.`,
    fix: `Answer OPTIONS at ${f.url} directly with 204 and the CORS headers${f.location ? `, or have the page call ${f.location} directly` : ''}.`,
  }),
  PreflightWildcardOriginNotAllowed: wildcard,
  PreflightMissingAllowOriginHeader: missing,
  PreflightMultipleAllowOriginValues: multiple,
  PreflightInvalidAllowOriginValue: invalid,
  PreflightAllowOriginMismatch: mismatch,
  PreflightInvalidAllowCredentials: credentials,
  InvalidAllowMethodsPreflightResponse: (f) => ({
    message: `The preflight's \`Access-Control-Allow-Methods\` ${q(f.allowMethods)} cannot be parsed: ${q(f.badToken)} is not a method name.`,
    fix: `Send a comma-separated list of method names on OPTIONS responses to ${f.url}, e.g. \`Access-Control-Allow-Methods: ${f.method}\`.`,
  }),
  InvalidAllowHeadersPreflightResponse: (f) => ({
    message: `The preflight's \`Access-Control-Allow-Headers\` ${q(f.allowHeaders)} cannot be parsed: ${q(f.badToken)} is not a header name.`,
    fix: `Send a comma-separated list of header names on OPTIONS responses to ${f.url}, e.g. \`Access-Control-Allow-Headers: content-type, authorization\`.`,
  }),
  MethodDisallowedByPreflightResponse: (f) => ({
    message: `The preflight allows methods ${q(f.allowMethods)}, which does not include ${f.method}${
      f.credentials === 'include' && (f.allowMethods ?? '').includes('*') ? ' (`*` is not a wildcard for requests with credentials)' : ' (method names match case-sensitively)'
    }.`,
    fix: `Add \`${f.method}\` to \`Access-Control-Allow-Methods\` on OPTIONS responses to ${f.url}, spelled exactly as the page sends it.`,
  }),
  HeaderDisallowedByPreflightResponse: (f) => ({
    message: `The request sends the header '${f.header}', but the preflight's \`Access-Control-Allow-Headers\` ${q(f.allowHeaders)} does not allow it${
      f.credentials === 'include' && (f.allowHeaders ?? '').includes('*') ? ' (`*` is not a wildcard for requests with credentials)' : ''
    }.`,
    fix: `Add \`${f.header}\` to \`Access-Control-Allow-Headers\` on OPTIONS responses to ${f.url}${f.header === 'content-type' ? ', or send a CORS-safelisted Content-Type (text/plain, multipart/form-data, application/x-www-form-urlencoded)' : ''}.`,
  }),
  RedirectContainsCredentials: (f) => ({
    message: `The response from ${f.url} redirects to ${f.location ?? 'a URL'} that contains a user name or password, which a CORS request may not follow.`,
    fix: `Redirect to a URL without \`user:password@\` (send credentials in a header instead), or return the resource directly.`,
  }),
};

export const WARNING_EXPLANATIONS: Record<WarningCode, (f: WarningFacts) => Explanation> = {
  MissingVaryOrigin: (f) => ({
    message: `The response echoes \`Access-Control-Allow-Origin: ${f.origin ?? ''}\` without \`Vary: Origin\`, so a shared cache may replay it to another origin, which will then be blocked.`,
    fix: `Send \`Vary: Origin\` on every response from ${f.url ?? 'this URL'} whose Access-Control-Allow-Origin depends on the request's Origin.`,
  }),
  MaxAgeMissing: (f) => ({
    message: `The preflight has no \`Access-Control-Max-Age\`, so ${BROWSER_NAME[f.profile ?? 'chromium']} caches it for only 5 seconds and preflights again after that.`,
    fix: `Send \`Access-Control-Max-Age: 7200\` on OPTIONS responses to ${f.url ?? 'this URL'} (Chromium caps at 7200 s, Firefox at 86400 s).`,
  }),
  MaxAgeAboveBrowserCap: (f) => ({
    message: `\`Access-Control-Max-Age: ${f.maxAge ?? ''}\` is above ${BROWSER_NAME[f.profile ?? 'chromium']}'s cap, so the preflight is cached for ${f.capSeconds ?? 0} seconds only.`,
    fix: `Send \`Access-Control-Max-Age: ${f.capSeconds ?? 7200}\` or less; a longer value has no effect in this browser.`,
  }),
  MaxAgeInvalid: (f) => ({
    message: `\`Access-Control-Max-Age: ${f.maxAge ?? ''}\` is not a plain number of seconds; ${BROWSER_NAME[f.profile ?? 'chromium']} caches this preflight for ${f.effectiveSeconds ?? 0} seconds (Chromium falls back to 5 s and does not cache negatives; Firefox caches nothing).`,
    fix: `Send a whole number of seconds, e.g. \`Access-Control-Max-Age: 600\`.`,
  }),
  AuthorizationCoveredByWildcard: (f) => ({
    message: `\`Access-Control-Allow-Headers: *\` let the \`Authorization\` header through: Chromium and Firefox still allow this, but the Fetch standard does not and both browsers have announced the change.`,
    fix: `List it explicitly on OPTIONS responses to ${f.url ?? 'this URL'}: \`Access-Control-Allow-Headers: authorization, *\`.`,
  }),
  DuplicateCorsHeader: (f) => ({
    message: `The response sends ${(f.headers ?? []).join(', ')} on more than one line; the browser joins the lines with ", ", which breaks single-valued CORS headers.`,
    fix: `Send each Access-Control-* header once (check whether both the application and a proxy add it).`,
  }),
  CredentialsModeUnknown: (f) => ({
    message: `No cookie was seen, so this was judged as a request without credentials; if the page sends it with credentials ('include' / withCredentials) it fails with ${f.alternateError ?? 'an error'}${f.alternateParameter ? ` (${f.alternateParameter})` : ''}.`,
    fix: `If the page sends credentials, send \`Access-Control-Allow-Origin: ${f.origin ?? 'the page origin'}\` and \`Access-Control-Allow-Credentials: true\` instead of \`*\`, and list methods and headers explicitly.`,
  }),
  BrowserOutcomeDiffers: (f) => ({
    message: `The headers seen pass the CORS check, but the browser reported ${f.observedError ?? 'an error'}: another extension may have changed the headers, or the credentials mode differs from the one assumed.`,
    fix: `Compare with the CORS message in the browser console, and disable header-rewriting extensions while debugging.`,
  }),
};

/**
 * For the warnings whose text (message and fix) names no URL: every fact the text is made of, in
 * a fixed order. The analyzer shares one warning object per set of these facts (analyze.ts
 * `warningOf`), so a template above that starts reading another fact must list it here too
 * (explain.test.ts checks that no other fact changes these texts).
 */
export const WARNING_TEXT_FACTS: Partial<Record<WarningCode, (f: WarningFacts) => readonly unknown[]>> = {
  CredentialsModeUnknown: (f) => [f.alternateError, f.alternateParameter, f.origin],
  MaxAgeAboveBrowserCap: (f) => [f.maxAge, f.profile, f.capSeconds],
  MaxAgeInvalid: (f) => [f.maxAge, f.profile, f.effectiveSeconds],
  BrowserOutcomeDiffers: (f) => [f.observedError],
  DuplicateCorsHeader: (f) => [f.headers?.length, ...(f.headers ?? [])],
};

export function explainError(code: CorsErrorCode, facts: Facts): Explanation {
  return ERROR_EXPLANATIONS[code](facts);
}

export function explainWarning(code: WarningCode, facts: WarningFacts): Explanation {
  return WARNING_EXPLANATIONS[code](facts);
}

const NOTHING = 'Nothing to change.';

export function explainPass(kind: 'simple' | 'preflighted' | 'preflight', f: ExchangeFacts & { cacheSeconds?: number; cacheHit?: boolean }): Explanation {
  const from = f.origin ? ` from ${f.origin}` : '';
  switch (kind) {
    case 'simple':
      return { message: `Cross-origin ${f.method} ${f.url}${from} passed: the response allows this origin.`, fix: NOTHING };
    case 'preflighted':
      return {
        message: f.cacheHit
          ? `Preflighted ${f.method} ${f.url}${from} passed, using a cached preflight, and the response allows this origin.`
          : `Preflighted ${f.method} ${f.url}${from} passed: the preflight allowed it and the response allows this origin.`,
        fix: NOTHING,
      };
    case 'preflight':
      return {
        message: `The preflight for ${f.method} ${f.url}${from} passed${f.cacheSeconds !== undefined ? (f.cacheSeconds > 0 ? ` and is cached for ${f.cacheSeconds} s` : ' but is not cached') : ''}.`,
        fix: NOTHING,
      };
  }
}

export type UnknownReason =
  | 'no-response'
  | 'network-error'
  | 'blocked-unseen'
  | 'preflight-unseen'
  | 'preflight-incomplete'
  | 'incomplete';

export function explainUnknown(reason: UnknownReason, f: ExchangeFacts & { netError?: string }): Explanation {
  switch (reason) {
    case 'network-error':
      return {
        message: `${f.method} ${f.url} failed at the network level (${f.netError ?? 'error'}) before any CORS check could run.`,
        fix: `Make sure the server at ${f.url} is reachable and answers; CORS is not the problem yet.`,
      };
    case 'blocked-unseen':
      return {
        message: `The browser blocked ${f.method} ${f.url} (${f.netError ?? 'error'}) but its response headers were not visible, so the reason cannot be told.`,
        fix: `Capture again with the extension active before the request starts (Chromium needs it to see headers of blocked responses).`,
      };
    case 'preflight-unseen':
      return {
        message: `${f.method} ${f.url} needed a preflight and was never sent, but the preflight itself was not captured.`,
        fix: `Capture again with the extension active before the request starts, so the preflight is recorded.`,
      };
    case 'preflight-incomplete':
      return {
        message: `The preflight for ${f.method} ${f.url} has not finished (or its response was not seen).`,
        fix: `Wait for the request to finish, or capture again.`,
      };
    case 'no-response':
    case 'incomplete':
      return {
        message: `No response was seen for ${f.method} ${f.url}, so the CORS check cannot be judged.`,
        fix: `Wait for the request to finish, or capture again.`,
      };
  }
}

export type NotCorsReason = 'navigation' | 'same-origin' | 'no-cors' | 'no-origin';

/** Module constant: built once, not per judged request (a third of a typical capture is not CORS). */
const NOT_CORS_WHY: Readonly<Record<NotCorsReason, string>> = {
  navigation: 'a navigation',
  'same-origin': 'a same-origin request',
  'no-cors': 'a no-cors request (its response is opaque to scripts)',
  'no-origin': 'sent without an Origin header (same-origin, or a no-cors subresource such as an image or script)',
};

export function explainNotCors(reason: NotCorsReason, f: ExchangeFacts): Explanation {
  return { message: `${f.method} ${f.url} is ${NOT_CORS_WHY[reason]}: CORS does not apply.`, fix: NOTHING };
}
