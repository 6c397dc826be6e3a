/**
 * Found by the property tests (test/unit/property/engine.test.ts): `CorsAnalyzer.add` with an id
 * it already holds replaces the request, but re-judges only the URL group of the NEW request.
 * Requests that shared a URL only with the OLD version keep a judgement that still refers to it.
 *
 * Fixed in src/core/analyze.ts: the group search in `add` is seeded with the previous version's
 * hop URLs too, so the requests it was related to are re-judged.
 */
import { describe, expect, it } from 'vitest';
import { CorsAnalyzer, analyzeCapture } from '../../../src/core/analyze.ts';
import type { AnalyzedEntry, CorsAnnotation } from '../../../src/core/annotation.ts';
import { A, B, preflight, request } from '../../../src/core/testing.ts';

const byId = (xs: AnalyzedEntry[]): Map<string, CorsAnnotation> => new Map(xs.map((e) => [e.cors.id, e.cors]));

describe('CorsAnalyzer.add replacing a request that moves to another URL', () => {
  it('re-judges the requests the old version was paired with', () => {
    const pre = preflight({ id: 'x', url: `${B}/api/a`, acrm: 'PUT', start: 1002, response: { 'Access-Control-Allow-Origin': A, 'Access-Control-Allow-Methods': 'PUT' } });
    const put = request({ id: 'put', url: `${B}/api/a`, method: 'PUT', start: 1000, response: { 'Access-Control-Allow-Origin': A } });
    // Same id, now a GET elsewhere: the PUT lost its preflight.
    const replacement = request({ id: 'x', url: `${B}/api/b`, start: 1005, response: { 'Access-Control-Allow-Origin': A } });
    const live = new CorsAnalyzer({ browser: 'chromium' });
    live.add(put);
    live.add(pre);
    expect(live.entries().find((e) => e.cors.id === 'put')!.cors.pairedWith).toBe('x');
    live.add(replacement);
    // analyzeCapture (batch) says the PUT is no longer paired; the live analyzer still says 'x'.
    expect(byId(live.entries())).toEqual(byId(analyzeCapture([put, pre, replacement], { browser: 'chromium' })));
  });
});
