/**
 * Conformance on the committed recordings (test/fixtures/conformance, written by
 * `node scripts/record-conformance.mjs`): for every playground scenario, the engine must decide
 * what real Chromium and Firefox decided. One test per scenario so a failure names it.
 * The live twin (test/e2e/conformance-live.test.ts) records afresh and runs the same comparison.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenarios } from '../playground/server.mjs';
import { compareChromium, compareFirefox, type Outcomes } from './compare.ts';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/conformance');
const outcomes = JSON.parse(fs.readFileSync(path.join(DIR, 'outcomes.json'), 'utf8')) as Outcomes;
const scenarios = loadScenarios();
const chromium = compareChromium(fs.readFileSync(path.join(DIR, 'chromium.har'), 'utf8'), outcomes, scenarios);
const firefox = compareFirefox(fs.readFileSync(path.join(DIR, 'firefox.har'), 'utf8'), outcomes, scenarios);
const ids = scenarios.map((s) => s.id);

describe('recordings cover the catalogue', () => {
  it('has a Chromium and a Firefox outcome for every scenario', () => {
    const missing = ids.filter((id) => !outcomes.scenarios[id]?.chromium || !outcomes.scenarios[id]?.firefox);
    expect(missing).toEqual([]);
  });
});

describe('engine (chromium profile) == Chromium 156', () => {
  it.each(ids)('%s', (id) => {
    const checks = chromium.get(id) ?? [];
    // Every scenario makes at least one request of its own (same-origin ones included).
    expect(checks.length).toBeGreaterThan(0);
    const disagreements = checks.filter((c) => c.problems.length > 0).map((c) => `${c.label} [${c.kind}]: ${c.problems.join('; ')}`);
    expect(disagreements).toEqual([]);
    // The page's own outcome agrees with the per-request verdicts: an error page has a failing
    // request (unless the scenario fails on purpose for a reason that is not a CORS check).
    if (scenarios.find((s) => s.id === id)?.nonCorsFailure) return;
    const pageError = outcomes.scenarios[id]?.chromium?.pageOutcome === 'error';
    const engineFails = checks.some((c) => c.kind !== 'preflight' && c.engine.verdict === 'fail');
    const netFailure = checks.some((c) => c.chromium.netError && c.chromium.netError !== 'net::ERR_ABORTED' && !c.chromium.corsError);
    if (!netFailure) expect(engineFails).toBe(pageError);
  });
});

describe('engine (firefox profile) == Firefox ESR 153 page outcome', () => {
  it.each(ids)('%s', (id) => {
    const check = firefox.get(id);
    expect(check?.firefox).toBeDefined();
    expect(check?.problems).toEqual([]);
  });
});
