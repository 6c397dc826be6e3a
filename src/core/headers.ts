/**
 * Header reading as the browsers do it: a header's value is all its lines combined with ", "
 * (Fetch §concept-header-list-get; Chromium `HttpResponseHeaders::GetNormalizedHeader`), each
 * line stripped of leading/trailing HTTP whitespace (Fetch §header value normalize).
 */
import { headerValues, headerValuesLower, singleHeaderValueLower, type HeaderEntry } from './model.ts';

const HTTP_WS = /^[\t\n\r ]+|[\t\n\r ]+$/g;

export function normalizeValue(v: string): string {
  // Nearly every value has nothing to strip: skip the regex (it ran for every value of every hop).
  return hasEdgeWhitespace(v) ? v.replace(HTTP_WS, '') : v;
}

/** Combined value, or null when absent; `name` is lower-case (the type refuses a capital). */
export function getCombined(headers: readonly HeaderEntry[] | null | undefined, name: Lowercase<string>): string | null {
  // Nearly every header has one line or none: no array, and no join.
  const one = singleHeaderValueLower(headers, name);
  if (one !== undefined) return one === null ? null : normalizeValue(one);
  return headerValuesLower(headers, name).map(normalizeValue).join(', ');
}

/** HTTP whitespace (Fetch §HTTP whitespace: tab, LF, CR, space) at either end of `v`. */
function hasEdgeWhitespace(v: string): boolean {
  if (v.length === 0) return false;
  const a = v.charCodeAt(0);
  const z = v.charCodeAt(v.length - 1);
  return a === 32 || a === 9 || a === 10 || a === 13 || z === 32 || z === 9 || z === 10 || z === 13;
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

/**
 * Sorts `names` (distinct) by code unit, and `items` (when given) along with them: an insertion
 * sort, as the lists are a few names long and `Array.prototype.sort` allocates a work copy on
 * every call.
 */
export function sortByName<T>(names: string[], items: T[] | null): void {
  for (let i = 1; i < names.length; i++) {
    const n = names[i]!;
    const item = items ? items[i]! : undefined;
    let j = i - 1;
    for (; j >= 0 && names[j]! > n; j--) {
      names[j + 1] = names[j]!;
      if (items) items[j + 1] = items[j]!;
    }
    names[j + 1] = n;
    if (items) items[j + 1] = item as T;
  }
}
