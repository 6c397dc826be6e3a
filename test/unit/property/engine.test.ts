/**
 * Property tests of the engine (issue 7 item 1): over generated captures — realistic CORS header
 * sets with a share of junk, preflight pairs, redirects, repeated ids — `analyzeCapture` and
 * `CorsAnalyzer` never throw, are deterministic, agree with each other, and every annotation
 * keeps the `_cors` contract (DESIGN §3.3): `pass` never carries an error code, `fail` always
 * does, and the codes are ones the engine documents.
 *
 * Seeds are random per run (fast-check prints the seed and the shrunk counterexample on a
 * failure; replay with FC_SEED=<seed>), so every `npm test` explores new cases.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { CorsAnalyzer, analyzeCapture } from '../../../src/core/analyze.ts';
import type { AnalyzedEntry, CorsAnnotation } from '../../../src/core/annotation.ts';
import { isPreflight } from '../../../src/core/classify.ts';
import { BROWSER_PROFILES, type ObservedRequest } from '../../../src/core/model.ts';
import { capture } from './arbitraries.ts';
import { contractProblems } from './contract.ts';
import { fcParams, recordRuns } from './runs.ts';

function problemsOf(entries: AnalyzedEntry[]): string[] {
  return entries.flatMap((e) => contractProblems(e.cors).map((p) => `${e.cors.id}: ${p}`));
}

const byId = (xs: AnalyzedEntry[]): Map<string, CorsAnnotation> => new Map(xs.map((e) => [e.cors.id, e.cors]));
const uniqueIds = (reqs: ObservedRequest[]): number => new Set(reqs.map((r) => r.id)).size;

// Thousands of cases take a few seconds on an idle machine, many times that on 2 shared busy cores.
vi.setConfig({ testTimeout: 180_000 });

afterAll(() => recordRuns.report('engine'));

describe('engine properties', () => {
  for (const browser of BROWSER_PROFILES) {
    it(`${browser}: never throws, one annotation per request id, every annotation keeps the _cors contract`, () => {
      fc.assert(
        fc.property(capture({ repeatIds: true }), (reqs) => {
          recordRuns.count('engine');
          const out = analyzeCapture(reqs, { browser });
          expect(out.length).toBe(uniqueIds(reqs));
          expect(new Set(out.map((e) => e.cors.id)).size).toBe(out.length);
          for (const e of out) expect(e.cors.id).toBe(e.request.id);
          expect(problemsOf(out)).toEqual([]);
        }),
        fcParams(800),
      );
    });

    it(`${browser}: deterministic — the same capture (a deep copy) gives the same annotations`, () => {
      fc.assert(
        fc.property(capture(), (reqs) => {
          recordRuns.count('engine');
          const a = analyzeCapture(reqs, { browser });
          const b = analyzeCapture(structuredClone(reqs), { browser });
          expect(b.map((e) => e.cors)).toEqual(a.map((e) => e.cors));
        }),
        fcParams(500),
      );
    });

    it(`${browser}: adding requests one by one to CorsAnalyzer ends where analyzeCapture does (some first seen incomplete, as after a worker restart)`, () => {
      fc.assert(
        fc.property(capture(), fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }), (reqs, firstIncomplete) => {
          recordRuns.count('engine');
          const live = new CorsAnalyzer({ browser });
          reqs.forEach((r, i) => {
            // The background stores a request it gave up on as incomplete and replaces it (same
            // id, same hops so far) if its terminal event still arrives.
            if (firstIncomplete[i]) expect(problemsOf(live.add({ ...r, hops: r.hops.slice(0, 1), outcome: { outcome: 'incomplete' } }))).toEqual([]);
            expect(problemsOf(live.add(r))).toEqual([]);
          });
          expect(byId(live.entries())).toEqual(byId(analyzeCapture(reqs, { browser })));
        }),
        fcParams(500),
      );
    });

    it(`${browser}: deferring preflights (CorsAnalyzer.defer, as the capture worker does) changes no judgement that is known, at any step`, () => {
      let deferredSome = 0;
      fc.assert(
        fc.property(capture(), (reqs) => {
          recordRuns.count('engine');
          const eager = new CorsAnalyzer({ browser });
          const lazy = new CorsAnalyzer({ browser });
          const known = new Map<string, CorsAnnotation>();
          const knownLazy = new Map<string, CorsAnnotation>();
          const waiting = new Set<string>();
          for (const r of reqs) {
            for (const e of eager.add(r)) known.set(e.cors.id, e.cors);
            if (isPreflight(r) && lazy.defer(r)) {
              waiting.add(r.id);
              deferredSome++;
            } else {
              for (const e of lazy.add(r)) {
                knownLazy.set(e.cors.id, e.cors);
                waiting.delete(e.cors.id);
              }
            }
            // Every judgement the deferring analyzer has given is the eager one; what it has
            // not given yet is a deferred preflight, and nothing else.
            for (const [id, cors] of known) {
              if (waiting.has(id)) expect(knownLazy.has(id)).toBe(false);
              else expect(knownLazy.get(id)).toEqual(cors);
            }
          }
          // Asked for, the deferred ones are judged as the eager analyzer judged them.
          expect(byId(lazy.entries())).toEqual(byId(eager.entries()));
        }),
        fcParams(500),
      );
      // The generator makes captures where deferring happens (otherwise this proves nothing).
      expect(deferredSome).toBeGreaterThan(0);
    });
  }

  it('the input is not modified (the store and the panel keep references to it)', () => {
    fc.assert(
      fc.property(capture(), fc.constantFrom(...BROWSER_PROFILES), (reqs, browser) => {
        recordRuns.count('engine');
        const before = structuredClone(reqs);
        analyzeCapture(reqs, { browser });
        expect(reqs).toEqual(before);
      }),
      fcParams(400),
    );
  });

  it('the generators reach every verdict and kind (otherwise the properties above prove little)', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(capture(), (reqs) => {
        recordRuns.count('engine');
        for (const e of analyzeCapture(reqs, { browser: 'chromium' })) {
          seen.add(e.cors.verdict);
          seen.add(e.cors.kind);
          if (e.cors.error) seen.add('error');
          if (e.request.hops.length > 1) seen.add('redirect');
          if (e.cors.pairedWith) seen.add('paired');
        }
      }),
      fcParams(300),
    );
    expect([...seen].sort()).toEqual(['error', 'fail', 'n/a', 'not-cors', 'paired', 'pass', 'preflight', 'preflighted', 'redirect', 'simple', 'unknown']);
  });
});
