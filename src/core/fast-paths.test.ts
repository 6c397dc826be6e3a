/**
 * The engine's fast paths (issue 6) against the slow definitions they replace: each must give
 * the same answer for every input, including the odd ones a hostile or hand-edited HAR holds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from './analyze.ts';
import { exposedHeaders } from './expose.ts';
import { getCombined } from './headers.ts';
import { headerValues, nameEquals, singleHeaderValue } from './model.ts';
import { AUTHORITY, serializeOrigin, urlAuthority } from './origin.ts';
import type { ObservedRequest } from './model.ts';
import { A, B, preflight, request } from './testing.ts';

/** The origin by a full parse of the whole URL (what serializeOrigin did before the prefix cache). */
function fullOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'null';
  }
}

describe('serializeOrigin by the authority prefix', () => {
  const urls = [
    'https://example.com/a?b#c',
    'HTTPS://EXAMPLE.com:443/x',
    'http://example.com:80',
    'http://example.com:8080?q',
    'http://example.com#frag',
    'http://user:pw@example.com:81/p',
    'http://a@b@example.com/',
    'http://[::1]:3000/x',
    'http://[::1/x',
    'http://example.com:99999/x',
    'http://example.com:80abc/x',
    'http://exa mple.com/x',
    ' http://example.com/x',
    'http://example.com\\path',
    'http:\\\\example.com/x',
    'http:/example.com/x',
    'http:///x',
    'http://ex%41mple.com/',
    'http://xn--nxasmq6b.com/',
    'http://ÉXAMPLE.com/',
    'http://\u212Aelvin.com/',
    'http://exa\tmple.com/',
    'ws://example.com/s',
    'wss://example.com:443/s',
    'ftp://example.com:21/f',
    'blob:https://example.com/uuid',
    'data:text/plain,x',
    'file:///etc/hosts',
    'chrome-extension://abc/x',
    'not a url',
    '',
  ];
  it.each(urls)('%j', (url) => {
    // Twice: once to fill the prefix cache, once to read it.
    expect(serializeOrigin(url)).toBe(fullOrigin(url));
    expect(serializeOrigin(url)).toBe(fullOrigin(url));
  });

  it('finds the same prefix as the AUTHORITY regex it replaces, for any string', () => {
    // Strings built from the pieces that matter: schemes in any case, near-misses, the
    // delimiters, and every kind of whitespace `\s` matches.
    const scheme = fc.constantFrom('http', 'HTTPS', 'hTtP', 'https', 'ws', 'WSS', 'wss', 'ftp', 'FTP', 'htt', 'httpss', 'w', 'ftps', 'blob:http', 'ſtp', '');
    const sep = fc.constantFrom('://', '://', '://', ':/', ':', '//', ':\\\\', '');
    const piece = fc.constantFrom('/', '\\', '?', '#', '@', ':', 'a.test', '127.0.0.1', ':8080', '[::1]', ' ', '\t', '\n', '\u000b', '\u00a0', '\u1680', '\u2003', '\u2028', '\u202f', '\u3000', '\ufeff', '\u0085', 'K', 'é', '%41');
    fc.assert(
      fc.property(scheme, sep, fc.array(piece, { maxLength: 6 }), (s, d, parts) => {
        const url = s + d + parts.join('');
        const m = AUTHORITY.exec(url);
        expect(urlAuthority(url)).toBe(m ? m[0] : null);
      }),
      { numRuns: 5000 },
    );
  });

  it('takes no prefix from URLs the parser would rewrite', () => {
    expect(urlAuthority(' http://a.test/')).toBeNull();
    expect(urlAuthority('http://a.test\\x')).toBe('http://a.test');
    expect(urlAuthority('http:///x')).toBeNull();
    expect(urlAuthority('blob:https://a.test/x')).toBeNull();
  });
});

describe('header name comparison without lower-casing copies', () => {
  it.each([
    ['Origin', 'origin', true],
    ['ORIGIN', 'origin', true],
    ['origin', 'origin', true],
    ['Origin ', 'origin', false],
    ['Orig1n', 'origin', false],
    ['\u212Aey', 'key', true], // KELVIN SIGN lower-cases to ASCII k, as String#toLowerCase says
    ['İd', 'id', false], // U+0130 lower-cases to two code units
    ['[', '{', false], // one past Z and one past z: no folding outside A–Z
  ])('%j vs %j → %s', (name, lower, same) => {
    expect(nameEquals(name, lower)).toBe(same);
    expect(nameEquals(name, lower)).toBe(name.toLowerCase() === lower);
  });

  it('singleHeaderValue: null when absent, the value for one line, undefined for several', () => {
    const hs = [
      { name: 'A', value: '1' },
      { name: 'b', value: '2' },
      { name: 'B', value: '3' },
    ];
    expect(singleHeaderValue(hs, 'a')).toBe('1');
    expect(singleHeaderValue(hs, 'c')).toBeNull();
    expect(singleHeaderValue(hs, 'b')).toBeUndefined();
    expect(singleHeaderValue(null, 'a')).toBeNull();
    expect(headerValues(hs, 'B')).toEqual(['2', '3']);
    expect(getCombined(hs, 'b')).toBe('2, 3');
    expect(getCombined([{ name: 'X', value: ' v\t' }], 'x')).toBe('v');
  });
});

describe('exposedHeaders', () => {
  it('lists a name sent on several lines once, sorted', () => {
    const hs = [
      { name: 'Content-Type', value: 'a' },
      { name: 'X-B', value: '1' },
      { name: 'x-b', value: '2' },
      { name: 'Access-Control-Expose-Headers', value: 'X-B, x-a' },
      { name: 'X-A', value: '3' },
      { name: 'content-type', value: 'b' },
      { name: 'Set-Cookie', value: 's' },
    ];
    expect(exposedHeaders(hs, false)).toEqual(['content-type', 'x-a', 'x-b']);
  });
});

describe('shared warning objects', () => {
  it('equal facts share one frozen warning; other facts get their own text', () => {
    // Simple GETs answered with `*` and no cookie: each warns that credentials would fail.
    const star = { 'Access-Control-Allow-Origin': '*' };
    const entries = analyzeCapture(
      [
        request({ id: 'a', url: `${B}/x`, response: star }),
        request({ id: 'b', url: `${B}/y`, response: star }),
        request({ id: 'c', url: `${B}/z`, origin: 'http://other.test', response: star }),
      ],
      { browser: 'chromium' },
    );
    const [wa, wb, wc] = entries.map((e) => e.cors.warnings.find((w) => w.code === 'CredentialsModeUnknown'));
    expect(wa).toBeDefined();
    expect(wb).toBe(wa);
    expect(Object.isFrozen(wa)).toBe(true);
    expect(wc).toBeDefined();
    expect(wc).not.toBe(wa);
    expect(wc!.message).toContain('http://other.test');
    expect(wa!.message).toContain(A);
  });

  it('a preflight linked by its source is paired without the time index', () => {
    const p = preflight({ id: 'p', url: `${B}/x`, acrm: 'PUT', preflightFor: 'r', response: { 'Access-Control-Allow-Origin': A, 'Access-Control-Allow-Methods': 'PUT' } });
    const r = request({ id: 'r', url: `${B}/x`, method: 'PUT', response: { 'Access-Control-Allow-Origin': A } });
    const entries = analyzeCapture([p, r], { browser: 'chromium' });
    expect(entries.find((e) => e.request.id === 'r')!.cors.pairedWith).toBe('p');
    expect(entries.find((e) => e.request.id === 'r')!.cors.verdict).toBe('pass');
    expect(entries.find((e) => e.request.id === 'p')!.cors.pairedWith).toBe('r');
  });
});

describe('pairing by time: a small group is scanned, a large one indexed', () => {
  // analyze.ts pairPreflightsOf scans the candidates of a group of at most 8 and builds an
  // index above that: both must pair the same way. Each pair starts 10 s after the previous one
  // (beyond the 2 s window), with a request of another tab, started between a request and its preflight, that must not be taken.
  const allow = { 'Access-Control-Allow-Origin': A, 'Access-Control-Allow-Methods': 'PUT' };
  function group(pairs: number): ObservedRequest[] {
    const url = `${B}/same`;
    const out: ObservedRequest[] = [];
    for (let i = 0; i < pairs; i++) {
      const t = 10_000 * (i + 1);
      out.push(request({ id: `other${i}`, url, method: 'PUT', tabId: 2, response: allow, start: t + 1, end: t + 40 }));
      out.push(request({ id: `r${i}`, url, method: 'PUT', response: allow, start: t, end: t + 30 }));
      out.push(preflight({ id: `p${i}`, url, acrm: 'PUT', response: allow, start: t + 2, end: t + 8 }));
    }
    return out;
  }
  it.each([2, 12])('%i pairs', (pairs) => {
    const reqs = group(pairs);
    expect(reqs.filter((r) => r.hops[0]!.method === 'PUT').length > 8).toBe(pairs > 4);
    const byId = new Map(analyzeCapture(reqs, { browser: 'chromium' }).map((e) => [e.request.id, e.cors]));
    for (let i = 0; i < pairs; i++) {
      expect(byId.get(`p${i}`)!.pairedWith).toBe(`r${i}`);
      expect(byId.get(`r${i}`)!.pairedWith).toBe(`p${i}`);
      expect(byId.get(`other${i}`)!.pairedWith).toBeNull();
    }
  });
});

