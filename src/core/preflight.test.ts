import { describe, expect, it } from 'vitest';
import { judgePreflight } from './preflight.ts';
import { A, B, preflight, type Headers } from './testing.ts';

const url = `${B}/api`;
const ok: Headers = { 'Access-Control-Allow-Origin': A };

interface Case {
  name: string;
  acrm: string;
  acrh?: string;
  status?: number;
  response: Headers | null;
  include?: boolean;
  redirectTo?: string;
  error: string | null;
  param?: string;
  firefox?: string | null;
}

const cases: Case[] = [
  { name: 'PUT, ACAO A, ACAM PUT → pass', acrm: 'PUT', response: { ...ok, 'Access-Control-Allow-Methods': 'PUT' }, error: null },
  { name: 'PUT, no ACAO → PreflightMissingAllowOriginHeader', acrm: 'PUT', response: { 'Access-Control-Allow-Methods': 'PUT' }, error: 'PreflightMissingAllowOriginHeader', param: '', firefox: 'CORSMissingAllowOrigin' },
  { name: '404 without ACAO → PreflightMissingAllowOriginHeader (ACAO checked before status)', acrm: 'PUT', status: 404, response: {}, error: 'PreflightMissingAllowOriginHeader', param: '' },
  { name: '404 with ACAO → PreflightInvalidStatus ""', acrm: 'PUT', status: 404, response: { ...ok, 'Access-Control-Allow-Methods': 'PUT' }, error: 'PreflightInvalidStatus', param: '', firefox: 'CORSPreflightDidNotSucceed' },
  { name: '500 with ACAO → PreflightInvalidStatus', acrm: 'DELETE', status: 500, response: ok, error: 'PreflightInvalidStatus', param: '' },
  { name: '302 redirect (even with ACAO) → PreflightDisallowedRedirect', acrm: 'PUT', status: 302, response: { ...ok, Location: `${B}/elsewhere` }, error: 'PreflightDisallowedRedirect', param: '', firefox: 'CORSExternalRedirectNotAllowed' },
  { name: '307 redirect without ACAO → PreflightDisallowedRedirect (redirect first)', acrm: 'PUT', status: 307, response: { Location: '/elsewhere' }, error: 'PreflightDisallowedRedirect', param: '' },
  { name: 'ACAO * with include → PreflightWildcardOriginNotAllowed', acrm: 'PUT', include: true, response: { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Methods': 'PUT' }, error: 'PreflightWildcardOriginNotAllowed', param: '', firefox: 'CORSNotSupportingCredentials' },
  { name: 'include without ACAC → PreflightInvalidAllowCredentials', acrm: 'PUT', include: true, response: { ...ok, 'Access-Control-Allow-Methods': 'PUT' }, error: 'PreflightInvalidAllowCredentials', param: '', firefox: 'CORSMissingAllowCredentials' },
  { name: 'two origins → PreflightMultipleAllowOriginValues', acrm: 'PUT', response: { 'Access-Control-Allow-Origin': `${A} ${B}` }, error: 'PreflightMultipleAllowOriginValues', param: `${A} ${B}` },
  { name: 'ACAO not a URL → PreflightInvalidAllowOriginValue', acrm: 'PUT', response: { 'Access-Control-Allow-Origin': 'foo' }, error: 'PreflightInvalidAllowOriginValue', param: 'foo' },
  { name: 'ACAO other origin → PreflightAllowOriginMismatch', acrm: 'PUT', response: { 'Access-Control-Allow-Origin': B }, error: 'PreflightAllowOriginMismatch', param: B },
  { name: 'PUT, ACAM GET, POST → MethodDisallowedByPreflightResponse PUT', acrm: 'PUT', response: { ...ok, 'Access-Control-Allow-Methods': 'GET, POST' }, error: 'MethodDisallowedByPreflightResponse', param: 'PUT', firefox: 'CORSMethodNotFound' },
  { name: 'PUT, no ACAM → MethodDisallowedByPreflightResponse PUT', acrm: 'PUT', response: ok, error: 'MethodDisallowedByPreflightResponse', param: 'PUT' },
  { name: 'PUT, ACAM put (case-sensitive) → MethodDisallowedByPreflightResponse', acrm: 'PUT', response: { ...ok, 'Access-Control-Allow-Methods': 'put' }, error: 'MethodDisallowedByPreflightResponse', param: 'PUT' },
  { name: 'patch, ACAM PATCH → MethodDisallowedByPreflightResponse patch', acrm: 'patch', response: { ...ok, 'Access-Control-Allow-Methods': 'PATCH' }, error: 'MethodDisallowedByPreflightResponse', param: 'patch' },
  { name: 'PUT, ACAM * without credentials → pass', acrm: 'PUT', response: { ...ok, 'Access-Control-Allow-Methods': '*' }, error: null },
  { name: 'PUT, ACAM * with credentials → MethodDisallowedByPreflightResponse', acrm: 'PUT', include: true, response: { ...ok, 'Access-Control-Allow-Credentials': 'true', 'Access-Control-Allow-Methods': '*' }, error: 'MethodDisallowedByPreflightResponse', param: 'PUT' },
  { name: 'POST is safelisted: allowed without ACAM', acrm: 'POST', acrh: 'x-token', response: { ...ok, 'Access-Control-Allow-Headers': 'X-Token' }, error: null },
  { name: 'ACAM with a bad token → InvalidAllowMethodsPreflightResponse ""', acrm: 'PUT', response: { ...ok, 'Access-Control-Allow-Methods': 'PUT, GET POST' }, error: 'InvalidAllowMethodsPreflightResponse', param: '', firefox: 'CORSInvalidAllowMethod' },
  { name: 'ACAH with a bad token → InvalidAllowHeadersPreflightResponse ""', acrm: 'PUT', acrh: 'x-token', response: { ...ok, 'Access-Control-Allow-Methods': 'PUT', 'Access-Control-Allow-Headers': 'x-token, x/y' }, error: 'InvalidAllowHeadersPreflightResponse', param: '', firefox: 'CORSInvalidAllowHeader' },
  {
    name: 'bad ACAH and disallowed method: Chromium parses both first, Firefox checks the method first',
    acrm: 'PUT',
    acrh: 'x-token',
    response: { ...ok, 'Access-Control-Allow-Methods': 'GET', 'Access-Control-Allow-Headers': 'x(y' },
    error: 'InvalidAllowHeadersPreflightResponse',
    param: '',
    firefox: 'CORSMethodNotFound',
  },
  { name: 'PUT with X-Token; preflight 204 with ACAO A, no ACAH → HeaderDisallowedByPreflightResponse x-token', acrm: 'PUT', acrh: 'x-token', response: { ...ok, 'Access-Control-Allow-Methods': 'PUT' }, error: 'HeaderDisallowedByPreflightResponse', param: 'x-token', firefox: 'CORSMissingAllowHeaderFromPreflight' },
  { name: 'first missing header in ACRH order is reported', acrm: 'GET', acrh: 'x-a,x-b,x-c', response: { ...ok, 'Access-Control-Allow-Headers': 'X-A' }, error: 'HeaderDisallowedByPreflightResponse', param: 'x-b' },
  { name: 'header names match case-insensitively', acrm: 'GET', acrh: 'x-token', response: { ...ok, 'Access-Control-Allow-Headers': 'X-TOKEN' }, error: null },
  { name: 'ACAH * without credentials covers headers', acrm: 'GET', acrh: 'x-token', response: { ...ok, 'Access-Control-Allow-Headers': '*' }, error: null },
  { name: 'ACAH * with credentials is literal → HeaderDisallowedByPreflightResponse', acrm: 'GET', acrh: 'x-token', include: true, response: { ...ok, 'Access-Control-Allow-Credentials': 'true', 'Access-Control-Allow-Headers': '*' }, error: 'HeaderDisallowedByPreflightResponse', param: 'x-token' },
  { name: 'ACAH * covers authorization in today’s browsers', acrm: 'GET', acrh: 'authorization', response: { ...ok, 'Access-Control-Allow-Headers': '*' }, error: null },
];

describe('preflight checks in Chromium order', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const pf = preflight({
      url,
      acrm: c.acrm,
      ...(c.acrh !== undefined ? { acrh: c.acrh } : {}),
      ...(c.status !== undefined ? { status: c.status } : {}),
      ...(c.redirectTo !== undefined ? { redirectTo: c.redirectTo } : {}),
      response: c.response,
      ...(c.response === null ? { outcome: { outcome: 'failed' as const, error: 'net::ERR_EMPTY_RESPONSE' } } : {}),
    });
    const j = judgePreflight({
      preflight: pf,
      origin: A,
      credentialsInclude: c.include ?? false,
      method: c.acrm,
      unsafeHeaders: c.acrh ? c.acrh.split(',') : [],
    });
    if (c.error === null) {
      expect(j.state).toBe('pass');
    } else {
      expect(j.state).toBe('fail');
      if (j.state !== 'fail') return;
      expect(j.failure.error).toBe(c.error);
      if (c.param !== undefined) expect(j.failure.failedParameter).toBe(c.param);
      if (c.firefox !== undefined) expect(j.failure.firefoxReason).toBe(c.firefox);
    }
  });

  it('flags Authorization covered by *', () => {
    const pf = preflight({ url, acrm: 'GET', acrh: 'authorization,x-a', response: { ...ok, 'Access-Control-Allow-Headers': '*' } });
    const j = judgePreflight({ preflight: pf, origin: A, credentialsInclude: false, method: 'GET', unsafeHeaders: ['authorization', 'x-a'] });
    expect(j).toMatchObject({ state: 'pass', authorizationCoveredByWildcard: true });
  });

  it('no response at all (connection dropped) is a network error, not a CORS error: unknown', () => {
    const pf = preflight({ url, acrm: 'PUT', response: null, outcome: { outcome: 'failed', error: 'net::ERR_EMPTY_RESPONSE' } });
    const j = judgePreflight({ preflight: pf, origin: A, credentialsInclude: false, method: 'PUT', unsafeHeaders: [] });
    expect(j).toEqual({ state: 'unknown', reason: 'network-error', netError: 'net::ERR_EMPTY_RESPONSE' });
  });

  it('an unfinished preflight is unknown', () => {
    const pf = preflight({ url, acrm: 'PUT', response: null, outcome: { outcome: 'incomplete' } });
    const j = judgePreflight({ preflight: pf, origin: A, credentialsInclude: false, method: 'PUT', unsafeHeaders: [] });
    expect(j.state).toBe('unknown');
  });
});
