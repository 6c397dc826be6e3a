/**
 * Smoke test of the benchmark's input, not of CORS Lens's speed (no timing here): the synthetic
 * HAR generator is deterministic, writes valid HAR 1.2, and produces the mix the engine
 * benchmark claims (docs/bench.md §2). Not in vitest's `unit` project; run it with
 *   npx vitest run --config bench/vitest.config.mjs
 */
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../src/core/index.ts';
import { parseHar } from '../src/core/har/index.ts';
import { validateHar } from '../test/unit/har-schema.ts';
import { generateHar } from './synthetic-har.mjs';

interface Entry {
  _resourceType: string;
  request: { method: string; url: string; headers: { name: string; value: string }[] };
  response: { status: number; redirectURL: string; _error?: string };
}
type Har = { log: { entries: Entry[] } };
// The generator is plain JavaScript (checkJs is off): its JSDoc types are loose, so pin the shape here.
const gen = generateHar as unknown as (count: number, seed?: number, opts?: { corsOnly?: boolean }) => Har;

describe('synthetic HAR generator', () => {
  it('gives the same bytes for the same seed and size, and other bytes for another seed', () => {
    expect(JSON.stringify(gen(400, 3))).toBe(JSON.stringify(gen(400, 3)));
    expect(JSON.stringify(gen(400, 4))).not.toBe(JSON.stringify(gen(400, 3)));
  });

  it.each([1, 2, 7, 500, 1001])('writes exactly %i entries of valid HAR 1.2', (n) => {
    const har = gen(n, 1);
    expect(har.log.entries).toHaveLength(n);
    expect(validateHar(har)).toEqual([]);
  });

  it('puts every preflight right before its request, and every redirect before its next hop', () => {
    const { entries } = gen(2000, 1).log;
    let preflights = 0;
    let redirects = 0;
    entries.forEach((e, i) => {
      const next = entries[i + 1];
      if (e._resourceType === 'preflight') {
        preflights++;
        expect(e.request.method).toBe('OPTIONS');
        expect(next?.request.url).toBe(e.request.url);
        const acrm = e.request.headers.find((h) => h.name === 'Access-Control-Request-Method')?.value;
        expect(next?.request.method).toBe(acrm);
      }
      if (e.response.status === 302) {
        redirects++;
        expect(next?.request.url).toBe(e.response.redirectURL);
        expect(next?.request.headers.find((h) => h.name === 'Origin')?.value).toBe('null');
      }
    });
    expect(preflights).toBeGreaterThan(2000 * 0.15);
    expect(redirects).toBeGreaterThan(2000 * 0.03);
  });

  it('gives the engine every kind and both verdicts to judge', () => {
    const judged = analyzeCapture(parseHar(JSON.stringify(gen(3000, 1))).requests, { browser: 'chromium' });
    const kinds = new Set(judged.map((e) => e.cors.kind));
    const verdicts = new Set(judged.map((e) => e.cors.verdict));
    expect([...kinds].sort()).toEqual(['not-cors', 'preflight', 'preflighted', 'simple']);
    expect(verdicts).toContain('pass');
    expect(verdicts).toContain('fail');
    const pairedPreflights = judged.filter((e) => e.cors.kind === 'preflight' && e.cors.pairedWith !== null);
    expect(pairedPreflights.length).toBeGreaterThan(3000 * 0.15);
  });

  it('writes no same-origin entry with corsOnly (every entry is a panel row)', () => {
    const { entries } = gen(1000, 7, { corsOnly: true }).log;
    expect(entries.some((e) => e.request.url.startsWith('https://app.example.test/'))).toBe(false);
  });
});
