/**
 * Property tests of HAR in and out (issue 7 item 1):
 * - our own export read back judges the same: analyzeCapture → toAnnotatedHar → JSON →
 *   parseHar → analyzeCapture gives every request the same `_cors`, redacted or not;
 * - the reader throws nothing but `HarError`, whatever it is given: any text, any JSON value,
 *   a real HAR cut short or with one field replaced by anything; what it accepts, the engine
 *   judges without throwing and within the `_cors` contract;
 * - the reader is deterministic.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { analyzeCapture } from '../../../src/core/analyze.ts';
import type { AnalyzedEntry, CorsAnnotation } from '../../../src/core/annotation.ts';
import { HarError, parseHar, type HarReadResult } from '../../../src/core/har/read.ts';
import { stringifyHar, toAnnotatedHar } from '../../../src/core/har/write.ts';
import { BROWSER_PROFILES } from '../../../src/core/model.ts';
import { validateHar } from '../har-schema.ts';
import { faithfulCapture, junkString } from './arbitraries.ts';
import { contractProblems } from './contract.ts';
import { fcParams, recordRuns } from './runs.ts';

const fixture = (p: string): string => readFileSync(resolve(import.meta.dirname, '../../fixtures', p), 'utf8');
const REAL_HARS = [fixture('har/chrome-devtools.har'), fixture('har/firefox.har')];
const CREATOR = { name: 'CORS Lens', version: 'property' };

const byId = (xs: AnalyzedEntry[]): Map<string, CorsAnnotation> => new Map(xs.map((e) => [e.cors.id, e.cors]));

/** parseHar's result, or the HarError it threw; anything else thrown fails the property. */
function read(input: unknown): HarReadResult | HarError {
  try {
    return parseHar(input);
  } catch (err) {
    if (err instanceof HarError) {
      // The message is one line (the CLI prints it as its one-line error, the panel in a banner).
      expect(err.message).not.toMatch(/[\r\n]/);
      return err;
    }
    throw new Error(`parseHar threw something other than HarError: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`, { cause: err });
  }
}

/** Whatever the reader accepts, the engine judges without throwing and within the contract. */
function judgeAccepted(r: HarReadResult | HarError): void {
  if (r instanceof HarError) return;
  for (const browser of BROWSER_PROFILES) {
    const out = analyzeCapture(r.requests, { browser });
    expect(out.flatMap((e) => contractProblems(e.cors))).toEqual([]);
  }
}

/** A JSON path into a value: the list of keys/indices of every node, for mutation. */
function paths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...prefix, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
  return out;
}

function replaceAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  node[path[path.length - 1]!] = value;
  return copy;
}

// Thousands of cases take a few seconds on an idle machine, many times that on 2 shared busy cores.
vi.setConfig({ testTimeout: 180_000 });

afterAll(() => recordRuns.report('har'));

describe('HAR round trip: our export, read back, judges the same', () => {
  for (const browser of BROWSER_PROFILES) {
    it(`${browser}: same _cors for every request after toAnnotatedHar → JSON → parseHar, redacted or not`, () => {
      fc.assert(
        fc.property(faithfulCapture(), fc.boolean(), (reqs, includeSecrets) => {
          recordRuns.count('har');
          const first = analyzeCapture(reqs, { browser });
          const har = toAnnotatedHar(first, { includeSecrets, creator: CREATOR });
          const back = read(stringifyHar(har));
          if (back instanceof HarError) throw new Error(`our own export was refused: ${back.message}`);
          expect(byId(analyzeCapture(back.requests, { browser }))).toEqual(byId(first));
          expect(back.annotations).toEqual(byId(first));
        }),
        fcParams(800),
      );
    });
  }

  it('our export is valid HAR 1.2 whatever the capture holds (schema check on a sample)', () => {
    fc.assert(
      fc.property(faithfulCapture(), fc.boolean(), fc.constantFrom(...BROWSER_PROFILES), (reqs, includeSecrets, browser) => {
        recordRuns.count('har');
        const har = toAnnotatedHar(analyzeCapture(reqs, { browser }), { includeSecrets, creator: CREATOR });
        expect(validateHar(JSON.parse(stringifyHar(har)))).toEqual([]);
      }),
      fcParams(300),
    );
  });
});

describe('the HAR reader throws only HarError, and what it accepts the engine can judge', () => {
  it('any text (random characters, lone surrogates, control characters)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ maxLength: 200 }), junkString), (text) => {
        recordRuns.count('har');
        judgeAccepted(read(text));
      }),
      fcParams(2000),
    );
  });

  it('any JSON value, and any JS value handed over already parsed', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.jsonValue(), fc.jsonValue().map((v) => ({ log: v })), fc.jsonValue().map((v) => ({ log: { version: '1.2', entries: v } }))),
        fc.anything({ withNullPrototype: true, withMap: true, withSet: true, withBigInt: true, withSparseArray: true, withBoxedValues: true }),
        (json, value) => {
          recordRuns.count('har');
          judgeAccepted(read(json));
          judgeAccepted(read(JSON.stringify(json)));
          judgeAccepted(read(value));
          judgeAccepted(read({ log: { entries: [value] } }));
        },
      ),
      fcParams(1000),
    );
  });

  it('a real HAR cut short anywhere, or with a character inserted anywhere', () => {
    fc.assert(
      fc.property(fc.constantFrom(...REAL_HARS), fc.double({ min: 0, max: 1, noNaN: true }), fc.option(fc.constantFrom('"', ',', '}', ']', '\\', '\u0000', '\ud800', '{', '1e999', '-'), { nil: null }), (text, at, insert) => {
        recordRuns.count('har');
        const i = Math.floor(at * text.length);
        judgeAccepted(read(insert === null ? text.slice(0, i) : text.slice(0, i) + insert + text.slice(i)));
      }),
      fcParams(600),
    );
  });

  it('a real HAR (or our own export) with one field replaced by any value', () => {
    const ours = JSON.parse(
      stringifyHar(toAnnotatedHar(analyzeCapture(parseHar(REAL_HARS[0]!).requests, { browser: 'chromium' }), { includeSecrets: false, creator: CREATOR })),
    ) as unknown;
    const roots = [...REAL_HARS.map((t) => JSON.parse(t) as unknown), ours];
    const targets = roots.map((root) => ({ root, paths: paths(root) }));
    fc.assert(
      fc.property(
        fc.constantFrom(...targets),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.oneof(fc.jsonValue({ maxDepth: 2 }), junkString, fc.constantFrom(null, -1, 0, 1e308, -1e308, '', [], {}, true, 'preflight', 'OPTIONS', 'fail', 'pass')),
        ({ root, paths: ps }, at, value) => {
          recordRuns.count('har');
          const path = ps[Math.min(ps.length - 1, Math.floor(at * ps.length))]!;
          const mutated = replaceAt(root, path, value);
          judgeAccepted(read(mutated));
          judgeAccepted(read(JSON.stringify(mutated)));
        },
      ),
      fcParams(800),
    );
  });

  it('deterministic: the same text read twice gives the same requests', () => {
    fc.assert(
      fc.property(faithfulCapture(), fc.constantFrom(...BROWSER_PROFILES), (reqs, browser) => {
        recordRuns.count('har');
        const text = stringifyHar(toAnnotatedHar(analyzeCapture(reqs, { browser }), { includeSecrets: false, creator: CREATOR }));
        expect(parseHar(text)).toEqual(parseHar(text));
      }),
      fcParams(300),
    );
  });
});
