import { describe, expect, it } from 'vitest';
import { ALL_ERROR_CODES, ALL_FIREFOX_REASONS, ALL_WARNING_CODES } from './codes.ts';
import { ERROR_EXPLANATIONS, explainError, explainNotCors, explainPass, explainUnknown, explainWarning, WARNING_EXPLANATIONS, WARNING_TEXT_FACTS } from './explain.ts';
import type { WarningFacts } from './warnings.ts';
import { FIREFOX_REASON_FOR } from './firefox.ts';
import { A, B } from './testing.ts';

const exchange = { method: 'PUT', url: `${B}/api`, origin: A, credentials: 'not-include' as const };

describe('convention: every emittable code has a message and a fix', () => {
  it('the error table covers exactly ALL_ERROR_CODES', () => {
    expect(Object.keys(ERROR_EXPLANATIONS).sort()).toEqual([...ALL_ERROR_CODES].sort());
    expect(Object.keys(FIREFOX_REASON_FOR).sort()).toEqual([...ALL_ERROR_CODES].sort());
  });
  it('the warning table covers exactly ALL_WARNING_CODES', () => {
    expect(Object.keys(WARNING_EXPLANATIONS).sort()).toEqual([...ALL_WARNING_CODES].sort());
  });
  it.each(ALL_ERROR_CODES.map((c) => [c]))('%s renders one sentence and a fix with the values filled in', (code) => {
    const e = explainError(code, {
      ...exchange,
      allowOrigin: 'http://wrong.example',
      allowCredentials: 'TRUE',
      allowMethods: 'GET',
      allowHeaders: 'x-a',
      header: 'x-token',
      badToken: 'x(y',
      status: 404,
      location: 'http://u:p@example.com/',
      netError: 'net::ERR_EMPTY_RESPONSE',
      preflight: code.startsWith('Preflight') || code.includes('Preflight'),
    });
    expect(e.message).toMatch(/^[A-Z`].*\.$/s);
    expect(e.message).not.toMatch(/undefined|\[object/);
    expect(e.fix).not.toMatch(/undefined|\[object/);
    expect(e.fix.length).toBeGreaterThan(20);
    // Each names something concrete from the exchange: the URL, the origin or the offending value.
    expect(`${e.message} ${e.fix}`).toMatch(new RegExp([B, A, 'x-token', 'PUT', 'wrong.example', 'u:p@'].map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')));
  });
  it.each(ALL_WARNING_CODES.map((c) => [c]))('warning %s renders', (code) => {
    const e = explainWarning(code, { origin: A, url: `${B}/api`, headers: ['access-control-allow-headers'], maxAge: '8000', effectiveSeconds: 7200, capSeconds: 7200, profile: 'chromium', alternateError: 'WildcardOriginNotAllowed', observedError: 'net::ERR_FAILED' });
    expect(e.message.length).toBeGreaterThan(20);
    expect(e.fix.length).toBeGreaterThan(20);
    expect(`${e.message}${e.fix}`).not.toMatch(/undefined/);
  });
  it('Firefox reasons used are known names', () => {
    for (const r of Object.values(FIREFOX_REASON_FOR)) if (r !== null) expect(ALL_FIREFOX_REASONS).toContain(r);
  });
});

describe('messages say what to send', () => {
  it('AllowOriginMismatch with a trailing slash says so and gives the exact header', () => {
    const e = explainError('AllowOriginMismatch', { ...exchange, allowOrigin: `${A}/` });
    expect(e.message).toContain('trailing slash');
    expect(e.fix).toContain(`Access-Control-Allow-Origin: ${A}`);
  });
  it('a tainted origin explains the redirect', () => {
    const e = explainError('AllowOriginMismatch', { ...exchange, origin: 'null', tainted: true, allowOrigin: A });
    expect(e.message).toContain('Origin: null');
    expect(e.fix).toContain('Access-Control-Allow-Origin: *');
  });
  it('HeaderDisallowed names the header in both', () => {
    const e = explainError('HeaderDisallowedByPreflightResponse', { ...exchange, header: 'x-token', allowHeaders: null, preflight: true });
    expect(e.message).toContain("'x-token'");
    expect(e.fix).toContain('`x-token`');
  });
  it('pass, unknown and n/a have messages too', () => {
    expect(explainPass('simple', exchange).message).toContain('passed');
    expect(explainPass('preflight', { ...exchange, cacheSeconds: 600 }).message).toContain('600 s');
    expect(explainUnknown('network-error', { ...exchange, netError: 'net::ERR_CONNECTION_REFUSED' }).message).toContain('net::ERR_CONNECTION_REFUSED');
    expect(explainNotCors('same-origin', exchange).message).toContain('same-origin');
  });
});

describe('shared warnings: a text depends only on the facts WARNING_TEXT_FACTS lists', () => {
  // Two full sets of facts, differing in every field; the analyzer shares one warning object per
  // listed facts, so swapping in any unlisted fact must leave message and fix as they were.
  const one: Required<WarningFacts> = {
    origin: A,
    url: `${B}/one`,
    header: 'x-one',
    headers: ['access-control-allow-origin'],
    maxAge: '90000',
    effectiveSeconds: 5,
    capSeconds: 7200,
    profile: 'chromium',
    alternateError: 'WildcardOriginNotAllowed',
    alternateParameter: '',
    observedError: 'net::ERR_FAILED',
  };
  const two: Required<WarningFacts> = {
    origin: 'http://other.test',
    url: `${A}/two`,
    header: 'x-two',
    headers: ['access-control-allow-methods', 'access-control-allow-origin'],
    maxAge: 'abc',
    effectiveSeconds: 0,
    capSeconds: 86400,
    profile: 'firefox',
    alternateError: 'InvalidAllowCredentials',
    alternateParameter: 'false',
    observedError: 'NS_ERROR_DOM_BAD_URI',
  };
  const keys = Object.keys(one) as (keyof WarningFacts)[];
  it.each(Object.keys(WARNING_TEXT_FACTS).map((c) => [c as keyof typeof WARNING_TEXT_FACTS]))('%s', (code) => {
    const listed = WARNING_TEXT_FACTS[code]!;
    for (const k of keys) {
      const changed = { ...one, [k]: two[k] };
      if (JSON.stringify(listed(changed)) !== JSON.stringify(listed(one))) continue; // a listed fact
      expect(explainWarning(code, changed), `${code} reads ${k}, which WARNING_TEXT_FACTS does not list`).toEqual(explainWarning(code, one));
    }
  });
});
