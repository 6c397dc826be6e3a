import { describe, expect, it } from 'vitest';
import { duplicateCorsHeaders, maxAgeWarnings, missingVaryOrigin } from './warnings.ts';
import { A, B, hdrs, type Headers } from './testing.ts';

describe('MissingVaryOrigin (Fetch §CORS protocol and HTTP caches)', () => {
  it.each<[string, Headers, boolean]>([
    ['echoed origin without Vary', { 'Access-Control-Allow-Origin': A }, true],
    ['echoed origin with Vary: Origin', { 'Access-Control-Allow-Origin': A, Vary: 'Accept-Encoding, origin' }, false],
    ['echoed origin with Vary: *', { 'Access-Control-Allow-Origin': A, Vary: '*' }, false],
    ['wildcard needs no Vary', { 'Access-Control-Allow-Origin': '*' }, false],
  ])('%s → %s', (_n, h, warns) => expect(missingVaryOrigin(hdrs(h), A, `${B}/x`) !== null).toBe(warns));
});

describe('DuplicateCorsHeader', () => {
  it('names every CORS header sent on more than one line, sorted', () => {
    const w = duplicateCorsHeaders(hdrs({ 'Access-Control-Allow-Methods': ['GET', 'PUT'], 'access-control-allow-headers': 'a', 'Access-Control-Allow-Headers': 'b', Vary: ['a', 'b'] }), `${B}/x`);
    expect(w?.facts.headers).toEqual(['access-control-allow-headers', 'access-control-allow-methods']);
  });
  it('single lines are fine', () => expect(duplicateCorsHeaders(hdrs({ 'Access-Control-Allow-Origin': A }), `${B}/x`)).toBeNull());
});

describe('Max-Age warnings per browser', () => {
  it.each<[string | null, 'chromium' | 'firefox', string[]]>([
    [null, 'chromium', ['MaxAgeMissing']],
    ['600', 'chromium', []],
    ['7200', 'chromium', []],
    ['7201', 'chromium', ['MaxAgeAboveBrowserCap']],
    ['7201', 'firefox', []],
    ['86401', 'firefox', ['MaxAgeAboveBrowserCap']],
    ['-1', 'chromium', ['MaxAgeInvalid']],
    ['ten', 'firefox', ['MaxAgeInvalid']],
  ])('Max-Age %s in %s → %j', (v, profile, codes) => {
    expect(maxAgeWarnings(v, 0, profile, `${B}/x`).map((w) => w.code)).toEqual(codes);
  });
});
