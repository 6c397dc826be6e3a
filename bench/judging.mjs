#!/usr/bin/env node
/**
 * What judging one capture batch costs the store, in Node, with the worker's compiler tier. The
 * requests are real: one 2,000-call batch of the capture benchmark's job (lib/server.mjs) is run
 * in Chromium with CORS Lens, and the requests its store kept are read back over the worker's
 * debug hook (`__corsLens.entries`) into bench/out/batch-requests.json (reused while it exists;
 * `--capture` takes a new one). Then child `node --max-opt=2` processes (Maglev at most: the
 * extension's worker runs in V8's efficiency mode, docs/bench.md "Session 5") feed them to a
 * fresh `CaptureStore` with the real engine, `--runs` times each, in two modes, alternated:
 *   add    every request judged as it finishes (before session 11);
 *   defer  a preflight that starts a URL group waits for its request (store.ts `defer`).
 * Both modes must end with the same entries and counters (checked; exit 1 otherwise).
 *
 *   node bench/judging.mjs [--capture] [--runs 21] [--rounds 3]
 *
 * Prints per process the best and the median batch time. The best is the steadier figure on a
 * shared machine. A timing for docs/bench.md, not a test.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CALLS, FAIL_EVERY, WAVE } from './capture.mjs';
import { OUT, ROOT, buildExtension, bundleModule } from './lib/build.mjs';
import { startBenchServer } from './lib/server.mjs';

const args = process.argv.slice(2);
const num = (/** @type {string} */ name, /** @type {number} */ dflt, /** @type {number} */ max) => {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : dflt;
  if (!Number.isInteger(v) || v < 1 || v > max) throw new Error(`${name} needs a whole number from 1 to ${max} (got ${args[i + 1]})`);
  return v;
};
const runs = num('--runs', 21, 200);
const rounds = num('--rounds', 3, 20);
const data = resolve(OUT, 'batch-requests.json');

if (args.includes('--capture') || !existsSync(data)) {
  const { launchChromium } = await import('../test/harness/launch.mjs');
  const ext = await buildExtension('chrome');
  const server = await startBenchServer();
  const browser = await launchChromium({ extensionDir: ext });
  try {
    const page = await browser.context.newPage();
    await page.goto(server.pageUrl('judging'));
    await server.waitReady('judging', 60_000);
    const r = await server.runJob('judging', { tag: 'judging', calls: CALLS, wave: WAVE, failEvery: FAIL_EVERY }, 120_000);
    // The last requests of the batch reach the store a moment after the page saw them.
    await new Promise((res) => setTimeout(res, 1500));
    const reqs = await browser.sw.evaluate(async () => {
      const h = /** @type {any} */ (globalThis).__corsLens;
      await h.ready();
      const tab = (await chrome.tabs.query({})).find((t) => t.url?.includes('/bench.html'));
      if (!tab?.id) throw new Error('the bench page tab is gone');
      return h.entries(tab.id).map((/** @type {any} */ e) => e.request);
    });
    writeFileSync(data, JSON.stringify(reqs));
    console.log(`captured ${reqs.length} requests (${r.ok} calls passed, ${r.failed} failed) to ${data}`);
  } finally {
    server.stop('judging');
    await browser.close();
    await server.close();
  }
}

const runner = await bundleModule(
  `
import { readFileSync } from 'node:fs';
import { CaptureStore } from './src/background/store.ts';
import { coreEngine } from './src/background/engine.ts';
import { isPreflight } from './src/core/classify.ts';
const [file, mode, n] = process.argv.slice(2);
const reqs = JSON.parse(readFileSync(file, 'utf8'));
const times = [];
let last;
for (let i = 0; i < Number(n); i++) {
  const store = new CaptureStore({ analyzer: () => coreEngine.analyzer('chromium'), maxEntriesPerTab: 5000 });
  const t = performance.now();
  for (const r of reqs) mode === 'defer' && isPreflight(r) ? store.defer(r) : store.add(r);
  times.push(performance.now() - t);
  last = store;
}
times.sort((a, b) => a - b);
const tab = last.tabIds()[0];
const out = { best: times[0], median: times[times.length >> 1], counters: last.counters(tab), entries: JSON.stringify(last.entries(tab)) };
process.stdout.write(JSON.stringify(out));
`,
  ROOT,
  resolve(OUT, 'judging-runner.mjs'),
);

/** @type {Record<string, {best: number, median: number}[]>} */
const got = { add: [], defer: [] };
/** @type {Record<string, string>} */
const results = {};
for (let round = 0; round < rounds; round++) {
  for (const mode of round % 2 === 0 ? ['add', 'defer'] : ['defer', 'add']) {
    const p = spawnSync(process.execPath, ['--max-opt=2', runner, data, mode, String(runs)], { encoding: 'utf8', maxBuffer: 1 << 30, timeout: 600_000 });
    if (p.status !== 0) throw new Error(`the ${mode} run failed: ${p.stderr.slice(0, 500)}`);
    const r = JSON.parse(p.stdout);
    got[mode].push(r);
    results[mode] = JSON.stringify({ counters: r.counters, entries: r.entries });
    console.log(`round ${round} ${mode.padEnd(5)} best ${r.best.toFixed(1)} ms  median ${r.median.toFixed(1)} ms  (${runs} batches)`);
  }
}
const best = (/** @type {string} */ m) => Math.min(...got[m].map((r) => r.best));
console.log(`best of all: add ${best('add').toFixed(1)} ms, defer ${best('defer').toFixed(1)} ms, defer / add ${(best('defer') / best('add')).toFixed(3)}`);
if (results.add !== results.defer) {
  console.error('the two modes ended with different entries or counters');
  process.exit(1);
}
console.log('both modes ended with the same entries and counters');
