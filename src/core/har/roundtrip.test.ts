/**
 * Round trip through the engine: HAR → parseHar → analyzeCapture → toAnnotatedHar → text →
 * parseHar → analyzeCapture must give the same `_cors` for every request, for both browser
 * profiles, redacted or not. Runs over every HAR under test/fixtures (the hand-made ones here,
 * and any recorded set committed later), plus a synthetic capture with redirects, preflight
 * cache reuse and credentials.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateHar } from '../../../test/unit/har-schema.ts';
import { analyzeCapture } from '../analyze.ts';
import type { BrowserProfile, ObservedRequest } from '../model.ts';
import { parseHar } from './read.ts';
import { stringifyHar, toAnnotatedHar } from './write.ts';

const fixtures = resolve(import.meta.dirname, '../../../test/fixtures');
function harFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? harFiles(join(dir, d.name)) : d.name.endsWith('.har') ? [join(dir, d.name)] : [],
  );
}

const A = 'http://127.0.0.1:18411';
const B = 'http://127.0.0.1:18412';
const T = Date.UTC(2026, 10, 24, 12, 0, 0);
let n = 0;
function req(url: string, method: string, reqH: Record<string, string>, status: number, resH: Record<string, string> | null, start: number, more: Partial<ObservedRequest> = {}): ObservedRequest {
  return {
    id: `s${n++}`,
    tabId: 3,
    resourceType: method === 'OPTIONS' ? 'preflight' : 'fetch',
    initiator: A,
    hops: [
      {
        url,
        method,
        requestHeaders: Object.entries(reqH).map(([name, value]) => ({ name, value })),
        status,
        statusText: '',
        responseHeaders: resH && Object.entries(resH).map(([name, value]) => ({ name, value })),
        redirectURL: null,
        startedMs: start,
        endedMs: start + 2.5,
      },
    ],
    outcome: status === 0 ? { outcome: 'failed', error: 'net::ERR_FAILED' } : { outcome: 'completed' },
    ...more,
  };
}

/** Live-capture shapes a HAR from a browser would not have: sub-ms stamps, cache reuse, known credentials, a redirect. */
function synthetic(): ObservedRequest[] {
  const ok = { 'Access-Control-Allow-Origin': A };
  const redirected = req(`${B}/r`, 'GET', { Origin: A }, 302, { ...ok, Location: 'http://127.0.0.1:18413/final' }, T + 50);
  redirected.hops[0]!.redirectURL = 'http://127.0.0.1:18413/final';
  redirected.hops.push({ ...req('http://127.0.0.1:18413/final', 'GET', { Origin: 'null' }, 200, { 'Access-Control-Allow-Origin': '*' }, T + 53).hops[0]! });
  return [
    req(`${B}/put`, 'PUT', { Origin: A, 'X-Token': '1' }, 200, ok, T),
    req(`${B}/put`, 'OPTIONS', { Origin: A, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'x-token' }, 204, { ...ok, 'Access-Control-Allow-Methods': 'PUT', 'Access-Control-Allow-Headers': 'x-token', 'Access-Control-Max-Age': '600' }, T + 0.4),
    // Served from the preflight cache: no OPTIONS of its own.
    req(`${B}/put`, 'PUT', { Origin: A, 'X-Token': '2' }, 200, ok, T + 10),
    req(`${B}/me`, 'GET', { Origin: A, Cookie: 'sid=1' }, 200, { 'Access-Control-Allow-Origin': '*' }, T + 20, { credentials: 'include' }),
    req(`${B}/me2`, 'GET', { Origin: A }, 200, { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Credentials': 'true' }, T + 30, { credentials: 'omit' }),
    redirected,
    req(`${B}/gone`, 'DELETE', {}, 0, null, T + 60, { outcome: { outcome: 'incomplete' } }),
  ];
}

function roundTrip(requests: ObservedRequest[], browser: BrowserProfile, includeSecrets: boolean): void {
  const first = analyzeCapture(requests, { browser });
  const har = toAnnotatedHar(first, { includeSecrets, creator: { name: 'CORS Lens', version: 'test' } });
  expect(validateHar(har)).toEqual([]);
  const back = parseHar(stringifyHar(har));
  expect(back.warnings).toEqual([]);
  const again = analyzeCapture(back.requests, { browser });
  const byId = (xs: typeof first) => new Map(xs.map((e) => [e.cors.id, e.cors]));
  expect(byId(again)).toEqual(byId(first));
  expect(back.annotations).toEqual(byId(first));
}

describe('round trip through the engine', () => {
  const files = harFiles(fixtures);
  it('finds the hand-made fixtures', () => {
    expect(files.map((f) => relative(fixtures, f))).toEqual(expect.arrayContaining(['har/chrome-devtools.har', 'har/firefox.har']));
  });

  for (const file of files) {
    for (const browser of ['chromium', 'firefox'] as const) {
      it(`${relative(fixtures, file)} (${browser}): same _cors after export and re-import, redacted and not`, () => {
        const requests = parseHar(readFileSync(file, 'utf8')).requests;
        roundTrip(requests, browser, false);
        roundTrip(requests, browser, true);
      });
    }
  }

  for (const browser of ['chromium', 'firefox'] as const) {
    it(`a synthetic live capture (${browser}): same _cors, and the verdicts are not all alike`, () => {
      const requests = synthetic();
      roundTrip(requests, browser, false);
      roundTrip(requests, browser, true);
      const kinds = new Set(analyzeCapture(requests, { browser }).map((e) => `${e.cors.kind}/${e.cors.verdict}`));
      expect(kinds.size).toBeGreaterThan(2);
    });
  }
});
