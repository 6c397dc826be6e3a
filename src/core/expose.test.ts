import { describe, expect, it } from 'vitest';
import { exposedHeaders } from './expose.ts';
import { hdrs, type Headers } from './testing.ts';

const base: Headers = { 'Content-Type': 'application/json', 'Content-Length': '2', 'X-Request-Id': '1', 'X-Total': '3', 'Set-Cookie': 'a=b', ETag: '"x"' };

describe('headers the script may read (Fetch §CORS-exposed header-name list)', () => {
  it.each<[string, Headers, boolean, string[]]>([
    ['only safelisted without ACEH', {}, false, ['content-length', 'content-type']],
    ['listed names, case-insensitive', { 'Access-Control-Expose-Headers': 'X-Request-Id, etag' }, false, ['content-length', 'content-type', 'etag', 'x-request-id']],
    ['* without credentials exposes all but Set-Cookie', { 'Access-Control-Expose-Headers': '*' }, false, ['access-control-expose-headers', 'content-length', 'content-type', 'etag', 'x-request-id', 'x-total']],
    ['* with credentials is a literal name', { 'Access-Control-Expose-Headers': '*' }, true, ['content-length', 'content-type']],
    ['unparsable list exposes nothing extra', { 'Access-Control-Expose-Headers': 'x-total, a b' }, false, ['content-length', 'content-type']],
    ['listed names that are absent are not reported', { 'Access-Control-Expose-Headers': 'x-missing' }, false, ['content-length', 'content-type']],
  ])('%s', (_n, extra, include, expected) => {
    expect(exposedHeaders(hdrs({ ...base, ...extra }), include)).toEqual(expected);
  });
});
