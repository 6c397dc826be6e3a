/**
 * Redaction of secrets in exported HAR (DESIGN §3.3: `Cookie`, `Set-Cookie`, `Authorization`,
 * `Proxy-Authorization` values are redacted unless the user opts in). Header names stay, so a
 * report still shows that credentials were sent — which is what a CORS verdict depends on
 * (a cross-origin `Cookie` means credentials mode `include`: cors-anchors §0.4).
 */
import type { HeaderEntry } from '../model.ts';

export const REDACTED = '[redacted by CORS Lens]';

const SECRET_HEADERS = new Set(['cookie', 'set-cookie', 'authorization', 'proxy-authorization']);

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADERS.has(name.toLowerCase());
}

/** A copy of `headers` with secret values replaced; the input is not modified. */
export function redactHeaders(headers: readonly HeaderEntry[]): HeaderEntry[] {
  return headers.map((h) => (isSecretHeader(h.name) ? { name: h.name, value: REDACTED } : { name: h.name, value: h.value }));
}
