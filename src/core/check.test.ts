import { describe, expect, it } from 'vitest';
import { corsCheck } from './check.ts';
import { A, B, hdrs, type Headers } from './testing.ts';

const url = `${B}/api`;
function check(response: Headers | null, opts: { include?: boolean; preflight?: boolean; origin?: string; status?: number } = {}) {
  return corsCheck(
    {
      url,
      status: opts.status ?? (response === null ? 0 : 200),
      responseHeaders: response === null ? null : hdrs(response),
      origin: opts.origin ?? A,
      credentialsInclude: opts.include ?? false,
    },
    { preflight: opts.preflight ?? false },
  );
}

describe('CORS check in Chromium order (cors.cc CheckAccess)', () => {
  it.each<[string, Headers | null, { include?: boolean; origin?: string }, string | null, string | null, string | null]>([
    // name, response headers, options, error, failedParameter, Firefox reason
    ['ACAO equals origin → pass', { 'Access-Control-Allow-Origin': A }, {}, null, null, null],
    ['ACAO * without credentials → pass', { 'Access-Control-Allow-Origin': '*' }, {}, null, null, null],
    ['no response at all → InvalidResponse', null, {}, 'InvalidResponse', '', 'CORSDidNotSucceed'],
    ['ACAO * with include → WildcardOriginNotAllowed', { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Credentials': 'true' }, { include: true }, 'WildcardOriginNotAllowed', '', 'CORSNotSupportingCredentials'],
    ['no ACAO → MissingAllowOriginHeader', {}, {}, 'MissingAllowOriginHeader', '', 'CORSMissingAllowOrigin'],
    ['no ACAO with include → still MissingAllowOriginHeader (checked before ACAC)', {}, { include: true }, 'MissingAllowOriginHeader', '', 'CORSMissingAllowOrigin'],
    ['comma list → MultipleAllowOriginValues', { 'Access-Control-Allow-Origin': `${A}, ${B}` }, {}, 'MultipleAllowOriginValues', `${A}, ${B}`, 'CORSAllowOriginNotMatchingOrigin'],
    ['space-separated → MultipleAllowOriginValues', { 'Access-Control-Allow-Origin': `${A} ${B}` }, {}, 'MultipleAllowOriginValues', `${A} ${B}`, 'CORSAllowOriginNotMatchingOrigin'],
    ['two ACAO lines (combined ", ") → MultipleAllowOriginValues; Firefox counts lines', { 'Access-Control-Allow-Origin': [A, A] }, {}, 'MultipleAllowOriginValues', `${A}, ${A}`, 'CORSMultipleAllowOriginNotAllowed'],
    ['"null" for a real origin → AllowOriginMismatch', { 'Access-Control-Allow-Origin': 'null' }, {}, 'AllowOriginMismatch', 'null', 'CORSAllowOriginNotMatchingOrigin'],
    ['not a URL → InvalidAllowOriginValue', { 'Access-Control-Allow-Origin': '127.0.0.1:18411' }, {}, 'InvalidAllowOriginValue', '127.0.0.1:18411', 'CORSAllowOriginNotMatchingOrigin'],
    ['empty value → InvalidAllowOriginValue ""', { 'Access-Control-Allow-Origin': '' }, {}, 'InvalidAllowOriginValue', '', 'CORSAllowOriginNotMatchingOrigin'],
    ['trailing slash → AllowOriginMismatch', { 'Access-Control-Allow-Origin': `${A}/` }, {}, 'AllowOriginMismatch', `${A}/`, 'CORSAllowOriginNotMatchingOrigin'],
    ['other origin → AllowOriginMismatch', { 'Access-Control-Allow-Origin': B }, {}, 'AllowOriginMismatch', B, 'CORSAllowOriginNotMatchingOrigin'],
    ['include, no ACAC → InvalidAllowCredentials ""', { 'Access-Control-Allow-Origin': A }, { include: true }, 'InvalidAllowCredentials', '', 'CORSMissingAllowCredentials'],
    ['include, ACAC "TRUE" (case-sensitive) → InvalidAllowCredentials', { 'Access-Control-Allow-Origin': A, 'Access-Control-Allow-Credentials': 'TRUE' }, { include: true }, 'InvalidAllowCredentials', 'TRUE', 'CORSMissingAllowCredentials'],
    ['include, ACAC true → pass', { 'Access-Control-Allow-Origin': A, 'Access-Control-Allow-Credentials': 'true' }, { include: true }, null, null, null],
    ['origin null, ACAO "null" → pass', { 'Access-Control-Allow-Origin': 'null' }, { origin: 'null' }, null, null, null],
    ['origin null, ACAO A → AllowOriginMismatch', { 'Access-Control-Allow-Origin': A }, { origin: 'null' }, 'AllowOriginMismatch', A, 'CORSAllowOriginNotMatchingOrigin'],
    ['value padded with spaces is trimmed → pass', { 'Access-Control-Allow-Origin': ` ${A} ` }, {}, null, null, null],
  ])('%s', (_name, response, opts, error, param, ff) => {
    const r = check(response, opts);
    expect(r?.error ?? null).toBe(error);
    expect(r?.failedParameter ?? null).toBe(param);
    expect(r?.firefoxReason ?? null).toBe(ff);
  });

  it.each([
    ['WildcardOriginNotAllowed', { 'Access-Control-Allow-Origin': '*' }, true, 'PreflightWildcardOriginNotAllowed'],
    ['MissingAllowOriginHeader', {}, false, 'PreflightMissingAllowOriginHeader'],
    ['MultipleAllowOriginValues', { 'Access-Control-Allow-Origin': `${A},${B}` }, false, 'PreflightMultipleAllowOriginValues'],
    ['InvalidAllowOriginValue', { 'Access-Control-Allow-Origin': 'nope' }, false, 'PreflightInvalidAllowOriginValue'],
    ['AllowOriginMismatch', { 'Access-Control-Allow-Origin': B }, false, 'PreflightAllowOriginMismatch'],
    ['InvalidAllowCredentials', { 'Access-Control-Allow-Origin': A }, true, 'PreflightInvalidAllowCredentials'],
  ])('on a preflight %s becomes %s', (_n, response, include, expected) => {
    expect(check(response, { include, preflight: true })?.error).toBe(expected);
  });
});
