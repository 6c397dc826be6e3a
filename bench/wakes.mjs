/**
 * What a wake of the stopped worker costs: the capture benchmark's job (2,000 cross-origin calls,
 * lib/server.mjs) run several times in one Chromium with CORS Lens, with an idle gap between
 * the batches. Chromium stops an extension's idle service worker after 30 s without events, so a
 * gap longer than that makes the next batch start with a wake (the restore of service.ts), as it
 * does for every other CORS Lens batch in `npm run bench` (the variants alternate, and a
 * variant waits ≈ 50 s between two of its batches in every other round).
 *
 * Chromium is started as bench/capture.mjs starts it, without automation: an attached DevTools
 * client keeps a service worker alive, which would hide the stops. Only at the end does the script
 * connect over the DevTools protocol, once, to read the worker's wake log (`diag:wakes` in
 * storage.session: per wake the restore's wall time, the thread time of its phases and the events
 * queued meanwhile).
 *
 *   node bench/wakes.mjs [--gap <ms>] [--batches <n>]     (defaults: 45,000 ms, 3 batches after a warm-up)
 *
 * Prints, per batch, the page's wall time and the CPU of the browser's processes by kind, then
 * one line per wake. With `--gap 3000` no wake happens after the first: the same batches without
 * a restore, to compare.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findBrowsers } from '../scripts/browsers.mjs';
import { CALLS, FAIL_EVERY, WAVE, spawnChromium } from './capture.mjs';
import { buildExtension } from './lib/build.mjs';
import { isChromiumNetworkService, sampleCpu } from './lib/proc.mjs';
import { startBenchServer } from './lib/server.mjs';

const args = process.argv.slice(2);
const arg = (/** @type {string} */ name, /** @type {number} */ dflt) => {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : dflt;
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name} needs a number (got ${args[i + 1]})`);
  return v;
};
const gapMs = Math.min(arg('--gap', 45_000), 300_000);
const batches = Math.min(Math.max(1, Math.round(arg('--batches', 3))), 10);
const JOB_TIMEOUT_MS = 120_000;

const exe = findBrowsers().chromium;
if (!exe) throw new Error('chromium not found (node scripts/browsers.mjs --ensure)');
console.log('building the release extension into bench/out/ext/chrome …');
const ext = await buildExtension('chrome');
const server = await startBenchServer();
const child = spawnChromium(exe, ext, server.pageUrl('w'), ['--remote-debugging-port=0']);
try {
  await server.waitReady('w', 60_000);
  for (let round = 0; round <= batches; round++) {
    /** @type {ReturnType<typeof sampleCpu> | null} */
    let before = null;
    const job = { tag: `w-${round}`, calls: round === 0 ? 200 : CALLS, wave: WAVE, failEvery: FAIL_EVERY };
    const r = await server.runJob('w', job, JOB_TIMEOUT_MS, () => {
      before = sampleCpu(child.pid, isChromiumNetworkService);
    });
    const after = sampleCpu(child.pid, isChromiumNetworkService);
    const b = /** @type {ReturnType<typeof sampleCpu>} */ (/** @type {unknown} */ (before));
    const kinds = Object.entries(after.byKind).map(([k, v]) => `${k} ${v - (b.byKind[k] ?? 0)}`);
    console.log(`batch ${round}${round === 0 ? ' (warm-up)' : ''}: ok ${r.ok} failed ${r.failed}, wall ${Math.round(r.wallMs)} ms, cpu ${after.total - b.total} ms (${kinds.join(', ')})`);
    if (round < batches) await new Promise((res) => setTimeout(res, gapMs));
  }
  // Read the wake log over the DevTools protocol, now that the batches are done.
  const port = readFileSync(join(child.userDataDir, 'DevToolsActivePort'), 'utf8').split('\n')[0];
  const { chromium } = await import('playwright-core');
  const browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
  try {
    const ctx = browser.contexts()[0];
    const sw = ctx?.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://'));
    if (!sw) throw new Error('the extension service worker is not running (stopped after the last batch?)');
    const wakes = await sw.evaluate(async () => (await chrome.storage.session.get('diag:wakes'))['diag:wakes']);
    for (const w of Array.isArray(wakes) ? wakes : []) {
      console.log(
        `wake: restore ${w.restoreMs} ms wall, thread ${w.busyMs} ms (read ${w.readBusyMs}, judge ${w.judgeBusyMs}), events queued meanwhile ${w.queued}, yields ${w.yields}`,
      );
    }
  } finally {
    await browser.close();
  }
} finally {
  server.stop('w');
  await child.close();
  await server.close();
}
