import { describe, expect, it } from 'vitest';
import { analyzeCapture, CorsAnalyzer, judge } from './analyze.ts';
import type { CorsAnnotation } from './annotation.ts';
import type { BrowserProfile, ObservedRequest } from './model.ts';
import { A, B, blocked, C, preflight, request, type Headers } from './testing.ts';

const api = `${B}/api`;
const allowA: Headers = { 'Access-Control-Allow-Origin': A, Vary: 'Origin' };

function run(reqs: ObservedRequest[], browser: BrowserProfile = 'chromium'): Record<string, CorsAnnotation> {
  return Object.fromEntries(analyzeCapture(reqs, { browser }).map((e) => [e.request.id, e.cors]));
}
const codes = (c: CorsAnnotation | undefined) => (c?.warnings ?? []).map((w) => w.code);

describe('simple requests', () => {
  it.each<[string, ObservedRequest, { verdict: string; error?: string | null; param?: string | null; firefox?: string | null; warnings?: string[] }]>([
    ['GET from A; 200 with ACAO A and Vary → pass', request({ id: 'r', url: api, response: allowA, credentials: 'omit' }), { verdict: 'pass', error: null, param: null, warnings: [] }],
    ['GET from A; 200 without ACAO → MissingAllowOriginHeader', request({ id: 'r', url: api, response: {} }), { verdict: 'fail', error: 'MissingAllowOriginHeader', param: '', firefox: 'CORSMissingAllowOrigin' }],
    ['GET from A; ACAO B → AllowOriginMismatch B', request({ id: 'r', url: api, response: { 'Access-Control-Allow-Origin': B } }), { verdict: 'fail', error: 'AllowOriginMismatch', param: B }],
    ['GET from A; ACAO "A, B" → MultipleAllowOriginValues', request({ id: 'r', url: api, response: { 'Access-Control-Allow-Origin': `${A}, ${B}` } }), { verdict: 'fail', error: 'MultipleAllowOriginValues', param: `${A}, ${B}` }],
    ['GET from A; ACAO "*.example" → InvalidAllowOriginValue', request({ id: 'r', url: api, response: { 'Access-Control-Allow-Origin': '*.example' } }), { verdict: 'fail', error: 'InvalidAllowOriginValue', param: '*.example' }],
    ['GET with Cookie; ACAO * → WildcardOriginNotAllowed (credentials inferred)', request({ id: 'r', url: api, headers: { Cookie: 'sid=1' }, response: { 'Access-Control-Allow-Origin': '*' } }), { verdict: 'fail', error: 'WildcardOriginNotAllowed', param: '', firefox: 'CORSNotSupportingCredentials' }],
    ['GET with Cookie; ACAO A, no ACAC → InvalidAllowCredentials ""', request({ id: 'r', url: api, headers: { Cookie: 'sid=1' }, response: allowA }), { verdict: 'fail', error: 'InvalidAllowCredentials', param: '', firefox: 'CORSMissingAllowCredentials' }],
    ['GET with Cookie; ACAO A, ACAC true → pass', request({ id: 'r', url: api, headers: { Cookie: 'sid=1' }, response: { ...allowA, 'Access-Control-Allow-Credentials': 'true' } }), { verdict: 'pass', warnings: [] }],
    ['GET without cookie; ACAO * → pass, warns what include would do', request({ id: 'r', url: api, response: { 'Access-Control-Allow-Origin': '*' } }), { verdict: 'pass', warnings: ['CredentialsModeUnknown'] }],
    ['GET known omit; ACAO * → pass without warning', request({ id: 'r', url: api, credentials: 'omit', response: { 'Access-Control-Allow-Origin': '*' } }), { verdict: 'pass', warnings: [] }],
    ['GET known include; ACAO * → WildcardOriginNotAllowed', request({ id: 'r', url: api, credentials: 'include', response: { 'Access-Control-Allow-Origin': '*' } }), { verdict: 'fail', error: 'WildcardOriginNotAllowed' }],
    ['echoed ACAO without Vary: Origin → MissingVaryOrigin', request({ id: 'r', url: api, credentials: 'omit', response: { 'Access-Control-Allow-Origin': A } }), { verdict: 'pass', warnings: ['MissingVaryOrigin'] }],
    ['ACAO sent twice with the same value → MultipleAllowOriginValues; Firefox counts the lines', request({ id: 'r', url: api, response: { 'Access-Control-Allow-Origin': [A, A] } }), { verdict: 'fail', error: 'MultipleAllowOriginValues', param: `${A}, ${A}`, firefox: 'CORSMultipleAllowOriginNotAllowed' }],
    ['ACEH on two lines → pass with DuplicateCorsHeader', request({ id: 'r', url: api, credentials: 'omit', response: { ...allowA, 'Access-Control-Expose-Headers': ['x-a', 'x-b'] } }), { verdict: 'pass', warnings: ['DuplicateCorsHeader'] }],
    ['network error, no response → unknown without error', request({ id: 'r', url: api, response: null, outcome: { outcome: 'failed', error: 'net::ERR_CONNECTION_REFUSED' } }), { verdict: 'unknown', error: null }],
    ['blocked (ERR_FAILED) but headers unseen → unknown', request({ id: 'r', url: api, response: null }), { verdict: 'unknown', error: null }],
    ['HAR-style failed entry: status 0 and no headers is no response, not InvalidResponse', request({ id: 'r', url: api, status: 0, response: {}, outcome: { outcome: 'failed', error: 'net::ERR_CONNECTION_REFUSED' } }), { verdict: 'unknown', error: null }],
    ['status 0 but headers present → InvalidResponse (Chromium CheckAccess)', request({ id: 'r', url: api, status: 0, response: allowA }), { verdict: 'fail', error: 'InvalidResponse', param: '', firefox: 'CORSDidNotSucceed' }],
    ['capture stopped before the response → unknown', request({ id: 'r', url: api, response: null, outcome: { outcome: 'incomplete' } }), { verdict: 'unknown' }],
    ['headers pass but Chromium said ERR_FAILED → pass with BrowserOutcomeDiffers', request({ id: 'r', url: api, credentials: 'omit', response: allowA, outcome: { outcome: 'failed', error: 'net::ERR_FAILED' } }), { verdict: 'pass', warnings: ['BrowserOutcomeDiffers'] }],
  ])('%s', (_n, req, exp) => {
    const c = run([req]).r!;
    expect(c.kind).toBe('simple');
    expect(c.verdict).toBe(exp.verdict);
    if (exp.error !== undefined) expect(c.error).toBe(exp.error);
    if (exp.param !== undefined) expect(c.failedParameter).toBe(exp.param);
    if (exp.firefox !== undefined) expect(c.firefoxReason).toBe(exp.firefox);
    if (exp.warnings) expect(codes(c)).toEqual(exp.warnings);
    // Verdict rules: fail only with an error; pass/unknown never with one.
    expect(c.verdict === 'fail').toBe(c.error !== null);
    expect(c.message.length).toBeGreaterThan(10);
    expect(c.fix.length).toBeGreaterThan(5);
  });

  it('fills every field of the annotation', () => {
    const c = run([request({ id: 'r', url: api, headers: { Cookie: 'a=b' }, response: { ...allowA, 'Access-Control-Allow-Credentials': 'true', 'Content-Type': 'text/plain', 'X-Secret': '1' } })]).r!;
    expect(c).toEqual({
      id: 'r',
      kind: 'simple',
      verdict: 'pass',
      error: null,
      failedParameter: null,
      firefoxReason: null,
      message: expect.stringContaining(A),
      fix: 'Nothing to change.',
      warnings: [],
      pairedWith: null,
      preflightTriggers: [],
      preflightCache: null,
      credentials: 'include',
      credentialsInferred: true,
      exposedHeaders: ['content-type'],
      origin: A,
      observed: { outcome: 'completed' },
    });
  });

  it('the message names the values and the fix names the header to send', () => {
    const c = run([request({ id: 'r', url: api, response: {} })]).r!;
    expect(c.message).toContain(api);
    expect(c.fix).toContain(`Access-Control-Allow-Origin: ${A}`);
  });

  it('Firefox reports a blocked simple response as completed: the engine still fails it', () => {
    const c = run([request({ id: 'r', url: api, response: {}, outcome: { outcome: 'completed' } })], 'firefox').r!;
    expect(c).toMatchObject({ verdict: 'fail', error: 'MissingAllowOriginHeader', firefoxReason: 'CORSMissingAllowOrigin' });
  });
});

describe('not CORS', () => {
  it.each<[string, ObservedRequest]>([
    ['same-origin POST (Origin equals the target origin)', request({ id: 'r', url: `${A}/api`, method: 'POST' })],
    ['navigation', request({ id: 'r', url: `${B}/`, type: 'main_frame', origin: null })],
    ['cross-origin image without Origin', request({ id: 'r', url: `${B}/i.png`, type: 'image', origin: null, response: {} })],
    ['no-cors fetch POST', request({ id: 'r', url: api, method: 'POST', headers: { 'Sec-Fetch-Mode': 'no-cors' }, response: {} })],
    ['same-origin GET with a cookie (says nothing about the credentials mode)', request({ id: 'r', url: `${A}/api`, headers: { Cookie: 'a=b' } })],
  ])('%s → n/a', (_n, req) => {
    const c = run([req]).r!;
    expect(c).toMatchObject({ kind: 'not-cors', verdict: 'n/a', error: null, exposedHeaders: null, credentials: 'unknown', credentialsInferred: false });
  });
});

describe('preflighted requests and pairing', () => {
  const pfOk: Headers = { ...allowA, 'Access-Control-Allow-Methods': 'PUT', 'Access-Control-Allow-Headers': 'x-token', 'Access-Control-Max-Age': '600' };

  it('PUT from A with X-Token; preflight ok → both pass, paired both ways, triggers and cache info', () => {
    const pf = preflight({ id: 'p', url: api, acrm: 'PUT', acrh: 'x-token', response: pfOk, start: 1002, end: 1008 });
    const r = request({ id: 'r', url: api, method: 'PUT', headers: { 'X-Token': 't' }, response: allowA, start: 1000, end: 1030, credentials: 'omit' });
    const out = run([pf, r]);
    expect(out.r).toMatchObject({ kind: 'preflighted', verdict: 'pass', pairedWith: 'p', preflightCache: null });
    expect(out.r!.preflightTriggers).toEqual([
      { kind: 'method', value: 'PUT' },
      { kind: 'header', value: 'x-token' },
    ]);
    expect(out.p).toMatchObject({
      kind: 'preflight',
      verdict: 'pass',
      pairedWith: 'r',
      preflightCache: { maxAgeHeader: '600', effectiveSeconds: 600, browserCapSeconds: 7200 },
      exposedHeaders: null,
      origin: A,
    });
  });

  it('PUT with X-Token; preflight 204 with ACAO A, no ACAH → HeaderDisallowedByPreflightResponse x-token on both', () => {
    const pf = preflight({ id: 'p', url: api, acrm: 'PUT', acrh: 'x-token', response: { ...allowA, 'Access-Control-Allow-Methods': 'PUT' } });
    const r = blocked({ id: 'r', url: api, method: 'PUT', origin: null });
    const out = run([pf, r]);
    for (const id of ['p', 'r']) {
      expect(out[id]).toMatchObject({ verdict: 'fail', error: 'HeaderDisallowedByPreflightResponse', failedParameter: 'x-token', firefoxReason: 'CORSMissingAllowHeaderFromPreflight' });
    }
    // The blocked request shows no Origin (provisional headers): its origin comes from the preflight.
    expect(out.r).toMatchObject({ kind: 'preflighted', origin: A, pairedWith: 'p' });
    expect(out.r!.message).toContain('x-token');
  });

  it.each<[string, Headers, number, string, string]>([
    ['PUT; ACAM GET → MethodDisallowedByPreflightResponse PUT', { ...allowA, 'Access-Control-Allow-Methods': 'GET' }, 204, 'MethodDisallowedByPreflightResponse', 'PUT'],
    ['PUT; preflight 404 without ACAO → PreflightMissingAllowOriginHeader', {}, 404, 'PreflightMissingAllowOriginHeader', ''],
    ['PUT; preflight 403 with ACAO → PreflightInvalidStatus', { ...allowA, 'Access-Control-Allow-Methods': 'PUT' }, 403, 'PreflightInvalidStatus', ''],
    ['PUT; preflight redirected → PreflightDisallowedRedirect', { Location: `${C}/x` }, 301, 'PreflightDisallowedRedirect', ''],
    ['PUT; ACAO B → PreflightAllowOriginMismatch B', { 'Access-Control-Allow-Origin': B }, 204, 'PreflightAllowOriginMismatch', B],
    ['PUT; ACAO with two values → PreflightMultipleAllowOriginValues', { 'Access-Control-Allow-Origin': [A, B] }, 204, 'PreflightMultipleAllowOriginValues', `${A}, ${B}`],
    ['PUT; ACAO invalid → PreflightInvalidAllowOriginValue', { 'Access-Control-Allow-Origin': 'https://' }, 204, 'PreflightInvalidAllowOriginValue', 'https://'],
    ['PUT; ACAM unparsable → InvalidAllowMethodsPreflightResponse', { ...allowA, 'Access-Control-Allow-Methods': 'PUT;GET' }, 204, 'InvalidAllowMethodsPreflightResponse', ''],
  ])('%s (reported on the request, as Chromium does)', (_n, response, status, error, param) => {
    const out = run([preflight({ id: 'p', url: api, acrm: 'PUT', response, status }), blocked({ id: 'r', url: api, method: 'PUT', origin: null })]);
    expect(out.r).toMatchObject({ verdict: 'fail', error, failedParameter: param });
    expect(out.p).toMatchObject({ verdict: 'fail', error, failedParameter: param, preflightCache: { effectiveSeconds: 0 } });
  });

  it('credentialed PUT: preflight is judged with the request’s mode (no cookies on the preflight itself)', () => {
    const pf = preflight({ id: 'p', url: api, acrm: 'PUT', response: { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Methods': 'PUT' } });
    const r = blocked({ id: 'r', url: api, method: 'PUT', credentials: 'include' });
    const out = run([pf, r]);
    expect(out.r).toMatchObject({ verdict: 'fail', error: 'PreflightWildcardOriginNotAllowed', credentials: 'include' });
    expect(out.p).toMatchObject({ verdict: 'fail', error: 'PreflightWildcardOriginNotAllowed', credentials: 'include' });
  });

  it('credentialed PUT: preflight without ACAC → PreflightInvalidAllowCredentials', () => {
    const pf = preflight({ id: 'p', url: api, acrm: 'PUT', response: { ...allowA, 'Access-Control-Allow-Methods': 'PUT' } });
    const out = run([pf, blocked({ id: 'r', url: api, method: 'PUT', credentials: 'include' })]);
    expect(out.r).toMatchObject({ error: 'PreflightInvalidAllowCredentials', failedParameter: '' });
  });

  it('preflight passes but the actual response lacks ACAO → the request fails on its own response', () => {
    const out = run([
      preflight({ id: 'p', url: api, acrm: 'DELETE', response: { ...allowA, 'Access-Control-Allow-Methods': 'DELETE' } }),
      request({ id: 'r', url: api, method: 'DELETE', response: {}, start: 1000, end: 1040 }),
    ]);
    expect(out.p!.verdict).toBe('pass');
    expect(out.r).toMatchObject({ verdict: 'fail', error: 'MissingAllowOriginHeader' });
  });

  it('preflight with no response (connection dropped) → unknown on both, no CORS error (as Chromium 156 reports it)', () => {
    const dropped = { outcome: 'failed' as const, error: 'net::ERR_EMPTY_RESPONSE' };
    const out = run([
      preflight({ id: 'p', url: api, acrm: 'PUT', response: null, outcome: dropped }),
      request({ id: 'r', url: api, method: 'PUT', origin: null, response: null, outcome: dropped }),
    ]);
    expect(out.p).toMatchObject({ verdict: 'unknown', error: null, failedParameter: null });
    expect(out.r).toMatchObject({ verdict: 'unknown', error: null, pairedWith: 'p' });
    expect(out.r!.message).toContain('net::ERR_EMPTY_RESPONSE');
  });

  it('a request the browser blocked after a preflight that only fails with credentials was credentialed', () => {
    const out = run([
      preflight({ id: 'p', url: api, acrm: 'PUT', response: { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Methods': 'PUT' } }),
      blocked({ id: 'r', url: api, method: 'PUT', origin: null }),
    ]);
    expect(out.r).toMatchObject({ verdict: 'fail', error: 'PreflightWildcardOriginNotAllowed', credentials: 'include', credentialsInferred: true });
    expect(out.p).toMatchObject({ verdict: 'fail', error: 'PreflightWildcardOriginNotAllowed', credentials: 'include' });
  });

  it('a simple response the browser blocked that passes only without credentials: include inferred', () => {
    const out = run([request({ id: 'r', url: api, response: allowA, outcome: { outcome: 'failed', error: 'net::ERR_FAILED' } })]);
    expect(out.r).toMatchObject({ verdict: 'fail', error: 'InvalidAllowCredentials', credentials: 'include', credentialsInferred: true });
  });

  it('no inference from a failed unfollowed redirect (redirect mode "error" fails on its own)', () => {
    const out = run([request({ id: 'r', url: api, status: 302, response: { ...allowA, Location: `${B}/x` }, outcome: { outcome: 'failed', error: 'net::ERR_FAILED' } })]);
    expect(out.r).toMatchObject({ verdict: 'pass', credentials: 'unknown' });
    expect(codes(out.r)).toContain('BrowserOutcomeDiffers');
  });

  it('a preflight whose request never appeared: pairedWith null, judged on its own', () => {
    const out = run([preflight({ id: 'p', url: api, acrm: 'PUT', response: { ...allowA, 'Access-Control-Allow-Methods': 'PUT' } })]);
    expect(out.p).toMatchObject({ verdict: 'pass', pairedWith: null, credentials: 'unknown' });
  });

  it('a request blocked before sending whose preflight was not captured → unknown', () => {
    const out = run([blocked({ id: 'r', url: api, method: 'PUT' })]);
    expect(out.r).toMatchObject({ kind: 'preflighted', verdict: 'unknown', error: null });
  });

  it('Authorization under ACAH * passes (Chromium and Firefox) with a warning on both entries', () => {
    for (const browser of ['chromium', 'firefox'] as const) {
      const out = run(
        [
          preflight({ id: 'p', url: api, acrm: 'GET', acrh: 'authorization', response: { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': '*', 'Access-Control-Max-Age': '60' } }),
          request({ id: 'r', url: api, headers: { Authorization: 'Bearer x' }, response: { 'Access-Control-Allow-Origin': '*' }, credentials: 'omit', start: 1000, end: 1040 }),
        ],
        browser,
      );
      expect(out.p!.verdict).toBe('pass');
      expect(codes(out.p)).toContain('AuthorizationCoveredByWildcard');
      expect(codes(out.r)).toContain('AuthorizationCoveredByWildcard');
    }
  });

  it('Max-Age warnings follow the browser: 8000 s is above Chromium’s cap but not Firefox’s', () => {
    const mk = () => [
      preflight({ id: 'p', url: api, acrm: 'PUT', response: { ...allowA, 'Access-Control-Allow-Methods': 'PUT', 'Access-Control-Max-Age': '8000' } }),
      request({ id: 'r', url: api, method: 'PUT', response: allowA, start: 1000, end: 1040, credentials: 'omit' }),
    ];
    expect(codes(run(mk(), 'chromium').p)).toEqual(['MaxAgeAboveBrowserCap']);
    expect(run(mk(), 'chromium').p!.preflightCache).toEqual({ maxAgeHeader: '8000', effectiveSeconds: 7200, browserCapSeconds: 7200 });
    expect(codes(run(mk(), 'firefox').p)).toEqual([]);
    expect(run(mk(), 'firefox').p!.preflightCache).toEqual({ maxAgeHeader: '8000', effectiveSeconds: 8000, browserCapSeconds: 86400 });
  });

  it.each<[string | undefined, string[]]>([
    [undefined, ['MaxAgeMissing']],
    ['600.5', ['MaxAgeInvalid']],
    ['600', []],
  ])('Max-Age %s → warnings %j', (maxAge, expected) => {
    const response: Headers = { ...allowA, 'Access-Control-Allow-Methods': 'PUT' };
    if (maxAge !== undefined) response['Access-Control-Max-Age'] = maxAge;
    const out = run([preflight({ id: 'p', url: api, acrm: 'PUT', response }), request({ id: 'r', url: api, method: 'PUT', response: allowA, start: 1000, end: 1040, credentials: 'omit' })]);
    expect(codes(out.p)).toEqual(expected);
  });
});

describe('pairing order and ambiguity', () => {
  const pfResp: Headers = { ...allowA, 'Access-Control-Allow-Methods': 'PUT', 'Access-Control-Max-Age': '0' };

  it('Chromium order: preflight completes first; when the request arrives the preflight changes too', () => {
    const a = new CorsAnalyzer({ browser: 'chromium' });
    const first = a.add(preflight({ id: 'p', url: api, acrm: 'PUT', response: pfResp, start: 1002, end: 1008 }));
    expect(first.map((e) => [e.request.id, e.cors.pairedWith])).toEqual([['p', null]]);
    const second = a.add(request({ id: 'r', url: api, method: 'PUT', response: allowA, start: 1000, end: 1040 }));
    expect(second.map((e) => [e.request.id, e.cors.pairedWith]).sort()).toEqual([
      ['p', 'r'],
      ['r', 'p'],
    ]);
    // Nothing changes when an unrelated request arrives.
    expect(a.add(request({ id: 'x', url: `${C}/other`, response: { 'Access-Control-Allow-Origin': '*' } })).map((e) => e.request.id)).toEqual(['x']);
  });

  it('Firefox order (request headers before the preflight, completion after) pairs the same', () => {
    const out = run(
      [request({ id: 'r', url: api, method: 'PUT', response: allowA, start: 1000, end: 1040 }), preflight({ id: 'p', url: api, acrm: 'PUT', response: pfResp, start: 1003, end: 1010 })],
      'firefox',
    );
    expect([out.r!.pairedWith, out.p!.pairedWith]).toEqual(['p', 'r']);
  });

  it('two identical requests in flight pair first-with-first', () => {
    const out = run([
      request({ id: 'r1', url: api, method: 'PUT', response: allowA, start: 1000, end: 1050 }),
      request({ id: 'r2', url: api, method: 'PUT', response: allowA, start: 1001, end: 1051 }),
      preflight({ id: 'p1', url: api, acrm: 'PUT', response: pfResp, start: 1002, end: 1010 }),
      preflight({ id: 'p2', url: api, acrm: 'PUT', response: pfResp, start: 1003, end: 1011 }),
    ]);
    expect([out.p1!.pairedWith, out.p2!.pairedWith]).toEqual(['r1', 'r2']);
  });

  it('preflights of other tabs and of other methods are not mixed up', () => {
    const out = run([
      request({ id: 'r1', url: api, method: 'PUT', response: allowA, start: 1000, end: 1050, tabId: 1 }),
      request({ id: 'r2', url: api, method: 'DELETE', response: allowA, start: 1001, end: 1051, tabId: 2 }),
      preflight({ id: 'p2', url: api, acrm: 'DELETE', response: { ...allowA, 'Access-Control-Allow-Methods': 'DELETE' }, start: 1002, end: 1010, tabId: 2 }),
      preflight({ id: 'p1', url: api, acrm: 'PUT', response: pfResp, start: 1003, end: 1011, tabId: 1 }),
    ]);
    expect([out.r1!.pairedWith, out.r2!.pairedWith]).toEqual(['p1', 'p2']);
  });

  it('a cache-hit request starting just after the preflight does not steal it (Chrome DevTools HAR timings)', () => {
    const out = run([
      request({ id: 'r1', url: api, method: 'PUT', response: allowA, start: 1000, end: 1020 }),
      preflight({ id: 'p', url: api, acrm: 'PUT', response: { ...pfResp, 'Access-Control-Max-Age': '600' }, start: 1012, end: 1015 }),
      request({ id: 'r2', url: api, method: 'PUT', response: allowA, start: 1026, end: 1035 }),
    ]);
    expect([out.p!.pairedWith, out.r2!.pairedWith, out.r2!.preflightCache]).toEqual(['r1', null, { hit: true, preflightId: 'p' }]);
  });

  it('a request blocked by its preflight pairs even when the HAR times its failure before the preflight', () => {
    const out = run([
      blocked({ id: 'r', url: api, method: 'PUT', origin: null, start: 1000, end: 1008 }),
      preflight({ id: 'p', url: api, acrm: 'PUT', response: { 'Access-Control-Allow-Origin': A }, start: 1122, end: 1122 }),
    ]);
    expect(out.r).toMatchObject({ pairedWith: 'p', verdict: 'fail', error: 'MethodDisallowedByPreflightResponse' });
  });

  it('requests without a tab (tabId null) pair among themselves', () => {
    const out = run([
      request({ id: 'r', url: api, method: 'PUT', response: allowA, start: 1000, end: 1050, tabId: null }),
      preflight({ id: 'p', url: api, acrm: 'PUT', response: pfResp, tabId: null }),
      request({ id: 'other', url: api, method: 'PUT', response: allowA, start: 999, end: 1050, tabId: 3 }),
    ]);
    expect(out.p!.pairedWith).toBe('r');
  });

  it('an explicit link from the source (preflightFor) wins over timing', () => {
    const out = run([
      request({ id: 'r1', url: api, method: 'PUT', response: allowA, start: 1000, end: 1050 }),
      request({ id: 'r2', url: api, method: 'PUT', response: allowA, start: 1001, end: 1051 }),
      preflight({ id: 'p', url: api, acrm: 'PUT', response: pfResp, start: 1002, preflightFor: 'r1' }),
    ]);
    expect(out.p!.pairedWith).toBe('r1');
    expect(out.r2!.pairedWith).toBeNull();
  });

  it('two preflights naming one request: the pairing does not depend on their order in the input', () => {
    // Found by the HAR round-trip property (seed 38675219): the export sorts by start time, and
    // the request read back named the other preflight. The one whose URL and ACRM match the hop wins.
    const r = request({ id: 'r', url: `${C}/final`, method: 'PUT', status: 307, response: { Location: `${B}/x` }, redirectTo: `${B}/x`, next: [{ url: `${B}/x`, method: 'PUT', response: allowA }] });
    const stray = preflight({ id: 'p-stray', url: `${B}/x`, acrm: 'GET', response: pfResp, start: 999, preflightFor: 'r' });
    const matching = preflight({ id: 'p-match', url: `${C}/final`, acrm: 'PUT', response: pfResp, start: 998, preflightFor: 'r' });
    for (const order of [[r, stray, matching], [r, matching, stray], [matching, stray, r]]) {
      const out = run(order);
      expect(out.r!.pairedWith).toBe('p-match');
      expect(out['p-match']!.pairedWith).toBe('r');
      expect(out['p-stray']!.pairedWith).toBe('r');
    }
  });

  it('two matching preflights naming one hop: the later one keeps it, in any input order', () => {
    const r = request({ id: 'r', url: api, method: 'PUT', response: allowA, start: 1000, end: 1050 });
    const early = preflight({ id: 'p-early', url: api, acrm: 'PUT', response: pfResp, start: 1001, preflightFor: 'r' });
    const late = preflight({ id: 'p-late', url: api, acrm: 'PUT', response: pfResp, start: 1002, preflightFor: 'r' });
    expect(run([r, early, late]).r!.pairedWith).toBe('p-late');
    expect(run([r, late, early]).r!.pairedWith).toBe('p-late');
  });

  it('entries come sorted by start time, ties in insertion order', () => {
    const a = new CorsAnalyzer({ browser: 'chromium' });
    a.add(request({ id: 'late', url: `${B}/1`, start: 3000, response: allowA }));
    a.add(request({ id: 'early', url: `${B}/2`, start: 1000, response: allowA }));
    a.add(request({ id: 'tie', url: `${B}/3`, start: 1000, response: allowA }));
    expect(a.entries().map((e) => e.request.id)).toEqual(['early', 'tie', 'late']);
  });
});

describe('preflight cache', () => {
  const pfResp = (maxAge: string): Headers => ({ ...allowA, 'Access-Control-Allow-Methods': 'PUT', 'Access-Control-Max-Age': maxAge });

  it('a second PUT inside Max-Age without OPTIONS is served from the cache', () => {
    const out = run([
      request({ id: 'r1', url: api, method: 'PUT', response: allowA, start: 1000, end: 1050 }),
      preflight({ id: 'p1', url: api, acrm: 'PUT', response: pfResp('600'), start: 1002, end: 1010 }),
      request({ id: 'r2', url: api, method: 'PUT', response: allowA, start: 5000, end: 5020 }),
    ]);
    expect(out.r2).toMatchObject({ kind: 'preflighted', verdict: 'pass', pairedWith: null, preflightCache: { hit: true, preflightId: 'p1' } });
    expect(out.r2!.preflightTriggers).toEqual([{ kind: 'method', value: 'PUT' }]);
  });

  it('outside Max-Age (default 5 s) the earlier preflight cannot have served it', () => {
    const out = run([
      preflight({ id: 'p1', url: api, acrm: 'PUT', response: { ...allowA, 'Access-Control-Allow-Methods': 'PUT' }, start: 1002, end: 1010 }),
      request({ id: 'r1', url: api, method: 'PUT', response: allowA, start: 1000, end: 1050 }),
      request({ id: 'r2', url: api, method: 'PUT', response: allowA, start: 7000, end: 7020 }),
    ]);
    expect(out.r2!.preflightCache).toEqual({ hit: true, preflightId: null });
  });

  it('Firefox does not cache Max-Age "600.5"; Chromium keeps it 5 s', () => {
    const reqs = () => [
      preflight({ id: 'p1', url: api, acrm: 'PUT', response: pfResp('600.5'), start: 1002, end: 1010 }),
      request({ id: 'r1', url: api, method: 'PUT', response: allowA, start: 1000, end: 1050 }),
      request({ id: 'r2', url: api, method: 'PUT', response: allowA, start: 3000, end: 3020 }),
    ];
    expect(run(reqs(), 'chromium').r2!.preflightCache).toEqual({ hit: true, preflightId: 'p1' });
    expect(run(reqs(), 'firefox').r2!.preflightCache).toEqual({ hit: true, preflightId: null });
  });
});

describe('redirects of the actual request', () => {
  const star: Headers = { 'Access-Control-Allow-Origin': '*' };
  it.each<[string, ObservedRequest, { verdict: string; error?: string; param?: string }]>([
    [
      'A → B 302 → C, both with ACAO * → pass',
      request({ id: 'r', url: `${B}/r`, status: 302, response: { ...star, Location: `${C}/x` }, redirectTo: `${C}/x`, next: [{ url: `${C}/x`, response: star }], credentials: 'omit' }),
      { verdict: 'pass' },
    ],
    [
      'A → B 302 without ACAO → MissingAllowOriginHeader at the redirect',
      request({ id: 'r', url: `${B}/r`, status: 302, response: { Location: `${C}/x` }, redirectTo: `${C}/x`, next: [{ url: `${C}/x`, response: star }] }),
      { verdict: 'fail', error: 'MissingAllowOriginHeader', param: '' },
    ],
    [
      'A → B → C: C echoes A, but the tainted origin is null → AllowOriginMismatch A',
      request({ id: 'r', url: `${B}/r`, status: 307, response: { ...star, Location: `${C}/x` }, redirectTo: `${C}/x`, next: [{ url: `${C}/x`, response: { 'Access-Control-Allow-Origin': A } }] }),
      { verdict: 'fail', error: 'AllowOriginMismatch', param: A },
    ],
    [
      'A → B → C: C answers ACAO null → pass',
      request({ id: 'r', url: `${B}/r`, status: 307, response: { ...star, Location: `${C}/x` }, redirectTo: `${C}/x`, next: [{ url: `${C}/x`, response: { 'Access-Control-Allow-Origin': 'null' } }], credentials: 'omit' }),
      { verdict: 'pass' },
    ],
    [
      'A → B → B (same-origin hop on the API) keeps Origin A',
      request({ id: 'r', url: `${B}/r`, status: 302, response: { ...allowA, Location: `${B}/x` }, redirectTo: `${B}/x`, next: [{ url: `${B}/x`, response: allowA }], credentials: 'omit' }),
      { verdict: 'pass' },
    ],
    [
      'A → B 302 to a URL with user:pass → RedirectContainsCredentials',
      request({ id: 'r', url: `${B}/r`, status: 302, response: { ...star, Location: 'http://u:p@127.0.0.1:18413/x' }, outcome: { outcome: 'failed', error: 'net::ERR_FAILED' } }),
      { verdict: 'fail', error: 'RedirectContainsCredentials', param: '' },
    ],
    [
      'redirect: "manual" — 302 with ACAO, next hop cancelled (ERR_ABORTED) → pass (opaque-redirect)',
      request({ id: 'r', url: `${B}/r`, status: 302, response: { ...allowA, Location: `${C}/x` }, redirectTo: `${C}/x`, next: [{ url: `${C}/x`, response: null }], outcome: { outcome: 'failed', error: 'net::ERR_ABORTED' }, credentials: 'omit' }),
      { verdict: 'pass' },
    ],
    [
      'redirect: "manual" — 302 without ACAO → MissingAllowOriginHeader',
      request({ id: 'r', url: `${B}/r`, status: 302, response: { Location: `${C}/x` }, redirectTo: `${C}/x`, next: [{ url: `${C}/x`, response: null }], outcome: { outcome: 'failed', error: 'net::ERR_ABORTED' } }),
      { verdict: 'fail', error: 'MissingAllowOriginHeader' },
    ],
    [
      'A (same-origin) → B: the CORS check starts at B',
      request({ id: 'r', url: `${A}/r`, status: 302, response: { Location: `${B}/x` }, redirectTo: `${B}/x`, next: [{ url: `${B}/x`, response: {} }] }),
      { verdict: 'fail', error: 'MissingAllowOriginHeader' },
    ],
  ])('%s', (_n, req, exp) => {
    const c = run([req]).r!;
    expect(c.verdict).toBe(exp.verdict);
    if (exp.error) expect(c.error).toBe(exp.error);
    if (exp.param !== undefined) expect(c.failedParameter).toBe(exp.param);
  });
});

it('an opaque-redirect response exposes no header to the script', () => {
  const r = request({ id: 'r', url: `${B}/r`, status: 302, response: { ...allowA, Location: `${C}/x`, 'Content-Type': 'text/plain' }, redirectTo: `${C}/x`, next: [{ url: `${C}/x`, response: null }], outcome: { outcome: 'failed', error: 'net::ERR_ABORTED' } });
  expect(run([r]).r!.exposedHeaders).toEqual([]);
});

describe('a preflighted request redirected across origins gets a second preflight', () => {
  const pfOk = (origin: string): Headers => ({ 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Methods': 'PUT' });
  const put = () =>
    request({
      id: 'r',
      url: `${B}/r`,
      method: 'PUT',
      status: 307,
      response: { ...allowA, Location: `${C}/x` },
      redirectTo: `${C}/x`,
      next: [{ url: `${C}/x`, response: { 'Access-Control-Allow-Origin': '*' } }],
      start: 1000,
      end: 1100,
      credentials: 'omit',
    });

  it('Chromium: the hop-2 preflight carries Origin null and pairs with hop 2', () => {
    const out = run([put(), preflight({ id: 'p1', url: `${B}/r`, acrm: 'PUT', response: pfOk(A), start: 1002 }), preflight({ id: 'p2', url: `${C}/x`, origin: 'null', acrm: 'PUT', response: pfOk('*'), start: 1030 })]);
    expect(out.r).toMatchObject({ verdict: 'pass', pairedWith: 'p1' });
    expect([out.p1!.pairedWith, out.p2!.pairedWith]).toEqual(['r', 'r']);
  });

  it('a failing hop-2 preflight fails the request with its error', () => {
    const out = run([put(), preflight({ id: 'p1', url: `${B}/r`, acrm: 'PUT', response: pfOk(A), start: 1002 }), preflight({ id: 'p2', url: `${C}/x`, origin: 'null', acrm: 'PUT', status: 404, response: pfOk('*'), start: 1030 })]);
    expect(out.r).toMatchObject({ verdict: 'fail', error: 'PreflightInvalidStatus', failedParameter: '' });
    expect(out.p1!.verdict).toBe('pass');
  });

  it('Firefox: the hop-2 preflight keeps the page Origin, and ACAO is compared with what was sent', () => {
    const out = run(
      [put(), preflight({ id: 'p1', url: `${B}/r`, acrm: 'PUT', response: pfOk(A), start: 1002 }), preflight({ id: 'p2', url: `${C}/x`, origin: A, acrm: 'PUT', response: pfOk(A), start: 1030 })],
      'firefox',
    );
    expect([out.r!.verdict, out.p2!.verdict, out.p2!.pairedWith]).toEqual(['pass', 'pass', 'r']);
  });
});

describe('null origin (sandboxed iframe)', () => {
  it.each<[Headers, string, string | null]>([
    [{ 'Access-Control-Allow-Origin': 'null' }, 'pass', null],
    [{ 'Access-Control-Allow-Origin': '*' }, 'pass', null],
    [{ 'Access-Control-Allow-Origin': A }, 'fail', 'AllowOriginMismatch'],
  ])('ACAO %j → %s', (response, verdict, error) => {
    const c = run([request({ id: 'r', url: api, origin: 'null', initiator: null, response, credentials: 'omit' })]).r!;
    expect([c.verdict, c.error, c.origin]).toEqual([verdict, error, 'null']);
  });
});

describe('judge (single exchange, the panel’s what-if)', () => {
  it('links the preflight to the request explicitly', () => {
    const res = judge(
      {
        request: blocked({ id: 'r', url: api, method: 'PUT', start: 1 }),
        preflight: preflight({ id: 'p', url: api, acrm: 'PUT', response: { ...allowA, 'Access-Control-Allow-Methods': 'put' }, start: 99999 }),
      },
      { browser: 'chromium' },
    );
    expect(res.request).toMatchObject({ error: 'MethodDisallowedByPreflightResponse', failedParameter: 'PUT', pairedWith: 'p' });
    expect(res.preflight).toMatchObject({ pairedWith: 'r' });
  });
});

describe('batch and incremental analysis agree', () => {
  it('analyzeCapture equals CorsAnalyzer.add in order, for a mixed capture', () => {
    const pfResp: Headers = { ...allowA, 'Access-Control-Allow-Methods': 'PUT, DELETE', 'Access-Control-Max-Age': '60' };
    const reqs: ObservedRequest[] = [];
    for (let i = 0; i < 30; i++) {
      const t = 1000 + i * 700;
      const url = `${B}/api/${i % 4}`;
      if (i % 3 === 0) {
        reqs.push(request({ id: `m${i}`, url, method: 'PUT', response: allowA, start: t, end: t + 40, tabId: i % 2 }));
        reqs.push(preflight({ id: `p${i}`, url, acrm: 'PUT', response: pfResp, start: t + 2, end: t + 8, tabId: i % 2 }));
      } else if (i % 3 === 1) {
        reqs.push(request({ id: `m${i}`, url, method: 'DELETE', response: allowA, start: t, end: t + 40, tabId: i % 2 }));
      } else {
        reqs.push(request({ id: `m${i}`, url, response: i % 5 ? allowA : {}, start: t, end: t + 40 }));
      }
    }
    const a = new CorsAnalyzer({ browser: 'chromium' });
    for (const r of reqs) a.add(r);
    expect(analyzeCapture(reqs, { browser: 'chromium' })).toEqual(a.entries());
  });
});
