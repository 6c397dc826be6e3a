/**
 * Header reading as the browsers do it: a header's value is all its lines combined with ", "
 * (Fetch §concept-header-list-get; Chromium `HttpResponseHeaders::GetNormalizedHeader`), each
 * line stripped of leading/trailing HTTP whitespace (Fetch §header value normalize).
 */
import { headerValues, type HeaderEntry } from './model.ts';

const HTTP_WS = /^[\t\n\r ]+|[\t\n\r ]+$/g;

export function normalizeValue(v: string): string {
  return v.replace(HTTP_WS, '');
}

/** Combined value, or null when absent. */
export function getCombined(headers: readonly HeaderEntry[] | null | undefined, name: string): string | null {
  const values = headerValues(headers, name);
  return values.length === 0 ? null : values.map(normalizeValue).join(', ');
}

/** Number of lines carrying `name`. */
export function lineCount(headers: readonly HeaderEntry[] | null | undefined, name: string): number {
  return headerValues(headers, name).length;
}

/** RFC 9110 token (https://httpwg.org/specs/rfc9110.html#tokens), as Chromium `HttpUtil::IsToken`. */
export function isToken(s: string): boolean {
  return /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(s);
}

/**
 * Parses a `#token` list (ACAM, ACAH, ACEH; Fetch §HTTP new-header syntax) the way Chromium's
 * `ParseAccessControlAllowList` does: split on ",", trim, skip empty elements; any element that
 * is not a token makes the whole header invalid. Returns the elements, or `{invalid}` with the
 * first bad element; an absent header is an empty list.
 */
export function parseTokenList(value: string | null): { tokens: string[] } | { invalid: string } {
  if (value === null) return { tokens: [] };
  const tokens: string[] = [];
  for (const raw of value.split(',')) {
    const t = normalizeValue(raw);
    if (t === '') continue;
    if (!isToken(t)) return { invalid: t };
    tokens.push(t);
  }
  return { tokens };
}
