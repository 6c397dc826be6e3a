/**
 * Conformance, recorded live: runs every playground scenario in the real Chromium and Firefox of
 * this machine (scripts/record-conformance.mjs, into a temp dir) and holds the engine to what they
 * decided, exactly as the fast suite does with the committed recordings
 * (test/conformance/conformance.test.ts). A browser update that changes behaviour fails here
 * loudly, and the last test says when the committed recordings have gone stale.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordConformance } from '../../scripts/record-conformance.mjs';
import { compareChromium, compareFirefox, type ChromiumCheck, type FirefoxCheck, type Outcomes } from '../conformance/compare.ts';
import { loadScenarios } from '../playground/server.mjs';

const scenarios = loadScenarios();
const ids = scenarios.map((s) => s.id);
const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/conformance');

let dir = '';
let outcomes: Outcomes;
let chromium: Map<string, ChromiumCheck[]>;
let firefox: Map<string, FirefoxCheck>;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cors-lens-conformance-'));
  const t0 = Date.now();
  const { stats } = await recordConformance({ outDir: dir, quiet: true });
  const times = Object.entries(stats).map(([b, s]) => `${b} ${(s.wallMs / 1000).toFixed(1)} s`);
  process.stdout.write(`conformance recorded live: ${scenarios.length} scenarios, ${times.join(', ')} (total ${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
  outcomes = JSON.parse(fs.readFileSync(path.join(dir, 'outcomes.json'), 'utf8')) as Outcomes;
  chromium = compareChromium(fs.readFileSync(path.join(dir, 'chromium.har'), 'utf8'), outcomes, scenarios);
  firefox = compareFirefox(fs.readFileSync(path.join(dir, 'firefox.har'), 'utf8'), outcomes, scenarios);
}, 400_000);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('live: engine (chromium profile) == this Chromium', () => {
  it.each(ids)('%s', (id) => {
    const checks = chromium.get(id) ?? [];
    expect(checks.length).toBeGreaterThan(0);
    expect(checks.filter((c) => c.problems.length > 0).map((c) => `${c.label} [${c.kind}]: ${c.problems.join('; ')}`)).toEqual([]);
  });
});

describe('live: engine (firefox profile) == this Firefox', () => {
  it.each(ids)('%s', (id) => {
    const check = firefox.get(id);
    expect(check?.firefox).toBeDefined();
    expect(check?.problems).toEqual([]);
  });
});

describe('committed recordings', () => {
  it('still describe what these browsers do (re-record with `node scripts/record-conformance.mjs` if not)', () => {
    const committed = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'outcomes.json'), 'utf8')) as Outcomes;
    const summary = (o: Outcomes) =>
      Object.fromEntries(
        ids.map((id) => {
          const s = o.scenarios[id];
          const codes = (s?.chromium?.requests ?? []).map((r) => r.corsError).filter(Boolean).sort().join(',');
          return [id, `chromium ${s?.chromium?.pageOutcome} ${codes} / firefox ${s?.firefox?.pageOutcome}`];
        }),
      );
    expect(summary(outcomes)).toEqual(summary(committed));
  });
});
