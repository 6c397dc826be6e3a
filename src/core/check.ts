/**
 * The CORS check (https://fetch.spec.whatwg.org/#cors-check) in Chromium's order and with
 * Chromium's names (`services/network/public/cpp/cors/cors.cc` `CheckAccess`, anchors §1a):
 *
 *   status 0 → InvalidResponse
 *   ACAO `*` and credentials include → WildcardOriginNotAllowed
 *   ACAO absent → MissingAllowOriginHeader
 *   ACAO ≠ origin: contains " " or "," → MultipleAllowOriginValues
 *                  == "null" → AllowOriginMismatch
 *                  not a URL → InvalidAllowOriginValue
 *                  else → AllowOriginMismatch
 *   credentials include and ACAC ≠ "true" (case-sensitive) → InvalidAllowCredentials
 *
 * On a preflight response the same check runs with the *actual* request's credentials mode
 * (Fetch §CORS-preflight fetch, the note on credentials) and the names get the `Preflight`
 * prefix (`preflight_controller.cc` `CheckPreflightAccess`).
 */
import type { AccessCheckError, CorsErrorCode, CorsFailure } from './codes.ts';
import { firefoxAccessReason } from './firefox.ts';
import { getCombined, lineCount } from './headers.ts';
import type { HeaderEntry } from './model.ts';
import { parseUrl } from './url.ts';

export interface AccessCheckInput {
  /** The response URL (for the explanation). */
  url: string;
  status: number;
  /** null when no response headers were received. */
  responseHeaders: readonly HeaderEntry[] | null;
  /** The serialized request origin the browser compares with (the `Origin` it sent). */
  origin: string;
  credentialsInclude: boolean;
}

const PREFLIGHT_NAME: Record<AccessCheckError, CorsErrorCode> = {
  WildcardOriginNotAllowed: 'PreflightWildcardOriginNotAllowed',
  MissingAllowOriginHeader: 'PreflightMissingAllowOriginHeader',
  MultipleAllowOriginValues: 'PreflightMultipleAllowOriginValues',
  InvalidAllowOriginValue: 'PreflightInvalidAllowOriginValue',
  AllowOriginMismatch: 'PreflightAllowOriginMismatch',
  InvalidAllowCredentials: 'PreflightInvalidAllowCredentials',
};

/** Chromium's ACAO/ACAC classification; null when the check passes. */
export function accessCheck(
  input: AccessCheckInput,
): { error: AccessCheckError; failedParameter: string; acao: string | null; acac: string | null } | null {
  const acao = getCombined(input.responseHeaders, 'access-control-allow-origin');
  const acac = getCombined(input.responseHeaders, 'access-control-allow-credentials');
  const fail = (error: AccessCheckError, failedParameter: string) => ({ error, failedParameter, acao, acac });
  if (acao === '*') {
    // Fetch §CORS protocol and credentials: `*` is no wildcard for credentialed requests.
    if (input.credentialsInclude) return fail('WildcardOriginNotAllowed', '');
  } else if (acao === null) {
    return fail('MissingAllowOriginHeader', '');
  } else if (acao !== input.origin) {
    // Byte comparison with the serialized origin (no trailing slash, scheme and port exact).
    // The finer names are Chromium's diagnostics, in its order.
    if (/[ ,]/.test(acao)) return fail('MultipleAllowOriginValues', acao);
    if (acao === 'null') return fail('AllowOriginMismatch', acao);
    if (!parseUrl(acao)) return fail('InvalidAllowOriginValue', acao);
    return fail('AllowOriginMismatch', acao);
  }
  // Fetch §CORS check: ACAC must be exactly `true` (case-sensitive) for credentialed requests.
  if (input.credentialsInclude && acac !== 'true') return fail('InvalidAllowCredentials', acac ?? '');
  return null;
}

/**
 * The CORS check of one response, as a `CorsFailure` (null = pass). `preflight` selects the
 * `Preflight*` names. A missing response (status 0, no headers) is `InvalidResponse`.
 */
export function corsCheck(input: AccessCheckInput, opts: { preflight: boolean }): CorsFailure | null {
  if (input.responseHeaders === null || input.status === 0) {
    return {
      error: 'InvalidResponse',
      failedParameter: '',
      firefoxReason: 'CORSDidNotSucceed',
      facts: { url: input.url, origin: input.origin, preflight: opts.preflight },
    };
  }
  const r = accessCheck(input);
  if (!r) return null;
  return {
    error: opts.preflight ? PREFLIGHT_NAME[r.error] : r.error,
    failedParameter: r.failedParameter,
    firefoxReason: firefoxAccessReason(r.error, lineCount(input.responseHeaders, 'access-control-allow-origin')),
    facts: {
      url: input.url,
      origin: input.origin,
      allowOrigin: r.acao,
      allowCredentials: r.acac,
      preflight: opts.preflight,
      status: input.status,
    },
  };
}
