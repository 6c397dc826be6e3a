#!/usr/bin/env node
/**
 * `npm test`: every check, in the order that fails fastest — typecheck, lint, unit tests (engine,
 * HAR, CLI, UI components, background with typed fakes), then the real-browser suite (the built
 * extension in Debian Chromium and Firefox ESR, installed on demand: scripts/browsers.mjs).
 * A missing browser is a failure with the install command, never a skip.
 *
 *   npm test                 everything
 *   npm test -- --no-browser typecheck, lint and unit tests only (quick local loop)
 *   npm run test:stress      the stress suite only (200 MB HAR, worker killed under load)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBrowsers } from './browsers.mjs';

const reports = mkdtempSync(join(tmpdir(), 'cors-lens-test-'));
/** Totals over every vitest run, for the plain closing line. */
const totals = { passed: 0, failed: 0, skipped: 0 };
function vitest(project) {
  const out = join(reports, `${project}.json`);
  const code = sh(npx, ['vitest', 'run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${out}`]);
  if (existsSync(out)) {
    const r = JSON.parse(readFileSync(out, 'utf8'));
    totals.passed += r.numPassedTests;
    totals.failed += r.numFailedTests;
    totals.skipped += r.numPendingTests + r.numTodoTests;
  }
  return code;
}

const args = process.argv.slice(2);
const noBrowser = args.includes('--no-browser');
const stress = args.includes('--stress');
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

const ensure = () => {
  try {
    ensureBrowsers({ want: ['chromium', 'firefox'] });
    return 0;
  } catch (e) {
    console.error(`cors-lens: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
};

/** @type {[string, () => number][]} */
const steps = stress ? [['browsers', ensure], ['stress tests', () => vitest('stress')]] : [
  ['typecheck', () => sh(npx, ['tsc', '-p', 'tsconfig.json', '--noEmit']) || sh(npx, ['tsc', '-p', 'src/core/tsconfig.json', '--noEmit'])],
  ['lint', () => sh(npx, ['eslint', '.', '--max-warnings', '0'])],
  ['unit tests', () => vitest('unit')],
];
if (!noBrowser && !stress) {
  steps.push(['browsers', ensure]);
  steps.push(['real-browser tests (Chromium + Firefox)', () => vitest('browser')]);
}

function sh(cmd, cmdArgs) {
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', env: process.env });
  return r.status ?? 1;
}

const t0 = performance.now();
for (const [name, fn] of steps) {
  const s = performance.now();
  console.log(`\n▶ ${name}`);
  const code = fn();
  const secs = ((performance.now() - s) / 1000).toFixed(1);
  if (code !== 0) {
    console.error(`\n✖ ${name} failed (exit ${code}) after ${secs} s`);
    closingLine();
    process.exit(code);
  }
  console.log(`✔ ${name} (${secs} s)`);
}
console.log(`\nall checks passed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
closingLine();

function closingLine() {
  rmSync(reports, { recursive: true, force: true });
  // The plain summary CI reads: 'N passed, N failed' alone on a line.
  console.log(`tests: ${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
}
