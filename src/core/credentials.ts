/**
 * The request's credentials mode (https://fetch.spec.whatwg.org/#concept-request-credentials-mode).
 * webRequest never reports it (DESIGN §2), so: known when the source says so; inferred `include`
 * when a cross-origin CORS request carried a `Cookie` (browsers only attach cookies to a
 * cross-origin request in mode `include`); otherwise unknown. An `Authorization` header is not
 * evidence: the network stack adds it itself for HTTP auth (webRequest docs), and a script may set
 * it in any mode. Preflights never carry credentials: their mode is their request's
 * (Fetch §CORS-preflight fetch, note).
 */
import type { CredentialsMode, ObservedRequest } from './model.ts';
import { hasHeader } from './model.ts';

export interface CredentialsInfo {
  mode: CredentialsMode | 'unknown';
  inferred: boolean;
}

export function credentialsOf(req: ObservedRequest | null): CredentialsInfo {
  if (!req) return { mode: 'unknown', inferred: false };
  if (req.credentials) return { mode: req.credentials, inferred: false };
  if (req.hops.some((h) => hasHeader(h.requestHeaders, 'cookie'))) return { mode: 'include', inferred: true };
  return { mode: 'unknown', inferred: false };
}

/**
 * Whether the CORS checks run with credentials mode `include`. `same-origin` on a cross-origin
 * request behaves like `omit` for CORS. Unknown is judged as the evidence says (no cookie seen ⇒
 * not include); the analyzer then re-judges under `include` and warns if the verdict would change.
 */
export function includesCredentials(c: CredentialsInfo): boolean {
  return c.mode === 'include';
}
