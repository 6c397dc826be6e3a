import { describe, expect, it } from 'vitest';
import { hasCredentialsInUrl, hopOrigins, sameOrigin, serializeOrigin, taintsOnRedirect } from './origin.ts';
import { A, B, C } from './testing.ts';

describe('serializeOrigin (HTML §ASCII serialisation of an origin)', () => {
  it.each([
    ['http://127.0.0.1:18411/path?q#f', 'http://127.0.0.1:18411'],
    ['HTTP://Example.COM:80/', 'http://example.com'],
    ['https://example.com:443/x', 'https://example.com'],
    ['https://example.com:8443/x', 'https://example.com:8443'],
    ['http://user:pw@example.com/', 'http://example.com'],
    ['http://[::1]:8080/', 'http://[::1]:8080'],
    ['data:text/plain,hi', 'null'],
    ['not a url', 'null'],
  ])('%s → %s', (url, origin) => expect(serializeOrigin(url)).toBe(origin));
});

describe('sameOrigin', () => {
  it.each([
    [A, `${A}/x`, true],
    [A, `${B}/x`, false],
    ['http://127.0.0.1:18411', 'https://127.0.0.1:18411/', false],
    ['null', `${A}/`, false],
    ['null', 'null', false],
  ])('%s vs %s → %s', (a, b, same) => expect(sameOrigin(a, b)).toBe(same));
});

describe('tainted origin (Fetch §HTTP-redirect fetch; Chromium CheckTainted)', () => {
  it.each([
    ['A page, B → C', A, `${B}/r`, `${C}/x`, true],
    ['A page, B → B (same-origin hop on the API)', A, `${B}/r`, `${B}/x`, false],
    ['A page, A → B (the page’s own server redirects)', A, `${A}/r`, `${B}/x`, false],
    ['A page, B → A (back to the page origin)', A, `${B}/r`, `${A}/x`, true],
  ])('%s → tainted %s', (_name, origin, from, to, tainted) => expect(taintsOnRedirect(origin, from, to)).toBe(tainted));

  it('hop origins: A → B → C → C sends A, A, null, null', () => {
    expect(hopOrigins(A, [`${A}/1`, `${B}/2`, `${C}/3`, `${C}/4`])).toEqual([A, A, 'null', 'null']);
  });
});

describe('userinfo in URLs', () => {
  it.each([
    ['http://u:p@127.0.0.1:18412/', true],
    ['http://u@127.0.0.1:18412/', true],
    ['http://127.0.0.1:18412/a@b', false],
  ])('%s → %s', (url, has) => expect(hasCredentialsInUrl(url)).toBe(has));
});
